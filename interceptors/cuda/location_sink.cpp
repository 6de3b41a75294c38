#include "location_sink.h"

#include <string>

#include "rondo/trace/runtime.h"

namespace rondo::cuda {

uint32_t LocationSink::stream_location(uint32_t device, uint32_t context, uint32_t stream) {
  auto key = std::make_tuple(device, context, stream);
  auto it = streams_.find(key);
  if (it == streams_.end()) {
    std::string name = "GPU " + std::to_string(device) + " stream " + std::to_string(stream);
    trace::ExtraLocation* location = trace::create_location(format::ThreadKind::GpuStream, name);
    it = streams_.emplace(key, location).first;
    if (location) by_index_[trace::location_index(location)] = location;
  }
  return trace::location_index(it->second);
}

uint32_t LocationSink::sync_location() {
  if (!sync_) {
    sync_ = trace::create_location(format::ThreadKind::GpuSynchronisation, "CUDA synchronisation");
    if (sync_) by_index_[trace::location_index(sync_)] = sync_;
  }
  return trace::location_index(sync_);
}

uint32_t LocationSink::region(std::string_view name) {
  return trace::define_region(name, format::RegionRole::Cuda);
}

trace::ExtraLocation* LocationSink::find(uint32_t location) const {
  auto it = by_index_.find(location);
  return it == by_index_.end() ? nullptr : it->second;
}

void LocationSink::enter(uint32_t location, uint32_t region, uint64_t at) {
  trace::location_enter(find(location), region, at);
}

void LocationSink::leave(uint32_t location, uint32_t region, uint64_t at) {
  trace::location_leave(find(location), region, at);
}

void LocationSink::event(uint32_t location, const format::EventKey& key, const int64_t* data, uint64_t at) {
  trace::location_event(find(location), key, data, at);
}

}  // namespace rondo::cuda
