// GPU streams in OTF2, the way Score-P's CUDA adapter writes them (README,
// "OTF2 export"), shared by the exporter (otf2_export_gpu.cpp) and the importer
// (otf2_import_gpu.cpp):
// - each stream is a location of type OTF2_LOCATION_TYPE_ACCELERATOR_STREAM in a
//   location group of type OTF2_LOCATION_GROUP_TYPE_ACCELERATOR per device,
//   created by its process's group;
// - kernels are Enter/Leave of regions of paradigm CUDA, role FUNCTION;
// - a copy is an RMA operation on the stream: RmaGet (host to device, device to
//   device) or RmaPut (device to host) at its start, RmaOpCompleteBlocking at
//   its end, on one RMA window per device of a process whose communicator holds
//   every location of the process; the remote is the host thread (rank 0 of
//   that communicator), or the stream itself for copies within the device.
#pragma once

#include <otf2/otf2.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rondo/format/records.h"

namespace rondo::converters::otf2 {

// Rondo's copy direction and correlation id on the RMA record (a Score-P
// archive has neither: the direction then follows from the operation).
constexpr const char* kAttrGpuCopyDirection = "rondo::gpu_copy_direction";
constexpr const char* kAttrGpuCorrelation = "rondo::gpu_correlation";

// The device of a stream location named "GPU <device> stream <stream>"; -1 otherwise.
int32_t gpu_stream_device(const std::string& location_name);

// The Rondo window id (FORMAT.md: windows are per process, ids >= 0) that stands
// for a device's copy window in the exporter's window table.
constexpr int64_t kGpuWindowBase = -1000;
inline int64_t gpu_window_id(int32_t device) { return kGpuWindowBase - device; }
inline bool is_gpu_window(int64_t id) { return id <= kGpuWindowBase; }
inline int32_t gpu_window_device(int64_t id) { return static_cast<int32_t>(kGpuWindowBase - id); }

// How a copy of `direction` is written: a put (device to host) or a get, and
// whether its remote is the stream itself (within a device) or the host.
struct GpuRmaShape {
  bool put = false;
  bool remote_is_stream = false;
};
GpuRmaShape gpu_rma_shape(format::GpuCopyKind direction);

// The accelerator location groups of a process: one per device its stream
// locations ran on, in device order. `streams[i]` is the device of location i
// of the process (-1: not a GPU stream).
struct AcceleratorGroup {
  int32_t device = -1;
  std::string name;                  // "GPU <device> of <process>"
  std::vector<size_t> members;       // positions of the process's locations
};
std::vector<AcceleratorGroup> accelerator_groups(const std::vector<int32_t>& streams, const std::string& process_name);

// An RMA operation read on an accelerator stream location, as a Rondo copy:
// GPU_MEMCPY (p0 direction, p1 `stream_index`; d0 bytes, d1 correlation id).
// `region` names the copy's region on the stream, for archives that have none
// around the RMA record (Score-P's).
struct ImportedGpuCopy {
  format::EventKey key;
  int64_t data[2] = {0, 0};
  std::string region;
};
ImportedGpuCopy gpu_copy_from_rma(bool put, bool remote_is_stream, uint64_t bytes, uint32_t stream_index,
                                  std::optional<int64_t> direction, std::optional<int64_t> correlation);

}  // namespace rondo::converters::otf2
