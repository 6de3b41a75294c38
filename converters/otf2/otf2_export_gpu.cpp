// The exporter's side of otf2_gpu.h: where GPU stream locations go and how a
// copy becomes an RMA operation.
#include <cstdio>
#include <map>

#include "otf2_gpu.h"

namespace rondo::converters::otf2 {

int32_t gpu_stream_device(const std::string& location_name) {
  int device = -1, stream = -1;
  if (std::sscanf(location_name.c_str(), "GPU %d stream %d", &device, &stream) != 2 || device < 0) return -1;
  return device;
}

GpuRmaShape gpu_rma_shape(format::GpuCopyKind direction) {
  using format::GpuCopyKind;
  switch (direction) {
    case GpuCopyKind::DeviceToHost: return {true, false};
    case GpuCopyKind::DeviceToDevice:
    case GpuCopyKind::PeerToPeer: return {false, true};
    case GpuCopyKind::HostToDevice:
    case GpuCopyKind::HostToHost:
    case GpuCopyKind::Other: break;
  }
  return {false, false};
}

std::vector<AcceleratorGroup> accelerator_groups(const std::vector<int32_t>& streams, const std::string& process_name) {
  std::map<int32_t, AcceleratorGroup> by_device;
  for (size_t i = 0; i < streams.size(); ++i) {
    if (streams[i] < 0) continue;
    AcceleratorGroup& g = by_device[streams[i]];
    g.device = streams[i];
    g.name = "GPU " + std::to_string(streams[i]) + " of " + process_name;
    g.members.push_back(i);
  }
  std::vector<AcceleratorGroup> out;
  for (auto& [device, g] : by_device) out.push_back(std::move(g));
  return out;
}

}  // namespace rondo::converters::otf2
