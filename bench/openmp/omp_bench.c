/* Cost of an empty `#pragma omp parallel` on 2 threads and of an
 * omp_set_lock/omp_unset_lock pair, in nanoseconds per operation: the best of
 * several rounds, so that run under `rondo record -t openmp` and without, the
 * two outputs compare directly. Output: "parallel_ns <x>" and "lock_ns <y>". */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 7;
  int parallels = argc > 2 ? atoi(argv[2]) : 20000;
  int locks = argc > 3 ? atoi(argv[3]) : 1000000;
  double best_parallel = 1e300, best_lock = 1e300;
  volatile int sink = 0;
  omp_lock_t lock;
  omp_init_lock(&lock);
  for (int r = 0; r < rounds; ++r) {
    double t0 = now_ns();
    for (int i = 0; i < parallels; ++i) {
#pragma omp parallel num_threads(2)
      {
        __asm__ volatile(""); /* empty body gcc does not delete */
      }
    }
    double t1 = now_ns();
    for (int i = 0; i < locks; ++i) {
      omp_set_lock(&lock);
      sink = sink + 1;
      omp_unset_lock(&lock);
    }
    double t2 = now_ns();
    double p = (t1 - t0) / parallels, l = (t2 - t1) / locks;
    if (p < best_parallel) best_parallel = p;
    if (l < best_lock) best_lock = l;
  }
  omp_destroy_lock(&lock);
  printf("parallel_ns %.1f\nlock_ns %.1f\n", best_parallel, best_lock);
  return sink == locks * rounds ? 0 : 1;
}
