// Writing traces. ThreadWriter turns one thread's events into batches (grammar,
// columns, timestamps); encode_batch turns a batch into chunks; ProcessFile
// appends chunks to a process file. The recorder runs the first on the
// application thread and the other two on a background thread; importers and
// tests run all three in line.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rondo/format/chunk.h"
#include "rondo/format/grammar_builder.h"

namespace rondo::format {

// Everything a thread produced since its previous batch.
struct Batch {
  uint32_t thread = 0;
  uint32_t first_sequence = 0;  // chunk sequence numbers first_sequence.. in encode order
  StructureBatch structure;
  uint64_t first_index = 0;     // thread event index of ticks[0]
  std::vector<uint64_t> ticks;
  bool final = false;           // carries the thread summary
  ThreadSummary summary;
};

// Number of chunks encode_batch makes for `b` (what the sequence numbers count).
uint32_t batch_chunk_count(const Batch& b);
// The chunks of a batch, in sequence order, compressed with zstd at `level`.
std::vector<std::vector<uint8_t>> encode_batch(const Batch& b, int level);

class ThreadWriter {
 public:
  using Sink = std::function<void(Batch&&)>;
  // `events_per_batch` bounds memory: a batch is handed to `sink` when it holds that
  // many events (and at flush()).
  ThreadWriter(uint32_t thread, Sink sink, size_t events_per_batch = 1 << 14);

  void enter(uint32_t region, uint64_t ticks) {
    if (__builtin_expect(polls_.count() != 0, 0)) end_polls();
    uint32_t id = builder_.enter_event(region);
    builder_.enter(id, region, ticks);
    stamp(ticks);  // last: a flush it triggers must see this event in the grammar
  }
  void leave(uint32_t region, uint64_t ticks) {
    if (__builtin_expect(polls_.count() != 0, 0)) end_polls();
    uint32_t id = builder_.leave_event(region);
    builder_.leave(id, region, ticks);
    stamp(ticks);
  }
  // Any other event: identity in `key`, per-occurrence values in `data`
  // (kind_shape(key.kind).data of them).
  void event(const EventKey& key, uint64_t ticks, const int64_t* data = nullptr);

  // One unsuccessful poll of `region` (a call that found nothing: MPI_Test with
  // the flag false, a failed trylock) from `entry` to `exit`. Consecutive polls of
  // the same region are folded into one run, at the cost of a few additions per
  // poll; the run is written as one POLLS pair (FORMAT.md 7.2) when it ends: at a
  // poll of another region, at any other event of this thread, at flush().
  void poll(uint32_t region, uint64_t entry, uint64_t exit) {
    if (polls_.count() != 0 && polls_.region != region) end_polls();
    polls_.region = region;
    polls_.add(entry, exit);
  }
  // A whole run of folded polls at once (importers): ends the current run and
  // writes `run`.
  void polls(const FoldedPolls& run) {
    end_polls();
    polls_ = run;
    end_polls();
  }
  // Writes the current run of folded polls, if any.
  void end_polls();
  uint64_t pending_polls() const { return polls_.count(); }

  // Hands everything recorded so far to the sink. `final` also flattens the open
  // calls and attaches the summary (thread end, exit, crash).
  void flush(bool final);
  uint64_t events() const { return flushed_index_ + ticks_.size(); }
  uint32_t depth() const { return builder_.depth(); }

 private:
  void stamp(uint64_t ticks) {
    ticks_.push_back(ticks);
    if (ticks_.size() >= events_per_batch_) flush(false);
  }

  uint32_t thread_;
  Sink sink_;
  size_t events_per_batch_;
  StructureBatch structure_;
  GrammarBuilder builder_;
  std::vector<uint64_t> ticks_;
  uint64_t flushed_index_ = 0;  // thread event index of ticks_[0]
  uint64_t first_ticks_ = 0, last_ticks_ = 0;
  bool any_ = false;
  uint32_t next_sequence_ = 0;
  FoldedPolls polls_;  // the run of unsuccessful polls not yet written
};

// An append-only process file. append() may be called from several threads (the
// background writer, a crash handler): each chunk gets its own byte range from an
// atomic counter and is written with pwrite, so chunks never interleave.
class ProcessFile {
 public:
  // Creates the file (with its header). Throws FormatError naming the path.
  explicit ProcessFile(const std::string& path);
  ~ProcessFile();
  ProcessFile(const ProcessFile&) = delete;
  ProcessFile& operator=(const ProcessFile&) = delete;
  // Returns false (and keeps the reason in error()) when the write failed.
  bool append(const std::vector<uint8_t>& chunk);
  const std::string& path() const { return path_; }
  std::string error() const;
  void sync();

 private:
  std::string path_;
  int fd_ = -1;
  std::atomic<uint64_t> offset_{0};
  std::atomic<int> error_{0};
};

}  // namespace rondo::format
