// What the viewer's tests share: real traces recorded once per test program
// (nested_loops, a 2-rank MPI ring) and a plain replay of a thread's calls, the
// reference the viewer's model is compared with.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "model/row_lod.h"
#include "rondo/format/reader.h"

namespace rondo::viewer::test_fixture {

namespace fs = std::filesystem;

// Every call of a thread, from a plain replay: what the viewer must show.
struct Call {
  uint32_t region;
  int depth;
  int64_t start_ns, end_ns;
};
inline std::vector<Call> replay_calls(const format::ProcessReader& p, size_t thread) {
  std::vector<Call> calls, open;
  format::EventCursor c(p.thread(thread));
  format::Event e;
  while (c.next(e)) {
    int64_t ns = p.to_ns(e.ticks);
    if (e.kind() == format::EventKind::Enter) {
      open.push_back(Call{e.def->key.ref, static_cast<int>(open.size()), ns, 0});
    } else if (e.kind() == format::EventKind::Leave && !open.empty()) {
      open.back().end_ns = ns;
      calls.push_back(open.back());
      open.pop_back();
    }
  }
  return calls;
}

// Columns (over every depth) whose dominant region differs between a and b.
inline int differing_columns(const RowFrame& a, const RowFrame& b) {
  int n = 0;
  for (int px = 0; px < a.pixels; ++px) {
    bool same = true;
    for (int d = 0; d < RowFrame::kMaxDepth; ++d) same &= a.at(d, px).region == b.at(d, px).region;
    n += !same;
  }
  return n;
}

// Every cell of `a` shows the region `b` shows there, with the same busy share
// within `busy_tolerance`.
inline void expect_same_cells(const RowFrame& a, const RowFrame& b, double busy_tolerance) {
  ASSERT_EQ(a.pixels, b.pixels);
  ASSERT_EQ(a.depths, b.depths);
  for (int d = 0; d < b.depths; ++d)
    for (int x = 0; x < b.pixels; ++x) {
      EXPECT_EQ(a.at(d, x).region, b.at(d, x).region) << "depth " << d << " pixel " << x;
      EXPECT_NEAR(a.at(d, x).busy, b.at(d, x).busy, busy_tolerance) << "depth " << d << " pixel " << x;
    }
}

inline std::string work_dir() {
  static std::string dir = [] {
    fs::path d = fs::temp_directory_path() / ("rondo-test-viewer-" + std::to_string(getpid()));
    fs::create_directories(d);
    return d.string();
  }();
  return dir;
}

// nested_loops with `steps` steps recorded into work_dir()/name.
inline std::string record_loops(const std::string& name, int steps) {
  std::string t = work_dir() + "/" + name;
  auto r = test::run_command(std::string(RONDO_CLI) + " record -o " + t + " -- " + NESTED_LOOPS + " " +
                             std::to_string(steps));
  EXPECT_EQ(r.status, 0) << r.out;
  return t;
}

// nested_loops with 20000 steps, recorded once per test program.
inline const std::string& loops_trace() {
  static std::string trace = record_loops("loops.rondo", 20000);
  return trace;
}

// `program args` run on `ranks` ranks under `rondo record`, into work_dir()/name;
// empty when MPI is not there.
inline std::string record_mpi(const std::string& name, const std::string& program, int ranks,
                              const std::string& args) {
  std::string t = work_dir() + "/" + name, mpirun = test::find_mpirun(MPIEXEC);
  if (program.empty() || mpirun.empty()) return std::string();
  auto r = test::record_mpi_job(RONDO_CLI, mpirun, work_dir(), t, ranks, program + " " + args);
  EXPECT_EQ(r.status, 0) << r.out;
  return t;
}

// A token around 2 ranks, 300 laps of 64 KiB.
inline const std::string& ring_trace() {
  static std::string trace = record_mpi("ring.rondo", MPI_RING, 2, "300 65536");
  return trace;
}

// A token around 2 ranks, 20,000 laps of 8 bytes: messages too many to draw apart at full view.
inline const std::string& dense_ring_trace() {
  static std::string trace = record_mpi("dense_ring.rondo", MPI_RING, 2, "20000 8");
  return trace;
}

// 2 ranks, 20 laps; in lap 10 rank 1 sends 200 ms late (rank 0 waits for it).
inline const std::string& late_lap_trace() {
  static std::string trace = record_mpi("late_lap.rondo", LATE_LAP, 2, "20 200");
  return trace;
}

// A tour of collectives (Barrier, Bcast, Reduce, Allreduce, ...) on 3 ranks, 4 rounds.
inline const std::string& collectives_trace() {
  static std::string trace = record_mpi("collectives.rondo", MPI_COLLECTIVES, 3, "64 4");
  return trace;
}

}  // namespace rondo::viewer::test_fixture
