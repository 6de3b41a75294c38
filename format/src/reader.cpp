#include "rondo/format/reader.h"

#include "rondo/format/counter_columns.h"
#include "rondo/format/huge_pages.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <map>
#include <optional>
#include <stdexcept>

namespace rondo::format {

MappedFile::MappedFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw FormatError(path + ": " + std::strerror(errno));
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw FormatError(path + ": " + std::strerror(e));
  }
  size_ = static_cast<size_t>(st.st_size);
  if (size_ > 0) {
    void* p = mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw FormatError(path + ": cannot map: " + std::strerror(e));
    }
    data_ = static_cast<const uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) munmap(const_cast<uint8_t*>(data_), size_);
}

// ---------------------------------------------------------------------------
// ProcessReader

ProcessReader::ProcessReader(const std::string& path) : path_(path), file_(std::make_unique<MappedFile>(path)) {
  std::string bad = check_file_header(file_->data(), file_->size());
  if (!bad.empty()) throw FormatError(path + ": " + bad);
  scan_ = scan_chunks(file_->data(), file_->size());
  std::map<uint32_t, bool> threads;
  // Process definitions must be applied in sequence order: later records win.
  std::vector<const ChunkRef*> defs;
  for (const ChunkRef& c : scan_.chunks) {
    if (c.header.thread == kProcessScope) {
      if (c.header.kind == ChunkKind::ProcessDefs) defs.push_back(&c);
      if (c.header.kind == ChunkKind::ProcessEnd) ended_ = true;
    } else {
      threads[c.header.thread] = true;
    }
  }
  std::stable_sort(defs.begin(), defs.end(),
                   [](const ChunkRef* a, const ChunkRef* b) { return a->header.sequence < b->header.sequence; });
  for (const ChunkRef* c : defs) {
    try {
      auto payload = c->payload();
      defs_.decode(payload.data(), payload.size());
    } catch (const FormatError& e) {
      scan_.problems.push_back(std::string("process definitions at offset ") + std::to_string(c->offset) + ": " +
                               e.what());
    }
  }
  for (auto& [id, _] : threads) thread_ids_.push_back(id);
  threads_.resize(thread_ids_.size());
  for (size_t i = 0; i < thread_ids_.size(); ++i) loaded_.push_back(std::make_unique<std::once_flag>());

  const ClockDef& c = defs_.clock;
  map_ticks_ = c.start_ticks;
  map_ns_ = c.start_ns;
  if (c.has_end && c.end_ns > c.start_ns && c.end_ticks > c.start_ticks)
    ticks_per_ns_ = static_cast<double>(c.end_ticks - c.start_ticks) / static_cast<double>(c.end_ns - c.start_ns);
  else if (c.ticks_per_second > 0)
    ticks_per_ns_ = static_cast<double>(c.ticks_per_second) / 1e9;
  prepare_to_ns();
}

bool ProcessReader::truncated() const { return scan_.truncated || !ended_; }

uint64_t ProcessReader::clock_span_ns() const {
  const ClockDef& c = defs_.clock;
  return c.has_end && c.end_ns > c.start_ns ? c.end_ns - c.start_ns : 0;
}

void ProcessReader::share_clock_mapping(const ProcessReader& reference) {
  map_ticks_ = reference.map_ticks_;
  map_ns_ = reference.map_ns_;
  ticks_per_ns_ = reference.ticks_per_ns_;
  prepare_to_ns();
}

namespace {

// base + round(rest), clamped as clamped_ns_sum() clamps.
int64_t saturating_ns(int64_t base, double rest) {
  constexpr auto kLimit = static_cast<double>(kTimeLimitNs);
  if (std::isnan(rest)) return -kTimeLimitNs;
  const double x = std::clamp(rest, -1.5 * kLimit, 1.5 * kLimit);  // inside int64: the conversion is defined
  // std::llround (halves away from zero) without the library call, which the
  // analyzer makes for millions of records: the cast truncates, and x minus its
  // integer part is exact, so the comparison with one half is too.
  auto r = static_cast<int64_t>(x);
  const double fraction = x - static_cast<double>(r);
  if (fraction >= 0.5)
    ++r;
  else if (fraction <= -0.5)
    --r;
  return clamped_ns_sum(base, r);
}

}  // namespace

// to_ns() converts the time of every record an analysis reads (millions), and
// the two divisions of FORMAT.md 11.3 were a tenth of an MPI scan. Multiplying
// by their reciprocals instead gives a value x' near the specified x: each
// rounding is off by at most u = 2^-53 relative, and adding them up, |x' - x|
// <= 5u |since_map| + 8u (|since_map| + |start shift|) |offset change| / span
// + 6u |drift| + 4u |offset|. `margin` is 2^-47 = 64u times each of those
// terms, 8 times the bound. Where x' lies farther than that from the boundary
// between two nanoseconds (a half), x rounds to the same nanosecond and x' is
// used; otherwise the specified computation runs: for a share 2 margin of the
// conversions, 0.0014% a second into a run (margin 7 * 10^-6 ns), 5% an hour
// into it (since_map 3.6 * 10^12 ns, margin 0.026 ns).
void ProcessReader::prepare_to_ns() {
  const ClockDef& c = defs_.clock;
  const ProcessDef& p = defs_.process;
  ns_per_tick_ = 1.0 / ticks_per_ns_;
  offset_ = static_cast<double>(p.clock_offset_ns);
  drift_ = p.has_end_offset && c.has_end && c.end_ns > c.start_ns;
  start_shift_ = inv_span_ = offset_change_ = 0;
  if (drift_) {
    start_shift_ = static_cast<double>(static_cast<int64_t>(map_ns_ - c.start_ns));
    inv_span_ = 1.0 / static_cast<double>(c.end_ns - c.start_ns);
    offset_change_ = static_cast<double>(p.clock_offset_end_ns) - static_cast<double>(p.clock_offset_ns);
  }
  // margin = |since_map| margin_scale_ + margin_base_ + 2^-47 |drift|.
  const double change_per_ns = std::fabs(offset_change_) * inv_span_;
  margin_scale_ = 0x1p-47 * (1 + change_per_ns);
  margin_base_ = 0x1p-47 * (std::fabs(start_shift_) * change_per_ns + std::fabs(offset_) + 1);
}

