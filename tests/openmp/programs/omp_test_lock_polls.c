/* Thread 1 of a team of 2 spins on omp_test_lock, then on omp_test_nest_lock,
 * while thread 0 holds the lock; thread 0 gives it back only after `first_run`
 * failed tests (told through an atomic, which records nothing). Prints the
 * number of tests and of failed ones per lock kind.
 * Usage: omp_test_lock_polls [first_run] */
#include <omp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

static atomic_int held, release_it;

int main(int argc, char** argv) {
  long first_run = argc > 1 ? atol(argv[1]) : 100;
  omp_lock_t lock;
  omp_nest_lock_t nest;
  omp_init_lock(&lock);
  omp_init_nest_lock(&nest);
  long calls[2] = {0, 0}, failed[2] = {0, 0};
#pragma omp parallel num_threads(2)
  {
    int me = omp_get_thread_num();
    for (int phase = 0; phase < 2 && omp_get_num_threads() == 2; ++phase) {
      if (me == 0) {
        if (phase == 0) omp_set_lock(&lock); else omp_set_nest_lock(&nest);
        atomic_store(&held, phase + 1);
        while (atomic_load(&release_it) != phase + 1) {
        }
        if (phase == 0) omp_unset_lock(&lock); else omp_unset_nest_lock(&nest);
      } else {
        while (atomic_load(&held) != phase + 1) {
        }
        for (;;) {
          ++calls[phase];
          if (phase == 0 ? omp_test_lock(&lock) : omp_test_nest_lock(&nest)) break;
          if (++failed[phase] == first_run) atomic_store(&release_it, phase + 1);
        }
        if (phase == 0) omp_unset_lock(&lock); else omp_unset_nest_lock(&nest);
      }
#pragma omp barrier
    }
  }
  printf("polls: omp_test_lock calls=%ld failed=%ld runs=1\n", calls[0], failed[0]);
  printf("polls: omp_test_nest_lock calls=%ld failed=%ld runs=1\n", calls[1], failed[1]);
  omp_destroy_lock(&lock);
  omp_destroy_nest_lock(&nest);
  return 0;
}
