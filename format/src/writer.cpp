#include "rondo/format/writer.h"

#include "rondo/format/error.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rondo::format {

uint32_t batch_chunk_count(const Batch& b) {
  bool counters = !b.counter_metrics.empty() && !b.ticks.empty();
  return (b.structure.empty() ? 0 : 1) + (b.ticks.empty() ? 0 : 1) + (counters ? 1 : 0) + (b.final ? 1 : 0);
}

std::vector<std::vector<uint8_t>> encode_batch(const Batch& b, int level, uint64_t time_unit) {
  std::vector<std::vector<uint8_t>> chunks;
  uint32_t seq = b.first_sequence;
  std::vector<uint8_t> payload;
  if (!b.structure.empty()) {
    b.structure.encode(payload);
    chunks.push_back(encode_chunk(ChunkKind::ThreadStructure, b.thread, seq++, payload, level));
  }
  if (!b.ticks.empty()) {
    payload.clear();
    encode_timestamps(b.first_index, b.ticks.data(), b.ticks.size(), level, payload, time_unit);
    // The residual block inside is already compressed; the fixed part stays readable.
    chunks.push_back(encode_chunk(ChunkKind::ThreadTimestamps, b.thread, seq++, payload, 0));
  }
  if (!b.counter_metrics.empty() && !b.ticks.empty()) {
    payload.clear();
    encode_counters(b.first_index, b.counter_metrics, b.counter_values.data(), b.ticks.size(), payload);
    chunks.push_back(encode_chunk(ChunkKind::ThreadCounters, b.thread, seq++, payload, level));
  }
  if (b.final) {
    payload.clear();
    b.summary.encode(payload);
    chunks.push_back(encode_chunk(ChunkKind::ThreadSummary, b.thread, seq++, payload, level));
  }
  return chunks;
}

ThreadWriter::ThreadWriter(uint32_t thread, Sink sink, size_t events_per_batch)
    : thread_(thread), sink_(std::move(sink)), events_per_batch_(std::max<size_t>(1, events_per_batch)),
      builder_(&structure_), room_(0) {
  allocate_ticks(std::min<size_t>(events_per_batch_, 1024));
}

void ThreadWriter::allocate_ticks(size_t slots) {
  const size_t used = stamped();
  ticks_.resize(slots);
  next_tick_ = ticks_.data() + used;
  room_ = slots - used;
  if (counters_) {
    counter_column_.resize((slots + 1) * counters_);
    counter_next_ = counter_column_.data() + used * counters_;
  }
}

void ThreadWriter::out_of_room() {
  if (stamped() >= events_per_batch_)
    flush(false);
  else  // grow geometrically up to the batch size: short threads stay small
    allocate_ticks(std::min(events_per_batch_, 2 * ticks_.size()));
}

void ThreadWriter::set_counters(const std::vector<uint32_t>& metric_ids) {
  if (metric_ids.size() > kMaxCounters) throw FormatError("more than 16 counters per thread");
  counter_metrics_ = metric_ids;
  counters_ = static_cast<uint32_t>(metric_ids.size());
  if (counters_ != 0) hold(kHeldByCounters); else release(kHeldByCounters);
  allocate_ticks(ticks_.size());
}

FoldedPolls* ThreadWriter::find_poll_run(uint32_t region) {
  for (uint32_t i = 0; i < polled_; ++i)
    if (polls_[i].region == region) {
      last_polled_ = i;
      return polls_ + i;
    }
  return nullptr;
}

FoldedPolls* ThreadWriter::new_poll_run(uint32_t region, uint64_t at) {
  if (polled_ == kPolledPerRun) end_polls(at);
  FoldedPolls* run = polls_ + polled_;
  *run = FoldedPolls{};  // the slot may hold an earlier, written run
  run->region = region;
  ++polled_;
  hold(kHeldByPolls);
  last_polled_ = static_cast<uint32_t>(run - polls_);
  return run;
}