int64_t ProcessReader::to_ns_as_specified(uint64_t ticks) const {
  const ClockDef& c = defs_.clock;
  // Signed difference first: ticks before the mapping's pair stay exact.
  auto delta = static_cast<double>(static_cast<int64_t>(ticks - map_ticks_));
  double since_map = delta / ticks_per_ns_;
  const ProcessDef& p = defs_.process;
  double offset = static_cast<double>(p.clock_offset_ns);
  if (p.has_end_offset && c.has_end && c.end_ns > c.start_ns) {
    // Linear drift correction between the init and finalize measurements.
    // The distance between the two start pairs is exact in integers (0 when the
    // process uses its own mapping), so since_start == since_map then, bit for bit.
    double since_start = since_map + static_cast<double>(static_cast<int64_t>(map_ns_ - c.start_ns));
    double f = since_start / static_cast<double>(c.end_ns - c.start_ns);
    offset += f * (static_cast<double>(p.clock_offset_end_ns) - static_cast<double>(p.clock_offset_ns));
  }
  return saturating_ns(static_cast<int64_t>(map_ns_), since_map + offset);
}

const ThreadTrace& ProcessReader::thread(size_t i) const {
  std::call_once(*loaded_[i], [&] {
    auto t = std::make_unique<ThreadTrace>();
    t->process_ = this;
    t->index_ = thread_ids_[i];
    load_thread(*t);
    threads_[i] = std::move(t);
    decoded_.fetch_add(1, std::memory_order_relaxed);
  });
  return *threads_[i];
}

std::vector<const ChunkRef*> ProcessReader::usable_chunks(uint32_t thread, bool& gap) const {
  std::vector<const ChunkRef*> chunks;
  for (const ChunkRef& c : scan_.chunks)
    if (c.header.thread == thread) chunks.push_back(&c);
  std::stable_sort(chunks.begin(), chunks.end(),
                   [](const ChunkRef* a, const ChunkRef* b) { return a->header.sequence < b->header.sequence; });
  // FORMAT.md 5.4: 0, 1, 2, ... up to the first number that is missing or held by
  // two chunks (which of them is right cannot be known: neither is used).
  size_t n = 0;
  while (n < chunks.size() && chunks[n]->header.sequence == n &&
         (n + 1 == chunks.size() || chunks[n + 1]->header.sequence != n))
    ++n;
  gap = n < chunks.size();
  chunks.resize(n);
  return chunks;
}

namespace {

// The summary chunk with the highest sequence number among `chunks`, or null.
const ChunkRef* latest_summary(const std::vector<const ChunkRef*>& chunks) {
  const ChunkRef* latest = nullptr;
  for (const ChunkRef* c : chunks)
    if (c->header.kind == ChunkKind::ThreadSummary && (!latest || c->header.sequence > latest->header.sequence))
      latest = c;
  return latest;
}

bool decode_summary(const ChunkRef* c, ThreadSummary& out) {
  if (!c) return false;
  try {
    auto payload = c->payload();
    out.decode(payload.data(), payload.size());
    return true;
  } catch (const FormatError&) {
    return false;
  }
}

}  // namespace

bool ProcessReader::thread_summary(size_t i, ThreadSummary& out) const {
  bool gap = false;
  return decode_summary(latest_summary(usable_chunks(thread_ids_[i], gap)), out);
}

bool ProcessReader::unconfirmed_summary(size_t i, ThreadSummary& out) const {
  bool gap = false;
  auto usable = usable_chunks(thread_ids_[i], gap);
  if (!gap || latest_summary(usable)) return false;
  std::vector<const ChunkRef*> all;
  for (const ChunkRef& c : scan_.chunks)
    if (c.header.thread == thread_ids_[i]) all.push_back(&c);
  return decode_summary(latest_summary(all), out);
}

