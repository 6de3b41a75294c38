// The distributed analyzer: the statistics of one trace computed by an MPI job
// (`rondo stats --distributed`, run as rondo-stats-mpi). Built as the optional
// target rondo_analyzer_mpi when an MPI library is found; nothing else of the
// analyzer links MPI.
//
// Sharding: process file i belongs to MPI rank i mod K, so that each MPI process
// maps (and keeps mapped) only its share of the trace's process files, and a
// trace of thousands of processes spreads over the job. Transport: each rank
// sends its partials to rank 0 as one message of encode_partials (analysis.h).
// Reduce: rank 0 puts the partials in location order and calls reduce_report,
// so the report is exactly what `analyze` gives on one machine.
#pragma once

#include <mpi.h>

#include <functional>
#include <optional>
#include <string>

#include "rondo/analyzer/analysis.h"

namespace rondo::analyzer {

// What to compute, for the trace as opened on this rank (the window is relative
// to the trace's start). May throw; the message then reaches rank 0.
using DistributedOptionsFn = std::function<AnalysisOptions(const format::TraceReader& trace, int rank)>;

// Collective over `comm`. Returns the report on rank 0, nullopt elsewhere.
// Throws on rank 0 when any rank failed (with the first failure's message);
// the other ranks return normally so that the job ends cleanly.
std::optional<StatsReport> analyze_distributed(const std::string& dir, const DistributedOptionsFn& options_for,
                                               MPI_Comm comm);

}  // namespace rondo::analyzer
