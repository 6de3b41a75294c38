// Runs OpenMP parallel regions only through a shared library of its own
// (omp_kernel_lib.c): `rondo record` must find libgomp in the dependency closure.
#include <stdio.h>
#include <stdlib.h>

int kernel_run(int reps, int threads);

int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 3;
  int threads = argc > 2 ? atoi(argv[2]) : 4;
  printf("omp_through_lib: %d regions of %d threads, sum %d\n", reps, threads, kernel_run(reps, threads));
  return 0;
}
