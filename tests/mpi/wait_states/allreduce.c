/* Wait at N x N: the last rank sleeps before each MPI_Allreduce (region
 * allreduce_step); every other rank waits: (size - 1) x reps waiting calls. */
#include "wait_common.h"

static void allreduce(const Job *j, int phase) {
  (void)phase;
  double x = j->rank, sum = 0;
  MPI_Allreduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

int main(int argc, char **argv) {
  Job j = start(&argc, &argv, 2);
  start_together();
  late_steps(&j, "allreduce_step", j.rank == j.size - 1, 0, allreduce);
  MPI_Finalize();
  return 0;
}