void ThreadWriter::end_polls(uint64_t at) {
  uint32_t n = polled_;
  if (n == 0) return;
  FoldedPolls run[kPolledPerRun];
  for (uint32_t i = 0; i < n; ++i) {
    run[i] = polls_[i];
    // A counted run has no last poll's exit: it lasts until `at`.
    if (run[i].counted && at != kUnknownEnd) run[i].last_ticks = std::max(run[i].last_ticks, at);
  }
  polled_ = 0;  // first: event() below must not end the run again
  release(kHeldByPolls);
  // Each function's pair: its first record at its first poll's entry, its last
  // at its last poll's exit. The 2n records are written in time order (a first
  // record before its own last one at equal times), so timestamps never go back
  // although the functions' polls interleave.
  struct Record {
    uint64_t ticks;
    uint32_t which;
    bool last;
  };
  Record order[2 * kPolledPerRun];
  uint32_t k = 0;
  for (uint32_t i = 0; i < n; ++i) {
    order[k++] = {run[i].first_ticks, i, false};
    order[k++] = {run[i].last_ticks, i, true};
  }
  std::stable_sort(order, order + k, [](const Record& a, const Record& b) { return a.ticks < b.ticks; });
  for (uint32_t j = 0; j < k; ++j) {
    const FoldedPolls& f = run[order[j].which];
    // Both records carry the count and ticks inside, so either one alone tells
    // the whole story to a reader that looks at one of them.
    int64_t data[2] = {static_cast<int64_t>(f.count()), static_cast<int64_t>(f.calls.inclusive.sum)};
    EventKey key;
    key.kind = EventKind::Polls;
    key.ref = f.region;
    key.params[0] = polls_param(order[j].last, f.counted);
    if (order[j].last) builder_.add_folded_calls(f.region, f.calls);
    event(key, order[j].ticks, data);
  }
}

void ThreadWriter::flush(bool final) {
  end_polls(kUnknownEnd);
  if (final) {
    builder_.finish();
  } else {
    structure_.has_checkpoint = true;
    builder_.checkpoint(structure_.checkpoint_tokens, structure_.checkpoint_counts);
  }
  Batch b;
  b.thread = thread_;
  b.first_index = flushed_index_;
  ticks_.resize(stamped());
  if (!ticks_.empty()) {
    if (!any_) first_ticks_ = ticks_.front();
    any_ = true;
    last_ticks_ = ticks_.back();
  }
  flushed_index_ += ticks_.size();
  b.ticks.swap(ticks_);
  if (counters_) {
    // The batch gets a copy of its readings; the column is kept, with the next
    // event's slot (the latest readings) moved to its start.
    b.counter_metrics = counter_metrics_;
    const uint64_t* readings = counter_column_.data();
    b.counter_values.assign(readings, readings + (counter_next_ - readings));
    std::copy(counter_next_, counter_next_ + counters_, counter_column_.data());
  }
  b.structure = std::move(structure_);
  structure_.clear();
  b.final = final;
  if (final) {
    b.summary.events = flushed_index_;
    b.summary.first_ticks = first_ticks_;
    b.summary.last_ticks = last_ticks_;
    builder_.fill_summary(b.summary);
  }
  b.first_sequence = next_sequence_;
  next_sequence_ += batch_chunk_count(b);
  // Grow the buffers geometrically up to the batch size: short threads stay small.
  size_t capacity = std::min(events_per_batch_, std::max<size_t>(1024, b.ticks.size() * 2));
  next_tick_ = ticks_.data();  // ticks_ is empty (swapped into the batch)
  allocate_ticks(capacity);  // also points counter_next_ at the carried readings
  if (batch_chunk_count(b) > 0) sink_(std::move(b));
}

ProcessFile::ProcessFile(const std::string& path, uint16_t version) : path_(path) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) throw FormatError(path + ": cannot create: " + std::strerror(errno));
  write_header(version);
}

ProcessFile::ProcessFile(int fd, const std::string& path, uint16_t version) : path_(path), fd_(fd) {
  write_header(version);
}

void ProcessFile::write_header(uint16_t version) {
  offset_ = 0;
  if (!append(file_header(version))) {
    ::close(fd_);
    fd_ = -1;
    throw FormatError(path_ + ": cannot write: " + error());
  }
}

ProcessFile::~ProcessFile() {
  if (fd_ >= 0) ::close(fd_);
}

bool ProcessFile::append(const std::vector<uint8_t>& chunk) {
  // After a failed write nothing more is written: the file ends where it broke,
  // never with a later chunk behind a hole.
  if (error_ != 0) return false;
  uint64_t at = offset_.fetch_add(chunk.size());
  // A chunk that would pass the process's file size limit (ulimit -f) is not
  // written at all: writing at the limit would raise SIGXFSZ, whose default
  // action ends the program, and a partial chunk would only be cut off later.
  rlimit limit{};
  if (getrlimit(RLIMIT_FSIZE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && at + chunk.size() > limit.rlim_cur) {
    error_ = EFBIG;
    return false;
  }
  size_t done = 0;
  while (done < chunk.size()) {
    ssize_t n = ::pwrite(fd_, chunk.data() + done, chunk.size() - done, static_cast<off_t>(at + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : ENOSPC;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

std::string ProcessFile::error() const {
  int e = error_;
  return e ? std::strerror(e) : "";
}

void ProcessFile::sync() {
  if (fd_ >= 0) ::fdatasync(fd_);
}

}  // namespace rondo::format
