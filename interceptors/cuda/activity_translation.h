// CUPTI activity records -> Rondo records (FORMAT.md 7.2, "GPU locations").
//
// Pure translation, no CUPTI calls: it takes the CUpti_Activity structures that
// CUPTI hands over in its buffers (CUDA 13: CUpti_ActivityKernel10,
// CUpti_ActivityMemcpy6, CUpti_ActivityMemcpyPtoP4 for peer copies,
// CUpti_ActivityMemset4, CUpti_ActivitySynchronization2) and writes, per device
// stream, the records of each kernel, copy and memset, and on the process's
// synchronisation location a GPU_SYNC per host synchronisation, through a
// GpuRecordSink. So it is tested by
// feeding it structures built in the test, without a GPU.
//
// Per stream, records are held back and written in order of their start time
// (CUPTI may complete buffers out of order): a stream's records are written
// when more than kHeldPerStream are held (the oldest half) and at every
// drain(). Memory stays bounded; a record that arrives older than what its
// stream already wrote is still written, with its own timestamps.
#pragma once

#include <cupti_activity.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "rondo/format/records.h"

namespace rondo::cuda {

// Where translated records go: the recorder's extra locations, or a test's list.
class GpuRecordSink {
 public:
  virtual ~GpuRecordSink() = default;
  // The location index of a device stream, created on first use (named
  // "GPU <device> stream <stream>").
  virtual uint32_t stream_location(uint32_t device, uint32_t context, uint32_t stream) = 0;
  // The location of the process's CUDA synchronisations ("CUDA synchronisation"),
  // created on first use.
  virtual uint32_t sync_location() = 0;
  // The id of a region of role CUDA with this (demangled) name.
  virtual uint32_t region(std::string_view name) = 0;
  virtual void enter(uint32_t location, uint32_t region, uint64_t at) = 0;
  virtual void leave(uint32_t location, uint32_t region, uint64_t at) = 0;
  virtual void event(uint32_t location, const format::EventKey& key, const int64_t* data, uint64_t at) = 0;
};

// GPU_MEMCPY direction (p0) of a CUPTI copy kind.
format::GpuCopyKind copy_kind(uint8_t cupti_memcpy_kind);
// "Memcpy HtoD (pinned)": the region of a copy on its stream's timeline.
std::string copy_region_name(uint8_t cupti_memcpy_kind, uint8_t src_memory_kind, uint8_t dst_memory_kind);
// The demangled kernel name (the mangled one when it does not demangle).
std::string kernel_name(const char* mangled);

class ActivityTranslator {
 public:
  static constexpr size_t kHeldPerStream = 4096;

  explicit ActivityTranslator(GpuRecordSink& sink) : sink_(sink) {}
  // One record of a completed buffer. Kinds other than kernels, copies (peer
  // copies included), memsets and synchronisations are ignored. Returns whether the record was taken.
  bool add(const CUpti_Activity* record);
  // Writes every held record (buffer completed at exit, MPI_Finalize, signal).
  void drain();
  size_t held() const;

 private:
  struct Item {
    uint64_t start = 0, end = 0;
    uint32_t correlation = 0;
    enum class Kind : uint8_t { Kernel, Copy, Memset, Sync } kind = Kind::Kernel;
    uint32_t region = 0;
    uint32_t device = 0;
    uint8_t direction = 0;
    int64_t bytes = 0;
    int64_t grid = 0, block = 0;
    uint8_t sync_kind = 0;  // Sync: CUPTI's synchronisation type
    int64_t sync_stream = -1;  // Sync: the stream location waited for, -1 when none or not seen
  };
  using StreamKey = std::tuple<uint32_t, uint32_t, uint32_t>;  // device, context, stream
  void hold(const StreamKey& key, const Item& item);
  template <typename Copy>
  void add_copy(const Copy& copy);
  uint32_t location_of(const StreamKey& key);
  void write(uint32_t location, std::vector<Item>& items, size_t count);
  uint32_t copy_region(uint8_t kind, uint8_t src, uint8_t dst);

  GpuRecordSink& sink_;
  std::map<StreamKey, std::vector<Item>> held_;
  std::unordered_map<std::string, uint32_t> kernel_regions_;  // by mangled name
  std::map<uint32_t, uint32_t> copy_regions_;                  // by kind | src << 8 | dst << 16
  uint32_t memset_region_ = UINT32_MAX;
  // (context, stream) -> device, from the streams' own records: a
  // synchronisation record names no device.
  std::map<std::pair<uint32_t, uint32_t>, uint32_t> stream_devices_;
  // The key under which synchronisations are held (no stream has it).
  static constexpr StreamKey kSyncKey{UINT32_MAX, UINT32_MAX, UINT32_MAX};
};

}  // namespace rondo::cuda
