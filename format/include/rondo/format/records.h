// The vocabulary of a Rondo trace: event kinds, grammar tokens and event identities.
//
// An event is split into its *identity* (kind, reference, parameters), which the
// grammar deduplicates, and its per-occurrence *data* (request handles, byte counts
// of I/O, counter values), which lives in columns. Repetition detection only works
// if values that change on every call stay out of the identity (DESIGN.md, point 1).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rondo::format {

// Numbering is part of the file format (FORMAT.md, "Event kinds"): never renumber.
enum class EventKind : uint8_t {
  Enter = 1,   // ref: region
  Leave = 2,   // ref: region
  Marker = 3,  // ref: string (the marker text)
  MetricSample = 4,  // ref: metric; data[0]: value (raw 64-bit pattern)
  // A run of unsuccessful polls of one call (MPI_Test* / MPI_Iprobe / a failed
  // trylock) folded into one pair of records (FORMAT.md 7.2, "Folded polls"):
  // ref: the polled call's region; p0: 0 at the first poll's entry, 1 at the
  // last poll's exit; data[0]: number of polls, data[1]: ticks spent inside them.
  Polls = 5,

  // MPI point-to-point. Peers are ranks in MPI_COMM_WORLD; comm is a communicator id.
  // Byte counts are data since format version 2 (version 1: the last parameter,
  // see transfer_bytes()).
  MpiSend = 10,            // p0 peer, p1 tag, p2 comm; data[0] bytes
  MpiRecv = 11,            // p0 peer, p1 tag, p2 comm; data[0] bytes
  MpiIsend = 12,           // p0 peer, p1 tag, p2 comm; data[0] request id, data[1] bytes
  MpiIsendComplete = 13,   // data[0] request id
  MpiIrecvRequest = 14,    // data[0] request id
  MpiIrecv = 15,           // p0 peer, p1 tag, p2 comm; data[0] request id, data[1] bytes
  MpiRequestTest = 16,     // data[0] request id
  MpiRequestCancelled = 17,  // data[0] request id
  MpiCollectiveBegin = 18,
  MpiCollectiveEnd = 19,   // ref collective operation, p0 comm, p1 root (-1: none); data[0] bytes sent, data[1] bytes received
  RmaPut = 20,             // p0 target rank, p1 window; data[0] bytes
  RmaGet = 21,             // p0 target rank, p1 window; data[0] bytes
  RmaAccumulate = 22,      // p0 target rank, p1 window; data[0] bytes
  RmaSync = 23,            // p0 window, p1 sync kind
  // A probe that found a message (MPI_Probe, MPI_Mprobe; MPI_Iprobe and
  // MPI_Improbe when the flag is true): the message's source, tag, communicator
  // and size, as MpiRecv records them. Neither a receive nor a message.
  MpiProbe = 24,           // p0 peer (source), p1 tag, p2 comm; data[0] bytes

  // Threads (OpenMP, pthreads).
  ThreadFork = 30,          // p0 requested threads
  ThreadJoin = 31,
  ThreadTeamBegin = 32,     // p0 team size
  ThreadTeamEnd = 33,
  ThreadAcquireLock = 34,   // p0 lock kind; data[0] lock id
  ThreadReleaseLock = 35,   // p0 lock kind; data[0] lock id
  ThreadTaskCreate = 36,    // data[0] task id
  ThreadTaskSwitch = 37,    // data[0] task id
  ThreadTaskComplete = 38,  // data[0] task id
  ThreadCreate = 39,        // data[0] created thread's location (process-local thread index)
  ThreadBegin = 40,         // data[0] creating thread's location
  ThreadEnd = 41,
  ThreadWait = 42,          // data[0] awaited thread's location

  // I/O. ref: I/O handle (file) definition.
  IoOperationBegin = 50,     // p0 operation (IoOperation); data[0] bytes requested, data[1] offset (-1: none)
  IoOperationComplete = 51,  // p0 operation; data[0] bytes transferred (-1: failure)
  IoCreateHandle = 52,       // p0 open flags
  IoDestroyHandle = 53,

