// Everything `rondo stats` reports about a trace, computed in one place for the
// CLI, the Python module and the distributed analyzer.
//
// Each analysis is a per-thread map (a partial) and an ordered reduction, so that
// the result is the same whichever threads, or MPI processes, computed the
// partials: `analyze` maps every location on options.threads threads;
// `rondo stats --distributed` maps a share of the locations on each of its MPI
// processes, ships the partials (as CBOR) to rank 0 and reduces there.
#pragma once

#include <cstdint>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/counters.h"
#include "rondo/analyzer/call_sites.h"
#include "rondo/analyzer/gpu_stats.h"
#include "rondo/analyzer/loop_stats.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/options.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/thread_stats.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/analyzer/wait_states.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct StatsReport {
  TraceInfo info;
  GroupBy by = GroupBy::None;
  TimeWindow window;      // as requested (whole trace by default)
  int64_t duration_ns = 0;  // of the trace, or of the part of the window inside it
  Profile profile;
  MpiStats mpi;
  WaitStates wait_states;
  ThreadStats threads;
  LoopStats loops;
  GpuStats gpu;
  CounterProfile counters;  // whole trace only (counters are not clipped to a window)
  std::vector<MpiCallSite> call_sites;  // --callstack traces (call_sites.h)
};

// Every analysis's partial for one thread.
struct LocationPartial {
  ProfilePartial profile;
  ThreadActivityPartial activity;
  MpiThreadPartial mpi;
  LoopThreadPartial loops;
};
void to_json(nlohmann::json& j, const LocationPartial& p);
void from_json(const nlohmann::json& j, LocationPartial& p);

LocationPartial analyze_location(const format::TraceReader& trace, Location location, const TimeWindow& window);

// `partials`: one per thread of the trace, in location order (all_locations).
StatsReport reduce_report(const format::TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window);

// Map on options.threads threads (options.progress hears one step per thread), then reduce.
StatsReport analyze(const format::TraceReader& trace, const AnalysisOptions& options);

// The document of `rondo stats --json` (keys in ../shared/CLI.md and docs/stats-json.md).
nlohmann::ordered_json stats_json(const StatsReport& report);

}  // namespace rondo::analyzer
