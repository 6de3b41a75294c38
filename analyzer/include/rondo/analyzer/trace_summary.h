// Whole-trace facts, computed from each thread's summary
// (statistics kept while recording) without replaying events. Threads whose data
// ends early (no summary: killed job) are replayed instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct GrammarSize {
  uint64_t events = 0, sequences = 0, loops = 0;
};

// What `rondo info` shows.
struct TraceInfo {
  uint64_t processes = 0, threads = 0, events = 0, bytes = 0;
  bool truncated = false;
  // Processes (by rank, or position without MPI) whose file has no end record:
  // killed (SIGKILL, the launcher after a failure) or damaged at the end. Their
  // events stop early; every other process ended its trace.
  std::vector<int32_t> ended_early;
  // MPI ranks of the job (0 .. world size - 1) with no process file at all: the
  // rank could not write one (a trace directory it could not create, a file
  // removed while the job ran) or never started. As runs of consecutive ranks
  // [first, last] (as many as the ranks with files, plus one, whatever the
  // declared world size) and their number.
  struct RankRun {
    int32_t first, last;
  };
  std::vector<RankRun> missing_rank_runs;
  int64_t missing_rank_count = 0;
  // The first kListedMissingRanks of them, one by one (what `--json` lists).
  static constexpr int64_t kListedMissingRanks = 100000;
  std::vector<int32_t> listed_missing_ranks() const;
  GrammarSize grammar;
  int64_t start_ns = 0, end_ns = 0;  // on the common (CLOCK_MONOTONIC-based) axis
  // start_ns as wall-clock time, ns since the Unix epoch (CLOCK_REALTIME), from
  // the reference process's clock (rank 0, else the first process); 0 when the
  // trace holds no wall-clock reading.
  int64_t start_realtime_ns = 0;
  std::vector<std::string> problems;
  // Timestamps rounded at recording (`rondo record --time-resolution`, FORMAT.md
  // 8.2.2): the coarsest step in ns, and the most any timestamp may differ from
  // the clock reading (half a step). Both 0 for lossless traces.
  double time_step_ns = 0, time_error_ns = 0;
  // Some polls were counted, not timed (`rondo record --poll-times count`,
  // FORMAT.md 7.2): their calls count, with no duration.
  bool polls_counted = false;
  // Threads whose events end early (FORMAT.md 5.5: a gap in their chunks, a
  // damaged chunk, no summary), in location order. `events` is what every
  // command reads of them; `recorded_events` what their summary says was
  // recorded when that summary lies after a gap (the events no longer confirm
  // it, and no statistic uses it), else -1.
  struct TruncatedThread {
    int32_t rank = 0;  // process_label()
    uint32_t thread = 0;
    uint64_t events = 0;
    int64_t recorded_events = -1;
  };
  std::vector<TruncatedThread> truncated_threads;
  double bytes_per_event() const { return events ? static_cast<double>(bytes) / static_cast<double>(events) : 0; }
};
TraceInfo trace_info(const format::TraceReader& trace);

// Ticks of `process` as a duration in nanoseconds (rounded).
int64_t duration_ns(const format::ProcessReader& process, uint64_t ticks);

// The "rank" shown for a process: its MPI rank; a process without one is
// numbered after every rank of the trace (the largest recorded and the world
// size), in the reader's order (so in a trace without ranks, its position).
int32_t process_label(const format::TraceReader& trace, size_t process_index);

}  // namespace rondo::analyzer
