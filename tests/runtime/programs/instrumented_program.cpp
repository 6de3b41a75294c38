// Test program for tests/runtime, compiled with -finstrument-functions and run
// with librondo-compiler.so preloaded. It uses nothing from the C++ library, so
// that the only instrumented functions are the ones below; every count is known
// to the tests.
//
//   instrumented_program loops          main -> loops() -> 10 x outer_step -> sweep ->
//                                       100 x (leaf, helper_offset)
//   instrumented_program crash HOW N [MS]
//                                       N x app::leaf, a pause of MS milliseconds (default
//                                       none), then crash_now() ends the process with HOW:
//                                       segv | bus | fpe | abort | sigterm | sigint
//   instrumented_program status N       loops, then returns N
//
// Function names as the trace shows them (demangled; the C ones as they are):
//   main, loops(), outer_step(int), app::Grid::sweep(int), app::leaf(int),
//   double app::twice<double>(double), helper_scale, helper_offset, crash_now(char const*)
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "raise_fault.h"

volatile long g_sink;

extern "C" __attribute__((noinline)) void helper_scale(int i) { g_sink = g_sink + 2 * i; }
extern "C" __attribute__((noinline)) void helper_offset(int i) { g_sink = g_sink + i + 1; }

namespace app {

__attribute__((noinline)) int leaf(int x) {
  g_sink = g_sink + x;
  return x;
}

template <typename T>
__attribute__((noinline)) T twice(T v) {
  g_sink = g_sink + 1;
  return v + v;
}

struct Grid {
  void sweep(int n);
};

__attribute__((noinline)) void Grid::sweep(int n) {
  for (int j = 0; j < n; ++j) {
    leaf(j);
    helper_offset(j);
  }
}

}  // namespace app

static __attribute__((noinline)) void outer_step(int i) {
  app::Grid grid;
  grid.sweep(100);
  helper_scale(i);
  g_sink = g_sink + static_cast<long>(app::twice<double>(i));
}

static __attribute__((noinline)) void loops() {
  for (int i = 0; i < 10; ++i) outer_step(i);
}

static __attribute__((noinline)) void crash_now(const char* how) {
  raise_fault(how);
  for (;;) pause();
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  if (std::strcmp(mode, "loops") == 0) {
    loops();
    return 0;
  }
  if (std::strcmp(mode, "crash") == 0 && argc > 3) {
    long n = std::strtol(argv[3], nullptr, 10);
    for (long i = 0; i < n; ++i) app::leaf(static_cast<int>(i));
    if (argc > 4) usleep(static_cast<useconds_t>(std::strtol(argv[4], nullptr, 10)) * 1000);
    crash_now(argv[2]);
  }
  if (std::strcmp(mode, "status") == 0 && argc > 2) {
    loops();
    return std::atoi(argv[2]);
  }
  return 99;
}
