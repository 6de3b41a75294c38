#include "rondo/format/thread_data.h"

#include <zstd.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "rondo/format/chunk.h"
#include "rondo/format/encoding.h"

namespace rondo::format {
namespace {

template <typename Fn>
void section(std::vector<uint8_t>& out, SectionTag tag, Fn&& fill) {
  framed(out, static_cast<uint8_t>(tag), fill);
}

// Tokens on disk: varint of (id << 2 | kind), so small ids of any kind take one
// byte (the in-memory layout keeps the kind in the top bits).
uint64_t token_code(Token t) { return (static_cast<uint64_t>(t.id()) << 2) | static_cast<uint64_t>(t.kind()); }
Token read_token(ByteReader& r) {
  uint64_t code = r.varint();
  uint64_t kind = code & 3, id = code >> 2;
  if (kind == 3 || id > Token::kIdMask) r.fail("invalid token");
  return Token(static_cast<TokenKind>(kind), static_cast<uint32_t>(id));
}

// The indices 0..n-1 ordered by key(i), equal keys in index order (a stable
// sort). The keys are ids, dense from 0, so a counting sort does it in
// O(n + largest key) where a merge sort took O(n log n) on the background
// writer, for every batch; ids far sparser than that fall back to the sort.
template <typename Key>
std::vector<size_t> stable_order_by(size_t n, Key&& key) {
  std::vector<size_t> order(n);
  size_t largest = 0;
  for (size_t i = 0; i < n; ++i) largest = std::max<size_t>(largest, key(i));
  if (largest > 4 * n + 1024) {
    for (size_t i = 0; i < n; ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
    return order;
  }
  std::vector<size_t> next(largest + 2, 0);  // next[k]: where key k's next index goes
  for (size_t i = 0; i < n; ++i) ++next[static_cast<size_t>(key(i)) + 1];
  for (size_t k = 1; k < next.size(); ++k) next[k] += next[k - 1];
  for (size_t i = 0; i < n; ++i) order[next[key(i)]++] = i;
  return order;
}

void check_id(uint64_t id, const char* what) {
  if (id > Token::kIdMask) throw FormatError(std::string(what) + " id out of range");
}

void encode_stats(ByteWriter& w, const DurationStats& s) {
  w.varint(s.count);
  if (s.count == 0) return;
  w.varint(s.sum);
  w.varint(s.min);
  w.varint(s.max);
}
// A 128-bit sum of squares: varint high, u64 low.
void encode_sum_squares(ByteWriter& w, uint128 v) {
  w.varint(static_cast<uint64_t>(v >> 64));
  w.u64(static_cast<uint64_t>(v));
}
uint128 decode_sum_squares(ByteReader& r) {
  const uint128 high = r.varint();
  return (high << 64) | r.u64();
}

DurationStats decode_stats(ByteReader& r) {
  DurationStats s;
  s.count = r.varint();
  if (s.count == 0) return s;
  s.sum = r.varint();
  s.min = r.varint();
  s.max = r.varint();
  return s;
}

}  // namespace

void StructureBatch::clear() {
  event_defs.clear();
  sequence_defs.clear();
  loop_defs.clear();
  tokens.clear();
  loop_counts.clear();
  data_events.clear();
  data_widths.clear();
  data_values.clear();
  data_groups.clear();
  has_checkpoint = false;
  checkpoint_tokens.clear();
  checkpoint_counts.clear();
}

void StructureBatch::encode(std::vector<uint8_t>& out) const {
  if (!event_defs.empty())
    section(out, SectionTag::EventDefs, [&](ByteWriter& w) {
      w.varint(event_defs.size());
      for (auto& [id, d] : event_defs) {
        w.varint(id);
        w.u8(static_cast<uint8_t>(d.key.kind));
        w.varint(d.key.ref);
        w.u8(d.params);
        for (int i = 0; i < d.params; ++i) w.svarint(d.key.params[i]);
        w.u8(d.data);
      }
    });
  if (!sequence_defs.empty())
    section(out, SectionTag::SequenceDefs, [&](ByteWriter& w) {
      w.varint(sequence_defs.size());
      for (auto& [id, s] : sequence_defs) {
        w.varint(id);
        w.u8(s.loop_body ? 1 : 0);
        w.varint(s.tokens.size());
        for (Token t : s.tokens) w.varint(token_code(t));
      }
    });
  if (!loop_defs.empty())
    section(out, SectionTag::LoopDefs, [&](ByteWriter& w) {
      w.varint(loop_defs.size());
      for (auto& [id, l] : loop_defs) {
        w.varint(id);
        w.varint(token_code(l.body));
      }
    });
  if (!tokens.empty())
    section(out, SectionTag::Tokens, [&](ByteWriter& w) {
      w.varint(tokens.size());
      for (Token t : tokens) w.varint(token_code(t));
    });
  if (!loop_counts.empty())
    section(out, SectionTag::LoopCounts, [&](ByteWriter& w) {
      // Grouped by loop (stable, so each loop's counts keep their order): the
      // counts of one loop sit together and compress well.
      std::vector<std::pair<uint32_t, uint32_t>> sorted;
      sorted.reserve(loop_counts.size());
      for (size_t i : stable_order_by(loop_counts.size(), [&](size_t i) { return loop_counts[i].first; }))
        sorted.push_back(loop_counts[i]);
      size_t groups = 0;
      for (size_t i = 0; i < sorted.size(); ++i) groups += (i == 0 || sorted[i].first != sorted[i - 1].first);
      w.varint(groups);
      for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j < sorted.size() && sorted[j].first == sorted[i].first) ++j;
        w.varint(sorted[i].first);
        w.varint(j - i);
        for (size_t k = i; k < j; ++k) w.varint(sorted[k].second);
        i = j;
      }
    });
  if (!data_events.empty())
    section(out, SectionTag::EventData, [&](ByteWriter& w) {
      // Grouped by event id (each event's records keep their order), field by
      // field, each value as the difference to the previous record's: request
      // handles, offsets and counters that grow steadily become tiny numbers.
      std::vector<std::pair<uint32_t, size_t>> records;  // (event id, offset of its values)
      records.reserve(data_events.size());
      size_t offset = 0;
      for (size_t i = 0; i < data_events.size(); ++i) {
        records.emplace_back(data_events[i], offset);
        offset += data_widths[i];
      }
      std::vector<uint8_t> width_of;  // by position in `records`, after sorting
      const std::vector<size_t> order = stable_order_by(records.size(), [&](size_t i) { return records[i].first; });
      size_t groups = 0;
      for (size_t i = 0; i < order.size(); ++i)
        groups += i == 0 || records[order[i]].first != records[order[i - 1]].first;
      w.varint(groups);
      for (size_t i = 0; i < order.size();) {
        size_t j = i;
        uint32_t event = records[order[i]].first;
        while (j < order.size() && records[order[j]].first == event) ++j;
        uint8_t width = data_widths[order[i]];
        w.varint(event);
        w.varint(j - i);
        w.u8(width);
        for (uint8_t k = 0; k < width; ++k) {
          int64_t previous = 0;
          for (size_t r = i; r < j; ++r) {
            int64_t v = data_values[records[order[r]].second + k];
            w.svarint(static_cast<int64_t>(static_cast<uint64_t>(v) - static_cast<uint64_t>(previous)));
            previous = v;
          }
        }
        i = j;
      }
    });
  if (has_checkpoint)
    section(out, SectionTag::Checkpoint, [&](ByteWriter& w) {
      w.varint(checkpoint_tokens.size());
      for (Token t : checkpoint_tokens) w.varint(token_code(t));
      w.varint(checkpoint_counts.size());
      for (auto& [loop, count] : checkpoint_counts) {
        w.varint(loop);
        w.varint(count);
      }
    });
}

