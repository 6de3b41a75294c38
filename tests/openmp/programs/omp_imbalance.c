/* OpenMP with a known imbalance, for the barrier-waiting tests of the openmp
 * module (built with gcc, with clang and through `rondo instrument`).
 *
 *   omp_imbalance [THREADS] [REPETITIONS] [STEP_MS]     (default 4 3 10)
 *
 * Each repetition runs two parallel regions of THREADS threads:
 *  1. thread k sleeps k x STEP_MS, then reaches the implicit barrier that ends
 *     the parallel region;
 *  2. a worksharing loop of THREADS iterations, schedule(static, 1) so that
 *     iteration k runs on thread k, sleeping k x STEP_MS, then the loop's
 *     implicit barrier, an atomic update, and the region's barrier (with
 *     nothing left to wait for).
 * So at each of the two barriers thread k waits (THREADS - 1 - k) x STEP_MS for
 * the last thread, and the master's fork and join are all the rest. After each
 * region the master alone sleeps 2 x STEP_MS: serial time, in no thread's
 * `omp parallel`. A third region has a team of one thread: no barrier to wait
 * at.
 *
 * Prints whether each thread number saw a team of THREADS threads, then, per
 * thread number, how long it waited at the two barriers by the program's own
 * clock: the sum over repetitions of the last arrival less its own. That is
 * what a tracer must report; it is less than the intended wait when a thread
 * starts its sleep late or oversleeps on a loaded machine. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

enum { kMaxThreads = 64 };

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Adds to waited[k] the time thread k arrived before the last of `threads`. */
static void add_waits(const long long* arrived, int threads, long long* waited) {
  long long last = arrived[0];
  for (int k = 1; k < threads; ++k)
    if (arrived[k] > last) last = arrived[k];
  for (int k = 0; k < threads; ++k) waited[k] += last - arrived[k];
}

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  int repetitions = argc > 2 ? atoi(argv[2]) : 3;
  int step = argc > 3 ? atoi(argv[3]) : 10;
  if (threads < 1 || threads > kMaxThreads || repetitions < 0 || step < 0) {
    fprintf(stderr, "usage: %s [THREADS<=64] [REPETITIONS] [STEP_MS]\n", argv[0]);
    return 2;
  }
  int team_ok = 1;
  long after_loop = 0;
  /* Arrival times at the barrier ending region 1 and at the loop's barrier. */
  long long arrived_implicit[kMaxThreads], arrived_loop[kMaxThreads];
  long long waited_implicit[kMaxThreads] = {0}, waited_loop[kMaxThreads] = {0};
  for (int rep = 0; rep < repetitions; ++rep) {
#pragma omp parallel num_threads(threads)
    {
      if (omp_get_num_threads() != threads) team_ok = 0;
      sleep_ms(omp_get_thread_num() * step);
      arrived_implicit[omp_get_thread_num()] = now_ns();
    }
    add_waits(arrived_implicit, threads, waited_implicit);
    sleep_ms(2 * step);
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static, 1)
      for (int k = 0; k < threads; ++k) {
        if (k != omp_get_thread_num()) team_ok = 0;
        sleep_ms(k * step);
        arrived_loop[k] = now_ns();
      }
      /* Work after the loop keeps its barrier (gcc drops a loop's barrier
       * when the region's own follows at once). */
#pragma omp atomic
      ++after_loop;
    }
    add_waits(arrived_loop, threads, waited_loop);
    sleep_ms(2 * step);
#pragma omp parallel num_threads(1)
    {
      if (omp_get_num_threads() != 1) team_ok = 0;
    }
  }
  printf("omp_imbalance: %d threads, %d repetitions, step %d ms, teams %s\n", threads, repetitions, step,
         team_ok ? "complete" : "INCOMPLETE");
  for (int k = 0; k < threads; ++k)
    printf("omp_imbalance: thread %d waited %lld ns at the implicit barrier, %lld ns at the loop's\n", k,
           waited_implicit[k], waited_loop[k]);
  if (after_loop != (long)threads * repetitions) team_ok = 0;
  return team_ok ? 0 : 1;
}
