// Writes a one-process trace the way the cuda module does, without a GPU: a
// host thread (location 0) recorded by the test, and device streams fed by the
// real ActivityTranslator from CUpti_Activity structures built in the test.
#pragma once

#include <cupti_activity.h>

#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "activity_translation.h"
#include "rondo/format/definitions.h"
#include "rondo/format/writer.h"

namespace rondo::test {

class GpuTraceWriter final : public cuda::GpuRecordSink {
 public:
  explicit GpuTraceWriter(const std::string& path) : file_(path) {
    format::ProcessDef p;
    p.pid = 7;
    p.host = "gpuhost";
    format::encode::process(defs_, p);
    format::ClockDef clock;
    clock.source = 1;  // 1 tick = 1 ns
    clock.ticks_per_second = 1000000000;
    format::encode::clock(defs_, clock);
    format::encode::thread(defs_, format::ThreadDef{0, 7, format::ThreadKind::Cpu, 0, UINT32_MAX});
    writers_.push_back(make_writer(0));
  }

  uint32_t stream_location(uint32_t device, uint32_t context, uint32_t stream) override {
    auto key = std::make_tuple(device, context, stream);
    auto it = streams_.find(key);
    if (it != streams_.end()) return it->second;
    auto index = static_cast<uint32_t>(writers_.size());
    uint32_t name = string("GPU " + std::to_string(device) + " stream " + std::to_string(stream));
    format::encode::thread(defs_, format::ThreadDef{index, 0, format::ThreadKind::GpuStream, name, UINT32_MAX});
    writers_.push_back(make_writer(index));
    streams_.emplace(key, index);
    return index;
  }
  uint32_t sync_location() override {
    if (sync_ != UINT32_MAX) return sync_;
    sync_ = static_cast<uint32_t>(writers_.size());
    format::encode::thread(defs_, format::ThreadDef{sync_, 0, format::ThreadKind::GpuSynchronisation,
                                                    string("CUDA synchronisation"), UINT32_MAX});
    writers_.push_back(make_writer(sync_));
    return sync_;
  }
  uint32_t region(std::string_view name) override {
    auto it = regions_.find(std::string(name));
    if (it != regions_.end()) return it->second;
    auto id = static_cast<uint32_t>(regions_.size());
    format::encode::region(defs_, id, format::RegionDef{string(name), 0, 0, format::RegionRole::Cuda});
    regions_.emplace(std::string(name), id);
    return id;
  }
  void enter(uint32_t location, uint32_t region, uint64_t at) override { writers_.at(location)->enter(region, at); }
  void leave(uint32_t location, uint32_t region, uint64_t at) override { writers_.at(location)->leave(region, at); }
  void event(uint32_t location, const format::EventKey& key, const int64_t* data, uint64_t at) override {
    writers_.at(location)->event(key, at, data);
  }

  format::ThreadWriter& host() { return *writers_[0]; }
  // A host call that enqueues device work: its region and its correlation id.
  void host_call(std::string_view api, uint64_t enter, uint64_t leave, uint32_t correlation) {
    uint32_t r = region(api);
    host().enter(r, enter);
    int64_t c[1] = {correlation};
    host().event(format::EventKey{format::EventKind::GpuApiCall, 0, {}}, leave, c);
    host().leave(r, leave);
  }

  // Ends every location and the process.
  void finish() {
    for (auto& w : writers_) w->flush(true);
    file_.append(format::encode_chunk(format::ChunkKind::ProcessDefs, format::kProcessScope, 0, defs_, 3));
    for (auto& c : chunks_) file_.append(c);
    file_.append(format::encode_chunk(format::ChunkKind::ProcessEnd, format::kProcessScope, 1, {}, 0));
  }

 private:
  uint32_t string(std::string_view s) {
    auto id = static_cast<uint32_t>(strings_.size() + 1);
    format::encode::string(defs_, id, s);
    strings_.emplace_back(s);
    return id;
  }
  std::unique_ptr<format::ThreadWriter> make_writer(uint32_t index) {
    return std::make_unique<format::ThreadWriter>(index, [this](format::Batch&& b) {
      for (auto& c : format::encode_batch(b, 3)) chunks_.push_back(std::move(c));
    });
  }

