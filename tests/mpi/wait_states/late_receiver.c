/* Late Receiver: rank 1 sleeps before each MPI_Recv; rank 0 waits in MPI_Ssend
 * (region late_receiver_blocking), then in the MPI_Wait completing an
 * MPI_Issend (region late_receiver_nonblocking). 2 x reps waiting calls on rank 0. */
#include "wait_common.h"

static void step(const Job *j, int phase) {
  int value = 0;
  if (j->rank == 1) {
    MPI_Recv(&value, 1, MPI_INT, 0, 7, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  } else if (j->rank == 0 && phase == 0) {
    MPI_Ssend(&value, 1, MPI_INT, 1, 7, MPI_COMM_WORLD);
  } else if (j->rank == 0) {
    MPI_Request req;
    MPI_Issend(&value, 1, MPI_INT, 1, 7, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
  }
}

int main(int argc, char **argv) {
  Job j = start(&argc, &argv, 2);
  start_together();
  two_phases(&j, "late_receiver", 1, step);
  MPI_Finalize();
  return 0;
}
