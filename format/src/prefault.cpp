#include "rondo/format/prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <system_error>

namespace rondo::format {

PrefaultBehind::PrefaultBehind(const void* p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  constexpr uintptr_t kStep = uintptr_t{2} << 20;  // a huge page: one request, one fault
  if (p == nullptr || bytes < 4 * kStep) return;
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<uintptr_t>(p) + page - 1) & ~(page - 1);
  const auto end = (reinterpret_cast<uintptr_t>(p) + bytes) & ~(page - 1);
  if (end <= begin) return;
  try {
    helper_ = std::thread([this, begin, end] {
      for (uintptr_t hi = end; hi > begin && !stop_.load(std::memory_order_relaxed);) {
        const uintptr_t lo = hi - begin > kStep ? std::max(begin, (hi - kStep) & ~(kStep - 1)) : begin;
        // EINVAL: a kernel without the request; anything else: the filler meets it itself.
        if (madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE) != 0) return;
        hi = lo;
      }
    });
  } catch (const std::system_error&) {
    // No thread: the filling thread takes its own faults.
  }
#else
  (void)p;
  (void)bytes;
#endif
}

void PrefaultBehind::finish() {
  if (helper_.joinable()) helper_.join();
}

PrefaultBehind::~PrefaultBehind() {
  stop_.store(true, std::memory_order_relaxed);
  if (helper_.joinable()) helper_.join();
}

}  // namespace rondo::format
