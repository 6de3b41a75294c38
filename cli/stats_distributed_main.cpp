// rondo-stats-mpi: `rondo stats --distributed` as an MPI job. It parses the
// options of `rondo stats`, lets the distributed analyzer (analyzer/distributed.h:
// sharding, transport, reduction) compute the report, and prints on rank 0
// exactly what `rondo stats` prints for the same options. Run by
// `rondo stats --distributed` (which execs this program) under mpirun.
#include <fmt/format.h>
#include <mpi.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <new>
#include <optional>

#include "progress_bar.h"
#include "rondo/analyzer/distributed.h"
#include "stats_options.h"
#include "stats_report.h"

namespace {

using namespace rondo;

std::optional<analyzer::StatsReport> analyze(const std::string& dir, const cli::StatsOptions& o, cli::ProgressBar& bar) {
  return analyzer::analyze_distributed(
      dir,
      [&](const format::TraceReader& trace, int rank) {
        std::string note;  // a window reaching past the trace's end: said once, as `rondo stats` says it
        analyzer::AnalysisOptions options = cli::stats_analysis_options(o, trace, rank == 0 ? &note : nullptr);
        if (!note.empty()) fmt::print(stderr, "rondo: note: {}\n", note);
        if (rank == 0) options.progress = [&](uint64_t done, uint64_t total) { bar.update(done, total); };
        return options;
      },
      MPI_COMM_WORLD);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  CLI::App app{"rondo stats --distributed: the statistics of a trace computed by an MPI job", "rondo-stats-mpi"};
  cli::StatsOptions o;
  cli::add_stats_options(app, o, false);
  int status = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    status = rank == 0 ? app.exit(e) : (e.get_exit_code() ? 1 : 0);
    MPI_Finalize();
    return status;
  }
  try {
    cli::ProgressBar bar(rank == 0 ? "analyzing " + o.trace : "");
    std::optional<analyzer::StatsReport> before = analyze(o.trace, o, bar), after;
    if (!o.compare.empty()) {
      cli::ProgressBar bar2(rank == 0 ? "analyzing " + o.compare : "");
      after = analyze(o.compare, o, bar2);
    }
    if (rank == 0) {
      cli::StatsOutput out{o.trace, o.compare, o.json, o.csv_dir};
      status = cli::print_stats(out, *before, after ? &*after : nullptr);
    }
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "{}\n", cli::kStatsOutOfMemory);
    status = 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
    status = 1;
  }
  std::fflush(stdout);
  MPI_Bcast(&status, 1, MPI_INT, 0, MPI_COMM_WORLD);
  MPI_Finalize();
  return status;
}
