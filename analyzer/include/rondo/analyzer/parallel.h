// Running independent per-location work on several threads. Results must not
// depend on the number of threads: work items write only their own slot, and
// whatever combines the slots does so in index order afterwards.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "rondo/analyzer/options.h"

namespace rondo::analyzer {

// The number of worker threads `threads` asks for (0: every core).
inline unsigned worker_count(unsigned threads) {
  return threads ? threads : std::max(1u, std::thread::hardware_concurrency());
}

// Whether parallel_for(n, threads, ...) leaves a core of those `threads` asks
// for idle: fewer items than workers (a trace of one thread on a machine of
// several cores), so that an item may use a helper thread of its own.
inline bool spare_cores(size_t n, unsigned threads) { return n < worker_count(threads); }

// Runs `work(i)` for i in [0, n) on up to worker_count(threads) threads. The
// first exception thrown by a work item is rethrown here after all threads stop.
// `progress` (may be empty) hears after each item, serialized.
template <typename F>
void parallel_for(size_t n, unsigned threads, F work, const ProgressFn& progress = {}) {
  size_t workers = std::min<size_t>(n, worker_count(threads));
  std::mutex progress_mutex;
  size_t done = 0;
  auto report = [&] {
    if (!progress) return;
    std::lock_guard lock(progress_mutex);
    progress(++done, n);
  };
  if (workers <= 1) {
    for (size_t i = 0; i < n; ++i) {
      work(i);
      report();
    }
    return;
  }
  std::atomic<size_t> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  for (size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&] {
      for (size_t i = next++; i < n; i = next++) {
        try {
          work(i);
        } catch (...) {
          std::lock_guard lock(error_mutex);
          if (!error) error = std::current_exception();
        }
        report();
      }
    });
  }
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace rondo::analyzer
