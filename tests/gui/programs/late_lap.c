/* A token between 2 ranks, `laps` laps; in the middle lap rank 1 sleeps
 * `pause_ms` before it sends the token back, so rank 0's receive of that lap
 * waits for rank 1 (a late sender): rank 0's slowest iteration has rank 1 as
 * its partner.  Usage: late_lap LAPS PAUSE_MS */
#include <mpi.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int laps = argc > 1 ? atoi(argv[1]) : 20;
  int pause_ms = argc > 2 ? atoi(argv[2]) : 200;
  int token = 0;
  for (int lap = 0; lap < laps; ++lap) {
    if (rank == 0) {
      MPI_Send(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD);
      MPI_Recv(&token, 1, MPI_INT, 1, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 1) {
      MPI_Recv(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (lap == laps / 2) {
        struct timespec pause = {pause_ms / 1000, (long)(pause_ms % 1000) * 1000000L};
        nanosleep(&pause, NULL);
      }
      ++token;
      MPI_Send(&token, 1, MPI_INT, 0, 0, MPI_COMM_WORLD);
    }
  }
  MPI_Finalize();
  return 0;
}
