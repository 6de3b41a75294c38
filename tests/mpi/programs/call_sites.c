/* Call sites (--callstack): the same MPI call made from two functions, each in
 * the time-step loop, a given number of times. The test finds the lines of the
 * calls by their markers. Built three times: with and without debug
 * information, and stripped with static functions (CALL_SITES_STATIC). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef CALL_SITES_STATIC
#define CALL_SITES_STATIC
#endif

CALL_SITES_STATIC __attribute__((noinline)) void exchange_halo(double* value) {
  MPI_Allreduce(MPI_IN_PLACE, value, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD); /* SITE exchange_halo */
}

CALL_SITES_STATIC __attribute__((noinline)) void check_residual(double* value) {
  MPI_Allreduce(MPI_IN_PLACE, value, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD); /* SITE check_residual */
}

int main(int argc, char** argv) {
  int steps = argc > 1 ? atoi(argv[1]) : 50;
  MPI_Init(&argc, &argv);
  double halo = 1, residual = 1;
  for (int step = 0; step < steps; ++step) {
    exchange_halo(&halo);
    exchange_halo(&halo);
    check_residual(&residual);
  }
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) printf("call_sites: steps=%d\n", steps);
  MPI_Finalize();
  return 0;
}
