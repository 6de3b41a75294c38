/* Persistent requests around a ring: every rank sets up one MPI_Send_init to the
 * next rank and one MPI_Recv_init from the previous rank, then
 *   - `iterations` times MPI_Startall(2) + MPI_Waitall(2, MPI_STATUSES_IGNORE),
 *   - `iterations` times MPI_Start(recv), MPI_Start(send), MPI_Wait(send,
 *     MPI_STATUS_IGNORE), MPI_Wait(recv, &status),
 * and frees both requests. Every start is one message of `bytes` bytes:
 * 2 * iterations messages per rank.
 *
 * Usage: persistent ITERATIONS BYTES */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int iterations = argc > 1 ? atoi(argv[1]) : 10;
  int bytes = argc > 2 ? atoi(argv[2]) : 64;
  int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  char *out = malloc((size_t)bytes + 1), *in = malloc((size_t)bytes + 1);
  MPI_Request requests[2];
  MPI_Recv_init(in, bytes, MPI_BYTE, prev, 5, MPI_COMM_WORLD, &requests[0]);
  MPI_Send_init(out, bytes, MPI_BYTE, next, 5, MPI_COMM_WORLD, &requests[1]);
  int errors = 0;
  for (int i = 0; i < iterations; ++i) {
    if (bytes > 0) out[0] = (char)(rank + i);
    MPI_Startall(2, requests);
    MPI_Waitall(2, requests, MPI_STATUSES_IGNORE);
    if (bytes > 0 && in[0] != (char)(prev + i)) ++errors;
  }
  for (int i = 0; i < iterations; ++i) {
    MPI_Status status;
    MPI_Start(&requests[0]);
    MPI_Start(&requests[1]);
    MPI_Wait(&requests[1], MPI_STATUS_IGNORE);
    MPI_Wait(&requests[0], &status);
    if (status.MPI_SOURCE != prev) ++errors;
  }
  MPI_Request_free(&requests[0]);
  MPI_Request_free(&requests[1]);
  if (errors) fprintf(stderr, "persistent: rank %d: %d wrong messages\n", rank, errors);
  if (rank == 0) printf("persistent: %d ranks, %d messages of %d bytes per rank\n", size, 2 * iterations, bytes);
  free(out);
  free(in);
  MPI_Finalize();
  return errors ? 1 : 0;
}