namespace {
void read_loop_counts(ByteReader& r, std::vector<std::pair<uint32_t, uint32_t>>& out) {
  uint64_t groups = r.count();
  for (uint64_t g = 0; g < groups; ++g) {
    uint32_t loop = r.varint32();
    uint64_t n = r.count();  // at most the bytes left: safe to reserve
    out.reserve(out.size() + n);
    for (uint64_t i = 0; i < n; ++i) out.emplace_back(loop, r.varint32());
  }
}

// Hands each section of a structure chunk to read(tag, reader of its bytes).
template <typename Read>
void each_section(const uint8_t* data, size_t size, Read&& read) {
  ByteReader in(data, size, "thread structure");
  while (!in.done()) {
    auto tag = static_cast<SectionTag>(in.u8());
    uint64_t length = in.count();
    ByteReader r(in.position(), length, "thread structure section");
    in.skip(length);
    read(tag, r);
  }
}

// One EventData group's values, stored column by column as deltas (FORMAT.md
// 8.1.6), into out[0 .. records * width) record by record.
void read_group_values(ByteReader& r, uint64_t records, uint8_t width, int64_t* out) {
  for (uint8_t k = 0; k < width; ++k) {
    int64_t previous = 0;
    for (uint64_t i = 0; i < records; ++i) {
      previous = static_cast<int64_t>(static_cast<uint64_t>(previous) + static_cast<uint64_t>(r.svarint()));
      out[i * width + k] = previous;
    }
  }
}

// Passes `n` varints without decoding them, failing as reading them would: on
// a varint longer than 10 bytes or cut off by the end.
void skip_varints(ByteReader& r, uint64_t n) {
  const uint8_t* p = r.position();
  const uint8_t* const end = p + r.remaining();
  int length = 0;
  while (n > 0) {
    if (p == end) r.fail("truncated");
    const bool last = (*p++ & 0x80) == 0;
    if (++length > 10) r.fail("varint longer than 10 bytes");
    if (last) {
      --n;
      length = 0;
    }
  }
  r.skip(static_cast<size_t>(p - r.position()));
}

// The header of the next group; `r` is then at its values.
StructureBatch::DataGroup read_group_header(ByteReader& r) {
  StructureBatch::DataGroup g;
  g.event = r.varint32();
  g.records = r.count();
  g.width = r.u8();
  if (g.width > kMaxData) r.fail("too many event data fields");
  return g;
}
}  // namespace

