/* Probes of messages whose source, tag and size are known, so that the MpiProbe
 * records can be checked exactly. Needs 3 ranks. Per round, rank 1 sends tags
 * 11, 12, 13 and rank 2 sends tags 21, 22 (MPI_COMM_WORLD) and 31 (in `rev`, a
 * communicator with the ranks in reverse order, where world rank 2 is rank 0),
 * of 100, 200, 300 bytes from rank 1 and 400, 500, 600 from rank 2. Rank 0 probes each one, then receives it:
 *   tag 11: MPI_Probe(1)                            then MPI_Recv
 *   tag 21: MPI_Iprobe(2) until the flag is true    then MPI_Recv
 *   tag 12: MPI_Mprobe(1)                           then MPI_Mrecv
 *   tag 22: MPI_Probe(MPI_ANY_SOURCE, MPI_STATUS_IGNORE)  then MPI_Recv
 *   tag 13: MPI_Improbe(1, MPI_STATUS_IGNORE) until true  then MPI_Mrecv
 *   tag 31: MPI_Probe(0 in rev)                     then MPI_Recv in rev
 * and, first, MPI_Iprobe for tag 99, which nobody sends (flag false, no record).
 * Rank 0 checks every status it reads and prints "probes: N rounds ok".
 * Usage: probes ROUNDS (default 3) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

/* 11, 12, 13 -> 100, 200, 300; 21, 22 -> 400, 500; 31 -> 600 */
static int bytes_of(int tag) { return 100 * (tag % 10 + (tag >= 30 ? 5 : tag >= 20 ? 3 : 0)); }

static int failures = 0;

static void expect(const MPI_Status *st, int source, int tag) {
  int n = -1;
  MPI_Get_count(st, MPI_BYTE, &n);
  if (st->MPI_SOURCE != source || st->MPI_TAG != tag || n != bytes_of(tag)) {
    fprintf(stderr, "probes: tag %d: got source %d tag %d bytes %d\n", tag, st->MPI_SOURCE, st->MPI_TAG, n);
    ++failures;
  }
}

static char buffer[1000];

static void receive(int source, int tag, MPI_Comm comm) {
  MPI_Status st;
  MPI_Recv(buffer, sizeof buffer, MPI_BYTE, source, tag, comm, &st);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 3) {
    if (rank == 0) fprintf(stderr, "probes: needs 3 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  MPI_Comm rev;
  MPI_Comm_split(MPI_COMM_WORLD, 0, size - rank, &rev);

  for (int r = 0; r < rounds; ++r) {
    if (rank == 1) {
      for (int tag = 11; tag <= 13; ++tag) MPI_Send(buffer, bytes_of(tag), MPI_BYTE, 0, tag, MPI_COMM_WORLD);
    } else if (rank == 2) {
      MPI_Send(buffer, bytes_of(21), MPI_BYTE, 0, 21, MPI_COMM_WORLD);
      MPI_Send(buffer, bytes_of(22), MPI_BYTE, 0, 22, MPI_COMM_WORLD);
      MPI_Send(buffer, bytes_of(31), MPI_BYTE, 2, 31, rev); /* world rank 0 is rank 2 in rev */
    } else {
      MPI_Status st;
      MPI_Message message;
      int flag = 0;
      MPI_Iprobe(MPI_ANY_SOURCE, 99, MPI_COMM_WORLD, &flag, &st);
      if (flag) ++failures;

      MPI_Probe(1, 11, MPI_COMM_WORLD, &st);
      expect(&st, 1, 11);
      receive(1, 11, MPI_COMM_WORLD);

      for (flag = 0; !flag;) MPI_Iprobe(2, 21, MPI_COMM_WORLD, &flag, &st);
      expect(&st, 2, 21);
      receive(2, 21, MPI_COMM_WORLD);

      MPI_Mprobe(1, 12, MPI_COMM_WORLD, &message, &st);
      expect(&st, 1, 12);
      MPI_Mrecv(buffer, sizeof buffer, MPI_BYTE, &message, &st);
      expect(&st, 1, 12);

      MPI_Probe(MPI_ANY_SOURCE, 22, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      receive(2, 22, MPI_COMM_WORLD);

      for (flag = 0; !flag;) MPI_Improbe(1, 13, MPI_COMM_WORLD, &flag, &message, MPI_STATUS_IGNORE);
      MPI_Mrecv(buffer, sizeof buffer, MPI_BYTE, &message, MPI_STATUS_IGNORE);

      MPI_Probe(0, 31, rev, &st);
      expect(&st, 0, 31);
      receive(0, 31, rev);
    }
  }
  MPI_Comm_free(&rev);
  if (rank == 0) printf("probes: %d rounds %s\n", rounds, failures ? "FAILED" : "ok");
  MPI_Finalize();
  return failures ? 1 : 0;
}