void ProcessReader::load_thread(ThreadTrace& t) const {
  bool gap = false;
  std::vector<const ChunkRef*> chunks = usable_chunks(t.index_, gap);
  if (gap) t.truncated_ = true;  // a lost chunk: what follows cannot be placed in order
  uint32_t expected = 0;
  StructureBatch batch;
  // Ids a definition was read for: tables grow to the largest id, and a token
  // naming a gap below it (damaged file) must not pass for a definition.
  std::vector<bool> defined_events, defined_sequences, defined_loops;
  StructureBatch checkpoint;  // the latest one read
  auto where = [&](const ChunkRef* c) {
    return path_ + ": thread " + std::to_string(t.index_) + ", chunk " + std::to_string(c->header.sequence) +
           " at offset " + std::to_string(c->offset);
  };
  try {
    for (const ChunkRef* c : chunks) {
      ++expected;
      switch (c->header.kind) {
        case ChunkKind::ThreadStructure: {
          auto payload = c->payload();
          batch.decode(payload.data(), payload.size(), false);  // the data values wait for load_data()
          for (auto& [id, d] : batch.event_defs) {
            if (t.events_.size() <= id) t.events_.resize(id + 1), defined_events.resize(id + 1);
            t.events_[id] = d;
            defined_events[id] = true;
          }
          for (auto& [id, s] : batch.sequence_defs) {
            if (t.sequences_.size() <= id) t.sequences_.resize(id + 1), defined_sequences.resize(id + 1);
            t.sequences_[id] = std::move(s);
            defined_sequences[id] = true;
          }
          for (auto& [id, l] : batch.loop_defs) {
            if (t.loops_.size() <= id) t.loops_.resize(id + 1), defined_loops.resize(id + 1);
            t.loops_[id] = l;
            defined_loops[id] = true;
          }
          t.top_level_.insert(t.top_level_.end(), batch.tokens.begin(), batch.tokens.end());
          // FORMAT.md 8.1.7: only the last structure chunk's checkpoint counts; a
          // chunk without one (the thread's final chunk) leaves nothing to append.
          checkpoint.has_checkpoint = batch.has_checkpoint;
          checkpoint.checkpoint_tokens.swap(batch.checkpoint_tokens);
          checkpoint.checkpoint_counts.swap(batch.checkpoint_counts);
          t.loop_counts_.add_chunk(*c, batch);  // indexed only: read again from the file when replayed
          // The data's groups are checked now, as the rest of the chunk is: a
          // damaged one ends the thread's readable data here.
          for (const StructureBatch::DataGroup& g : batch.data_groups) {
            if (g.event >= t.events_.size()) throw FormatError("data for an undefined event");
            if (g.width != t.events_[g.event].data) throw FormatError("data record width differs from its event's");
          }
          t.data_columns_.add_chunk(*c, batch);
          break;
        }
        case ChunkKind::ThreadTimestamps: {
          // The fixed part is read in place when the chunk is stored raw (as the
          // writer does): no copy of the whole delta block.
          std::vector<uint8_t> copy;
          const uint8_t* data = c->stored;
          size_t size = c->header.stored_size;
          if (c->header.codec != Codec::Raw) {
            copy = c->payload();
            data = copy.data();
            size = copy.size();
          }
          TimestampChunkInfo info = decode_timestamp_info(data, size);
          if (info.first_index != t.event_count_) throw FormatError("timestamp chunks out of order");
          if (info.count == 0) break;
          t.ts_info_.push_back(info);
          t.ts_chunks_.push_back(*c);
          t.event_count_ += info.count;
          break;
        }
        case ChunkKind::ThreadCounters: {
          auto payload = c->payload();
          CounterChunk counters = decode_counters(payload.data(), payload.size());
          if (counters.metrics.empty()) break;
          if (t.counter_values_.empty()) t.counter_metrics_ = counters.metrics;
          if (counters.metrics != t.counter_metrics_) throw FormatError("counter chunks name different metrics");
          if (counters.first_index != t.counter_values_.size() / t.counter_metrics_.size())
            throw FormatError("counter chunks out of order");
          t.counter_values_.insert(t.counter_values_.end(), counters.values.begin(), counters.values.end());
          break;
        }
        case ChunkKind::ThreadSummary: {
          auto payload = c->payload();
          t.summary_.decode(payload.data(), payload.size());
          t.has_summary_ = true;
          break;
        }
        default:
          break;
      }
    }
  } catch (const FormatError& e) {
    t.truncated_ = true;
    const_cast<ProcessReader*>(this)->scan_.problems.push_back(where(chunks[expected - 1]) + ": " + e.what());
  }
  if (!t.has_summary_) {
    t.truncated_ = true;
    // The thread never ended: complete its structure with the last checkpoint, so
    // that the calls and loops still open replay up to the last complete batch.
    if (checkpoint.has_checkpoint) {
      t.top_level_.insert(t.top_level_.end(), checkpoint.checkpoint_tokens.begin(),
                          checkpoint.checkpoint_tokens.end());
      for (auto& [loop, count] : checkpoint.checkpoint_counts) t.loop_counts_.add_count(loop, count);
    }
  }
  // Every table is sized to its largest id so that ids read from tokens index safely.
  t.loop_counts_.resize(t.loops_.size());
  t.data_values_.resize(t.events_.size());
  t.data_columns_.resize(t.events_.size());
  auto valid = [&](Token k) {
    switch (k.kind()) {
      case TokenKind::Event: return k.id() < defined_events.size() && defined_events[k.id()];
      case TokenKind::Sequence: return k.id() < defined_sequences.size() && defined_sequences[k.id()];
      case TokenKind::Loop: return k.id() < defined_loops.size() && defined_loops[k.id()];
      default: return false;
    }
  };
  // Loop bodies: the iteration's token list.
  for (auto& l : t.loops_) {
    if (!valid(l.body)) throw FormatError(path_ + ": loop body refers to an undefined token");
    if (l.body.kind() == TokenKind::Sequence && t.sequences_[l.body.id()].loop_body)
      t.loop_lists_.push_back(t.sequences_[l.body.id()].tokens);
    else
      t.loop_lists_.push_back({l.body});
  }
  // Definitions form a DAG when written by Rondo (a definition only refers to older
  // ones). Check it, so that a damaged or crafted file cannot make replay recurse
  // without end: depth-first search over sequences and loops, three colours.
  {
    size_t nseq = t.sequences_.size();
    auto node = [&](Token k) -> size_t {
      return k.kind() == TokenKind::Sequence ? k.id() : k.kind() == TokenKind::Loop ? nseq + k.id() : SIZE_MAX;
    };
    std::vector<uint8_t> colour(nseq + t.loops_.size(), 0);  // 0 new, 1 on the path, 2 done
    std::vector<std::pair<size_t, size_t>> stack;              // (node, next child)
    auto children = [&](size_t n) -> const std::vector<Token>& {
      return n < nseq ? t.sequences_[n].tokens : t.loop_lists_[n - nseq];
    };
    for (size_t root = 0; root < colour.size(); ++root) {
      if (colour[root]) continue;
      stack.push_back({root, 0});
      colour[root] = 1;
      while (!stack.empty()) {
        auto& [n, next] = stack.back();
        const auto& kids = children(n);
        if (next == kids.size()) {
          colour[n] = 2;
          stack.pop_back();
          continue;
        }
        Token k = kids[next++];
        if (!valid(k)) throw FormatError(path_ + ": thread " + std::to_string(t.index_) + ": undefined token");
        size_t c = node(k);
        if (c == SIZE_MAX || colour[c] == 2) continue;
        if (colour[c] == 1) throw FormatError(path_ + ": thread " + std::to_string(t.index_) + ": cyclic grammar");
        colour[c] = 1;
        stack.push_back({c, 0});
      }
    }
  }
  for (Token k : t.top_level_)
    if (!valid(k)) throw FormatError(path_ + ": top-level token refers to an undefined definition");
  // Fixed sizes, in definition order (a sequence only refers to older ones).
  t.fixed_sequence_size_.assign(t.sequences_.size(), ThreadTrace::kVariable);
  for (size_t s = 0; s < t.sequences_.size(); ++s) {
    uint64_t total = 0;
    for (Token k : t.sequences_[s].tokens) {
      uint64_t n = t.fixed_size(k);
      if (n == ThreadTrace::kVariable) {
        total = ThreadTrace::kVariable;
        break;
      }
      total += n;
    }
    t.fixed_sequence_size_[s] = total;
  }
}

