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
 * Prints the threads seen by each thread number (a check that the team had
 * THREADS threads every time). */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  int repetitions = argc > 2 ? atoi(argv[2]) : 3;
  int step = argc > 3 ? atoi(argv[3]) : 10;
  if (threads < 1 || threads > 64 || repetitions < 0 || step < 0) {
    fprintf(stderr, "usage: %s [THREADS<=64] [REPETITIONS] [STEP_MS]\n", argv[0]);
    return 2;
  }
  int team_ok = 1;
  long after_loop = 0;
  for (int rep = 0; rep < repetitions; ++rep) {
#pragma omp parallel num_threads(threads)
    {
      if (omp_get_num_threads() != threads) team_ok = 0;
      sleep_ms(omp_get_thread_num() * step);
    }
    sleep_ms(2 * step);
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(static, 1)
      for (int k = 0; k < threads; ++k) {
        if (k != omp_get_thread_num()) team_ok = 0;
        sleep_ms(k * step);
      }
      /* Work after the loop keeps its barrier (gcc drops a loop's barrier
       * when the region's own follows at once). */
#pragma omp atomic
      ++after_loop;
    }
    sleep_ms(2 * step);
#pragma omp parallel num_threads(1)
    {
      if (omp_get_num_threads() != 1) team_ok = 0;
    }
  }
  printf("omp_imbalance: %d threads, %d repetitions, step %d ms, teams %s\n", threads, repetitions, step,
         team_ok ? "complete" : "INCOMPLETE");
  if (after_loop != (long)threads * repetitions) team_ok = 0;
  return team_ok ? 0 : 1;
}
