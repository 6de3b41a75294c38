/* Late Broadcast: the root (rank 0) sleeps before each MPI_Bcast (region
 * bcast_step); every other rank waits: (size - 1) x reps waiting calls. */
#include "wait_common.h"

static void bcast(const Job *j, int phase) {
  (void)j, (void)phase;
  int data[4] = {0, 1, 2, 3};
  MPI_Bcast(data, 4, MPI_INT, 0, MPI_COMM_WORLD);
}

int main(int argc, char **argv) {
  Job j = start(&argc, &argv, 2);
  start_together();
  late_steps(&j, "bcast_step", j.rank == 0, 0, bcast);
  MPI_Finalize();
  return 0;
}
