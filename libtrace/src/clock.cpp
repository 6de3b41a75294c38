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

void read_clock_pair(uint64_t& ticks_out, uint64_t& ns_out) {
  if (!g_clock_is_tsc) {
    ticks_out = ns_out = monotonic_ns();
    return;
  }
  uint64_t best_gap = UINT64_MAX;
  for (int attempt = 0; attempt < 8; ++attempt) {
    uint64_t before = ticks();
    uint64_t ns = monotonic_ns();
    uint64_t after = ticks();
    if (after - before < best_gap) {
      best_gap = after - before;
      ticks_out = before + (after - before) / 2;
      ns_out = ns;
    }
  }
}

uint64_t calibrate_ticks_per_second(int sleep_ms) {
  if (!g_clock_is_tsc) return 1000000000ull;
  uint64_t t0, n0, t1, n1;
  read_clock_pair(t0, n0);
  timespec pause{0, static_cast<long>(sleep_ms) * 1000000L};
  while (nanosleep(&pause, &pause) != 0) {
  }
  read_clock_pair(t1, n1);
  if (n1 <= n0) return 1000000000ull;
  return static_cast<uint64_t>(static_cast<double>(t1 - t0) * 1e9 / static_cast<double>(n1 - n0));
}

}  // namespace rondo::trace
