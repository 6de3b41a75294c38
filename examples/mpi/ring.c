/* A token travels around a ring of ranks `laps` times. Each hop is one
 * MPI_Send and one MPI_Recv of `bytes` bytes.
 *
 *   rondo record -o ring.rondo -- mpirun -np 4 ./mpi_ring 100 1024
 *   rondo stats ring.rondo
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int laps = argc > 1 ? atoi(argv[1]) : 100;
  int bytes = argc > 2 ? atoi(argv[2]) : 1024;
  char *token = calloc((size_t)bytes, 1);
  int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  for (int lap = 0; lap < laps; ++lap) {
    if (size == 1) {
      /* Alone: a blocking send to oneself may wait for its own receive. */
      MPI_Sendrecv_replace(token, bytes, MPI_CHAR, next, 0, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else if (rank == 0) {
      MPI_Send(token, bytes, MPI_CHAR, next, 0, MPI_COMM_WORLD);
      MPI_Recv(token, bytes, MPI_CHAR, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(token, bytes, MPI_CHAR, prev, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(token, bytes, MPI_CHAR, next, 0, MPI_COMM_WORLD);
    }
  }
  if (rank == 0) printf("ring: %d ranks, %d laps of %d bytes\n", size, laps, bytes);
  free(token);
  MPI_Finalize();
  return 0;
}
