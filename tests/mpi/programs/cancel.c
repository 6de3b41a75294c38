/* Cancelled receives, for tests/mpi/test_mpi_requests.cpp: each rank posts
 * ROUNDS receives that nothing will match and cancels them (completed by
 * MPI_Wait, MPI_Test and MPI_Waitall in turn), then receives ROUNDS messages of
 * 1000 + round bytes from its neighbour with MPI_Irecv + MPI_Wait.
 * Usage: cancel ROUNDS */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 4;
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char buf[4096] = {0}, in[4096];
  int cancelled = 0;
  for (int r = 0; r < rounds; ++r) {
    MPI_Request req;
    MPI_Status st;
    MPI_Irecv(in, 1, MPI_CHAR, MPI_ANY_SOURCE, 999, MPI_COMM_WORLD, &req);
    MPI_Cancel(&req);
    if (r % 3 == 0) {
      MPI_Wait(&req, &st);
    } else if (r % 3 == 1) {
      int flag = 0;
      while (!flag) MPI_Test(&req, &flag, &st);
    } else {
      MPI_Waitall(1, &req, &st);
    }
    int flag = 0;
    MPI_Test_cancelled(&st, &flag);
    cancelled += flag;
  }
  int right = (rank + 1) % size, left = (rank + size - 1) % size;
  for (int r = 0; r < rounds; ++r) {
    MPI_Request req;
    MPI_Irecv(in, sizeof in, MPI_CHAR, left, r, MPI_COMM_WORLD, &req);
    MPI_Send(buf, 1000 + r, MPI_CHAR, right, r, MPI_COMM_WORLD);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
  }
  printf("cancel: rank %d cancelled %d of %d\n", rank, cancelled, rounds);
  MPI_Finalize();
  return 0;
}
