/* Request completions whatever the library does with handles. Open MPI 4.1
 * returns one shared handle for eager MPI_Isends that completed at once
 * (q[0] == q[1] below); each send must still complete once in the trace.
 *
 * Rank 0 sends one double per message to rank 1, which receives them in order
 * with MPI_Recv(MPI_ANY_TAG). Per round, 16 nonblocking sends, each completed by
 * a different call: Waitall; two Waits in reverse order; Waitany; Waitsome;
 * Testall over handles copied from a temporary variable; Testsome; Testany;
 * persistent requests started with MPI_Startall and completed by Waitall. After
 * the rounds, one MPI_Isend released with MPI_Request_free (never completed in
 * the trace). Rank 0 prints whether the library shared a handle.
 * Arguments: rounds (default 5). Every round: 16 MPI_ISEND, 16 completions. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { kPerRound = 16 };

static double value = 1.0;

static void isend(int tag, MPI_Request *q) { MPI_Isend(&value, 1, MPI_DOUBLE, 1, tag, MPI_COMM_WORLD, q); }

static void round_of_sends(MPI_Request persistent[2], int *shared) {
  MPI_Request q[3];
  int done = 0, flag = 0, index = 0, outcount = 0, indices[3];

  isend(1, &q[0]); /* Waitall */
  isend(2, &q[1]);
  if (q[0] == q[1] && q[0] != MPI_REQUEST_NULL) *shared = 1;
  MPI_Waitall(2, q, MPI_STATUSES_IGNORE);

  isend(3, &q[0]); /* two Waits, the second request first */
  isend(4, &q[1]);
  MPI_Wait(&q[1], MPI_STATUS_IGNORE);
  MPI_Wait(&q[0], MPI_STATUS_IGNORE);

  for (int i = 0; i < 3; ++i) isend(5 + i, &q[i]); /* Waitany */
  for (int i = 0; i < 3; ++i) MPI_Waitany(3, q, &index, MPI_STATUS_IGNORE);

  for (int i = 0; i < 3; ++i) isend(8 + i, &q[i]); /* Waitsome */
  for (done = 0; done < 3; done += outcount) MPI_Waitsome(3, q, &outcount, indices, MPI_STATUSES_IGNORE);

  for (int i = 0; i < 2; ++i) { /* Testall, handles copied from one variable */
    MPI_Request tmp;
    isend(11 + i, &tmp);
    q[i] = tmp;
  }
  do MPI_Testall(2, q, &flag, MPI_STATUSES_IGNORE);
  while (!flag);

  isend(13, &q[0]); /* Testsome */
  for (done = 0; done < 1; done += outcount == MPI_UNDEFINED ? 0 : outcount)
    MPI_Testsome(1, q, &outcount, indices, MPI_STATUSES_IGNORE);

  isend(14, &q[0]); /* Testany */
  for (flag = 0; !flag;) MPI_Testany(1, q, &index, &flag, MPI_STATUS_IGNORE);

  MPI_Startall(2, persistent); /* persistent sends, tags 15 and 16 */
  MPI_Waitall(2, persistent, MPI_STATUSES_IGNORE);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int rounds = argc > 1 ? atoi(argv[1]) : 5;
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "two_isends needs 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  if (rank == 0) {
    MPI_Request persistent[2];
    MPI_Send_init(&value, 1, MPI_DOUBLE, 1, 15, MPI_COMM_WORLD, &persistent[0]);
    MPI_Send_init(&value, 1, MPI_DOUBLE, 1, 16, MPI_COMM_WORLD, &persistent[1]);
    int shared = 0;
    for (int r = 0; r < rounds; ++r) round_of_sends(persistent, &shared);
    MPI_Request_free(&persistent[0]);
    MPI_Request_free(&persistent[1]);
    MPI_Request freed;
    isend(17, &freed);
    MPI_Request_free(&freed);
    printf("two_isends: %d rounds, shared handles %s\n", rounds, shared ? "yes" : "no");
  } else {
    double in;
    for (int i = 0; i < rounds * kPerRound + 1; ++i)
      MPI_Recv(&in, 1, MPI_DOUBLE, 0, MPI_ANY_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }
  MPI_Finalize();
  return 0;
}
