// Writes small traces with the real writer for reader and analyzer tests.
#pragma once

#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "rondo/format/definitions.h"
#include "rondo/format/reader.h"
#include "rondo/format/writer.h"

namespace rondo::test {

// A fresh, empty directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() / ("rondo-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Writes one process file with `threads` threads. `record(thread index, writer)`
// records each thread's events. Regions "r0".."r{regions-1}" are defined. Clock:
// 1 tick = 1 ns. `edit_summary` (optional) changes each thread's summary before
// it is written, to make traces whose summary contradicts their events.
// The definitions write_process() starts a file with: process 42 on
// "testhost", regions r0, r1, ..., a 1 GHz clock and `threads` CPU threads.
inline std::vector<uint8_t> basic_process_defs(int threads, int regions) {
  using namespace rondo::format;
  std::vector<uint8_t> defs;
  ProcessDef p;
  p.pid = 42;
  p.host = "testhost";
  encode::process(defs, p);
  for (int r = 0; r < regions; ++r) {
    encode::string(defs, static_cast<uint32_t>(r + 1), "r" + std::to_string(r));
    encode::region(defs, static_cast<uint32_t>(r), RegionDef{static_cast<uint32_t>(r + 1), 0, 0, RegionRole::Function});
  }
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  encode::clock(defs, clock);
  for (int t = 0; t < threads; ++t) encode::thread(defs, ThreadDef{static_cast<uint32_t>(t), 0, ThreadKind::Cpu, 0, UINT32_MAX});
  return defs;
}

inline void write_process(const std::string& path, int threads, int regions,
                          const std::function<void(int, format::ThreadWriter&)>& record, int batch_events = 1 << 14,
                          bool end_record = true,
                          const std::function<void(int, format::ThreadSummary&)>& edit_summary = {}) {
  using namespace rondo::format;
  ProcessFile file(path);
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, basic_process_defs(threads, regions), 3));
  for (int t = 0; t < threads; ++t) {
    ThreadWriter w(static_cast<uint32_t>(t),
                   [&](Batch&& b) {
                     if (b.final && edit_summary) edit_summary(t, b.summary);
                     for (auto& c : encode_batch(b, 3)) file.append(c);
                   },
                   static_cast<size_t>(batch_events));
    record(t, w);
    w.flush(true);
  }
  if (end_record) file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

// What SIGKILL leaves of a one-thread process: the definitions (a clock) and the
// batches `record` filled, without the final flush and without the end record.
inline void write_killed_process(const std::string& path, size_t batch_events,
                                 const std::function<void(format::ThreadWriter&)>& record) {
  using namespace rondo::format;
  ProcessFile file(path);
  std::vector<uint8_t> defs;
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  encode::clock(defs, clock);
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  ThreadWriter w(0, [&](Batch&& b) {
    for (auto& c : encode_batch(b, 3)) file.append(c);
  }, batch_events);
  record(w);
}

// A whole file's bytes, and a file written from bytes: for tests that damage traces.
inline std::vector<uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}
inline void write_bytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

// One thread of `pairs` enter/leave pairs of `regions` regions in turn, with
// uneven gaps, so that a timestamp read from the wrong chunk or the wrong place
// in one shows; a timestamp chunk every `batch_events` events.
inline void write_uneven_pairs(const std::string& path, int pairs, int regions, int batch_events) {
  write_process(
      path, 1, regions,
      [&](int, format::ThreadWriter& w) {
        uint64_t now = 1000;
        for (int i = 0; i < pairs; ++i) {
          uint32_t region = static_cast<uint32_t>(i % regions);
          w.enter(region, now);
          now += 3 + static_cast<uint64_t>(i * 7919 % 97);
          w.leave(region, now);
          now += 1 + static_cast<uint64_t>(i % 13);
        }
      },
      batch_events);
}

// Every event of a thread, replayed.
inline std::vector<format::Event> replay(const format::ThreadTrace& t) {
  std::vector<format::Event> out;
  format::EventCursor c(t);
  format::Event e;
  while (c.next(e)) out.push_back(e);
  return out;
}

// An MPI process for analyzer tests: its rank, regions (ids in order) with their
// roles, groups and communicators (ids = positions in the vectors).
struct MpiProcessSpec {
  int32_t rank = 0;
  int32_t world_size = 0;
  int64_t clock_offset_ns = 0;  // what the process measured to rank 0's clock
  // The offset measured again at finalize (drift), with the clock's end reading
  // at `clock_end_ns` (ticks = ns); 0: no end measurement, no end reading.
  int64_t clock_offset_end_ns = 0;
  uint64_t clock_end_ns = 0;
  std::vector<std::pair<std::string, format::RegionRole>> regions;
  std::vector<std::vector<int32_t>> groups;  // world ranks of each group
  struct Comm {
    std::string name;
    uint32_t group = 0;
    uint32_t instance = 0;
    uint32_t remote_group = UINT32_MAX;
  };
  std::vector<Comm> communicators;
  int threads = 1;
  uint32_t pid = 0;  // 0: 1000 + rank
};

// Writes one process file for `spec`; `record(thread index, writer)` records each
// thread's events. Clock: 1 tick = 1 ns, starting at 0.
inline void write_mpi_process(const std::string& path, const MpiProcessSpec& spec,
                              const std::function<void(int, format::ThreadWriter&)>& record) {
  using namespace rondo::format;
  ProcessFile file(path);
  std::vector<uint8_t> defs;
  ProcessDef p;
  p.rank = spec.rank;
  p.world_size = spec.world_size;
  p.pid = spec.pid != 0 ? spec.pid : static_cast<uint32_t>(1000 + spec.rank);
  p.host = "testhost";
  p.clock_offset_ns = spec.clock_offset_ns;
  p.clock_offset_end_ns = spec.clock_offset_end_ns;
  p.has_end_offset = spec.clock_end_ns != 0;
  encode::process(defs, p);
  uint32_t next_string = 1;
  for (size_t r = 0; r < spec.regions.size(); ++r) {
    encode::string(defs, next_string, spec.regions[r].first);
    encode::region(defs, static_cast<uint32_t>(r), RegionDef{next_string, 0, 0, spec.regions[r].second});
    ++next_string;
  }
  for (size_t g = 0; g < spec.groups.size(); ++g) encode::group(defs, static_cast<uint32_t>(g), GroupDef{spec.groups[g]});
  for (size_t c = 0; c < spec.communicators.size(); ++c) {
    const auto& comm = spec.communicators[c];
    encode::string(defs, next_string, comm.name);
    CommunicatorDef def;
    def.name = next_string++;
    def.group = comm.group;
    def.instance = comm.instance;
    def.remote_group = comm.remote_group;
    encode::communicator(defs, static_cast<uint32_t>(c), def);
  }
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  if (spec.clock_end_ns != 0) {
    clock.has_end = true;
    clock.end_ticks = clock.end_ns = spec.clock_end_ns;
  }
  encode::clock(defs, clock);
  for (int t = 0; t < spec.threads; ++t)
    encode::thread(defs, ThreadDef{static_cast<uint32_t>(t), 0, ThreadKind::Cpu, 0, UINT32_MAX});
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  for (int t = 0; t < spec.threads; ++t) {
    ThreadWriter w(static_cast<uint32_t>(t), [&](Batch&& b) {
      for (auto& c : encode_batch(b, 3)) file.append(c);
    });
    record(t, w);
    w.flush(true);
  }
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

}  // namespace rondo::test
