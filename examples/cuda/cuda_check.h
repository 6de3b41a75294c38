// Error handling shared by the CUDA examples: a failed CUDA call prints one
// line naming the call and ends the program with status 3, so a test can tell
// the program's own exit status from the tracer's.
#pragma once

#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>

#define CUDA_CHECK(call)                                                                     \
  do {                                                                                       \
    cudaError_t rc_ = (call);                                                                \
    if (rc_ != cudaSuccess) {                                                                \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(rc_)); \
      std::exit(3);                                                                          \
    }                                                                                        \
  } while (0)
