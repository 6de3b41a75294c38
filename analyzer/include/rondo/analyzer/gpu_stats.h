// GPU statistics (`rondo stats`, section "gpu"): kernels, copies and memsets
// of every device stream location (FORMAT.md 7.2, "GPU locations"), busy time
// per stream and device, copy/compute overlap, and host time blocked in CUDA
// synchronisation calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/options.h"
#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct GpuKernelRow {
  std::string name;  // demangled kernel name
  uint64_t calls = 0;
  int64_t total_ns = 0, min_ns = 0, max_ns = 0;
  double mean_ns() const { return calls ? static_cast<double>(total_ns) / static_cast<double>(calls) : 0; }
};

struct GpuCopyRow {
  std::string kind;  // "HtoD", "DtoH", "DtoD", "HtoH", "PtoP", "other", or "memset"
  uint64_t count = 0;
  int64_t bytes = 0, total_ns = 0;
  // Bytes per second while copying (0 when no time was measured).
  double bandwidth_bytes_per_s() const {
    return total_ns > 0 ? static_cast<double>(bytes) * 1e9 / static_cast<double>(total_ns) : 0;
  }
};

struct GpuStreamRow {
  int32_t rank = -1;  // of its process (-1 outside MPI)
  uint32_t process = 0;  // position in the trace
  uint32_t thread = 0;   // the location's thread index
  std::string name;      // "GPU 0 stream 13"
  int32_t device = -1, stream = -1;  // parsed from the name; -1 when it has another form
  uint64_t kernels = 0, copies = 0, memsets = 0;
  int64_t busy_ns = 0;  // time with a kernel, copy or memset running on it
};

struct GpuDeviceRow {
  int32_t rank = -1;
  uint32_t process = 0;
  int32_t device = -1;
  int64_t busy_ns = 0;     // time with anything running on any of its streams
  int64_t kernel_ns = 0;   // time with at least one kernel running
  int64_t copy_ns = 0;     // time with at least one copy running
  int64_t overlap_ns = 0;  // time with a copy and a kernel running together
};

// Host synchronisations of one kind as CUPTI timed them (GPU_SYNC records of the
// processes' "CUDA synchronisation" locations).
struct GpuSyncRow {
  std::string kind;  // "context", "stream", "event", "stream_wait_event", "unknown"
  uint64_t count = 0;
  int64_t blocked_ns = 0;
};

struct GpuStats {
  std::vector<GpuKernelRow> kernels;  // by total time, largest first
  std::vector<GpuCopyRow> copies;     // by kind (HtoD, DtoH, DtoD, HtoH, PtoP, other, memset)
  std::vector<GpuStreamRow> streams;  // in location order
  std::vector<GpuDeviceRow> devices;  // by process, then device
  uint64_t sync_calls = 0;            // host calls of CUDA synchronisation functions
  int64_t sync_ns = 0;                // host time inside them (inclusive)
  std::vector<GpuSyncRow> sync_activity;  // by kind (context, stream, event, stream_wait_event, unknown)
  int64_t duration_ns = 0;            // what busy shares are relative to
  bool any() const { return !streams.empty() || sync_calls > 0 || !sync_activity.empty(); }
};

// Whether a region name is a host call that blocks until the GPU is done
// (cudaDeviceSynchronize, cudaStreamSynchronize, cudaEventSynchronize, their
// driver counterparts cuCtxSynchronize, cuStreamSynchronize, cuEventSynchronize).
bool is_gpu_sync_call(const std::string& region_name);

// Replays the GPU stream locations (only those) inside `window`; host
// synchronisation comes from `profile` (rows of every thread).
GpuStats gpu_stats(const format::TraceReader& trace, const TimeWindow& window, int64_t duration_ns,
                   const Profile& profile);

// The "gpu" object of `rondo stats --json` (docs/stats-json.md).
nlohmann::ordered_json gpu_json(const GpuStats& gpu);

}  // namespace rondo::analyzer
