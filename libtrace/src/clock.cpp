#include "rondo/trace/clock.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace rondo::trace {

bool g_clock_is_tsc = false;

int select_clock(bool force_monotonic) {
  g_clock_is_tsc = false;
  if (force_monotonic) return 1;
#if defined(__x86_64__)
  // CPUID 0x80000007, EDX bit 8: the TSC runs at a constant rate in every
  // P-/C-state and is synchronised across cores, so ticks from any core compare.
  unsigned a, b, c, d;
  if (__get_cpuid(0x80000000, &a, &b, &c, &d) && a >= 0x80000007 && __get_cpuid(0x80000007, &a, &b, &c, &d) &&
      (d & (1u << 8)))
    g_clock_is_tsc = true;
#elif defined(__aarch64__)
  g_clock_is_tsc = true;  // the generic timer is architecturally constant-rate
#endif
  return g_clock_is_tsc ? 0 : 1;
}

uint64_t calibrate_ticks_per_second(int sleep_ms) {
  if (!g_clock_is_tsc) return 1000000000ull;
  uint64_t n0 = monotonic_ns(), t0 = ticks();
  timespec pause{0, static_cast<long>(sleep_ms) * 1000000L};
  while (nanosleep(&pause, &pause) != 0) {
  }
  uint64_t n1 = monotonic_ns(), t1 = ticks();
  if (n1 <= n0) return 1000000000ull;
  return static_cast<uint64_t>(static_cast<double>(t1 - t0) * 1e9 / static_cast<double>(n1 - n0));
}

}  // namespace rondo::trace
