// Vector addition with explicit copies: two host-to-device copies, one kernel
// per step, one device-to-host copy, STEPS times (default 10). Prints the
// checksum; exits 3 when a CUDA call fails (no device), 1 on a wrong result.
// Its host phases are regions of the Rondo API, so its trace has a host side
// even where no GPU records anything.
//   rondo record -o vadd.rondo ./cuda_vector_add 20
#include <rondo/rondo.h>

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_check.h"

__global__ void vector_add(const float* a, const float* b, float* c, int n) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) c[i] = a[i] + b[i];
}

int main(int argc, char** argv) {
  const int steps = argc > 1 ? std::atoi(argv[1]) : 10;
  const int n = 1 << 20;
  const size_t bytes = n * sizeof(float);
  std::vector<float> a(n), b(n), c(n);
  RONDO_SCOPE("vector_add");
  for (int i = 0; i < n; ++i) {
    a[i] = static_cast<float>(i);
    b[i] = static_cast<float>(2 * i);
  }
  float *da, *db, *dc;
  CUDA_CHECK(cudaMalloc(&da, bytes));
  CUDA_CHECK(cudaMalloc(&db, bytes));
  CUDA_CHECK(cudaMalloc(&dc, bytes));
  for (int s = 0; s < steps; ++s) {
    CUDA_CHECK(cudaMemcpy(da, a.data(), bytes, cudaMemcpyHostToDevice));
    CUDA_CHECK(cudaMemcpy(db, b.data(), bytes, cudaMemcpyHostToDevice));
    vector_add<<<(n + 255) / 256, 256>>>(da, db, dc, n);
    CUDA_CHECK(cudaGetLastError());
    CUDA_CHECK(cudaMemcpy(c.data(), dc, bytes, cudaMemcpyDeviceToHost));
  }
  CUDA_CHECK(cudaDeviceSynchronize());
  for (int i = 0; i < n; ++i)
    if (c[i] != 3.0f * static_cast<float>(i)) {
      std::fprintf(stderr, "vector_add: wrong result at %d\n", i);
      return 1;
    }
  std::printf("vector_add: %d steps of %d elements ok\n", steps, n);
  CUDA_CHECK(cudaFree(da));
  CUDA_CHECK(cudaFree(db));
  CUDA_CHECK(cudaFree(dc));
  return 0;
}