  // GPU (CUDA). ref: kernel region for launches.
  GpuKernelLaunch = 60,  // p0 stream location; data[0] correlation id
  GpuMemcpy = 61,        // p0 direction, p1 stream location; data[0] bytes, data[1] correlation id
  GpuMemset = 62,        // p0 stream location; data[0] bytes, data[1] correlation id
  GpuKernelConfig = 63,  // p0 device; data[0] grid (x | y<<32 | z<<48), data[1] block (x | y<<11 | z<<22 | shared<<32)
  GpuApiCall = 64,       // host side of a GPU call; data[0] correlation id
  GpuSync = 65,          // host blocked on the GPU: p0 GpuSyncKind, p1 stream location (-1); data[0] correlation id, data[1] end ticks
};

// GPU_SYNC kinds (p0), CUPTI's synchronisation types, FORMAT.md 7.2.
enum class GpuSyncKind : uint8_t { Unknown = 0, Event = 1, StreamWaitEvent = 2, Stream = 3, Context = 4 };
std::string_view gpu_sync_kind_name(GpuSyncKind kind);

// GPU_MEMCPY directions (p0), FORMAT.md 7.2.
enum class GpuCopyKind : uint8_t {
  Other = 0, HostToDevice = 1, DeviceToHost = 2, DeviceToDevice = 3, HostToHost = 4, PeerToPeer = 5
};
std::string_view gpu_copy_kind_name(GpuCopyKind kind);

// A kernel's launch geometry, as GPU_KERNEL_CONFIG packs it in its two data
// fields (FORMAT.md 7.2): d0 grid x (bits 0-31), y (32-47), z (48-63); d1 block
// x (bits 0-10), y (11-21), z (22-31), shared memory bytes (32-63).
struct GpuLaunchGeometry {
  uint32_t grid[3] = {0, 0, 0};
  uint32_t block[3] = {0, 0, 0};
  uint64_t shared_bytes = 0;
};
int64_t pack_gpu_grid(uint32_t x, uint32_t y, uint32_t z);
int64_t pack_gpu_block(uint32_t x, uint32_t y, uint32_t z, uint64_t shared_bytes);
GpuLaunchGeometry unpack_gpu_geometry(int64_t grid, int64_t block);

// The `ref` of MpiCollectiveEnd. Bytes sent/received (d0, d1) count what this
// process contributes from its send buffers and what lands in its receive
// buffers (FORMAT.md, "Collectives").
enum class CollectiveOp : uint8_t {
  Barrier = 1, Bcast = 2, Gather = 3, Gatherv = 4, Scatter = 5, Scatterv = 6, Allgather = 7, Allgatherv = 8,
  Alltoall = 9, Alltoallv = 10, Alltoallw = 11, Reduce = 12, Allreduce = 13, ReduceScatter = 14,
  ReduceScatterBlock = 15, Scan = 16, Exscan = 17, NeighborAllgather = 18, NeighborAlltoall = 19,
  Create = 20,   // communicator creation (dup, split, create, ...)
  Destroy = 21,  // MPI_Comm_free
  Other = 30,
};
std::string_view collective_name(CollectiveOp op);

enum class IoOperation : uint8_t { Read = 1, Write = 2, Seek = 3, Flush = 4, Sync = 5, Open = 6, Close = 7 };

// p1 of RmaSync: the MPI call that synchronised the window (FORMAT.md, "RMA
// synchronisation kinds"). Recorded when the call returns.
enum class RmaSyncKind : uint8_t {
  Fence = 1, Lock = 2, Unlock = 3, LockAll = 4, UnlockAll = 5, Flush = 6, FlushAll = 7,
  Post = 8, Start = 9, Complete = 10, Wait = 11, FlushLocal = 12, FlushLocalAll = 13, Sync = 14,
};

