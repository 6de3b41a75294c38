// The importer's side of otf2_gpu.h: RMA operations of accelerator streams
// become Rondo copies again.
#include "otf2_gpu.h"

namespace rondo::converters::otf2 {

ImportedGpuCopy gpu_copy_from_rma(bool put, bool remote_is_stream, uint64_t bytes, uint32_t stream_index,
                                  std::optional<int64_t> direction, std::optional<int64_t> correlation) {
  using format::GpuCopyKind;
  // Without Rondo's attribute, the operation says what Score-P meant by it.
  GpuCopyKind kind = put ? GpuCopyKind::DeviceToHost
                     : remote_is_stream ? GpuCopyKind::DeviceToDevice
                                        : GpuCopyKind::HostToDevice;
  if (direction && *direction >= 0 && *direction <= static_cast<int64_t>(GpuCopyKind::PeerToPeer))
    kind = static_cast<GpuCopyKind>(*direction);
  ImportedGpuCopy out;
  out.key = format::EventKey{format::EventKind::GpuMemcpy, 0, {static_cast<int64_t>(kind), stream_index}};
  out.data[0] = static_cast<int64_t>(bytes);
  out.data[1] = correlation.value_or(0);
  out.region = "Memcpy " + std::string(format::gpu_copy_kind_name(kind));
  return out;
}

}  // namespace rondo::converters::otf2
