/* Messages on a split communicator. MPI_COMM_WORLD is split in two by rank
 * parity (color rank % 2), ordered by descending world rank (key -rank), so
 * that ranks in the new communicator differ from world ranks. Around the ring
 * of each half, `laps` times: MPI_Send to the next and MPI_Recv from
 * MPI_ANY_SOURCE (rank 0 of the half sends first); then one MPI_Allreduce of one
 * int on the half. With 4 world ranks the halves are {2, 0} and {3, 1}: world 0
 * and 2 exchange messages, as do 1 and 3, and no message crosses halves.
 *
 * Usage: split LAPS BYTES */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int world_rank, world_size;
  MPI_Comm_rank(MPI_COMM_WORLD, &world_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &world_size);
  int laps = argc > 1 ? atoi(argv[1]) : 10;
  int bytes = argc > 2 ? atoi(argv[2]) : 256;
  MPI_Comm half;
  MPI_Comm_split(MPI_COMM_WORLD, world_rank % 2, -world_rank, &half);
  int rank, size;
  MPI_Comm_rank(half, &rank);
  MPI_Comm_size(half, &size);
  int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  char *token = calloc((size_t)bytes + 1, 1);
  int errors = 0;
  for (int lap = 0; lap < laps; ++lap) {
    MPI_Status status;
    if (rank == 0) {
      MPI_Send(token, bytes, MPI_BYTE, next, lap, half);
      MPI_Recv(token, bytes, MPI_BYTE, MPI_ANY_SOURCE, lap, half, &status);
    } else {
      MPI_Recv(token, bytes, MPI_BYTE, MPI_ANY_SOURCE, lap, half, &status);
      MPI_Send(token, bytes, MPI_BYTE, next, lap, half);
    }
    if (status.MPI_SOURCE != prev) ++errors;
  }
  int one = 1, members = 0;
  MPI_Allreduce(&one, &members, 1, MPI_INT, MPI_SUM, half);
  if (members != size) ++errors;
  MPI_Comm_free(&half);
  if (errors) fprintf(stderr, "split: world rank %d: %d errors\n", world_rank, errors);
  if (world_rank == 0) printf("split: %d ranks in halves, %d laps of %d bytes\n", world_size, laps, bytes);
  free(token);
  MPI_Finalize();
  return errors ? 1 : 0;
}
