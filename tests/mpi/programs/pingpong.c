/* A 0-byte ping-pong between ranks 0 and 1, then the same with a 1-byte
 * message whose partner alternates tags: the recorder's short-call fast path
 * (GrammarBuilder::enter) must leave the grammar exactly as the general path
 * makes it. tests/mpi/test_pingpong_grammar.cpp checks the loops and counts.
 * Usage: pingpong ROUNDS (default 1000) */
#include <mpi.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) MPI_Abort(MPI_COMM_WORLD, 2);
  int rounds = argc > 1 ? atoi(argv[1]) : 1000;
  int partner = 1 - rank;
  char byte = 0;
  for (int i = 0; i < rounds; ++i) {
    if (rank == 0) {
      MPI_Send(&byte, 0, MPI_CHAR, partner, 1, MPI_COMM_WORLD);
      MPI_Recv(&byte, 0, MPI_CHAR, partner, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(&byte, 0, MPI_CHAR, partner, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(&byte, 0, MPI_CHAR, partner, 1, MPI_COMM_WORLD);
    }
  }
  /* Tags 2 and 3 in turn: two messages of their own, one loop of both. */
  for (int i = 0; i < rounds; ++i) {
    int tag = 2 + i % 2;
    if (rank == 0) {
      MPI_Send(&byte, 1, MPI_CHAR, partner, tag, MPI_COMM_WORLD);
      MPI_Recv(&byte, 1, MPI_CHAR, partner, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(&byte, 1, MPI_CHAR, partner, tag, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(&byte, 1, MPI_CHAR, partner, tag, MPI_COMM_WORLD);
    }
  }
  MPI_Barrier(MPI_COMM_WORLD);
  MPI_Finalize();
  return 0;
}
