/* Communicators freed with MPI_Comm_free: each rank duplicates MPI_COMM_WORLD
 * and splits it by parity, sends one int around each, then frees both. The
 * trace must name the communicator each MPI_Comm_free destroyed. */
#include <mpi.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Comm dup, half;
  MPI_Comm_dup(MPI_COMM_WORLD, &dup);
  MPI_Comm_split(MPI_COMM_WORLD, rank % 2, rank, &half);
  int value = rank, in = -1;
  MPI_Sendrecv(&value, 1, MPI_INT, (rank + 1) % size, 5, &in, 1, MPI_INT, (rank + size - 1) % size, 5, dup,
               MPI_STATUS_IGNORE);
  MPI_Comm_free(&dup);
  MPI_Comm_free(&half);
  MPI_Finalize();
  return 0;
}
