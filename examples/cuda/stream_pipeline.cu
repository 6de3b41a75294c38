// A multi-stream pipeline: the data is cut into CHUNKS chunks (default 8),
// each processed on one of 4 streams as copy in (pinned, async), kernel, copy
// out, so one stream's copies overlap another's kernel. Inside an NVTX range
// per step. Exits 3 when a CUDA call fails (no device), 1 on a wrong result.
//   rondo record -o pipeline.rondo ./cuda_stream_pipeline 8 5
#include <nvtx3/nvToolsExt.h>

#include <cstdio>
#include <cstdlib>

#include "cuda_check.h"

__global__ void scale(float* x, int n, float factor) {
  int i = blockIdx.x * blockDim.x + threadIdx.x;
  if (i < n) x[i] = x[i] * factor + 1.0f;
}

int main(int argc, char** argv) {
  const int chunks = argc > 1 ? std::atoi(argv[1]) : 8;
  const int steps = argc > 2 ? std::atoi(argv[2]) : 5;
  constexpr int kStreams = 4;
  const int chunk = 1 << 18;
  const int n = chunks * chunk;
  float *host, *dev;
  CUDA_CHECK(cudaMallocHost(&host, n * sizeof(float)));
  CUDA_CHECK(cudaMalloc(&dev, n * sizeof(float)));
  cudaStream_t streams[kStreams];
  for (auto& s : streams) CUDA_CHECK(cudaStreamCreate(&s));
  for (int i = 0; i < n; ++i) host[i] = 1.0f;
  for (int step = 0; step < steps; ++step) {
    nvtxRangePushA("pipeline step");
    for (int c = 0; c < chunks; ++c) {
      cudaStream_t s = streams[c % kStreams];
      float* h = host + static_cast<size_t>(c) * chunk;
      float* d = dev + static_cast<size_t>(c) * chunk;
      CUDA_CHECK(cudaMemcpyAsync(d, h, chunk * sizeof(float), cudaMemcpyHostToDevice, s));
      scale<<<chunk / 256, 256, 0, s>>>(d, chunk, 2.0f);
      CUDA_CHECK(cudaMemcpyAsync(h, d, chunk * sizeof(float), cudaMemcpyDeviceToHost, s));
    }
    CUDA_CHECK(cudaDeviceSynchronize());
    nvtxRangePop();
  }
  // Each step maps x to 2x + 1: after k steps from 1, 2^(k+1) - 1.
  float expected = static_cast<float>((1 << (steps + 1)) - 1);
  for (int i = 0; i < n; ++i)
    if (host[i] != expected) {
      std::fprintf(stderr, "stream_pipeline: wrong result at %d: %f\n", i, host[i]);
      return 1;
    }
  std::printf("stream_pipeline: %d steps of %d chunks on %d streams ok\n", steps, chunks, kStreams);
  for (auto& s : streams) CUDA_CHECK(cudaStreamDestroy(s));
  CUDA_CHECK(cudaFreeHost(host));
  CUDA_CHECK(cudaFree(dev));
  return 0;
}
