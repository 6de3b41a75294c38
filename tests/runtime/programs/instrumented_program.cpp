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
  if (std::strcmp(how, "segv") == 0) {
    volatile int* volatile address = nullptr;  // see api_program.cpp
    *address = 1;
  } else if (std::strcmp(how, "abort") == 0) {
    std::abort();
  } else if (std::strcmp(how, "bus") == 0) {
    // A real SIGBUS: a store to a mapped page beyond the end of its (empty) file.
    FILE* file = std::tmpfile();
    void* page = file ? mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fileno(file), 0) : MAP_FAILED;
    if (page != MAP_FAILED) *static_cast<volatile char*>(page) = 1;
  } else if (std::strcmp(how, "fpe") == 0) {
    // A real SIGFPE: integer division by zero. Both operands volatile: nothing
    // is folded, and no "1 / x" is turned into a comparison without a division.
    volatile int dividend = 7, zero = 0;
    volatile int quotient = dividend / zero;
    (void)quotient;
  } else if (std::strcmp(how, "sigterm") == 0) {
    kill(getpid(), SIGTERM);
  } else if (std::strcmp(how, "sigint") == 0) {
    raise(SIGINT);
  } else {
    std::_Exit(30);
  }
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
