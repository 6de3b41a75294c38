/* Wait at Barrier: rank 1 sleeps before each MPI_Barrier (region barrier_step);
 * every other rank waits: (size - 1) x reps waiting calls. Starts with an
 * MPI_Allreduce rather than a barrier, so that every barrier is one of the loop's. */
#include "wait_common.h"

static void barrier(const Job *j, int phase) {
  (void)j, (void)phase;
  MPI_Barrier(MPI_COMM_WORLD);
}

int main(int argc, char **argv) {
  Job j = start(&argc, &argv, 2);
  int one = 1, sum = 0;
  MPI_Allreduce(&one, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  late_steps(&j, "barrier_step", j.rank == 1, 0, barrier);
  MPI_Finalize();
  return 0;
}
