#include "activity_translation.h"

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>

namespace rondo::cuda {

using format::EventKey;
using format::EventKind;
using format::GpuCopyKind;

format::GpuCopyKind copy_kind(uint8_t cupti_memcpy_kind) {
  switch (cupti_memcpy_kind) {
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOD:
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOA: return GpuCopyKind::HostToDevice;
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOH:
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOH: return GpuCopyKind::DeviceToHost;
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOD:
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOA:
    case CUPTI_ACTIVITY_MEMCPY_KIND_ATOD:
    case CUPTI_ACTIVITY_MEMCPY_KIND_DTOA: return GpuCopyKind::DeviceToDevice;
    case CUPTI_ACTIVITY_MEMCPY_KIND_HTOH: return GpuCopyKind::HostToHost;
    case CUPTI_ACTIVITY_MEMCPY_KIND_PTOP: return GpuCopyKind::PeerToPeer;
    default: return GpuCopyKind::Other;
  }
}

std::string copy_region_name(uint8_t cupti_memcpy_kind, uint8_t src_memory_kind, uint8_t dst_memory_kind) {
  GpuCopyKind kind = copy_kind(cupti_memcpy_kind);
  std::string name = "Memcpy " + std::string(format::gpu_copy_kind_name(kind));
  // The host side of the copy decides whether the driver stages it through a
  // pinned buffer: pageable copies are the slow ones users look for.
  uint8_t host = kind == GpuCopyKind::DeviceToHost ? dst_memory_kind : src_memory_kind;
  if (kind == GpuCopyKind::HostToDevice || kind == GpuCopyKind::DeviceToHost || kind == GpuCopyKind::HostToHost) {
    if (host == CUPTI_ACTIVITY_MEMORY_KIND_PINNED) name += " (pinned)";
    else if (host == CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE) name += " (pageable)";
    else if (host == CUPTI_ACTIVITY_MEMORY_KIND_MANAGED) name += " (managed)";
  }
  return name;
}

std::string kernel_name(const char* mangled) {
  if (!mangled) return "<unknown kernel>";
  int status = 0;
  char* plain = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && plain ? plain : mangled;
  std::free(plain);
  return out;
}

bool ActivityTranslator::add(const CUpti_Activity* record) {
  Item item;
  switch (record->kind) {
    case CUPTI_ACTIVITY_KIND_KERNEL:
    case CUPTI_ACTIVITY_KIND_CONCURRENT_KERNEL: {
      const auto* k = reinterpret_cast<const CUpti_ActivityKernel10*>(record);
      item.kind = Item::Kind::Kernel;
      item.start = k->start;
      item.end = k->end;
      item.correlation = k->correlationId;
      item.device = k->deviceId;
      std::string mangled = k->name ? k->name : "";
      auto it = kernel_regions_.find(mangled);
      if (it == kernel_regions_.end()) it = kernel_regions_.emplace(mangled, sink_.region(kernel_name(k->name))).first;
      item.region = it->second;
      item.grid = format::pack_gpu_grid(static_cast<uint32_t>(k->gridX), static_cast<uint32_t>(k->gridY),
                                        static_cast<uint32_t>(k->gridZ));
      item.block = format::pack_gpu_block(
          static_cast<uint32_t>(k->blockX), static_cast<uint32_t>(k->blockY), static_cast<uint32_t>(k->blockZ),
          static_cast<uint64_t>(int64_t{k->staticSharedMemory} + int64_t{k->dynamicSharedMemory}));
      hold({k->deviceId, k->contextId, k->streamId}, item);
      return true;
    }
    case CUPTI_ACTIVITY_KIND_MEMCPY:
      add_copy(*reinterpret_cast<const CUpti_ActivityMemcpy6*>(record));
      return true;
    case CUPTI_ACTIVITY_KIND_MEMCPY2:  // peer-to-peer, on the stream that ran the copy
      add_copy(*reinterpret_cast<const CUpti_ActivityMemcpyPtoP4*>(record));
      return true;
    case CUPTI_ACTIVITY_KIND_SYNCHRONIZATION: {
      const auto* y = reinterpret_cast<const CUpti_ActivitySynchronization2*>(record);
      // Start and end 0: CUPTI could not time it; nothing to show.
      if (y->start == 0 && y->end == 0) return false;
      item.kind = Item::Kind::Sync;
      item.start = y->start;
      item.end = std::max(y->end, y->start);
      item.correlation = y->correlationId;
      item.sync_kind = y->type <= CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE
                           ? static_cast<uint8_t>(y->type)
                           : static_cast<uint8_t>(format::GpuSyncKind::Unknown);
      if (y->streamId != CUPTI_SYNCHRONIZATION_INVALID_VALUE)
        if (auto it = stream_devices_.find({y->contextId, y->streamId}); it != stream_devices_.end())
          item.sync_stream = location_of({it->second, y->contextId, y->streamId});
      hold(kSyncKey, item);
      return true;
    }
    case CUPTI_ACTIVITY_KIND_MEMSET: {
      const auto* m = reinterpret_cast<const CUpti_ActivityMemset4*>(record);
      item.kind = Item::Kind::Memset;
      item.start = m->start;
      item.end = m->end;
      item.correlation = m->correlationId;
      item.device = m->deviceId;
      item.bytes = static_cast<int64_t>(m->bytes);
      if (memset_region_ == UINT32_MAX) memset_region_ = sink_.region("Memset");
      item.region = memset_region_;
      hold({m->deviceId, m->contextId, m->streamId}, item);
      return true;
    }
    default: return false;
  }
}

// Copies within a device or with the host (CUpti_ActivityMemcpy6) and between
// devices (CUpti_ActivityMemcpyPtoP4) share the fields a copy needs.
template <typename Copy>
void ActivityTranslator::add_copy(const Copy& c) {
  Item item;
  item.kind = Item::Kind::Copy;
  item.start = c.start;
  item.end = c.end;
  item.correlation = c.correlationId;
  item.device = c.deviceId;
  item.direction = static_cast<uint8_t>(copy_kind(c.copyKind));
  item.bytes = static_cast<int64_t>(c.bytes);
  item.region = copy_region(c.copyKind, c.srcKind, c.dstKind);
  hold({c.deviceId, c.contextId, c.streamId}, item);
}

uint32_t ActivityTranslator::copy_region(uint8_t kind, uint8_t src, uint8_t dst) {
  uint32_t key = kind | uint32_t{src} << 8 | uint32_t{dst} << 16;
  auto it = copy_regions_.find(key);
  if (it == copy_regions_.end()) it = copy_regions_.emplace(key, sink_.region(copy_region_name(kind, src, dst))).first;
  return it->second;
}

uint32_t ActivityTranslator::location_of(const StreamKey& key) {
  if (key == kSyncKey) return sink_.sync_location();
  auto [device, context, stream] = key;
  return sink_.stream_location(device, context, stream);
}

void ActivityTranslator::hold(const StreamKey& key, const Item& item) {
  if (key != kSyncKey) stream_devices_.emplace(std::make_pair(std::get<1>(key), std::get<2>(key)), std::get<0>(key));
  std::vector<Item>& items = held_[key];
  items.push_back(item);
  if (items.size() > kHeldPerStream) write(location_of(key), items, items.size() / 2);
}

void ActivityTranslator::drain() {
  for (auto& [key, items] : held_)
    if (!items.empty()) write(location_of(key), items, items.size());
}

size_t ActivityTranslator::held() const {
  size_t n = 0;
  for (const auto& [key, items] : held_) n += items.size();
  return n;
}

// Writes the `count` earliest held items of one stream, in start order (ties:
// launch order, which the correlation ids follow), and keeps the rest.
void ActivityTranslator::write(uint32_t location, std::vector<Item>& items, size_t count) {
  std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.start != b.start ? a.start < b.start : a.correlation < b.correlation;
  });
  const auto stream = static_cast<int64_t>(location);
  for (size_t i = 0; i < count; ++i) {
    const Item& it = items[i];
    if (it.kind == Item::Kind::Sync) {
      // Host waits of several threads may overlap: an event with its end as
      // data, not a region, so the location's regions never need to nest.
      int64_t sync[2] = {it.correlation, static_cast<int64_t>(it.end)};
      sink_.event(location, EventKey{EventKind::GpuSync, 0, {it.sync_kind, it.sync_stream}}, sync, it.start);
      continue;
    }
    sink_.enter(location, it.region, it.start);
    switch (it.kind) {
      case Item::Kind::Kernel: {
        int64_t launch[1] = {it.correlation};
        sink_.event(location, EventKey{EventKind::GpuKernelLaunch, it.region, {stream}}, launch, it.start);
        int64_t config[2] = {it.grid, it.block};
        sink_.event(location, EventKey{EventKind::GpuKernelConfig, 0, {static_cast<int64_t>(it.device)}}, config,
                    it.start);
        break;
      }
      case Item::Kind::Copy: {
        int64_t copy[2] = {it.bytes, it.correlation};
        sink_.event(location, EventKey{EventKind::GpuMemcpy, 0, {it.direction, stream}}, copy, it.start);
        break;
      }
      case Item::Kind::Memset: {
        int64_t set[2] = {it.bytes, it.correlation};
        sink_.event(location, EventKey{EventKind::GpuMemset, 0, {stream}}, set, it.start);
        break;
      }
      case Item::Kind::Sync: break;
    }
    sink_.leave(location, it.region, std::max(it.end, it.start));
  }
  items.erase(items.begin(), items.begin() + static_cast<long>(count));
}

}  // namespace rondo::cuda
