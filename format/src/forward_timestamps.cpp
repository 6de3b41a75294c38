// ForwardTimestamps (reader.h): a thread's timestamps by event index, read
// forward, a chunk at a time, optionally with the next chunk decoded ahead on
// a thread of its own.
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "rondo/format/reader.h"

namespace rondo::format {

// One chunk decoded ahead at a time: the reader asks for the chunk after the
// one it has just entered, and takes it when it gets there. A chunk the reader
// never asks for (it jumped past it) is decoded for nothing; one that fails to
// decode is left to the reader, which meets the error itself.
class ForwardTimestamps::ReadAhead {
 public:
  explicit ReadAhead(const ThreadTrace& t) : t_(t), worker_([this] { serve(); }) {}
  ~ReadAhead() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_one();
    worker_.join();
  }

  // Starts decoding chunk `chunk` (after take() has returned the previous one).
  void request(size_t chunk) {
    {
      std::lock_guard lock(mutex_);
      chunk_ = chunk;
      state_ = State::Asked;
    }
    wake_.notify_one();
  }

  // Chunk `chunk`'s ticks into `out` (its previous content is given back as
  // the next buffer), after waiting for the chunk being decoded. False when the
  // chunk decoded ahead is another one or failed: the caller decodes it.
  bool take(size_t chunk, std::vector<uint64_t>& out) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return state_ == State::Idle || state_ == State::Ready || state_ == State::Failed; });
    const bool hit = state_ == State::Ready && chunk_ == chunk;
    if (hit) out.swap(ticks_);
    state_ = State::Idle;
    return hit;
  }

 private:
  enum class State { Idle, Asked, Decoding, Ready, Failed };

  void serve() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || state_ == State::Asked; });
      if (quit_) return;
      state_ = State::Decoding;
      const size_t chunk = chunk_;
      lock.unlock();
      bool ok = true;
      try {
        decode_chunk(t_, chunk, buffer_);
      } catch (...) {
        ok = false;
      }
      lock.lock();
      if (ok) ticks_.swap(buffer_);
      state_ = ok ? State::Ready : State::Failed;
      done_.notify_one();
    }
  }

  const ThreadTrace& t_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  State state_ = State::Idle;
  size_t chunk_ = 0;
  std::vector<uint64_t> ticks_, buffer_;  // the chunk decoded; the worker's scratch
  bool quit_ = false;
  std::thread worker_;  // last: started once the members it uses are made
};

ForwardTimestamps::ForwardTimestamps(const ThreadTrace& thread, bool read_ahead) : t_(&thread) {
  // Worth a thread only for a thread with a few chunks to read.
  if (!read_ahead || thread.timestamp_chunks().size() <= 2) return;
  try {
    ahead_ = std::make_unique<ReadAhead>(thread);
  } catch (const std::system_error&) {
    // No thread to be had (a process or thread limit): every chunk is decoded here.
  }
}

ForwardTimestamps::~ForwardTimestamps() = default;

void ForwardTimestamps::decode_chunk(const ThreadTrace& t, size_t c, std::vector<uint64_t>& out) {
  DecodedDeltas deltas = DecodedChunkCache::instance().get(t.cache_key_, static_cast<uint32_t>(c), t.ts_chunks_[c]);
  TimestampDecoder decoder;
  decoder.reset(t.ts_info_[c], deltas->data(), deltas->data() + deltas->size());
  out.resize(t.ts_info_[c].count);
  decoder.next_n(out.data(), out.size());
}

uint64_t ForwardTimestamps::enter_chunk(uint64_t index) {
  if (index >= t_->event_count_) throw std::out_of_range("timestamp of an event past the thread's events");
  if (index < last_) throw std::out_of_range("timestamps are read forward");
  const auto& info = t_->ts_info_;
  size_t c = t_->timestamp_chunk_of(index);
  if (!ahead_ || !ahead_->take(c, ticks_)) decode_chunk(*t_, c, ticks_);
  if (ahead_ && c + 1 < info.size()) ahead_->request(c + 1);
  base_ = info[c].first_index;
  if (index - base_ >= ticks_.size()) throw FormatError("a timestamp chunk does not hold the event it should");
  last_ = index;
  return ticks_[index - base_];
}

}  // namespace rondo::format
