// Whole-trace facts and the flat profile, computed from each thread's summary
// (statistics kept while recording) without replaying events. Threads whose data
// ends early (no summary: killed job) are replayed instead.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct GrammarSize {
  uint64_t events = 0, sequences = 0, loops = 0;
};

// What `rondo info` shows.
struct TraceInfo {
  uint64_t processes = 0, threads = 0, events = 0, bytes = 0;
  bool truncated = false;
  GrammarSize grammar;
  int64_t start_ns = 0, end_ns = 0;  // on the common (CLOCK_MONOTONIC-based) axis
  std::vector<std::string> problems;
  double bytes_per_event() const { return events ? static_cast<double>(bytes) / static_cast<double>(events) : 0; }
};
TraceInfo trace_info(const format::TraceReader& trace);

// One row of a flat profile. Times in nanoseconds; sums are exact integers of ticks
// converted once at the end.
struct RegionRow {
  std::string name;
  int32_t rank = -1;      // with --by rank/thread
  int32_t thread = -1;    // with --by thread
  uint64_t calls = 0;
  int64_t inclusive_ns = 0, exclusive_ns = 0, min_ns = 0, max_ns = 0;
  double mean_ns() const { return calls ? static_cast<double>(inclusive_ns) / static_cast<double>(calls) : 0; }
};

// Rows sorted by exclusive time, largest first.
std::vector<RegionRow> flat_profile(const format::TraceReader& trace, GroupBy by = GroupBy::None);

// The "rank" shown for a process: its MPI rank, or its position in the trace.
int32_t process_label(const format::TraceReader& trace, size_t process_index);

}  // namespace rondo::analyzer
