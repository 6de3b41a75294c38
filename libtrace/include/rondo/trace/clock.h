// The recording clock: raw TSC ticks on x86 with an invariant TSC (cntvct_el0 on
// ARMv8), CLOCK_MONOTONIC nanoseconds elsewhere or when RONDO_CLOCK=monotonic.
// Ticks are converted to nanoseconds by readers, from pairs of readings stored in
// the trace (DESIGN.md, point 5).
#pragma once

#include <time.h>

#include <cstdint>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace rondo::trace {

extern bool g_clock_is_tsc;

inline uint64_t monotonic_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// The processor's counter; only meaningful while g_clock_is_tsc is true.
inline uint64_t counter_ticks() {
#if defined(__x86_64__)
  return __rdtsc();
#elif defined(__aarch64__)
  uint64_t v;
  asm volatile("mrs %0, cntvct_el0" : "=r"(v));
  return v;
#else
  return 0;
#endif
}

inline uint64_t ticks() {
  if (__builtin_expect(g_clock_is_tsc, 1)) return counter_ticks();
  return monotonic_ns();
}

// Reads the tick counter and CLOCK_MONOTONIC "at the same instant": the pair is
// taken several times and the one read fastest (the smallest tick gap around the
// clock_gettime) is kept, so a preemption between the two reads cannot skew the
// tick rate that readers derive from these pairs.
void read_clock_pair(uint64_t& ticks_out, uint64_t& ns_out);

// Chooses the clock (once, at start-up). Returns 0 for TSC, 1 for CLOCK_MONOTONIC.
int select_clock(bool force_monotonic);
// Ticks per second of the selected clock, measured over `sleep_ms` milliseconds.
uint64_t calibrate_ticks_per_second(int sleep_ms);

}  // namespace rondo::trace
