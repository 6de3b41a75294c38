#include "rondo/format/prefault.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <system_error>
#include <utility>

namespace rondo::format {

PrefaultBehind::PrefaultBehind(std::vector<Range> ranges) {
#ifdef MADV_POPULATE_WRITE
  constexpr uintptr_t kStep = uintptr_t{2} << 20;  // a huge page: one request, one fault
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  std::vector<std::pair<uintptr_t, uintptr_t>> spans;  // page-aligned [begin, end), in order
  for (const Range& r : ranges) {
    if (r.p == nullptr || r.bytes < 4 * kStep) continue;
    const auto begin = (reinterpret_cast<uintptr_t>(r.p) + page - 1) & ~(page - 1);
    const auto end = (reinterpret_cast<uintptr_t>(r.p) + r.bytes) & ~(page - 1);
    if (end > begin) spans.emplace_back(begin, end);
  }
  if (spans.empty()) return;
  try {
    helper_ = std::thread([this, spans = std::move(spans)] {
      for (const auto& [begin, end] : spans) {
        for (uintptr_t hi = end; hi > begin;) {
          if (stop_.load(std::memory_order_relaxed)) return;
          const uintptr_t lo = hi - begin > kStep ? std::max(begin, (hi - kStep) & ~(kStep - 1)) : begin;
          // EINVAL: a kernel without the request; anything else: the filler meets it itself.
          if (madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_POPULATE_WRITE) != 0) return;
          hi = lo;
        }
      }
    });
  } catch (const std::system_error&) {
    // No thread: the filling threads take their own faults.
  }
#else
  (void)ranges;
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
