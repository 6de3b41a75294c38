// Process-level definitions: everything events refer to by id (strings, regions,
// threads, communicators, ...). They are written as append-only records, so a
// running process can define new objects at any time; ids are dense per table.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/format/encoding.h"

namespace rondo::format {

// Record tags inside a PROCESS_DEFS chunk (FORMAT.md, "Process definitions").
enum class DefTag : uint8_t {
  Process = 1,
  String = 2,
  Region = 3,
  Thread = 4,
  Communicator = 5,
  Group = 6,
  Attribute = 7,
  Metric = 8,
  IoHandle = 9,
  Clock = 10,
  CallSite = 11,  // 12 is reserved for call sites too
};

enum class RegionRole : uint8_t { Function = 0, Mpi = 1, OpenMp = 2, Pthread = 3, Io = 4, Memory = 5, Cuda = 6, User = 7 };
// GpuSynchronisation: the process's CUDA synchronisations as CUPTI measured
// them (GPU_SYNC records only), FORMAT.md 7.2.
enum class ThreadKind : uint8_t { Cpu = 0, GpuStream = 1, GpuSynchronisation = 2 };

// The largest MPI_COMM_WORLD a trace may describe (FORMAT.md 15): ranks are
// below it, world sizes at most it.
constexpr int32_t kMaxWorldSize = 1 << 24;

struct ProcessDef {
  int32_t rank = -1;  // MPI_COMM_WORLD rank, -1 outside MPI
  int32_t world_size = 0;
  uint32_t pid = 0;
  uint32_t parent_pid = 0;
  std::string host;
  std::string command;  // argv joined by spaces
  int64_t clock_offset_ns = 0;  // offset to rank 0's clock, measured at init (MPI)
  int64_t clock_offset_end_ns = 0;  // the same, measured at finalize (0 with no measurement)
  bool has_end_offset = false;
  // Which run of a program this process belongs to (FORMAT.md 6.1): the same for
  // every process of one run, different between runs. Empty in traces written
  // before run identities existed.
  std::string run_id;
};

struct RegionDef {
  uint32_t name = 0;  // string id
  uint32_t file = 0;  // string id, 0: unknown (string 0 is always "")
  uint32_t line = 0;
  RegionRole role = RegionRole::Function;
};

struct ThreadDef {
  uint32_t index = 0;  // process-local location index
  uint64_t os_tid = 0;
  ThreadKind kind = ThreadKind::Cpu;
  uint32_t name = 0;  // string id
  uint32_t parent = UINT32_MAX;  // creating thread's index, UINT32_MAX: none
};

// A communicator. Its identity across processes (for matching messages) is its
// group's world ranks plus `instance`: how many communicators with exactly that
// group this process created before it. Creation is collective, so every member
// counts the same.
struct CommunicatorDef {
  uint32_t name = 0;
  uint32_t group = 0;  // group id (local group)
  uint32_t parent = UINT32_MAX;
  uint32_t instance = 0;
  uint32_t remote_group = UINT32_MAX;  // intercommunicators: the remote group
};

struct GroupDef {
  std::vector<int32_t> world_ranks;
};

struct AttributeDef {
  uint32_t name = 0;
  uint8_t type = 0;
};

struct MetricDef {
  uint32_t name = 0;
  uint32_t unit = 0;
  uint8_t mode = 0;  // 0 accumulated from start, 1 absolute value, 2 relative to last sample
};

struct IoHandleDef {
  uint32_t path = 0;  // string id
  uint32_t paradigm = 0;  // 0 POSIX, 1 ISO C, 2 MPI-IO
};

// Where the application made an intercepted call (`rondo record --callstack N`):
// its innermost application frames, innermost first. An ENTER whose p0 is
// id + 1 was called from here (FORMAT.md 6.1, tag 11). Frames are written
// unresolved (function, file, line 0) when the site is first seen and replaced
// by a resolved record when recording ends.
struct CallSiteFrame {
  uint64_t address = 0;   // return address in the recorded process
  uint32_t function = 0;  // string id, 0: unknown
  uint32_t file = 0;      // string id, 0: unknown
  uint32_t line = 0;      // 0: unknown
};
struct CallSiteDef {
  std::vector<CallSiteFrame> frames;
};

// Pairs of (raw tick, nanoseconds) readings taken with the same clock in the same
// instant; two pairs give the tick rate over the whole run (FORMAT.md, "Time").
struct ClockDef {
  uint8_t source = 0;  // 0 TSC, 1 CLOCK_MONOTONIC (ticks are ns)
  uint64_t ticks_per_second = 0;  // calibrated at start, refined by the end pair when present
  uint64_t start_ticks = 0, start_ns = 0;  // ns: CLOCK_MONOTONIC
  uint64_t start_realtime_ns = 0;
  bool has_end = false;
  uint64_t end_ticks = 0, end_ns = 0;
};

// Monotonic time `monotonic_ns` as wall-clock time (ns since the Unix epoch), by
// the clock's start pair. False, and `realtime` untouched, when the clock holds
// no wall-clock reading or when the values (of a damaged file) overflow int64.
bool realtime_of(const ClockDef& c, int64_t monotonic_ns, int64_t& realtime);

// All definitions of one process, as accumulated from its PROCESS_DEFS chunks.
struct ProcessDefinitions {
  ProcessDef process;
  std::vector<std::string> strings{""};
  std::vector<RegionDef> regions;
  std::vector<ThreadDef> threads;
  std::vector<CommunicatorDef> communicators;
  std::vector<GroupDef> groups;
  std::vector<AttributeDef> attributes;
  std::vector<MetricDef> metrics;
  std::vector<IoHandleDef> io_handles;
  std::vector<CallSiteDef> call_sites;
  ClockDef clock;

  const std::string& string(uint32_t id) const;
  const std::string& region_name(uint32_t region) const;
  // The definition of location `index` (ThreadDef::index), or null.
  const ThreadDef* thread_def(uint32_t index) const;

  // Decodes one PROCESS_DEFS payload into this object (later records with the
  // same id replace earlier ones: that is how the rank is set after MPI_Init).
  void decode(const uint8_t* data, size_t size);
};

// Encoders used by the writer; each appends one record to `out`.
namespace encode {
void process(std::vector<uint8_t>& out, const ProcessDef& p);
void string(std::vector<uint8_t>& out, uint32_t id, std::string_view s);
void region(std::vector<uint8_t>& out, uint32_t id, const RegionDef& r);
void thread(std::vector<uint8_t>& out, const ThreadDef& t);
void communicator(std::vector<uint8_t>& out, uint32_t id, const CommunicatorDef& c);
void group(std::vector<uint8_t>& out, uint32_t id, const GroupDef& g);
void attribute(std::vector<uint8_t>& out, uint32_t id, const AttributeDef& a);
void metric(std::vector<uint8_t>& out, uint32_t id, const MetricDef& m);
void io_handle(std::vector<uint8_t>& out, uint32_t id, const IoHandleDef& h);
void clock(std::vector<uint8_t>& out, const ClockDef& c);
void call_site(std::vector<uint8_t>& out, uint32_t id, const CallSiteDef& c);
}  // namespace encode

}  // namespace rondo::format
