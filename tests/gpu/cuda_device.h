// Whether this machine can run CUDA programs: a driver and at least one device.
// Tests of real kernels (label gpu) skip with a clear message without one.
#pragma once

#include <dlfcn.h>

#include <string>

namespace rondo::test {

// Empty when a device is present, else why not (for GTEST_SKIP).
inline std::string cuda_device_missing() {
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver) return "no CUDA driver (libcuda.so.1) on this machine: GPU test skipped";
  using Init = int (*)(unsigned);
  using Count = int (*)(int*);
  auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(driver, "cuDeviceGetCount"));
  int devices = 0;
  if (!init || !count || init(0) != 0 || count(&devices) != 0 || devices == 0)
    return "no CUDA device on this machine: GPU test skipped";
  return "";
}

}  // namespace rondo::test
