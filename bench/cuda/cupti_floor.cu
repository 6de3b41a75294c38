// What CUPTI itself costs per kernel launch, with handlers that do nothing:
// the floor under any CUPTI-based tracer (Rondo, Score-P, EZTrace, nsys's
// CUPTI mode). The same loop of empty kernels as empty_kernels.cu, with CUPTI
// set up as the cuda module sets it up, one part at a time:
//   cupti_floor N MODE
//   MODE: none            no CUPTI
//         kernels         kernel activity records (CONCURRENT_KERNEL), buffers
//                         consumed and discarded
//         kernels_clock   the same, timestamps from a tool clock (as Rondo does)
//         runtime         callbacks on every runtime API call, empty handler
//         runtime_driver  callbacks on every runtime and driver API call
//         all             kernels_clock + runtime_driver + memcpy/memset/sync
//                         activity: what the cuda module enables
// Prints the host ns per launch and the callbacks per launch. Exits 3 without a
// usable device.
#include <cuda_runtime.h>
#include <cupti.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

__global__ void empty() {}

namespace {

constexpr size_t kBufferBytes = size_t{4} << 20;

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;
}

// Walks the records, as a tracer must, and discards them.
void CUPTIAPI buffer_completed(CUcontext, uint32_t, uint8_t* buffer, size_t, size_t valid) {
  CUpti_Activity* record = nullptr;
  size_t records = 0;
  while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) ++records;
  std::free(buffer);
}

uint64_t CUPTIAPI tool_clock() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<uint64_t>(t.tv_sec) * 1000000000ull + static_cast<uint64_t>(t.tv_nsec);
}

// Counted on the launching thread only: no atomics needed. The names of the
// API calls seen go to stderr, to show what a launch calls under a tool.
long g_callbacks = 0;
const char* g_seen[16];
int g_seen_count = 0;
void CUPTIAPI on_callback(void*, CUpti_CallbackDomain, CUpti_CallbackId, const void* data) {
  ++g_callbacks;
  const char* name = static_cast<const CUpti_CallbackData*>(data)->functionName;
  for (int i = 0; i < g_seen_count; ++i)
    if (g_seen[i] == name) return;
  if (g_seen_count < 16) g_seen[g_seen_count++] = name;
}

bool check(CUptiResult rc, const char* what) {
  if (rc == CUPTI_SUCCESS) return true;
  const char* text = nullptr;
  cuptiGetResultString(rc, &text);
  std::fprintf(stderr, "cupti_floor: %s failed: %s\n", what, text ? text : "?");
  return false;
}

bool set_up(const char* mode) {
  bool kernels = !std::strcmp(mode, "kernels") || !std::strcmp(mode, "kernels_clock") || !std::strcmp(mode, "all");
  bool clock = !std::strcmp(mode, "kernels_clock") || !std::strcmp(mode, "all");
  bool runtime = !std::strcmp(mode, "runtime") || !std::strcmp(mode, "runtime_driver") || !std::strcmp(mode, "all");
  bool driver = !std::strcmp(mode, "runtime_driver") || !std::strcmp(mode, "all");
  bool copies = !std::strcmp(mode, "all");
  if (!kernels && !runtime && std::strcmp(mode, "none")) {
    std::fprintf(stderr, "cupti_floor: unknown mode '%s'\n", mode);
    return false;
  }
  if (clock && !check(cuptiActivityRegisterTimestampCallback(tool_clock), "timestamp callback")) return false;
  if (kernels) {
    if (!check(cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed), "buffer callbacks") ||
        !check(cuptiActivityEnable(CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL), "kernel activity"))
      return false;
  }
  if (copies)
    for (CUpti_ActivityKind kind : {CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET, CUPTI_ACTIVITY_KIND_MEMCPY2,
                                    CUPTI_ACTIVITY_KIND_SYNCHRONIZATION})
      if (!check(cuptiActivityEnable(kind), "copy activity")) return false;
  if (runtime) {
    CUpti_SubscriberHandle subscriber;
    if (!check(cuptiSubscribe(&subscriber, on_callback, nullptr), "subscribe") ||
        !check(cuptiEnableDomain(1, subscriber, CUPTI_CB_DOMAIN_RUNTIME_API), "runtime domain"))
      return false;
    if (driver && !check(cuptiEnableDomain(1, subscriber, CUPTI_CB_DOMAIN_DRIVER_API), "driver domain")) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const long n = argc > 1 ? std::atol(argv[1]) : 100000;
  if (!set_up(argc > 2 ? argv[2] : "none")) return 2;
  if (cudaFree(nullptr) != cudaSuccess) {  // creates the context
    std::fprintf(stderr, "cupti_floor: no usable CUDA device\n");
    return 3;
  }
  for (int i = 0; i < 1000; ++i) empty<<<1, 1>>>();  // warm up
  cudaDeviceSynchronize();
  long callbacks_before = g_callbacks;
  g_seen_count = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < n; ++i) empty<<<1, 1>>>();
  cudaDeviceSynchronize();
  auto t1 = std::chrono::steady_clock::now();
  std::printf("%.1f %.2f\n", std::chrono::duration<double, std::nano>(t1 - t0).count() / static_cast<double>(n),
              static_cast<double>(g_callbacks - callbacks_before) / static_cast<double>(n));
  for (int i = 0; i < g_seen_count; ++i) std::fprintf(stderr, "cupti_floor: called in the loop: %s\n", g_seen[i]);
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  return 0;
}
