// Test program for tests/counters: regions with known CPU time and page faults,
// recorded through the public API. It prints what it measured itself, so that
// the test compares the recorded counters with the program's own numbers.
//
//   counters_program       "main" around: 4 x "spin" (busy for about 20 ms of
//                          thread CPU time each), "touch" (first touches 2000
//                          fresh pages), "loop" (1000 x "leaf")
//   Prints: spin_cpu_ns=N (CPU time inside the spin calls, measured with
//   CLOCK_THREAD_CPUTIME_ID) and pages=N.
#include <rondo/rondo.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>

namespace {

int64_t thread_cpu_ns() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

volatile uint64_t g_sink;

// Busy until `ns` of this thread's CPU time have passed; returns the CPU time
// measured from just after the enter to just before the leave.
int64_t spin(rondo_region_t region, int64_t ns) {
  rondo_enter(region);
  int64_t start = thread_cpu_ns(), now = start;
  uint64_t x = 1;
  while (now - start < ns) {
    for (int i = 0; i < 10000; ++i) x = x * 6364136223846793005ull + 1442695040888963407ull;
    now = thread_cpu_ns();
  }
  g_sink = x;
  rondo_leave(region);
  return now - start;
}

}  // namespace

int main() {
  rondo_region_t main_region = rondo_region("main"), spin_region = rondo_region("spin"),
                 touch_region = rondo_region("touch"), loop_region = rondo_region("loop"),
                 leaf_region = rondo_region("leaf");
  rondo_enter(main_region);
  int64_t spin_ns = 0;
  for (int i = 0; i < 4; ++i) spin_ns += spin(spin_region, 20000000);

  const long page = sysconf(_SC_PAGESIZE);
  const long pages = 2000;
  auto* memory = static_cast<char*>(mmap(nullptr, static_cast<size_t>(page * pages), PROT_READ | PROT_WRITE,
                                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  if (memory == MAP_FAILED) return 1;
  rondo_enter(touch_region);
  for (long p = 0; p < pages; ++p) memory[p * page] = 1;
  rondo_leave(touch_region);
  munmap(memory, static_cast<size_t>(page * pages));

  rondo_enter(loop_region);
  for (int i = 0; i < 1000; ++i) {
    rondo_enter(leaf_region);
    g_sink = g_sink + 1;
    rondo_leave(leaf_region);
  }
  rondo_leave(loop_region);
  rondo_leave(main_region);
  std::printf("spin_cpu_ns=%lld\npages=%ld\n", static_cast<long long>(spin_ns), pages);
  return 0;
}