// ---------------------------------------------------------------------------
// ThreadTrace

ThreadTrace::ThreadTrace() : cache_key_(DecodedChunkCache::new_owner()) {}

ThreadTrace::~ThreadTrace() { DecodedChunkCache::instance().forget(cache_key_); }

void ThreadTrace::load_data() const {
  std::call_once(data_once_, [this] {
    // Each column at its final size at once, in memory advised for huge pages
    // (append_huge): no growth by copying, one page fault per 2 MiB.
    for (size_t e = 0; e < data_values_.size(); ++e) reserve_huge(data_values_[e], data_columns_.size(e));
    for (size_t k = 0; k < data_columns_.chunks(); ++k) {
      const ChunkRef& c = data_columns_.chunk_ref(k);
      try {
        const std::vector<uint8_t> payload = c.payload();
        decode_event_data(payload.data(), payload.size(), data_values_);
      } catch (const FormatError& e) {
        data_problem_ = process_->path() + ": thread " + std::to_string(index_) + ", chunk " +
                        std::to_string(c.header.sequence) + " at offset " + std::to_string(c.offset) +
                        ": event data: " + e.what();
        break;
      }
    }
  });
}

uint64_t ThreadTrace::fixed_size(Token t) const {
  switch (t.kind()) {
    case TokenKind::Event: return events_[t.id()].data ? kVariable : 1;
    case TokenKind::Sequence: return t.id() < fixed_sequence_size_.size() ? fixed_sequence_size_[t.id()] : kVariable;
    default: return kVariable;  // a loop's trip count is data
  }
}

namespace {

// The event count of a damaged trace may overflow: it is then as unknown as
// one whose loop count is missing.
uint64_t add_events(uint64_t a, uint64_t b) {
  uint64_t r;
  if (a == ThreadTrace::kVariable || b == ThreadTrace::kVariable || __builtin_add_overflow(a, b, &r))
    return ThreadTrace::kVariable;
  return r;
}
uint64_t mul_events(uint64_t a, uint64_t b) {
  uint64_t r;
  return __builtin_mul_overflow(a, b, &r) ? ThreadTrace::kVariable : r;
}

}  // namespace

uint64_t ThreadTrace::expand_times(Token t, uint64_t times, std::vector<uint32_t>& loop_cursor,
                                   std::vector<uint64_t>& data_cursor) const {
  if (times == 0) return 0;
  uint64_t fixed = fixed_size(t);
  if (fixed != kVariable) return mul_events(fixed, times);
  switch (t.kind()) {
    case TokenKind::Event:
      data_cursor[t.id()] += events_[t.id()].data * times;
      return times;
    case TokenKind::Sequence: {
      const auto& tokens = sequences_[t.id()].tokens;
      return expand_list(tokens.data(), static_cast<uint32_t>(tokens.size()), times, loop_cursor, data_cursor);
    }
    default: {
      // `times` occurrences of the loop: the next `times` counts of its column,
      // whose iterations all pass over the same body.
      uint32_t loop = t.id();
      uint64_t from = loop_cursor[loop];
      if (from > loop_counts_.size(loop) || times > loop_counts_.size(loop) - from) return kVariable;
      uint64_t iterations = loop_counts_.prefix(loop, from + times) - loop_counts_.prefix(loop, from);
      loop_cursor[loop] = static_cast<uint32_t>(from + times);
      const auto& body = loop_lists_[loop];
      return expand_list(body.data(), static_cast<uint32_t>(body.size()), iterations, loop_cursor, data_cursor);
    }
  }
}

