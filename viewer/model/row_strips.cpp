#include "row_strips.h"

#include <algorithm>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "row_summary.h"
#include "trace_session.h"

namespace rondo::viewer {

using namespace rondo::format;

namespace {

// Threads that run the strips after the first (the caller runs that one).
// Started on first use and kept: a fresh thread would begin with cold
// thread-local caches every frame. One batch at a time (the timeline draws
// from one thread); a second caller waits for the pool.
class StripPool {
 public:
  static StripPool& get() {
    static StripPool pool;
    return pool;
  }
  // Runs work(1) .. work(n - 1) on the pool and work(0) here; returns when all are done.
  void run(unsigned n, const std::function<void(unsigned)>& work) {
    std::lock_guard batch(batch_mutex_);
    {
      std::lock_guard lock(mutex_);
      while (workers_.size() + 1 < n) workers_.emplace_back([this] { serve(); });
      work_ = &work;
      next_ = 1;
      end_ = n;
      pending_ = n - 1;
    }
    wake_.notify_all();
    work(0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return pending_ == 0; });
    work_ = nullptr;
  }
  ~StripPool() {
    {
      std::lock_guard lock(mutex_);
      quit_ = true;
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
  }

 private:
  void serve() {
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return quit_ || (work_ && next_ < end_); });
      if (quit_) return;
      unsigned i = next_++;
      const std::function<void(unsigned)>* work = work_;
      lock.unlock();
      (*work)(i);
      lock.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }

  std::mutex batch_mutex_, mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(unsigned)>* work_ = nullptr;
  unsigned next_ = 0, end_ = 0, pending_ = 0;
  bool quit_ = false;
};

// The event index at `ticks`, estimated within its timestamp chunk.
double estimated_index(const std::vector<TimestampChunkInfo>& chunks, uint64_t ticks) {
  auto it = std::lower_bound(chunks.begin(), chunks.end(), ticks,
                             [](const TimestampChunkInfo& c, uint64_t t) { return c.last_ticks < t; });
  if (it == chunks.end()) return chunks.empty() ? 0.0 : static_cast<double>(chunks.back().first_index + chunks.back().count);
  if (ticks <= it->first_ticks) return static_cast<double>(it->first_index);
  double share = static_cast<double>(ticks - it->first_ticks) /
                 static_cast<double>(std::max<uint64_t>(it->last_ticks - it->first_ticks, 1));
  return static_cast<double>(it->first_index) + share * static_cast<double>(it->count);
}

}  // namespace

uint64_t estimated_events(const ThreadTrace& thread, uint64_t begin_ticks, uint64_t end_ticks) {
  const auto& chunks = thread.timestamp_chunks();
  double events = estimated_index(chunks, end_ticks) - estimated_index(chunks, begin_ticks);
  return events > 0 ? static_cast<uint64_t>(events) : 0;
}

unsigned strip_count(const ProcessReader& process, size_t thread_pos, int64_t begin_ns, int64_t end_ns, int pixels,
                     unsigned max_strips, uint64_t events_per_strip) {
  if (max_strips == 0) max_strips = std::max(1u, std::thread::hardware_concurrency());
  uint64_t events =
      estimated_events(process.thread(thread_pos), ticks_at(process, begin_ns), ticks_at(process, end_ns));
  uint64_t by_events = events / std::max<uint64_t>(events_per_strip, 1), by_pixels = static_cast<uint64_t>(std::max(pixels, 1)) / 64;
  return static_cast<unsigned>(std::max<uint64_t>(1, std::min<uint64_t>({max_strips, by_events, by_pixels})));
}

RowFrame compute_row_in_strips(const ProcessReader& process, size_t thread_pos, int64_t begin_ns, int64_t end_ns,
                               int pixels, const LodOptions& options, CursorCheckpoints* checkpoints,
                               unsigned max_strips, uint64_t events_per_strip) {
  pixels = std::max(pixels, 1);
  end_ns = std::max(end_ns, begin_ns + 1);
  bool from_summary = options.summarise && options.summary && options.summary->covers(begin_ns, end_ns, pixels);
  unsigned n = from_summary ? 1 : strip_count(process, thread_pos, begin_ns, end_ns, pixels, max_strips, events_per_strip);
  if (n <= 1) return compute_row(process, thread_pos, begin_ns, end_ns, pixels, options, checkpoints);

  auto first_px = [&](unsigned k) { return static_cast<int>(static_cast<int64_t>(pixels) * k / n); };
  std::vector<RowFrame> strips(n);
  std::vector<std::exception_ptr> errors(n);
  std::function<void(unsigned)> work = [&](unsigned k) {
    int a = first_px(k), b = first_px(k + 1);
    try {
      strips[k] = compute_columns(process, thread_pos, begin_ns, end_ns, pixels, a, b - a, options, checkpoints);
    } catch (...) {
      errors[k] = std::current_exception();  // rethrown on the caller's thread
    }
  };
  StripPool::get().run(n, work);
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);

  RowFrame f;
  f.begin_ns = begin_ns;
  f.end_ns = end_ns;
  f.pixels = pixels;
  f.cells.assign(static_cast<size_t>(RowFrame::kMaxDepth) * pixels, Cell{});
  f.notes.assign(static_cast<size_t>(pixels), PixelNote{});
  for (unsigned k = 0; k < n; ++k) {
    const RowFrame& s = strips[k];
    copy_columns(s, 0, s.pixels, f, first_px(k));
    f.depths = std::max(f.depths, s.depths);
    f.truncated = f.truncated || s.truncated;
    f.events_replayed += s.events_replayed;
    f.events_summarised += s.events_summarised;
    f.seeks += s.seeks;
    f.loop_skips += s.loop_skips;
  }
  return f;
}

}  // namespace rondo::viewer