void decode_event_data_into(const uint8_t* data, size_t size,
                            const std::function<int64_t*(uint32_t event, uint64_t values)>& place) {
  each_section(data, size, [&](SectionTag tag, ByteReader& r) {
    if (tag != SectionTag::EventData) return;
    uint64_t groups = r.count();
    for (uint64_t g = 0; g < groups; ++g) {
      const StructureBatch::DataGroup group = read_group_header(r);
      if (group.records > r.remaining() / std::max<size_t>(group.width, 1)) r.fail("count larger than the data");
      int64_t* out = place(group.event, group.records * group.width);
      if (out == nullptr) r.fail("data for an undefined event");
      read_group_values(r, group.records, group.width, out);
    }
  });
}

void decode_event_data(const uint8_t* data, size_t size, std::vector<std::vector<int64_t>>& columns) {
  decode_event_data_into(data, size, [&](uint32_t event, uint64_t values) -> int64_t* {
    if (event >= columns.size()) return nullptr;
    std::vector<int64_t>& column = columns[event];
    const size_t first = column.size();
    column.resize(first + values);
    return column.data() + first;
  });
}

void StructureBatch::decode_loop_counts(const uint8_t* data, size_t size) {
  clear();
  each_section(data, size, [&](SectionTag tag, ByteReader& r) {
    if (tag == SectionTag::LoopCounts) read_loop_counts(r, loop_counts);
  });
}

