// MPI + CUDA halo exchange on a ring of ranks: each rank holds N cells on its
// GPU, copies its two boundary cells to the host, exchanges them with its
// neighbours (MPI_Sendrecv), copies the received halos back and runs a
// 3-point stencil kernel, STEPS times (default 20). Exits 3 when a CUDA call
// fails (no device), 1 on a wrong result.
//   rondo record -o halo.rondo -- mpirun -np 2 ./cuda_mpi_halo 20
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_check.h"

// u has n + 2 cells: u[0] and u[n + 1] are the halos.
__global__ void stencil(const double* u, double* next, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x + 1;
  if (i <= n) next[i] = (u[i - 1] + u[i] + u[i + 1]) / 3.0;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const int steps = argc > 1 ? std::atoi(argv[1]) : 20;
  const int n = 1 << 16;
  int devices = 0;
  CUDA_CHECK(cudaGetDeviceCount(&devices));
  CUDA_CHECK(cudaSetDevice(rank % devices));
  std::vector<double> u(n + 2, 1.0);  // a constant field stays constant
  double *du, *dnext;
  CUDA_CHECK(cudaMalloc(&du, (n + 2) * sizeof(double)));
  CUDA_CHECK(cudaMalloc(&dnext, (n + 2) * sizeof(double)));
  CUDA_CHECK(cudaMemcpy(du, u.data(), (n + 2) * sizeof(double), cudaMemcpyHostToDevice));
  const int left = (rank + size - 1) % size, right = (rank + 1) % size;
  for (int s = 0; s < steps; ++s) {
    double edge[2], halo[2];
    CUDA_CHECK(cudaMemcpy(&edge[0], du + 1, sizeof(double), cudaMemcpyDeviceToHost));
    CUDA_CHECK(cudaMemcpy(&edge[1], du + n, sizeof(double), cudaMemcpyDeviceToHost));
    MPI_Sendrecv(&edge[0], 1, MPI_DOUBLE, left, 0, &halo[1], 1, MPI_DOUBLE, right, 0, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    MPI_Sendrecv(&edge[1], 1, MPI_DOUBLE, right, 1, &halo[0], 1, MPI_DOUBLE, left, 1, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
    CUDA_CHECK(cudaMemcpy(du, &halo[0], sizeof(double), cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(du + n + 1, &halo[1], sizeof(double), cudaMemcpyHostToDevice));
    stencil<<<(n + 255) / 256, 256>>>(du, dnext, n);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaDeviceSynchronize());
    std::swap(du, dnext);
  }
  CUDA_CHECK(cudaMemcpy(u.data(), du, (n + 2) * sizeof(double), cudaMemcpyDeviceToHost));
  int wrong = 0;
  for (int i = 1; i <= n; ++i) wrong += u[i] != 1.0;
  if (rank == 0) std::printf("mpi_halo: %d ranks, %d steps, %s\n", size, steps, wrong ? "WRONG" : "ok");
  CUDA_CHECK(cudaFree(du));
  CUDA_CHECK(cudaFree(dnext));
  MPI_Finalize();
  return wrong ? 1 : 0;
}