uint64_t ThreadTrace::expand_list(const Token* list, uint32_t len, uint64_t times, std::vector<uint32_t>& loop_cursor,
                                  std::vector<uint64_t>& data_cursor) const {
  if (times == 0) return 0;  // a loop that ran 0 times takes no count of the loops in its body
  uint64_t total = 0;
  for (uint32_t k = 0; k < len && total != kVariable; ++k)
    total = add_events(total, expand_times(list[k], times, loop_cursor, data_cursor));
  return total;
}

// ---------------------------------------------------------------------------
// EventCursor

EventCursor::EventCursor(const ThreadTrace& thread) : t_(&thread) { restart(); }

const int64_t* EventCursor::data_from_chunk_holding(uint32_t id, uint64_t at, uint8_t width) {
  DecodedData chunk = t_->data_columns_.chunk_holding(id, at, width);
  if (!chunk) return nullptr;  // past the column's end (a truncated thread): zeros
  data_chunk_ = std::move(chunk);
  return data_chunk_->find(id, at, width);
}

void EventCursor::release_chunk() {
  data_chunk_.reset();
  std::vector<CountHint>().swap(loop_hints_);
  if (!deltas_) return;
  released_ = deltas_;
  deltas_.reset();
}

void EventCursor::drop_chunk() {
  chunk_ = SIZE_MAX;
  deltas_.reset();
  released_.reset();
}

void EventCursor::restart() {
  stack_.clear();
  top_pos_ = 0;
  loop_cursor_.assign(t_->loops_.size(), 0);
  data_cursor_.assign(t_->events_.size(), 0);
  index_ = 0;
  drop_chunk();
  have_pending_ = false;
  ++loop_generation_;
}

bool EventCursor::step(uint32_t& event_id) {
  for (;;) {
    Token t;
    if (stack_.empty()) {
      if (top_pos_ == t_->top_level_.size()) return false;
      t = t_->top_level_[top_pos_++];
    } else {
      Level& l = stack_.back();
      if (l.pos == l.len) {
        if (l.remaining == 0) {
          loop_generation_ += l.loop != UINT32_MAX;
          stack_.pop_back();
          continue;
        }
        --l.remaining;  // only loop levels repeat
        l.pos = 0;
        l.first_event = index_;
        ++loop_generation_;
      }
      t = l.list[l.pos++];
    }
    switch (t.kind()) {
      case TokenKind::Event:
        event_id = t.id();
        return true;
      case TokenKind::Sequence: {
        const auto& s = t_->sequences_[t.id()].tokens;
        stack_.push_back(Level{s.data(), static_cast<uint32_t>(s.size()), 0, 0, UINT32_MAX, 0, 0});
        break;
      }
      default: {
        uint32_t loop = t.id();
        if (loop_cursor_[loop] >= t_->loop_counts_.size(loop)) return false;  // count never written: data ends here
        if (__builtin_expect(loop >= loop_hints_.size(), 0)) loop_hints_.resize(t_->loops_.size());
        uint32_t count = t_->loop_counts_.at(loop, loop_cursor_[loop]++, loop_hints_[loop]);
        if (count == 0) break;
        const auto& body = t_->loop_lists_[loop];
        stack_.push_back(Level{body.data(), static_cast<uint32_t>(body.size()), 0, count - 1, loop, count, index_});
        ++loop_generation_;
        break;
      }
    }
  }
}

size_t ThreadTrace::timestamp_chunk_of(uint64_t index) const {
  auto after = std::upper_bound(ts_info_.begin(), ts_info_.end(), index,
                                [](uint64_t i, const TimestampChunkInfo& x) { return i < x.first_index; });
  if (after == ts_info_.begin()) throw FormatError("timestamp chunk missing");
  size_t c = static_cast<size_t>(after - ts_info_.begin()) - 1;
  if (index - ts_info_[c].first_index >= ts_info_[c].count) throw FormatError("timestamp chunk missing");
  return c;
}

void EventCursor::position_decoder() {
  const auto& info = t_->ts_info_;
  size_t c = t_->timestamp_chunk_of(index_);
  if (c == chunk_ && !deltas_) {
    // Released, decoder_ still at index_: valid while the very buffer it points
    // into lives on (in the cache or another cursor).
    deltas_ = released_.lock();
    released_.reset();
    if (deltas_) return;
  }
  // Replay and skips enter a chunk at its first event; a cursor whose released
  // chunk is gone may stand inside one, and decodes up to its position.
  deltas_ = DecodedChunkCache::instance().get(t_->cache_key_, static_cast<uint32_t>(c), t_->ts_chunks_[c]);
  released_.reset();
  decoder_.reset(info[c], deltas_->data(), deltas_->data() + deltas_->size());
  for (uint64_t k = info[c].first_index; k < index_; ++k) decoder_.next();
  chunk_ = c;
  chunk_end_ = info[c].first_index + info[c].count;
}

bool EventCursor::timed_step(uint32_t& event_id, uint64_t& ticks) {
  if (index_ >= t_->event_count_) return false;  // timestamps end here (truncated thread)
  if (!step(event_id)) return false;
  if (!deltas_ || index_ >= chunk_end_) position_decoder();
  ticks = decoder_.next();
  ++index_;
  return true;
}

