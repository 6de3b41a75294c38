/* Receives whose statuses the program ignores (MPI_STATUS_IGNORE,
 * MPI_STATUSES_IGNORE), with MPI_ANY_SOURCE and MPI_ANY_TAG, so that the
 * recorder has to learn the source, tag and size itself. Per rank and
 * iteration, with next = rank + 1 and prev = rank - 1 around a ring:
 *   1. MPI_Sendrecv to next / from MPI_ANY_SOURCE, MPI_STATUS_IGNORE
 *   2. MPI_Irecv(MPI_ANY_SOURCE) + MPI_Send to next, then
 *      MPI_Wait(MPI_STATUS_IGNORE)
 *   3. 2 MPI_Irecv (any source) + 2 MPI_Isend (next, prev) with tags 7 and 8,
 *      MPI_Waitall(4, MPI_STATUSES_IGNORE)
 *   4. MPI_Irecv + MPI_Isend, MPI_Test(MPI_STATUS_IGNORE) on the receive until
 *      it completes, MPI_Testall(MPI_STATUSES_IGNORE) on the send until done
 *   5. MPI_Send to next and MPI_Recv(MPI_ANY_SOURCE, MPI_ANY_TAG,
 *      MPI_STATUS_IGNORE) in rank order (rank 0 sends first)
 * Messages per rank and iteration: 1 + 1 + 2 + 1 + 1 = 6; the two of step 3
 * carry BYTES/2 bytes, the others BYTES: 5 * BYTES bytes when BYTES is even.
 * (Only step 5 receives with MPI_ANY_TAG: by then the one message left for
 * this rank in this iteration is the one it waits for.)
 *
 * Usage: status_ignore ITERATIONS BYTES   (BYTES even) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int iterations = argc > 1 ? atoi(argv[1]) : 10;
  int bytes = argc > 2 ? atoi(argv[2]) : 128;
  int half = bytes / 2;
  int next = (rank + 1) % size, prev = (rank + size - 1) % size;
  char *out = calloc((size_t)bytes + 1, 1), *in = calloc((size_t)bytes + 1, 1), *in2 = calloc((size_t)bytes + 1, 1);
  for (int i = 0; i < iterations; ++i) {
    MPI_Sendrecv(out, bytes, MPI_BYTE, next, 1, in, bytes, MPI_BYTE, MPI_ANY_SOURCE, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);

    MPI_Request r[4];
    MPI_Irecv(in, bytes, MPI_BYTE, MPI_ANY_SOURCE, 2, MPI_COMM_WORLD, &r[0]);
    MPI_Send(out, bytes, MPI_BYTE, next, 2, MPI_COMM_WORLD);
    MPI_Wait(&r[0], MPI_STATUS_IGNORE);

    MPI_Irecv(in, half, MPI_BYTE, MPI_ANY_SOURCE, 7, MPI_COMM_WORLD, &r[0]);
    MPI_Irecv(in2, half, MPI_BYTE, MPI_ANY_SOURCE, 8, MPI_COMM_WORLD, &r[1]);
    MPI_Isend(out, half, MPI_BYTE, next, 7, MPI_COMM_WORLD, &r[2]);
    MPI_Isend(out, half, MPI_BYTE, prev, 8, MPI_COMM_WORLD, &r[3]);
    MPI_Waitall(4, r, MPI_STATUSES_IGNORE);

    MPI_Irecv(in, bytes, MPI_BYTE, MPI_ANY_SOURCE, 3, MPI_COMM_WORLD, &r[0]);
    MPI_Isend(out, bytes, MPI_BYTE, next, 3, MPI_COMM_WORLD, &r[1]);
    int done = 0;
    while (!done) MPI_Test(&r[0], &done, MPI_STATUS_IGNORE);
    done = 0;
    while (!done) MPI_Testall(1, &r[1], &done, MPI_STATUSES_IGNORE);

    if (rank == 0) {
      MPI_Send(out, bytes, MPI_BYTE, next, 4, MPI_COMM_WORLD);
      MPI_Recv(in, bytes, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(in, bytes, MPI_BYTE, MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(out, bytes, MPI_BYTE, next, 4, MPI_COMM_WORLD);
    }
    /* Keep iterations apart: an MPI_ANY_TAG receive must not take the next
     * iteration's message. */
    MPI_Barrier(MPI_COMM_WORLD);
  }
  if (rank == 0) printf("status_ignore: %d ranks, %d iterations of %d bytes\n", size, iterations, bytes);
  free(out);
  free(in);
  free(in2);
  MPI_Finalize();
  return 0;
}
