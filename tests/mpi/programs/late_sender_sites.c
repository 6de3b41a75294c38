/* Wait states by call site in a program without any instrumentation: rank 1
 * sleeps before each MPI_Send, so rank 0 waits in the MPI_Recv of
 * receive_halo and then in the one of receive_result (Late Sender), reps times
 * each. Only --callstack can say where these calls are: no region encloses
 * them. The test finds the lines of the receives by their markers.
 * Usage: late_sender_sites REPS SLEEP_MS */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((noinline)) void receive_halo(int* value) {
  MPI_Recv(value, 1, MPI_INT, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE); /* SITE receive_halo */
}

__attribute__((noinline)) void receive_result(int* value) {
  MPI_Recv(value, 1, MPI_INT, 1, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE); /* SITE receive_result */
}

__attribute__((noinline)) void late_send(int value, int tag, int sleep_ms) {
  usleep((useconds_t)sleep_ms * 1000);
  MPI_Send(&value, 1, MPI_INT, 0, tag, MPI_COMM_WORLD);
}

int main(int argc, char** argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 3, sleep_ms = argc > 2 ? atoi(argv[2]) : 100;
  MPI_Init(&argc, &argv);
  int rank = 0, value = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  for (int r = 0; r < reps; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    if (rank == 1) {
      late_send(r, 1, sleep_ms);
      late_send(r, 2, sleep_ms);
    } else if (rank == 0) {
      receive_halo(&value);
      receive_result(&value);
    }
  }
  if (rank == 0) printf("late_sender_sites: reps=%d\n", reps);
  MPI_Finalize();
  return 0;
}
