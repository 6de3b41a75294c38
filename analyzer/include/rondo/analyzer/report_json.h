// The JSON documents of `rondo info --json` and `rondo stats --json`. Built in
// one place because scripts rely on their keys (../shared/CLI.md) and the CLI
// and the Python module must give exactly the same ones.
#pragma once

#include <nlohmann/json.hpp>

#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/size_accounting.h"

namespace rondo::analyzer {

// processes, threads, events, bytes, bytes_per_event, truncated, grammar,
// duration_ns, process_list, problems.
nlohmann::ordered_json info_json(const format::TraceReader& trace);
// `rondo info --sizes --json`: format::trace_sizes() as JSON (docs/cli.md).
nlohmann::ordered_json sizes_json(const format::TraceSizes& sizes);

// duration_ns, truncated, regions (grouped `by`), mpi (always present: empty
// counts without MPI records), threads (only with OpenMP/pthread/I/O records).
nlohmann::ordered_json stats_json(const format::TraceReader& trace, GroupBy by);

}  // namespace rondo::analyzer