  format::ProcessFile file_;
  std::vector<uint8_t> defs_;
  std::vector<std::string> strings_;
  std::map<std::string, uint32_t> regions_;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> streams_;
  std::vector<std::unique_ptr<format::ThreadWriter>> writers_;
  std::vector<std::vector<uint8_t>> chunks_;
  uint32_t sync_ = UINT32_MAX;
};

// CUPTI activity records as CUPTI fills them (the fields the translator reads).
inline CUpti_ActivityKernel10 kernel_record(const char* name, uint32_t stream, uint64_t start, uint64_t end,
                                            uint32_t correlation, int32_t grid_x = 64, int32_t block_x = 256) {
  CUpti_ActivityKernel10 k;
  std::memset(&k, 0, sizeof k);
  k.kind = CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL;
  k.name = name;
  k.streamId = stream;
  k.contextId = 1;
  k.deviceId = 0;
  k.start = start;
  k.end = end;
  k.correlationId = correlation;
  k.gridX = grid_x;
  k.gridY = 1;
  k.gridZ = 1;
  k.blockX = block_x;
  k.blockY = 1;
  k.blockZ = 1;
  k.staticSharedMemory = 1024;
  k.dynamicSharedMemory = 512;
  return k;
}

inline CUpti_ActivityMemcpy6 copy_record(CUpti_ActivityMemcpyKind kind, uint32_t stream, uint64_t start, uint64_t end,
                                         uint64_t bytes, uint32_t correlation,
                                         CUpti_ActivityMemoryKind host = CUPTI_ACTIVITY_MEMORY_KIND_PINNED) {
  CUpti_ActivityMemcpy6 c;
  std::memset(&c, 0, sizeof c);
  c.kind = CUPTI_ACTIVITY_KIND_MEMCPY;
  c.copyKind = static_cast<uint8_t>(kind);
  bool to_host = kind == CUPTI_ACTIVITY_MEMCPY_KIND_DTOH;
  c.srcKind = static_cast<uint8_t>(to_host ? CUPTI_ACTIVITY_MEMORY_KIND_DEVICE : host);
  c.dstKind = static_cast<uint8_t>(to_host ? host : CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
  c.bytes = bytes;
  c.start = start;
  c.end = end;
  c.deviceId = 0;
  c.contextId = 1;
  c.streamId = stream;
  c.correlationId = correlation;
  return c;
}

inline CUpti_ActivityMemset4 memset_record(uint32_t stream, uint64_t start, uint64_t end, uint64_t bytes,
                                           uint32_t correlation) {
  CUpti_ActivityMemset4 m;
  std::memset(&m, 0, sizeof m);
  m.kind = CUPTI_ACTIVITY_KIND_MEMSET;
  m.bytes = bytes;
  m.start = start;
  m.end = end;
  m.deviceId = 0;
  m.contextId = 1;
  m.streamId = stream;
  m.correlationId = correlation;
  return m;
}

// A peer-to-peer copy (CUPTI_ACTIVITY_KIND_MEMCPY2) run by `stream` of device
// `device`, from `src_device` to `dst_device`.
inline CUpti_ActivityMemcpyPtoP4 peer_copy_record(uint32_t device, uint32_t stream, uint32_t src_device,
                                                  uint32_t dst_device, uint64_t start, uint64_t end, uint64_t bytes,
                                                  uint32_t correlation) {
  CUpti_ActivityMemcpyPtoP4 c;
  std::memset(&c, 0, sizeof c);
  c.kind = CUPTI_ACTIVITY_KIND_MEMCPY2;
  c.copyKind = static_cast<uint8_t>(CUPTI_ACTIVITY_MEMCPY_KIND_PTOP);
  c.srcKind = static_cast<uint8_t>(CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
  c.dstKind = static_cast<uint8_t>(CUPTI_ACTIVITY_MEMORY_KIND_DEVICE);
  c.bytes = bytes;
  c.start = start;
  c.end = end;
  c.deviceId = device;
  c.contextId = 1 + device;
  c.streamId = stream;
  c.srcDeviceId = src_device;
  c.srcContextId = 1 + src_device;
  c.dstDeviceId = dst_device;
  c.dstContextId = 1 + dst_device;
  c.correlationId = correlation;
  return c;
}

// A host synchronisation CUPTI timed; `stream` CUPTI_SYNCHRONIZATION_INVALID_VALUE
// for context and event synchronisations.
inline CUpti_ActivitySynchronization2 sync_record(CUpti_ActivitySynchronizationType type, uint32_t stream,
                                                  uint64_t start, uint64_t end, uint32_t correlation) {
  CUpti_ActivitySynchronization2 y;
  std::memset(&y, 0, sizeof y);
  y.kind = CUPTI_ACTIVITY_KIND_SYNCHRONIZATION;
  y.type = type;
  y.start = start;
  y.end = end;
  y.correlationId = correlation;
  y.contextId = 1;
  y.streamId = stream;
  y.cudaEventId = type == CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE ? 3 : CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  y.cudaEventSyncId = CUPTI_SYNCHRONIZATION_INVALID_VALUE;
  return y;
}

template <typename Record>
const CUpti_Activity* as_activity(const Record& r) {
  return reinterpret_cast<const CUpti_Activity*>(&r);
}

}  // namespace rondo::test
