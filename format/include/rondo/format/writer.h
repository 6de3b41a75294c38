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
#include "rondo/format/error.h"
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
    uint32_t id = builder_.enter_event(region);
    builder_.enter(id, region, ticks);
    stamp(ticks);  // last: a flush it triggers must see this event in the grammar
  }
  void leave(uint32_t region, uint64_t ticks) {
    uint32_t id = builder_.leave_event(region);
    builder_.leave(id, region, ticks);
    stamp(ticks);
  }
  // Any other event: identity in `key`, per-occurrence values in `data`
  // (kind_shape(key.kind).data of them).
  void event(const EventKey& key, uint64_t ticks, const int64_t* data = nullptr);

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
