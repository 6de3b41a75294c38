/* A 1-D heat equation, hybrid MPI + OpenMP, with a deliberate load imbalance:
 * a demo of MPI wait states (`rondo stats`: Late Sender, Wait at N x N) and of
 * who caused them.
 *
 * The rod is split into equal pieces, one per rank, with one halo cell on each
 * side. Every step: the halos are exchanged with the left and right neighbours
 * (MPI_Irecv, MPI_Isend, one MPI_Waitall; the rod is not periodic, so the end
 * ranks have one neighbour), then the cells are updated by an OpenMP team
 * (`omp parallel for`). Every 10 steps the total heat is summed with
 * MPI_Allreduce. Rank 1 updates its cells twice per step (the second sweep
 * recomputes the same values): it does twice the work of the others, so the
 * other ranks wait for it, and the result does not depend on the imbalance.
 * SWEEPS sets how many sweeps rank 1 makes (2 by default; 1 removes the
 * imbalance, more makes it stronger).
 *
 *   mpirun -np 4 heat1d [STEPS] [CELLS_PER_RANK] [SWEEPS]  (default 100 262144 2)
 *
 * Record it on 4 ranks x 2 threads, then look at the wait states:
 *
 *   OMP_NUM_THREADS=2 rondo record -o heat.rondo -- \
 *       mpirun --oversubscribe -np 4 build/examples/mpi_heat1d 100
 *   rondo stats heat.rondo
 *
 * On P ranks and S steps: 2 (P - 1) MPI_Isend and as many MPI_Irecv per step,
 * S MPI_Waitall per rank, S / 10 MPI_Allreduce per rank. Rank 0 prints the
 * total heat at the end (the same for any number of ranks and threads). */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int steps = argc > 1 ? atoi(argv[1]) : 100;
  int cells = argc > 2 ? atoi(argv[2]) : 262144;
  int slow_sweeps = argc > 3 ? atoi(argv[3]) : 2;
  if (steps < 0 || cells < 1 || slow_sweeps < 1) {
    if (rank == 0) fprintf(stderr, "usage: %s [STEPS] [CELLS_PER_RANK] [SWEEPS]\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  const int sweeps = rank == 1 ? slow_sweeps : 1; /* the imbalance */
  const double alpha = 0.25;
  /* u[0] and u[cells + 1] are the halo cells. */
  double *u = calloc((size_t)cells + 2, sizeof *u), *next = calloc((size_t)cells + 2, sizeof *next);
  if (!u || !next) MPI_Abort(MPI_COMM_WORLD, 1);
  for (int i = 1; i <= cells; ++i) u[i] = (double)((rank * cells + i) % 100);
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL, right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;
  double total = 0;

  for (int step = 0; step < steps; ++step) {
    MPI_Request requests[4];
    int n = 0;
    if (left != MPI_PROC_NULL) {
      MPI_Irecv(&u[0], 1, MPI_DOUBLE, left, 0, MPI_COMM_WORLD, &requests[n++]);
      MPI_Isend(&u[1], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD, &requests[n++]);
    }
    if (right != MPI_PROC_NULL) {
      MPI_Irecv(&u[cells + 1], 1, MPI_DOUBLE, right, 1, MPI_COMM_WORLD, &requests[n++]);
      MPI_Isend(&u[cells], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD, &requests[n++]);
    }
    MPI_Waitall(n, requests, MPI_STATUSES_IGNORE);
    /* The ends of the rod keep their temperature (no halo from outside). */
    if (left == MPI_PROC_NULL) u[0] = u[1];
    if (right == MPI_PROC_NULL) u[cells + 1] = u[cells];

    for (int sweep = 0; sweep < sweeps; ++sweep) {
#pragma omp parallel for schedule(static)
      for (int i = 1; i <= cells; ++i) next[i] = u[i] + alpha * (u[i - 1] - 2 * u[i] + u[i + 1]);
    }
    double *t = u;
    u = next;
    next = t;

    if ((step + 1) % 10 == 0) {
      double local = 0;
#pragma omp parallel for reduction(+ : local) schedule(static)
      for (int i = 1; i <= cells; ++i) local += u[i];
      MPI_Allreduce(&local, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
    }
  }
  if (rank == 0) printf("heat1d: %d ranks, %d steps, %d cells per rank, total heat %.6e\n", size, steps, cells, total);
  free(u);
  free(next);
  MPI_Finalize();
  return 0;
}
