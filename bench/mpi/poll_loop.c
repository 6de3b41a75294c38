/* A polling loop: MPI_Testany on one posted receive that nothing will match,
 * then a little arithmetic, N turns, best of 5 rounds; prints the time per turn.
 * What a program that polls while it works pays per poll (bench/mpi/run_poll_bench.sh).
 * Usage: poll_loop N   (1 rank) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 2000000;
  int index, flag;
  char buf;
  MPI_Request req;
  MPI_Init(&argc, &argv);
  MPI_Irecv(&buf, 1, MPI_CHAR, 0, 100, MPI_COMM_WORLD, &req);
  volatile unsigned long sink = 0;
  double best = 1e9;
  for (int r = 0; r < 5; ++r) {
    double t0 = now();
    for (long i = 0; i < n; ++i) {
      MPI_Testany(1, &req, &index, &flag, MPI_STATUS_IGNORE);
      for (int k = 0; k < 20; ++k) sink += (unsigned long)k * (unsigned long)i;
    }
    double t = (now() - t0) / (double)n * 1e9;
    if (t < best) best = t;
  }
  printf("turn_ns %.2f\n", best);
  MPI_Cancel(&req);
  MPI_Wait(&req, MPI_STATUS_IGNORE);
  MPI_Finalize();
  return 0;
}
