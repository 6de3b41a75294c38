/* Hybrid MPI + OpenMP: a 1D three-point stencil (Jacobi relaxation), the domain
 * split across ranks with one halo cell each side, exchanged with
 * MPI_Sendrecv every step by the master thread; the update runs on an OpenMP
 * team (MPI_THREAD_FUNNELED).
 *
 *   mpirun -np 2 hybrid_stencil [CELLS_PER_RANK] [STEPS] [THREADS]   (default 4096 20 2)
 *
 * Per rank and step: one parallel region (every thread records `omp parallel`
 * and one `omp for` with a dynamic schedule, ending in `omp barrier`), two
 * MPI_Sendrecv on the master thread; then one MPI_Allreduce of the residual.
 * Prints the final residual on rank 0 (independent of the numbers of ranks and
 * threads). */
#include <mpi.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int cells = argc > 1 ? atoi(argv[1]) : 4096;
  int steps = argc > 2 ? atoi(argv[2]) : 20;
  int threads = argc > 3 ? atoi(argv[3]) : 2;
  if (cells < 1 || steps < 0 || threads < 1) {
    if (rank == 0) fprintf(stderr, "usage: %s [CELLS_PER_RANK] [STEPS] [THREADS]\n", argv[0]);
    MPI_Finalize();
    return 2;
  }
  double* u = calloc((size_t)cells + 2, sizeof(double));
  double* next = calloc((size_t)cells + 2, sizeof(double));
  /* A spike in the global middle of the domain. */
  long global_first = (long)rank * cells;
  long middle = (long)size * cells / 2;
  for (int i = 1; i <= cells; ++i)
    if (global_first + i - 1 == middle) u[i] = 1000.0;
  int left = rank > 0 ? rank - 1 : MPI_PROC_NULL;
  int right = rank < size - 1 ? rank + 1 : MPI_PROC_NULL;

  double residual = 0;
  for (int step = 0; step < steps; ++step) {
    /* Halo exchange: my first cell to the left, my last cell to the right. */
    MPI_Sendrecv(&u[1], 1, MPI_DOUBLE, left, 0, &u[cells + 1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&u[cells], 1, MPI_DOUBLE, right, 1, &u[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    double local = 0;
#pragma omp parallel num_threads(threads)
    {
#pragma omp for schedule(dynamic, 64) reduction(+ : local)
      for (int i = 1; i <= cells; ++i) {
        next[i] = 0.25 * u[i - 1] + 0.5 * u[i] + 0.25 * u[i + 1];
        double d = next[i] - u[i];
        local += d * d;
      }
    }
    double* t = u;
    u = next;
    next = t;
    residual = local;
  }
  double global = 0;
  MPI_Allreduce(&residual, &global, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0) printf("hybrid_stencil: %d ranks x %d threads, %d steps, residual %.6e\n", size, threads, steps, global);
  free(u);
  free(next);
  MPI_Finalize();
  return 0;
}
