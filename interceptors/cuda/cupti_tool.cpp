// The cuda module (librondo-cuda.so): GPU activity through CUPTI.
//
// - Device side: CUPTI's Activity API hands over kernels, copies (peer copies
//   included), memsets and host synchronisations in buffers;
//   activity_translation.cpp turns them into records on one extra location per
//   device stream and one for the process's synchronisations. CUPTI stamps them with the trace's own clock
//   (cuptiActivityRegisterTimestampCallback returns the recorder's ticks), so a
//   kernel lies on the same time axis as the host call that launched it, with no
//   interpolation of ours.
// - Host side: runtime (and, outside runtime calls, driver) API calls are
//   regions on the calling thread (host_callbacks.cpp); calls that enqueue work
//   carry its correlation id.
// - Buffers are handed over and written at exit, at _exit(), at MPI_Finalize and
//   after a fatal signal (the runtime's flush hooks).
//
// Without a driver or a device the module says so once and does nothing else:
// the program runs as it would untraced, its host-side records are kept.
#include <cupti.h>
#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

#include "activity_translation.h"
#include "cuda_usage.h"
#include "host_callbacks.h"
#include "location_sink.h"
#include "rondo/trace/extra_locations.h"
#include "rondo/trace/runtime.h"

namespace rondo::cuda {
namespace {

constexpr size_t kBufferBytes = size_t{4} << 20;

// Never freed: CUPTI's threads and the exit path may use them until the end.
struct Tool {
  std::mutex mutex;  // the translator is fed by CUPTI's thread and drained by flushes
  LocationSink sink;
  ActivityTranslator translator{sink};
  size_t dropped = 0;
};
Tool* g_tool = nullptr;

uint64_t CUPTIAPI trace_ticks() { return trace::ticks(); }

void CUPTIAPI buffer_requested(uint8_t** buffer, size_t* size, size_t* max_records) {
  *buffer = static_cast<uint8_t*>(std::aligned_alloc(8, kBufferBytes));
  *size = *buffer ? kBufferBytes : 0;
  *max_records = 0;
}

void CUPTIAPI buffer_completed(CUcontext context, uint32_t stream, uint8_t* buffer, size_t, size_t valid) {
  if (g_tool && buffer) {
    std::lock_guard<std::mutex> lock(g_tool->mutex);
    CUpti_Activity* record = nullptr;
    while (cuptiActivityGetNextRecord(buffer, valid, &record) == CUPTI_SUCCESS) g_tool->translator.add(record);
    size_t dropped = 0;
    if (cuptiActivityGetNumDroppedRecords(context, stream, &dropped) == CUPTI_SUCCESS && dropped) {
      if (g_tool->dropped == 0)
        trace::inform("CUPTI dropped GPU activity records (its buffers were full); the GPU timeline has gaps", true);
      g_tool->dropped += dropped;
    }
  }
  std::free(buffer);
}

// Flush hook: everything CUPTI holds, then everything the translator holds.
void flush_activity() {
  if (!g_tool) return;
  cuptiActivityFlushAll(CUPTI_ACTIVITY_FLAG_FLUSH_FORCED);
  std::unique_lock<std::mutex> lock(g_tool->mutex, std::try_to_lock);
  for (int i = 0; i < 400 && !lock.owns_lock(); ++i) {
    struct timespec pause = {0, 500000};
    nanosleep(&pause, nullptr);
    (void)lock.try_lock();
  }
  if (lock.owns_lock()) g_tool->translator.drain();
}

// Whether a CUDA driver with at least one device is present. Loading the driver
// here is what the program's first CUDA call would do anyway.
bool device_present() {
  void* driver = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!driver) return false;
  using Init = int (*)(unsigned);
  using Count = int (*)(int*);
  auto init = reinterpret_cast<Init>(dlsym(driver, "cuInit"));
  auto count = reinterpret_cast<Count>(dlsym(driver, "cuDeviceGetCount"));
  int devices = 0;
  return init && count && init(0) == 0 && count(&devices) == 0 && devices > 0;
}

bool ok(CUptiResult rc, const char* what) {
  if (rc == CUPTI_SUCCESS) return true;
  const char* text = nullptr;
  cuptiGetResultString(rc, &text);
  trace::inform(std::string("CUPTI ") + what + " failed (" + (text ? text : "?") +
                    "): GPU activity not recorded",
                true);
  return false;
}

void start_activity() {
  g_tool = new Tool;
  // The timestamp source first: every record after it is on the trace's clock.
  if (!ok(cuptiActivityRegisterTimestampCallback(trace_ticks), "timestamp callback") ||
      !ok(cuptiActivityRegisterCallbacks(buffer_requested, buffer_completed), "buffer callbacks"))
    return;
  for (CUpti_ActivityKind kind :
       {CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL, CUPTI_ACTIVITY_KIND_MEMCPY, CUPTI_ACTIVITY_KIND_MEMSET})
    if (!ok(cuptiActivityEnable(kind), "activity enable")) return;
  // Peer copies and host waits add to the picture; without them (a device or
  // driver that refuses the kind) the rest is still recorded.
  if (cuptiActivityEnable(CUPTI_ACTIVITY_KIND_MEMCPY2) != CUPTI_SUCCESS)
    trace::inform("CUPTI refused peer-to-peer copy records: peer copies not recorded", true);
  if (cuptiActivityEnable(CUPTI_ACTIVITY_KIND_SYNCHRONIZATION) != CUPTI_SUCCESS)
    trace::inform("CUPTI refused synchronisation records: host waits are measured from the CUDA calls only", true);
  trace::add_flush_hook(flush_activity);
}

__attribute__((constructor)) void rondo_cuda_module_init() {
  if (!trace::start() || !program_uses_cuda()) return;
  if (!device_present()) {
    std::fprintf(stderr, "rondo: no CUDA device: GPU activity not recorded\n");
    return;
  }
  start_activity();
  start_host_callbacks();
}

}  // namespace
}  // namespace rondo::cuda
