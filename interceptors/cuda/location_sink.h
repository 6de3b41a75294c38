// The GpuRecordSink of a recorded process: device streams become extra
// locations of the process (libtrace's extra_locations.h), kernels and copies
// regions of role CUDA.
#pragma once

#include <map>
#include <mutex>
#include <tuple>

#include "activity_translation.h"
#include "rondo/trace/extra_locations.h"

namespace rondo::cuda {

class LocationSink final : public GpuRecordSink {
 public:
  uint32_t stream_location(uint32_t device, uint32_t context, uint32_t stream) override;
  uint32_t sync_location() override;
  uint32_t region(std::string_view name) override;
  void enter(uint32_t location, uint32_t region, uint64_t at) override;
  void leave(uint32_t location, uint32_t region, uint64_t at) override;
  void event(uint32_t location, const format::EventKey& key, const int64_t* data, uint64_t at) override;

 private:
  trace::ExtraLocation* find(uint32_t location) const;
  std::map<std::tuple<uint32_t, uint32_t, uint32_t>, trace::ExtraLocation*> streams_;
  std::map<uint32_t, trace::ExtraLocation*> by_index_;
  trace::ExtraLocation* sync_ = nullptr;
};

}  // namespace rondo::cuda