bool EventCursor::next(Event& e) {
  if (have_pending_) {
    e = pending_;
    have_pending_ = false;
    return true;
  }
  uint32_t id;
  uint64_t ticks;
  if (!timed_step(id, ticks)) return false;
  e.index = index_ - 1;
  e.ticks = ticks;
  e.id = id;
  e.def = &t_->events_[id];
  if (uint8_t width = e.def->data) {
    uint64_t& at = data_cursor_[id];
    const int64_t* values = data_chunk_ ? data_chunk_->find(id, at, width) : nullptr;
    if (__builtin_expect(values == nullptr, 0)) values = data_from_chunk_holding(id, at, width);
    for (uint8_t k = 0; k < width; ++k) e.data[k] = values ? values[k] : 0;
    at += width;
  }
  return true;
}

void EventCursor::loop_frames(std::vector<LoopFrame>& out) const {
  out.clear();
  for (const Level& l : stack_) {
    if (l.loop == UINT32_MAX) continue;
    // Occurrences of one loop never nest (FORMAT.md 10.2), so the occurrence being
    // replayed is the last one whose count was taken.
    uint32_t occurrence = loop_cursor_[l.loop] - 1;
    out.push_back(LoopFrame{l.loop, occurrence, l.count - 1 - l.remaining, l.count, l.first_event});
  }
}

void EventCursor::open_calls(std::vector<uint32_t>& regions) const {
  regions.clear();
  auto pass = [&](Token t) {
    if (t.kind() != TokenKind::Event) return;  // sequences and loops hold whole calls
    const EventKey& key = t_->events_[t.id()].key;
    if (key.kind == EventKind::Enter) {
      regions.push_back(key.ref);
    } else if (key.kind == EventKind::Leave) {
      // Pop the matching call (a leave with nothing open belongs to a call entered
      // before the thread's first event: ignore it).
      for (size_t k = regions.size(); k-- > 0;)
        if (regions[k] == key.ref) {
          regions.resize(k);
          break;
        }
    }
  };
  // At each level, the tokens before `pos`; the last of them is the one being
  // expanded by the next level, when there is one.
  size_t top_passed = stack_.empty() ? top_pos_ : top_pos_ - 1;
  for (size_t i = 0; i < top_passed; ++i) pass(t_->top_level_[i]);
  for (size_t level = 0; level < stack_.size(); ++level) {
    const Level& l = stack_[level];
    uint32_t passed = level + 1 < stack_.size() ? l.pos - 1 : l.pos;
    for (uint32_t k = 0; k < passed; ++k) pass(l.list[k]);
  }
  // The structure already stands after a pending event (a seek read it ahead).
  if (have_pending_) {
    const EventKey& key = pending_.def->key;
    if (key.kind == EventKind::Enter && !regions.empty() && regions.back() == key.ref) regions.pop_back();
    if (key.kind == EventKind::Leave) regions.push_back(key.ref);
  }
}

// Advances the structure (columns included) until index_ == target, without
// decoding timestamps. Whole tokens are skipped by their event counts, whole
// loop iterations many at a time (skip_iterations_to): a seek descends the
// grammar once, level by level, instead of walking loop occurrences.
void EventCursor::skip_structure_to(uint64_t target) {
  std::vector<uint32_t> saved_loops;
  std::vector<uint64_t> saved_data;
  while (index_ < target) {
    if (!stack_.empty()) {
      Level& l = stack_.back();
      if (l.pos == l.len && l.remaining == 0) {
        // The level is done: leave it as step() would, so that the loop level
        // around it is met between two iterations, where they can be skipped.
        loop_generation_ += l.loop != UINT32_MAX;
        stack_.pop_back();
        continue;
      }
      if (l.loop != UINT32_MAX && l.remaining > 0 && (l.pos == 0 || l.pos == l.len)) {
        skip_iterations_to(l, target);
        if (index_ >= target) break;
      }
    }
    // Try to skip the next whole token at the current level.
    Token next;
    bool have = false;
    if (stack_.empty()) {
      if (top_pos_ < t_->top_level_.size()) next = t_->top_level_[top_pos_], have = true;
    } else {
      Level& l = stack_.back();
      if (l.pos < l.len) next = l.list[l.pos], have = true;
    }
    if (have) {
      uint64_t n = t_->fixed_size(next);
      bool fits = n != ThreadTrace::kVariable && index_ + n <= target;
      if (n == ThreadTrace::kVariable) {  // it takes loop counts or data: on copies of the cursors first
        saved_loops = loop_cursor_;
        saved_data = data_cursor_;
        n = t_->expand_count(next, loop_cursor_, data_cursor_);
        fits = n != ThreadTrace::kVariable && index_ + n <= target;
        if (!fits) {
          loop_cursor_.swap(saved_loops);
          data_cursor_.swap(saved_data);
        }
      }
      if (fits) {
        index_ += n;
        if (stack_.empty())
          ++top_pos_;
        else
          ++stack_.back().pos;
        continue;
      }
    }
    // The target lies inside the next token (or the level ends): descend one event.
    uint32_t id;
    if (!step(id)) return;
    data_cursor_[id] += t_->events_[id].data;
    ++index_;
  }
}

