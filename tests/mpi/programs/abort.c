/* MPI_Abort in the middle of a run: rank 0 sends SENDS messages of BYTES bytes
 * to rank 1 (which receives them), then calls MPI_Abort(MPI_COMM_WORLD, 3)
 * while rank 1 waits in MPI_Recv for a message that never comes. The trace must
 * still be readable, with rank 0's calls up to MPI_Abort.
 *
 * Usage: abort SENDS BYTES   (2 or more ranks) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int sends = argc > 1 ? atoi(argv[1]) : 10;
  int bytes = argc > 2 ? atoi(argv[2]) : 64;
  char *buf = calloc((size_t)bytes + 1, 1);
  if (size < 2) {
    fprintf(stderr, "abort: needs 2 ranks\n");
    MPI_Finalize();
    return 2;
  }
  if (rank == 0) {
    for (int i = 0; i < sends; ++i) MPI_Send(buf, bytes, MPI_BYTE, 1, 0, MPI_COMM_WORLD);
    /* Rank 1 has everything: it acknowledged the last message. */
    MPI_Recv(buf, 1, MPI_BYTE, 1, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    printf("abort: rank 0 sent %d messages, aborting\n", sends);
    fflush(stdout);
    MPI_Abort(MPI_COMM_WORLD, 3);
  } else if (rank == 1) {
    for (int i = 0; i < sends; ++i) MPI_Recv(buf, bytes, MPI_BYTE, 0, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Send(buf, 1, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
    MPI_Recv(buf, bytes, MPI_BYTE, 0, 2, MPI_COMM_WORLD, MPI_STATUS_IGNORE); /* never sent */
  } else {
    MPI_Barrier(MPI_COMM_WORLD); /* never completes */
  }
  free(buf);
  MPI_Finalize();
  return 0;
}