void StructureBatch::decode(const uint8_t* data, size_t size, bool with_values) {
  clear();
  each_section(data, size, [&](SectionTag tag, ByteReader& r) {
    switch (tag) {
      case SectionTag::EventDefs: {
        uint64_t n = r.count();
        for (uint64_t i = 0; i < n; ++i) {
          uint64_t id = r.varint();
          check_id(id, "event");
          EventDef d;
          d.key.kind = static_cast<EventKind>(r.u8());
          d.key.ref = r.varint32();
          d.params = r.u8();
          if (d.params > kMaxParams) r.fail("too many event parameters");
          for (int p = 0; p < d.params; ++p) d.key.params[p] = r.svarint();
          d.data = r.u8();
          if (d.data > kMaxData) r.fail("too many event data fields");
          event_defs.emplace_back(static_cast<uint32_t>(id), d);
        }
        break;
      }
      case SectionTag::SequenceDefs: {
        uint64_t n = r.count();
        for (uint64_t i = 0; i < n; ++i) {
          uint64_t id = r.varint();
          check_id(id, "sequence");
          SequenceDef s;
          s.loop_body = r.u8() != 0;
          uint64_t len = r.count();
          s.tokens.reserve(len);
          for (uint64_t k = 0; k < len; ++k) s.tokens.push_back(read_token(r));
          sequence_defs.emplace_back(static_cast<uint32_t>(id), std::move(s));
        }
        break;
      }
      case SectionTag::LoopDefs: {
        uint64_t n = r.count();
        for (uint64_t i = 0; i < n; ++i) {
          uint64_t id = r.varint();
          check_id(id, "loop");
          loop_defs.emplace_back(static_cast<uint32_t>(id), LoopDef{read_token(r)});
        }
        break;
      }
      case SectionTag::Tokens: {
        uint64_t n = r.count();
        tokens.reserve(tokens.size() + n);
        for (uint64_t i = 0; i < n; ++i) tokens.push_back(read_token(r));
        break;
      }
      case SectionTag::LoopCounts:
        read_loop_counts(r, loop_counts);
        break;
      case SectionTag::EventData: {
        uint64_t groups = r.count();
        for (uint64_t g = 0; g < groups; ++g) {
          const DataGroup group = read_group_header(r);
          data_groups.push_back(group);
          if (!with_values) {
            skip_varints(r, group.records * group.width);
            continue;
          }
          size_t first = data_values.size();
          data_values.resize(first + group.records * group.width);
          read_group_values(r, group.records, group.width, data_values.data() + first);
          data_events.insert(data_events.end(), group.records, group.event);
          data_widths.insert(data_widths.end(), group.records, group.width);
        }
        break;
      }
      case SectionTag::Checkpoint: {
        has_checkpoint = true;
        uint64_t n = r.count();
        for (uint64_t i = 0; i < n; ++i) checkpoint_tokens.push_back(read_token(r));
        uint64_t m = r.count();
        for (uint64_t i = 0; i < m; ++i) {
          uint32_t loop = r.varint32();
          checkpoint_counts.emplace_back(loop, r.varint32());
        }
        break;
      }
      default:
        break;  // a newer section: skipped by its length
    }
  });
}

namespace {
// Bits of the codec byte (FORMAT.md 8.2): bit 0 zstd, bit 1 scaled deltas (a
// varint unit follows the codec byte).
constexpr uint8_t kZstdDeltas = 1, kScaledDeltas = 2;

// Reads the fixed part and the codec; leaves `r` at the delta block's sizes.
TimestampChunkInfo read_info(ByteReader& r) {
  TimestampChunkInfo info;
  info.first_index = r.varint();
  info.count = r.varint();
  if (info.count > 0) {
    info.first_ticks = r.u64();
    info.last_ticks = r.u64();
    // The codec byte; its "scaled" bit announces the unit (8.2.2).
    info.codec = r.u8();
    if (info.codec & ~(kZstdDeltas | kScaledDeltas)) r.fail("unknown timestamp codec");
    if (info.codec & kScaledDeltas) {
      info.unit = r.varint();
      if (info.unit == 0) r.fail("timestamp unit of 0 ticks");
    }
  }
  return info;
}
}  // namespace

