#include "host_callbacks.h"

#include <cupti.h>
#include <dlfcn.h>
#include <generated_nvtx_meta.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "rondo/format/records.h"
#include "rondo/trace/runtime.h"

namespace rondo::cuda {
namespace {

namespace trace = rondo::trace;
using format::EventKey;
using format::EventKind;

constexpr uint32_t kUnset = UINT32_MAX;
constexpr size_t kMaxCallbackIds = 1024;

// Runtime calls nest driver calls (cudaMemcpy -> cuMemcpy): only the outermost
// CUDA call of a thread is a region, as the user wrote it.
thread_local int t_cuda_depth = 0;
// NVTX push/pop ranges of this thread (pop names no range).
thread_local std::vector<uint32_t> t_nvtx_stack;

// Calls that only query state: frequent, instantaneous, and noise on a timeline.
// Name and attribute lookups are also what CUPTI itself calls around each launch
// (cuKernelGetName, to fill in the launch callback's symbol name): recorded, they
// were the tool's calls shown as the program's.
bool is_query(const char* name) {
  for (const char* q : {"GetLastError", "PeekAtLastError", "GetExportTable", "GetProcAddress", "GetErrorString",
                        "GetErrorName", "DriverGetVersion", "RuntimeGetVersion", "GetName", "GetAttribute"})
    if (std::strstr(name, q)) return true;
  return false;
}

// Whether a call hands work to a device or waits for it, so that its
// correlation id is worth a record (the id the stream's kernel, copy or memset,
// or the process's GPU_SYNC, carries).
bool correlated(const char* name) {
  for (const char* w : {"Launch", "Memcpy", "Memset", "Synchronize", "StreamWaitEvent"})
    if (std::strstr(name, w)) return true;
  return false;
}

// What a call is, decided once per (domain, callback id) from its name.
enum CallKind : uint8_t { kUnknown = 0, kQuery, kCall, kCorrelated };
struct CallTable {
  std::array<std::atomic<uint32_t>, kMaxCallbackIds> region;
  std::array<std::atomic<uint8_t>, kMaxCallbackIds> kind;
};
CallTable g_runtime_calls, g_driver_calls;

// The call's kind and region; kQuery for calls that are not recorded.
CallKind classify(CallTable& table, CUpti_CallbackId id, const char* name, uint32_t& region) {
  if (id >= kMaxCallbackIds) return kQuery;  // a newer CUDA than this module knows
  auto kind = static_cast<CallKind>(table.kind[id].load(std::memory_order_acquire));
  if (kind == kUnknown) {
    kind = is_query(name) ? kQuery : correlated(name) ? kCorrelated : kCall;
    if (kind != kQuery) table.region[id].store(trace::define_region(name, format::RegionRole::Cuda));
    table.kind[id].store(kind, std::memory_order_release);
  }
  region = table.region[id].load(std::memory_order_relaxed);
  return kind;
}

void on_api(CUpti_CallbackDomain domain, CUpti_CallbackId id, const CUpti_CallbackData* cb) {
  if (!cb->functionName) return;
  uint32_t region = kUnset;
  CallKind kind = classify(domain == CUPTI_CB_DOMAIN_RUNTIME_API ? g_runtime_calls : g_driver_calls, id,
                           cb->functionName, region);
  if (kind == kQuery) return;
  if (cb->callbackSite == CUPTI_API_ENTER) {
    if (t_cuda_depth++ == 0) trace::record_enter(region);
    return;
  }
  if (--t_cuda_depth > 0) return;
  uint64_t at = trace::ticks();
  if (kind == kCorrelated) {
    int64_t correlation[1] = {cb->correlationId};
    trace::record_event_at(EventKey{EventKind::GpuApiCall, 0, {}}, correlation, at);
  }
  trace::record_leave_at(region, at);
}

// NVTX ranges by id (start/end may be on different threads; the region is left
// on the thread that ends it).
std::mutex g_ranges_mutex;
std::unordered_map<uint64_t, uint32_t> g_started_ranges;

void on_nvtx(CUpti_CallbackId id, const CUpti_NvtxData* data) {
  switch (id) {
    case CUPTI_CBID_NVTX_nvtxRangePushA: {
      auto* p = static_cast<const nvtxRangePushA_params*>(data->functionParams);
      uint32_t region = trace::define_region(p && p->message ? p->message : "nvtx range", format::RegionRole::User);
      t_nvtx_stack.push_back(region);
      trace::record_enter(region);
      break;
    }
    case CUPTI_CBID_NVTX_nvtxRangePop:
      if (!t_nvtx_stack.empty()) {
        trace::record_leave(t_nvtx_stack.back());
        t_nvtx_stack.pop_back();
      }
      break;
    case CUPTI_CBID_NVTX_nvtxRangeStartA: {
      auto* p = static_cast<const nvtxRangeStartA_params*>(data->functionParams);
      auto* range = static_cast<const nvtxRangeId_t*>(data->functionReturnValue);
      uint32_t region = trace::define_region(p && p->message ? p->message : "nvtx range", format::RegionRole::User);
      if (range) {
        std::lock_guard<std::mutex> lock(g_ranges_mutex);
        g_started_ranges[*range] = region;
      }
      trace::record_enter(region);
      break;
    }
    case CUPTI_CBID_NVTX_nvtxRangeEnd: {
      auto* p = static_cast<const nvtxRangeEnd_params*>(data->functionParams);
      uint32_t region = kUnset;
      if (p) {
        std::lock_guard<std::mutex> lock(g_ranges_mutex);
        if (auto it = g_started_ranges.find(p->id); it != g_started_ranges.end()) {
          region = it->second;
          g_started_ranges.erase(it);
        }
      }
      if (region != kUnset) trace::record_leave(region);
      break;
    }
    default: break;
  }
}

void CUPTIAPI on_callback(void*, CUpti_CallbackDomain domain, CUpti_CallbackId id, const void* data) {
  if (domain == CUPTI_CB_DOMAIN_RUNTIME_API || domain == CUPTI_CB_DOMAIN_DRIVER_API)
    on_api(domain, id, static_cast<const CUpti_CallbackData*>(data));
  else if (domain == CUPTI_CB_DOMAIN_NVTX)
    on_nvtx(id, static_cast<const CUpti_NvtxData*>(data));
}

// NVTX calls reach a tool only through the injection library named by
// NVTX_INJECTION64_PATH, which NVTX reads at the program's first NVTX call:
// CUPTI is that library.
void route_nvtx_to_cupti() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&cuptiSubscribe), &info) && info.dli_fname)
    setenv("NVTX_INJECTION64_PATH", info.dli_fname, 0);
}

}  // namespace

void start_host_callbacks() {
  CUpti_SubscriberHandle subscriber;
  if (cuptiSubscribe(&subscriber, on_callback, nullptr) != CUPTI_SUCCESS) {
    trace::inform("CUPTI refused a subscriber (another CUDA tool is active?): CUDA calls not recorded", true);
    return;
  }
  for (CUpti_CallbackDomain domain : {CUPTI_CB_DOMAIN_RUNTIME_API, CUPTI_CB_DOMAIN_DRIVER_API, CUPTI_CB_DOMAIN_NVTX})
    cuptiEnableDomain(1, subscriber, domain);
  route_nvtx_to_cupti();
}

}  // namespace rondo::cuda
