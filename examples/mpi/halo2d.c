/* A 2-D Jacobi-style halo exchange on a periodic process grid: every iteration
 * each rank exchanges one row/column of `n` doubles with its four neighbours
 * (MPI_Isend/MPI_Irecv/MPI_Waitall), updates its block, and every `check`
 * iterations computes a global residual with MPI_Allreduce. The statuses are
 * ignored (MPI_STATUSES_IGNORE), as real codes often do.
 *
 *   rondo record -o halo.rondo -- mpirun -np 4 ./mpi_halo2d 1000 256 10
 *   rondo print --grammar halo.rondo     # the iteration is one loop
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static void update(double *block, int n) {
  for (int i = 0; i < n * n; ++i) block[i] = 0.5 * block[i] + 0.125;
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int iterations = argc > 1 ? atoi(argv[1]) : 1000;
  int n = argc > 2 ? atoi(argv[2]) : 256;
  int check = argc > 3 ? atoi(argv[3]) : 10;
  int size, rank;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int dims[2] = {0, 0}, periods[2] = {1, 1};
  MPI_Dims_create(size, 2, dims);
  MPI_Comm grid;
  MPI_Cart_create(MPI_COMM_WORLD, 2, dims, periods, 0, &grid);
  MPI_Comm_rank(grid, &rank);
  int up, down, left, right;
  MPI_Cart_shift(grid, 0, 1, &up, &down);
  MPI_Cart_shift(grid, 1, 1, &left, &right);

  double *block = calloc((size_t)n * n, sizeof(double));
  double *send = calloc(4 * (size_t)n, sizeof(double));
  double *recv = calloc(4 * (size_t)n, sizeof(double));
  int peers[4] = {up, down, left, right};
  double residual = 0;
  for (int it = 0; it < iterations; ++it) {
    MPI_Request requests[8];
    for (int d = 0; d < 4; ++d) {
      MPI_Irecv(recv + d * n, n, MPI_DOUBLE, peers[d], d ^ 1, grid, &requests[d]);
      MPI_Isend(send + d * n, n, MPI_DOUBLE, peers[d], d, grid, &requests[4 + d]);
    }
    MPI_Waitall(8, requests, MPI_STATUSES_IGNORE);
    update(block, n);
    if ((it + 1) % check == 0) {
      double local = block[0];
      MPI_Allreduce(&local, &residual, 1, MPI_DOUBLE, MPI_SUM, grid);
    }
  }
  if (rank == 0) printf("halo2d: %d ranks (%dx%d), %d iterations, residual %.3f\n", size, dims[0], dims[1], iterations, residual);
  free(block);
  free(send);
  free(recv);
  MPI_Comm_free(&grid);
  MPI_Finalize();
  return 0;
}
