/* Times two MPI operations from inside the program, so that the same binary can
 * be run untraced and under `rondo record` and the difference is the wrapper:
 *   pingpong: 0-byte MPI_Send/MPI_Recv round trips between ranks 0 and 1;
 *   iprobe:   MPI_Iprobe on a tag that never arrives (rank 0 only).
 * Prints "name ns_per_operation" lines on rank 0 (best of several rounds). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static double best_of(int rounds, int iterations, void (*body)(int), int rank) {
  double best = 1e30;
  for (int r = 0; r < rounds; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    double t0 = MPI_Wtime();
    body(iterations);
    double t = (MPI_Wtime() - t0) / iterations;
    MPI_Bcast(&t, 1, MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (t < best) best = t;
  }
  (void)rank;
  return best * 1e9;
}

static int g_rank;

static void pingpong(int n) {
  char dummy = 0;
  for (int i = 0; i < n; ++i) {
    if (g_rank == 0) {
      MPI_Send(&dummy, 0, MPI_CHAR, 1, 7, MPI_COMM_WORLD);
      MPI_Recv(&dummy, 0, MPI_CHAR, 1, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (g_rank == 1) {
      MPI_Recv(&dummy, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(&dummy, 0, MPI_CHAR, 0, 7, MPI_COMM_WORLD);
    }
  }
}

static void iprobe(int n) {
  int flag;
  if (g_rank != 0) return;
  for (int i = 0; i < n; ++i) MPI_Iprobe(MPI_ANY_SOURCE, 99, MPI_COMM_WORLD, &flag, MPI_STATUS_IGNORE);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  int n = argc > 1 ? atoi(argv[1]) : 20000;
  double pp = best_of(5, n, pingpong, g_rank) / 2; /* per message */
  double ip = best_of(5, n * 10, iprobe, g_rank);
  if (g_rank == 0) printf("pingpong_message_ns %.1f\niprobe_ns %.1f\n", pp, ip);
  MPI_Finalize();
  return 0;
}
