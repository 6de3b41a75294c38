/* Handles reused after a free (the wrappers cache datatype sizes and
 * communicators per thread, interceptors/mpi/handle_cache.h). 2 ranks.
 * Types: step k = 1..4 creates a contiguous type of 3k ints, sends two
 * messages of one element from rank 0 to rank 1 (tag 10 + k, 12k bytes each),
 * and frees the type; MPI tends to hand the next type the freed handle.
 * Communicators: step k = 0..3 splits MPI_COMM_WORLD with the rank order
 * reversed on odd steps, sends one int from local rank 0 to local rank 1
 * (tag 20 + k: world 0 -> 1 on even steps, 1 -> 0 on odd ones) and frees it.
 * Prints how many handles were those of the step before. */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int buf[12] = {0};
  int types_reused = 0, comms_reused = 0;
  MPI_Datatype last_type = MPI_DATATYPE_NULL;
  for (int k = 1; k <= 4; ++k) {
    MPI_Datatype t;
    MPI_Type_contiguous(3 * k, MPI_INT, &t);
    MPI_Type_commit(&t);
    if (t == last_type) ++types_reused;
    last_type = t;
    for (int m = 0; m < 2; ++m) {
      if (rank == 0) MPI_Send(buf, 1, t, 1, 10 + k, MPI_COMM_WORLD);
      if (rank == 1) MPI_Recv(buf, 1, t, 0, 10 + k, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
    MPI_Type_free(&t);
  }
  MPI_Comm last_comm = MPI_COMM_NULL;
  for (int k = 0; k < 4; ++k) {
    MPI_Comm c;
    MPI_Comm_split(MPI_COMM_WORLD, 0, k % 2 ? -rank : rank, &c);
    if (c == last_comm) ++comms_reused;
    last_comm = c;
    int local, value = k;
    MPI_Comm_rank(c, &local);
    if (local == 0) MPI_Send(&value, 1, MPI_INT, 1, 20 + k, c);
    if (local == 1) MPI_Recv(&value, 1, MPI_INT, 0, 20 + k, c, MPI_STATUS_IGNORE);
    MPI_Comm_free(&c);
  }
  if (rank == 0) printf("handle_reuse: types reused %d, communicators reused %d\n", types_reused, comms_reused);
  MPI_Finalize();
  return 0;
}