void encode_timestamps(uint64_t first_index, const uint64_t* ticks, size_t count, int level,
                       std::vector<uint8_t>& out, uint64_t unit) {
  ByteWriter w(out);
  w.varint(first_index);
  w.varint(count);
  if (count == 0) return;
  if (unit == 0) unit = 1;
  // Rounded to the nearest multiple of `unit` (unit 1: unchanged). Rounding is
  // monotonic, so ticks that never go back still never do.
  auto steps = [&](size_t i) { return unit == 1 ? ticks[i] : ticks[i] / unit + (ticks[i] % unit >= (unit + 1) / 2); };
  w.u64(steps(0) * unit);
  w.u64(steps(count - 1) * unit);
  std::vector<uint8_t> deltas;
  ByteWriter dw(deltas);
  // Signed: a clock read on another core may (rarely) step back a few ticks.
  if (unit == 1)
    dw.svarint_deltas(count - 1, ticks[0], [&](size_t i) { return ticks[i + 1]; });
  else
    dw.svarint_deltas(count - 1, steps(0), [&](size_t i) { return steps(i + 1); });
  std::vector<uint8_t> packed;
  if (level > 0) {
    packed.resize(ZSTD_compressBound(deltas.size()));
    packed.resize(zstd_compress_into(packed.data(), packed.size(), deltas.data(), deltas.size(), level));
  }
  bool compressed = !packed.empty();
  w.u8(static_cast<uint8_t>((compressed ? kZstdDeltas : 0) | (unit > 1 ? kScaledDeltas : 0)));
  if (unit > 1) w.varint(unit);
  w.varint(deltas.size());
  const auto& body = compressed ? packed : deltas;
  w.varint(body.size());
  w.bytes(body.data(), body.size());
}

TimestampChunkInfo decode_timestamp_info(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "timestamp chunk");
  TimestampChunkInfo info = read_info(r);
  if (info.count > 0 && info.last_ticks < info.first_ticks) r.fail("last timestamp before the first");
  return info;
}

std::vector<uint8_t> decode_timestamp_residuals(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "timestamp chunk");
  TimestampChunkInfo info = read_info(r);
  if (info.count == 0) return {};
  bool compressed = (info.codec & kZstdDeltas) != 0;
  uint64_t raw_size = r.varint();
  uint64_t stored = r.count();
  if (raw_size > info.count * 10) r.fail("delta block larger than its events allow");
  const uint8_t* body = r.position();
  if (!compressed) {
    if (stored != raw_size) r.fail("raw delta block size mismatch");
    return {body, body + stored};
  }
  std::vector<uint8_t> out;
  if (!zstd_decompress_sized(out, raw_size, body, stored)) r.fail("delta block does not decompress");
  return out;
}

void TimestampDecoder::reset(const TimestampChunkInfo& info, const uint8_t* deltas, const uint8_t* end) {
  p_ = deltas;
  end_ = end;
  remaining_ = info.count;
  current_ = info.first_ticks;
  unit_ = info.unit;
  first_ = true;
}

void TimestampDecoder::next_n(uint64_t* out, size_t n) {
  size_t i = 0;
  if (n > 0 && first_) out[i++] = next_slow();
  // While every delta left has room for its longest form (10 bytes) no bound
  // needs checking inside one; the tail goes through next().
  uint64_t t = current_;
  const uint8_t* p = p_;
  const uint64_t unit = unit_;
  const size_t fast = std::min<uint64_t>(n - i, remaining_);
  size_t done = 0;
  while (done < fast && end_ - p >= 10) {
    uint64_t raw = *p++;
    if (raw >= 0x80) {
      raw &= 0x7f;
      for (int shift = 7;; shift += 7) {
        const uint8_t b = *p++;
        raw |= static_cast<uint64_t>(b & 0x7f) << shift;
        if (!(b & 0x80)) break;
        if (shift >= 63) throw FormatError("timestamp deltas: truncated");
      }
    }
    t += static_cast<uint64_t>(zigzag_decode(raw)) * unit;
    out[i++] = t;
    ++done;
  }
  current_ = t;
  p_ = p;
  remaining_ -= done;
  for (; i < n; ++i) out[i] = next();
}