void EventCursor::skip_iterations_to(Level& l, uint64_t target) {
  uint64_t room = target - index_;
  uint64_t per = 0;  // events of one iteration, when they never vary
  for (uint32_t k = 0; k < l.len && per != ThreadTrace::kVariable; ++k)
    per = add_events(per, t_->fixed_size(l.list[k]));
  uint64_t whole = 0, events = 0;
  if (per != ThreadTrace::kVariable) {
    if (per == 0) return;
    whole = std::min<uint64_t>(room / per, l.remaining);
    events = whole * per;
  } else {
    // Events of k iterations, from the column cursors (on copies): they grow
    // with k, so the largest k that fits is found by doubling, then bisecting,
    // from where one iteration's size predicts it (iterations are often alike).
    std::vector<uint32_t> loops, best_loops;
    std::vector<uint64_t> data, best_data;
    auto fits = [&](uint64_t k) {
      loops = loop_cursor_;
      data = data_cursor_;
      uint64_t n = t_->expand_list(l.list, l.len, k, loops, data);
      if (n == ThreadTrace::kVariable || n > room) return false;
      whole = k;
      events = n;
      best_loops.swap(loops);
      best_data.swap(data);
      return true;
    };
    uint64_t fit = 0, miss = uint64_t{l.remaining} + 1;  // fits(fit) holds (or fit is 0), fits(miss) does not
    if (!fits(1)) return;
    fit = 1;
    uint64_t guess = std::min(room / std::max<uint64_t>(events, 1), miss - 1);
    if (guess > fit) {
      if (fits(guess))
        fit = guess;
      else
        miss = guess;
    }
    for (uint64_t step = 1; fit + step < miss; step *= 2) {
      if (!fits(fit + step)) {
        miss = fit + step;
        break;
      }
      fit += step;
    }
    while (miss - fit > 1) {
      uint64_t mid = fit + (miss - fit) / 2;
      if (fits(mid))
        fit = mid;
      else
        miss = mid;
    }
    if (fit == 0) return;  // else whole == fit: probes that fit only grow
    loop_cursor_.swap(best_loops);
    data_cursor_.swap(best_data);
  }
  if (whole == 0) return;
  l.remaining -= static_cast<uint32_t>(whole);
  index_ += events;
  l.first_event = index_;
  ++loop_generation_;
}

uint64_t EventCursor::skip_loop() {
  have_pending_ = false;
  size_t level = stack_.size();
  while (level > 0 && stack_[level - 1].loop == UINT32_MAX) --level;
  if (level == 0) return 0;
  uint64_t start = index_;
  // The current iteration ends when the loop level and every level inside it are exhausted.
  auto iteration_done = [&] {
    if (stack_.size() < level) return true;  // the whole loop already ended
    for (size_t i = level - 1; i < stack_.size(); ++i) {
      const Level& l = stack_[i];
      if (l.pos != l.len || (i >= level && l.remaining != 0)) return false;
    }
    return true;
  };
  Event e;
  while (!iteration_done())
    if (!next(e)) return index_ - start;
  if (stack_.size() < level) return index_ - start;
  stack_.resize(level);
  ++loop_generation_;
  // Count the events of the remaining iterations on copies of the column cursors.
  Level& l = stack_[level - 1];
  std::vector<uint32_t> loops = loop_cursor_;
  std::vector<uint64_t> data = data_cursor_;
  uint64_t skipped = t_->expand_list(l.list, l.len, l.remaining, loops, data);
  if (skipped == ThreadTrace::kVariable) return index_ - start;  // truncated: stay where we are
  // The structure skips to the target whole iterations at a time; the
  // timestamps in between are decoded without replaying their events, in the
  // chunk the cursor holds, or else from the start of the target's chunk when
  // the next read needs it (position_decoder).
  uint64_t target = std::min(index_ + skipped, t_->event_count_);
  uint64_t from = index_;
  bool same_chunk = deltas_ && target < chunk_end_;
  skip_structure_to(target);
  if (same_chunk && index_ == target)
    for (uint64_t k = from; k < target; ++k) decoder_.next();
  else
    drop_chunk();
  return index_ - start;
}

void EventCursor::seek_ticks(uint64_t ticks) {
  restart();
  advance_to_ticks(ticks);
}

void EventCursor::advance_to_ticks(uint64_t ticks) {
  if (have_pending_ && pending_.ticks >= ticks) return;
  const auto& info = t_->ts_info_;
  size_t c = static_cast<size_t>(
      std::lower_bound(info.begin(), info.end(), ticks,
                       [](const TimestampChunkInfo& i, uint64_t t) { return i.last_ticks < t; }) -
      info.begin());
  if (c == info.size()) {
    have_pending_ = false;
    skip_structure_to(t_->event_count_);
    return;
  }
  if (info[c].first_index > index_) {
    have_pending_ = false;
    skip_structure_to(info[c].first_index);
    drop_chunk();
  }
  // Inside chunk c, find the target by its timestamps alone, then skip the
  // structure to it: a seek across N events then costs N timestamp decodes plus
  // a structural skip (whole loop iterations at a time), not N replayed events.
  have_pending_ = false;
  uint64_t end = info[c].first_index + info[c].count;
  if (index_ < end && index_ < t_->event_count_) {
    if (chunk_ != c || !deltas_ || index_ >= chunk_end_) position_decoder();
    TimestampDecoder probe = decoder_, at_target = decoder_;
    uint64_t target = index_;
    while (target < end) {
      at_target = probe;
      if (probe.next() >= ticks) break;
      ++target;
    }
    skip_structure_to(target);
    if (index_ == target) {
      decoder_ = at_target;  // next() decodes event `target`'s timestamp
    } else {
      drop_chunk();  // the structure ended early (truncated): decode afresh
    }
  }
  Event e;
  while (next(e)) {
    if (e.ticks >= ticks) {
      pending_ = e;
      have_pending_ = true;
      return;
    }
  }
}