// How many parameter (identity) and data fields each known kind uses. The file
// stores both numbers with every event definition, so readers can skip kinds they
// do not know.
struct KindShape {
  uint8_t params;
  uint8_t data;
};
constexpr KindShape kind_shape(EventKind k) {
  switch (k) {
    case EventKind::Enter: case EventKind::Leave: case EventKind::Marker: return {0, 0};
    case EventKind::MetricSample: return {0, 1};
    case EventKind::Polls: return {1, 2};
    case EventKind::MpiSend: case EventKind::MpiRecv: case EventKind::MpiProbe: return {3, 1};
    case EventKind::MpiIsend: case EventKind::MpiIrecv: return {3, 2};
    case EventKind::MpiIsendComplete: case EventKind::MpiIrecvRequest:
    case EventKind::MpiRequestTest: case EventKind::MpiRequestCancelled: return {0, 1};
    case EventKind::MpiCollectiveBegin: return {0, 0};
    case EventKind::MpiCollectiveEnd: return {2, 2};
    case EventKind::RmaPut: case EventKind::RmaGet: case EventKind::RmaAccumulate: return {2, 1};
    case EventKind::RmaSync: return {2, 0};
    case EventKind::ThreadFork: case EventKind::ThreadTeamBegin: return {1, 0};
    case EventKind::ThreadJoin: case EventKind::ThreadTeamEnd: case EventKind::ThreadEnd: return {0, 0};
    case EventKind::ThreadAcquireLock: case EventKind::ThreadReleaseLock: return {1, 1};
    case EventKind::ThreadTaskCreate: case EventKind::ThreadTaskSwitch: case EventKind::ThreadTaskComplete:
    case EventKind::ThreadCreate: case EventKind::ThreadBegin: case EventKind::ThreadWait: return {0, 1};
    case EventKind::IoOperationBegin: return {1, 2};
    case EventKind::IoOperationComplete: return {1, 1};
    case EventKind::IoCreateHandle: return {1, 0};
    case EventKind::IoDestroyHandle: return {0, 0};
    case EventKind::GpuKernelLaunch: return {1, 1};
    case EventKind::GpuMemcpy: return {2, 2};
    case EventKind::GpuMemset: return {1, 2};
    case EventKind::GpuKernelConfig: return {1, 2};
    case EventKind::GpuApiCall: return {0, 1};
    case EventKind::GpuSync: return {2, 2};
  }
  return {0, 0};
}

std::string_view kind_name(EventKind k);

constexpr int kMaxParams = 4;
constexpr int kMaxData = 2;

// The identity of an event: what the grammar deduplicates.
struct EventKey {
  EventKind kind{};
  uint32_t ref = 0;
  std::array<int64_t, kMaxParams> params{};
  bool operator==(const EventKey&) const = default;
};

// POLLS records (FORMAT.md 7.2, "Folded polls"): p0 says which record of its
// pair it is, and whether the run's polls were timed or only counted.
constexpr int64_t polls_param(bool last, bool counted) { return (counted ? 2 : 0) + (last ? 1 : 0); }
inline bool polls_last(const EventKey& k) { return (k.params[0] & 1) != 0; }
inline bool polls_counted(const EventKey& k) { return k.params[0] >= 2; }

// The byte counts of an event that moves data: a message or probe (kinds 10,
// 11, 12, 15, 24) and an RMA transfer (20-22) in `bytes`, a collective (19) in
// `bytes` (sent) and `received`; zeros for every other kind. Format version 2
// stores them as data fields (kind_shape); version-1 files stored them as the
// last parameters (p3; p2 for RMA; p2, p3 for collectives). The parameter
// count stored with each event definition tells the two layouts apart, so
// this is the one place that reads sizes for every consumer (FORMAT.md 7.2).
struct TransferBytes {
  int64_t bytes = 0;
  int64_t received = 0;
};
TransferBytes transfer_bytes(const EventKey& key, uint8_t stored_params, const int64_t* data);

// A grammar token is a 32-bit value: the top two bits say what it refers to, the
// other 30 bits are an id in that thread's table of that kind.
enum class TokenKind : uint8_t { Event = 0, Sequence = 1, Loop = 2 };

class Token {
 public:
  constexpr Token() = default;
  constexpr Token(TokenKind kind, uint32_t id) : bits_((static_cast<uint32_t>(kind) << 30) | id) {}
  static constexpr Token from_bits(uint32_t b) { Token t; t.bits_ = b; return t; }
  constexpr TokenKind kind() const { return static_cast<TokenKind>(bits_ >> 30); }
  constexpr uint32_t id() const { return bits_ & kIdMask; }
  constexpr uint32_t bits() const { return bits_; }
  constexpr bool operator==(const Token&) const = default;
  static constexpr uint32_t kIdMask = (1u << 30) - 1;

 private:
  uint32_t bits_ = 0;
};

inline Token event_token(uint32_t id) { return Token(TokenKind::Event, id); }
inline Token sequence_token(uint32_t id) { return Token(TokenKind::Sequence, id); }
inline Token loop_token(uint32_t id) { return Token(TokenKind::Loop, id); }

}  // namespace rondo::format
