// A library of the program's own that uses OpenMP: the program linking it
// (omp_through_lib.c) is built without -fopenmp and does not link libgomp
// itself, like GROMACS's gmx, which reaches libgomp only through libgromacs.so.
#include <omp.h>

int kernel_run(int reps, int threads) {
  int sum = 0;
  for (int r = 0; r < reps; ++r) {
#pragma omp parallel num_threads(threads) reduction(+ : sum)
    {
      sum += omp_get_thread_num() + 1;
#pragma omp barrier
    }
  }
  return sum;
}
