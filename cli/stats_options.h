// The options of `rondo stats`, shared by the `rondo` command and the
// distributed analyzer (rondo-stats-mpi), which must accept the same ones.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "commands.h"
#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::cli {

// Adds TRACE, --json, --csv, --by, --window, --compare, --threads, --sections to `app`
// (--distributed only where `with_distributed`).
void add_stats_options(CLI::App& app, StatsOptions& o, bool with_distributed);

// The analysis options the parsed StatsOptions ask for on `trace` (the window is
// relative to that trace's start). Throws std::invalid_argument for a bad window
// and for one that lies entirely outside the trace; a window that reaches past
// the trace's end is clipped, and `note` (when given) gets a sentence saying so.
analyzer::AnalysisOptions stats_analysis_options(const StatsOptions& o, const format::TraceReader& trace,
                                                 std::string* note = nullptr);

// The one line `rondo stats` (and --distributed) prints when memory runs out:
// what an analysis cannot bound (README, "Not bounded: MPI messages") and
// what to do about it.
inline constexpr const char* kStatsOutOfMemory =
    "rondo: out of memory: the mpi and wait_states sections hold every point-to-point message (0.35-0.5 KB each); "
    "leave them out with --sections";

}  // namespace rondo::cli