// ---------------------------------------------------------------------------
// TraceReader

namespace {

std::string quoted_run(const std::string& id) { return id.empty() ? "none (older writer)" : "'" + id + "'"; }

// One directory holds one run (FORMAT.md 2): merging two would list every rank
// twice and add up their statistics without a word. So every process file must
// carry the same run id, and no rank may appear twice, except in processes of one
// lineage: a fork()ed child keeps its parent's rank, an exec()ed image its pid.
void check_one_run(const std::vector<std::unique_ptr<ProcessReader>>& processes) {
  const ProcessReader& first = *processes.front();
  for (auto& p : processes)
    if (p->defs().process.run_id != first.defs().process.run_id)
      throw FormatError(first.path() + " and " + p->path() + " belong to different runs (run " +
                        quoted_run(first.defs().process.run_id) + " and " + quoted_run(p->defs().process.run_id) +
                        "): the directory mixes several recordings; record each run into a directory of its own "
                        "(rondo record --force replaces an old trace)");
  // Processes of one rank, joined by lineage (union-find over the files).
  std::vector<size_t> lineage(processes.size());
  for (size_t i = 0; i < lineage.size(); ++i) lineage[i] = i;
  auto root = [&](size_t i) {
    while (lineage[i] != i) i = lineage[i] = lineage[lineage[i]];
    return i;
  };
  std::map<int32_t, std::vector<size_t>> by_rank;
  for (size_t i = 0; i < processes.size(); ++i)
    if (processes[i]->rank() >= 0) by_rank[processes[i]->rank()].push_back(i);
  for (auto& [rank, members] : by_rank) {
    for (size_t a : members)
      for (size_t b : members) {
        const ProcessDef& pa = processes[a]->defs().process;
        const ProcessDef& pb = processes[b]->defs().process;
        if (a != b && pa.host == pb.host && (pa.pid == pb.pid || pb.parent_pid == pa.pid)) lineage[root(b)] = root(a);
      }
    for (size_t b : members)
      if (root(b) != root(members.front()))
        throw FormatError(processes[members.front()]->path() + " and " + processes[b]->path() + " are both rank " +
                          std::to_string(rank) + " of run " + quoted_run(first.defs().process.run_id) +
                          ": the directory mixes several recordings; record each run into a directory of its own "
                          "(rondo record --force replaces an old trace)");
  }
}

}  // namespace

TraceReader::TraceReader(const std::string& dir) : dir_(dir) {
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0) throw FormatError(dir + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode)) throw FormatError(dir + ": not a trace directory");
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (!d) throw FormatError(dir + ": " + std::strerror(errno));
  while (dirent* ent = readdir(d)) {
    std::string name = ent->d_name;
    std::string full = dir + "/" + name;
    struct stat fs {};
    if (stat(full.c_str(), &fs) == 0 && S_ISREG(fs.st_mode)) {
      bytes_ += static_cast<uint64_t>(fs.st_size);
      if (name.size() > 4 && name.compare(name.size() - 4, 4, ".rnd") == 0) files.push_back(full);
    }
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  if (files.empty()) throw FormatError(dir + ": no process files (*.rnd): not a Rondo trace, or nothing was recorded");
  // A file that is no process file at all (replaced or emptied while the job
  // ran) costs only itself: the other processes are read and it is reported.
  // When no file can be read, the first one's error is the trace's.
  std::optional<FormatError> first_error;
  for (auto& f : files) {
    try {
      processes_.push_back(std::make_unique<ProcessReader>(f));
    } catch (const FormatError& e) {
      if (!first_error) first_error = e;
      unreadable_.push_back(std::string(e.what()) + " (skipped: the other process files are read)");
    }
  }
  if (processes_.empty()) throw *first_error;
  check_one_run(processes_);
  // Processes on one host counting the TSC share one tick-to-time mapping: that of
  // the process whose clock readings span the longest time (the best rate).
  std::map<std::string, const ProcessReader*> reference;
  for (auto& p : processes_) {
    if (p->defs().clock.source != 0) continue;
    const ProcessReader*& ref = reference[p->defs().process.host];
    if (!ref || p->clock_span_ns() > ref->clock_span_ns()) ref = p.get();
  }
  for (auto& p : processes_)
    if (p->defs().clock.source == 0) {
      const ProcessReader* ref = reference[p->defs().process.host];
      if (ref != p.get() && ref->clock_span_ns() > 0) p->share_clock_mapping(*ref);
    }
  // Ranks first (in rank order), then processes without a rank.
  std::stable_sort(processes_.begin(), processes_.end(), [](auto& a, auto& b) {
    auto key = [](const ProcessReader& p) { return p.rank() < 0 ? INT64_MAX : p.rank(); };
    return key(*a) < key(*b);
  });
}

bool TraceReader::truncated() const {
  if (!unreadable_.empty()) return true;
  for (auto& p : processes_)
    if (p->truncated()) return true;
  return false;
}

std::vector<std::string> TraceReader::problems() const {
  std::vector<std::string> out = unreadable_;
  for (auto& p : processes_)
    for (auto& m : p->problems()) out.push_back(p->path() + ": " + m);
  return out;
}

}  // namespace rondo::format
