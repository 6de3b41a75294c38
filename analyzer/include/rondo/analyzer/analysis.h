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
  Sections sections = kAllSections;  // the sections computed; the others are empty
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

// The one wire format of partials (CBOR of their JSON form): a list of
// (location index, partial) pairs, or an error text in their place.
struct EncodedPartials {
  std::vector<std::pair<size_t, LocationPartial>> partials;
  std::string error;  // non-empty: the sender failed, with this message
};
std::vector<uint8_t> encode_partials(const EncodedPartials& p);
// Throws nlohmann::json::exception on bytes that are not such a message.
EncodedPartials decode_partials(const std::vector<uint8_t>& bytes);

// The partials `sections` need (section_needs); the others stay empty.
LocationPartial analyze_location(const format::TraceReader& trace, Location location, const TimeWindow& window,
                                 Sections sections = kAllSections);

// `partials`: one per thread of the trace, in location order (all_locations).
// Reduces what `sections` need; the partials must hold at least that.
StatsReport reduce_report(const format::TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window, Sections sections = kAllSections);

// Map on options.threads threads (options.progress hears one step per thread), then
// reduce; only options.sections are computed.
StatsReport analyze(const format::TraceReader& trace, const AnalysisOptions& options);

// The document of `rondo stats --json` (keys in ../shared/CLI.md and docs/stats-json.md):
// "duration_ns", "truncated", "window", then the keys of the report's sections.
nlohmann::ordered_json stats_json(const StatsReport& report);

}  // namespace rondo::analyzer
