// Fresh memory's first touch, taken on a spare core.
//
// The kernel clears every page of fresh memory when it is first written: on
// the 2-vCPU VMs measured, a third of an MPI analysis on one core went to
// clearing pages. While one thread fills a large array that nothing else works
// on (the message list, in a serial part of the analysis), a second core can
// take that cost.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

namespace rondo::format {

// Has a helper thread ask the kernel to provide the pages of [p, p + bytes)
// writable (madvise(MADV_POPULATE_WRITE), Linux 5.14), from the end
// backwards, so that it meets the filling thread, which goes forwards,
// somewhere in the middle. Contents are untouched: a page already there is
// skipped, and a new one reads as zeros, as it would have anyway. Only an
// optimisation: nothing happens where the kernel lacks the request, the range
// is under 8 MiB, or no thread can be started. The destructor stops the
// helper and waits for it; the range must stay mapped until then (a vector
// must not grow past its capacity meanwhile).
class PrefaultBehind {
 public:
  PrefaultBehind(const void* p, size_t bytes);
  ~PrefaultBehind();
  // Waits until the helper has provided every page (or given up), for a
  // caller that wants them all before it goes on.
  void finish();
  PrefaultBehind(const PrefaultBehind&) = delete;
  PrefaultBehind& operator=(const PrefaultBehind&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::thread helper_;
};

}  // namespace rondo::format
