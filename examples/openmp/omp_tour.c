/* A tour of OpenMP constructs with counts known in advance, for the openmp
 * module (built with gcc and, when available, with clang: see CMakeLists.txt).
 *
 *   omp_tour [THREADS] [REPETITIONS]     (default 4 3)
 *
 * Each repetition runs two parallel regions of THREADS threads. The first holds,
 * in this order: an explicit barrier; an unnamed and a named critical section;
 * worksharing loops with every schedule (static, static with chunks, dynamic,
 * guided, runtime, nonmonotonic dynamic, ordered), three of them ending in a
 * barrier, three `nowait`; a single that creates 8 tasks and waits for them; two
 * sections; a single with a taskgroup of 2 tasks; an omp_lock_t, a nested lock
 * set twice, a private lock taken with omp_test_lock; an atomic update. The
 * second is a combined `parallel for` with a dynamic schedule.
 *
 * Per thread and repetition: 2 `omp parallel`, 8 `omp barrier` (1 explicit and
 * the ones ending the static, dynamic, runtime and ordered loops, the two singles
 * and the sections), 2 `omp critical`, 2 `omp single`, 1 `omp sections`,
 * 3 `omp lock` (omp_set_lock, and omp_set_nest_lock twice), 4 lock acquisitions
 * (the same 3, and omp_test_lock). Per repetition in all: 10 tasks, 1 taskwait,
 * 1 taskgroup, ORDERED_ITERATIONS `omp ordered`.
 *
 * Prints a checksum that does not depend on the number of threads. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define N 240
#define ORDERED_ITERATIONS 40

static double work(int i) { return (double)(i % 7) * 0.5; }

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  int repetitions = argc > 2 ? atoi(argv[2]) : 3;
  if (threads < 1 || repetitions < 0) {
    fprintf(stderr, "usage: %s [THREADS] [REPETITIONS]\n", argv[0]);
    return 2;
  }
  static double a[N], b[N], c[N], d[N], e[N], f[N], g[N];
  long critical_count = 0, named_count = 0, lock_count = 0, nest_count = 0, atomic_count = 0, sections_done = 0;
  long task_sum = 0, ordered_sum = 0, next_ordered = 0;
  int ordered_in_order = 1;
  omp_lock_t lock;
  omp_nest_lock_t nest;
  omp_init_lock(&lock);
  omp_init_nest_lock(&nest);

  for (int rep = 0; rep < repetitions; ++rep) {
    next_ordered = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp barrier

#pragma omp critical
      ++critical_count;
#pragma omp critical(tour_named)
      ++named_count;

      /* Each loop reads only arrays completed before the last barrier. */
#pragma omp for schedule(static)
      for (int i = 0; i < N; ++i) a[i] = work(i);
#pragma omp for schedule(static, 2) nowait
      for (int i = 0; i < N; ++i) b[i] = work(i + 1);
#pragma omp for schedule(dynamic, 4)
      for (int i = 0; i < N; ++i) c[i] = 2.0 * a[i];
#pragma omp for schedule(guided) nowait
      for (int i = 0; i < N; ++i) d[i] = a[i] + 1.0;
#pragma omp for schedule(runtime)
      for (int i = 0; i < N; ++i) e[i] = c[i] + 0.5;
#pragma omp for schedule(nonmonotonic : dynamic) nowait
      for (int i = 0; i < N; ++i) f[i] = 0.5 * c[i];
#pragma omp for ordered schedule(static, 1)
      for (int i = 0; i < ORDERED_ITERATIONS; ++i) {
#pragma omp ordered
        {
          if (i != next_ordered) ordered_in_order = 0;
          ++next_ordered;
          ordered_sum += i;
        }
      }

#pragma omp single
      {
        for (int t = 0; t < 8; ++t) {
#pragma omp task firstprivate(t) shared(task_sum)
          {
#pragma omp atomic
            task_sum += t;
          }
        }
#pragma omp taskwait
      }

#pragma omp sections
      {
#pragma omp section
        {
#pragma omp atomic
          ++sections_done;
        }
#pragma omp section
        {
#pragma omp atomic
          ++sections_done;
        }
      }

#pragma omp single
      {
#pragma omp taskgroup
        {
#pragma omp task shared(task_sum)
          {
#pragma omp atomic
            task_sum += 100;
          }
#pragma omp task shared(task_sum)
          {
#pragma omp atomic
            task_sum += 1000;
          }
        }
      }

      omp_set_lock(&lock);
      ++lock_count;
      omp_unset_lock(&lock);

      omp_set_nest_lock(&nest);
      omp_set_nest_lock(&nest);
      ++nest_count;
      omp_unset_nest_lock(&nest);
      omp_unset_nest_lock(&nest);

      omp_lock_t mine;
      omp_init_lock(&mine);
      if (omp_test_lock(&mine)) omp_unset_lock(&mine);
      omp_destroy_lock(&mine);

#pragma omp atomic
      ++atomic_count;
    }

#pragma omp parallel for schedule(dynamic, 8) num_threads(threads)
    for (int i = 0; i < N; ++i) g[i] += a[i] + b[i] + c[i] + d[i] + e[i] + f[i];
  }

  omp_destroy_lock(&lock);
  omp_destroy_nest_lock(&nest);
  double sum = 0;
  for (int i = 0; i < N; ++i) sum += g[i];
  long per_thread = critical_count + named_count + lock_count + nest_count + atomic_count;
  printf("omp_tour: %d threads, %d repetitions, checksum %.1f, tasks %ld, ordered %ld%s, sections %ld, per-thread %ld\n",
         threads, repetitions, sum, task_sum, ordered_sum, ordered_in_order ? "" : " (OUT OF ORDER)", sections_done,
         per_thread);
  return ordered_in_order ? 0 : 1;
}
