/* Early Reduce: every rank but the root (rank 0) sleeps before each MPI_Reduce
 * (region reduce_step); the root waits: reps waiting calls on rank 0. */
#include "wait_common.h"

static void reduce(const Job *j, int phase) {
  (void)phase;
  double x = j->rank, sum = 0;
  MPI_Reduce(&x, &sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
}

int main(int argc, char **argv) {
  Job j = start(&argc, &argv, 2);
  start_together();
  late_steps(&j, "reduce_step", j.rank != 0, 0, reduce);
  MPI_Finalize();
  return 0;
}
