/* Per-call cost of an MPI call with call-site capture (bench/callstack): a
 * cheap wrapped call (MPI_Comm_rank) made N times from the bottom of a chain of
 * `depth` application frames, so that unwinding has real frames to walk.
 * Prints "ns_per_call=<value>" measured with MPI_Wtime on rank 0. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static long g_calls;

__attribute__((noinline)) static int chain(int depth) {
  int rank = 0;
  if (depth > 0) return chain(depth - 1) + 1;
  for (long i = 0; i < g_calls; ++i) MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int main(int argc, char** argv) {
  g_calls = argc > 1 ? atol(argv[1]) : 1000000;
  int depth = argc > 2 ? atoi(argv[2]) : 12;
  MPI_Init(&argc, &argv);
  double t0 = MPI_Wtime();
  int r = chain(depth);
  double t1 = MPI_Wtime();
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0) printf("ns_per_call=%.1f (%d)\n", (t1 - t0) * 1e9 / (double)g_calls, r > 0);
  MPI_Finalize();
  return 0;
}
