// Writes small traces with the real writer for reader and analyzer tests.
#pragma once

#include <filesystem>
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
// 1 tick = 1 ns.
inline void write_process(const std::string& path, int threads, int regions,
                          const std::function<void(int, format::ThreadWriter&)>& record, int batch_events = 1 << 14,
                          bool end_record = true) {
  using namespace rondo::format;
  ProcessFile file(path);
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
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  for (int t = 0; t < threads; ++t) {
    ThreadWriter w(static_cast<uint32_t>(t),
                   [&](Batch&& b) {
                     for (auto& c : encode_batch(b, 3)) file.append(c);
                   },
                   static_cast<size_t>(batch_events));
    record(t, w);
    w.flush(true);
  }
  if (end_record) file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

// Every event of a thread, replayed.
inline std::vector<format::Event> replay(const format::ThreadTrace& t) {
  std::vector<format::Event> out;
  format::EventCursor c(t);
  format::Event e;
  while (c.next(e)) out.push_back(e);
  return out;
}

}  // namespace rondo::test
