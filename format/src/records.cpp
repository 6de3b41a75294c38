#include "rondo/format/records.h"

namespace rondo::format {

std::string_view kind_name(EventKind k) {
  switch (k) {
    case EventKind::Enter: return "ENTER";
    case EventKind::Leave: return "LEAVE";
    case EventKind::Marker: return "MARKER";
    case EventKind::MetricSample: return "METRIC";
    case EventKind::Polls: return "POLLS";
    case EventKind::MpiSend: return "MPI_SEND";
    case EventKind::MpiRecv: return "MPI_RECV";
    case EventKind::MpiIsend: return "MPI_ISEND";
    case EventKind::MpiIsendComplete: return "MPI_ISEND_COMPLETE";
    case EventKind::MpiIrecvRequest: return "MPI_IRECV_REQUEST";
    case EventKind::MpiIrecv: return "MPI_IRECV";
    case EventKind::MpiRequestTest: return "MPI_REQUEST_TEST";
    case EventKind::MpiRequestCancelled: return "MPI_REQUEST_CANCELLED";
    case EventKind::MpiCollectiveBegin: return "MPI_COLLECTIVE_BEGIN";
    case EventKind::MpiCollectiveEnd: return "MPI_COLLECTIVE_END";
    case EventKind::RmaPut: return "RMA_PUT";
    case EventKind::RmaGet: return "RMA_GET";
    case EventKind::RmaAccumulate: return "RMA_ACCUMULATE";
    case EventKind::RmaSync: return "RMA_SYNC";
    case EventKind::MpiProbe: return "MPI_PROBE";
    case EventKind::ThreadFork: return "THREAD_FORK";
    case EventKind::ThreadJoin: return "THREAD_JOIN";
    case EventKind::ThreadTeamBegin: return "THREAD_TEAM_BEGIN";
    case EventKind::ThreadTeamEnd: return "THREAD_TEAM_END";
    case EventKind::ThreadAcquireLock: return "THREAD_ACQUIRE_LOCK";
    case EventKind::ThreadReleaseLock: return "THREAD_RELEASE_LOCK";
    case EventKind::ThreadTaskCreate: return "THREAD_TASK_CREATE";
    case EventKind::ThreadTaskSwitch: return "THREAD_TASK_SWITCH";
    case EventKind::ThreadTaskComplete: return "THREAD_TASK_COMPLETE";
    case EventKind::ThreadCreate: return "THREAD_CREATE";
    case EventKind::ThreadBegin: return "THREAD_BEGIN";
    case EventKind::ThreadEnd: return "THREAD_END";
    case EventKind::ThreadWait: return "THREAD_WAIT";
    case EventKind::IoOperationBegin: return "IO_OPERATION_BEGIN";
    case EventKind::IoOperationComplete: return "IO_OPERATION_COMPLETE";
    case EventKind::IoCreateHandle: return "IO_CREATE_HANDLE";
    case EventKind::IoDestroyHandle: return "IO_DESTROY_HANDLE";
    case EventKind::GpuKernelLaunch: return "GPU_KERNEL_LAUNCH";
    case EventKind::GpuMemcpy: return "GPU_MEMCPY";
    case EventKind::GpuMemset: return "GPU_MEMSET";
    case EventKind::GpuKernelConfig: return "GPU_KERNEL_CONFIG";
    case EventKind::GpuApiCall: return "GPU_API_CALL";
    case EventKind::GpuSync: return "GPU_SYNC";
  }
  return "UNKNOWN";
}

std::string_view gpu_copy_kind_name(GpuCopyKind kind) {
  switch (kind) {
    case GpuCopyKind::HostToDevice: return "HtoD";
    case GpuCopyKind::DeviceToHost: return "DtoH";
    case GpuCopyKind::DeviceToDevice: return "DtoD";
    case GpuCopyKind::HostToHost: return "HtoH";
    case GpuCopyKind::PeerToPeer: return "PtoP";
    case GpuCopyKind::Other: break;
  }
  return "other";
}

std::string_view gpu_sync_kind_name(GpuSyncKind kind) {
  switch (kind) {
    case GpuSyncKind::Event: return "event";
    case GpuSyncKind::StreamWaitEvent: return "stream_wait_event";
    case GpuSyncKind::Stream: return "stream";
    case GpuSyncKind::Context: return "context";
    case GpuSyncKind::Unknown: break;
  }
  return "unknown";
}

int64_t pack_gpu_grid(uint32_t x, uint32_t y, uint32_t z) {
  return static_cast<int64_t>(uint64_t{x} | uint64_t{y & 0xffffu} << 32 | uint64_t{z & 0xffffu} << 48);
}

int64_t pack_gpu_block(uint32_t x, uint32_t y, uint32_t z, uint64_t shared_bytes) {
  return static_cast<int64_t>(uint64_t{x & 0x7ffu} | uint64_t{y & 0x7ffu} << 11 | uint64_t{z & 0x3ffu} << 22 |
                              (shared_bytes & 0xffffffffu) << 32);
}

GpuLaunchGeometry unpack_gpu_geometry(int64_t grid, int64_t block) {
  auto g = static_cast<uint64_t>(grid), b = static_cast<uint64_t>(block);
  GpuLaunchGeometry out;
  out.grid[0] = static_cast<uint32_t>(g);
  out.grid[1] = static_cast<uint32_t>(g >> 32 & 0xffffu);
  out.grid[2] = static_cast<uint32_t>(g >> 48);
  out.block[0] = static_cast<uint32_t>(b & 0x7ffu);
  out.block[1] = static_cast<uint32_t>(b >> 11 & 0x7ffu);
  out.block[2] = static_cast<uint32_t>(b >> 22 & 0x3ffu);
  out.shared_bytes = b >> 32;
  return out;
}

TransferBytes transfer_bytes(const EventKey& key, uint8_t stored_params, const int64_t* data) {
  // Version 1 had one parameter more than kind_shape() (now version 2) gives:
  // the byte counts; version 2 has them at the end of the data.
  KindShape now = kind_shape(key.kind);
  bool in_params = stored_params > now.params;
  switch (key.kind) {
    case EventKind::MpiSend: case EventKind::MpiRecv: case EventKind::MpiProbe:
      return {in_params ? key.params[3] : data[0], 0};
    case EventKind::MpiIsend: case EventKind::MpiIrecv:
      return {in_params ? key.params[3] : data[1], 0};
    case EventKind::MpiCollectiveEnd:
      return in_params ? TransferBytes{key.params[2], key.params[3]} : TransferBytes{data[0], data[1]};
    case EventKind::RmaPut: case EventKind::RmaGet: case EventKind::RmaAccumulate:
      return {in_params ? key.params[2] : data[0], 0};
    default: return {};
  }
}

std::string_view collective_name(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::Barrier: return "barrier";
    case CollectiveOp::Bcast: return "bcast";
    case CollectiveOp::Gather: return "gather";
    case CollectiveOp::Gatherv: return "gatherv";
    case CollectiveOp::Scatter: return "scatter";
    case CollectiveOp::Scatterv: return "scatterv";
    case CollectiveOp::Allgather: return "allgather";
    case CollectiveOp::Allgatherv: return "allgatherv";
    case CollectiveOp::Alltoall: return "alltoall";
    case CollectiveOp::Alltoallv: return "alltoallv";
    case CollectiveOp::Alltoallw: return "alltoallw";
    case CollectiveOp::Reduce: return "reduce";
    case CollectiveOp::Allreduce: return "allreduce";
    case CollectiveOp::ReduceScatter: return "reduce_scatter";
    case CollectiveOp::ReduceScatterBlock: return "reduce_scatter_block";
    case CollectiveOp::Scan: return "scan";
    case CollectiveOp::Exscan: return "exscan";
    case CollectiveOp::NeighborAllgather: return "neighbor_allgather";
    case CollectiveOp::NeighborAlltoall: return "neighbor_alltoall";
    case CollectiveOp::Create: return "create";
    case CollectiveOp::Destroy: return "destroy";
    case CollectiveOp::Other: return "other";
  }
  return "unknown";
}

}  // namespace rondo::format
