// A loop of N empty kernel launches (default 100000) on the default stream;
// prints the host time per launch in ns. Exits 3 without a usable device.
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include <cuda_runtime.h>

__global__ void empty() {}

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  if (cudaFree(nullptr) != cudaSuccess) {  // creates the context
    std::fprintf(stderr, "empty_kernels: no usable CUDA device\n");
    return 3;
  }
  for (int i = 0; i < 1000; ++i) empty<<<1, 1>>>();  // warm up
  cudaDeviceSynchronize();
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) empty<<<1, 1>>>();
  cudaDeviceSynchronize();
  auto t1 = std::chrono::steady_clock::now();
  double ns = std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n);
  std::printf("%.1f\n", ns);
  return 0;
}
