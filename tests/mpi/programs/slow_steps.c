// A job that runs long enough to be interrupted: N steps of a 10 ms sleep and an
// MPI_Allreduce. Rank 0 says "slow_steps: started" once every rank is in, and
// "slow_steps: done" only when all N steps ran.
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int steps = argc > 1 ? atoi(argv[1]) : 1000;
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) {
    printf("slow_steps: started\n");
    fflush(stdout);
  }
  for (int i = 0; i < steps; ++i) {
    usleep(10000);
    int in = i, out = 0;
    MPI_Allreduce(&in, &out, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  }
  if (rank == 0) printf("slow_steps: done\n");
  MPI_Finalize();
  return 0;
}