uint64_t TimestampDecoder::next_slow() {
  if (remaining_ == 0) throw FormatError("timestamp chunk: more events than timestamps");
  --remaining_;
  if (first_) {
    first_ = false;
    return current_;
  }
  // Inline LEB128 decode: this runs once per replayed event.
  uint64_t raw = 0;
  for (int shift = 0;; shift += 7) {
    if (p_ == end_ || shift > 63) throw FormatError("timestamp deltas: truncated");
    uint8_t b = *p_++;
    raw |= static_cast<uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) break;
  }
  current_ += static_cast<uint64_t>(zigzag_decode(raw)) * unit_;
  return current_;
}

void ThreadSummary::encode(std::vector<uint8_t>& out) const {
  ByteWriter w(out);
  w.varint(events);
  w.u64(first_ticks);
  w.u64(last_ticks);
  w.varint(open_regions);
  w.varint(regions.size());
  for (auto& r : regions) {
    encode_stats(w, r.inclusive);
    if (r.inclusive.count) w.varint(r.exclusive_sum);
  }
  w.varint(sequences.size());
  for (auto& s : sequences) encode_stats(w, s);
  w.varint(loops.size());
  for (auto& l : loops) {
    encode_stats(w, l.occurrences);
    if (l.occurrences.count) w.varint(l.iterations);
  }
  w.varint(event_definitions);
  // Appended within version 1: per region with calls, the 128-bit sum of squares.
  for (auto& r : regions) {
    if (r.inclusive.count == 0) continue;
    encode_sum_squares(w, r.inclusive_sum_squares);
  }
  // Appended after the sums of squares: per loop, its iterations' durations.
  if (!has_iteration_stats) return;
  w.varint(iterations.size());
  for (const IterationStats& it : iterations) {
    encode_stats(w, it.durations);
    if (it.durations.count == 0) continue;
    encode_sum_squares(w, it.sum_squares);
    w.varint(it.outliers == IterationStats::kUnknown ? 0 : it.outliers + 1);
    w.varint(it.slowest.size());
    for (const IterationTicks& slow : it.slowest) {
      w.varint(slow.occurrence);
      w.varint(slow.iteration);
      w.varint(slow.ticks);
    }
  }
}

void ThreadSummary::decode(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "thread summary");
  events = r.varint();
  first_ticks = r.u64();
  last_ticks = r.u64();
  open_regions = r.varint32();
  regions.resize(r.count());
  for (auto& reg : regions) {
    reg.inclusive = decode_stats(r);
    reg.exclusive_sum = reg.inclusive.count ? r.varint() : 0;
  }
  sequences.resize(r.count());
  for (auto& s : sequences) s = decode_stats(r);
  loops.resize(r.count());
  for (auto& l : loops) {
    l.occurrences = decode_stats(r);
    l.iterations = l.occurrences.count ? r.varint() : 0;
  }
  event_definitions = r.done() ? 0 : r.varint32();
  has_sum_squares = !r.done();
  if (!has_sum_squares) return;
  for (auto& reg : regions) {
    if (reg.inclusive.count == 0) continue;
    reg.inclusive_sum_squares = decode_sum_squares(r);
  }
  has_iteration_stats = !r.done();
  if (!has_iteration_stats) return;
  iterations.resize(r.count());
  for (IterationStats& it : iterations) {
    it.durations = decode_stats(r);
    if (it.durations.count == 0) continue;
    it.sum_squares = decode_sum_squares(r);
    const uint64_t outliers = r.varint();
    it.outliers = outliers == 0 ? IterationStats::kUnknown : outliers - 1;
    const uint64_t n = r.count(3);
    if (n > kSlowIterationsKept) r.fail("too many slowest iterations");
    it.slowest.resize(n);
    for (IterationTicks& slow : it.slowest) {
      slow.occurrence = r.varint();
      slow.iteration = r.varint32();
      slow.ticks = r.varint();
    }
  }
}

long double outlier_threshold(uint64_t count, uint64_t sum, uint128 sum_squares) {
  const auto n = static_cast<long double>(count);
  const long double mean = static_cast<long double>(sum) / n;
  const long double var = static_cast<long double>(sum_squares) / n - mean * mean;
  return mean + 3 * std::sqrt(std::max<long double>(var, 0));
}

}  // namespace rondo::format
