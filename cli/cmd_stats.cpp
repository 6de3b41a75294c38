// rondo stats: every statistic of a trace (profile, call tree, imbalance, MPI,
// wait states, threads, loops) as tables, CSV or JSON, optionally restricted to
// a time window or compared with a second trace. --distributed hands the work
// to rondo-stats-mpi, which runs it as an MPI job.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <vector>
#include <optional>

#include "commands.h"
#include "progress_bar.h"
#include "stats_options.h"
#include "rondo/analyzer/messages.h"
#include "stats_report.h"
#include "text_output.h"

namespace rondo::cli {

namespace {

int run_distributed(const StatsOptions& o) {
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  std::filesystem::path worker = self.parent_path() / "rondo-stats-mpi";
  if (ec || !std::filesystem::exists(worker)) {
    fmt::print(stderr, "rondo stats: --distributed needs {} (built when an MPI library is found)\n", worker.string());
    return 1;
  }
  std::vector<std::string> args = {worker.string()};
  for (size_t i = 2; i < o.argv.size(); ++i)  // after "rondo stats"
    if (o.argv[i] != "--distributed") args.push_back(o.argv[i]);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  fmt::print(stderr, "rondo stats: cannot run {}: {}\n", worker.string(), std::strerror(errno));
  return 1;
}

// The MPI sections hold every point-to-point record (README, "Not bounded: MPI
// messages"). Where their estimated peak is more than the memory left, say so
// before the analysis starts: on Linux an allocation that does not fit is
// usually not refused but ends the process by the kernel's OOM killer,
// without a word from rondo.
void warn_if_mpi_analysis_will_not_fit(const format::TraceReader& trace, const analyzer::AnalysisOptions& options) {
  if (!(options.sections & (analyzer::kSectionMpi | analyzer::kSectionWaitStates))) return;
  const analyzer::MpiMemoryEstimate e = analyzer::estimate_mpi_memory(trace, options.threads);
  if (e.fits()) return;
  fmt::print(stderr,
             "rondo: warning: the mpi and wait_states sections will hold {} point-to-point records, about {}, and "
             "{} is available: leave them out with --sections if the analysis runs out of memory\n",
             format_count(e.records), format_bytes(e.bytes), format_bytes(*e.available));
}

}  // namespace

int run_stats(const StatsOptions& o) {
  if (o.distributed) return run_distributed(o);
  StatsOutput out{o.trace, o.compare, o.json, o.csv_dir};
  // Usage problems are found before the (possibly long) analysis: exit 2.
  if (!o.csv_dir.empty()) {
    std::string problem = make_csv_dir(o.csv_dir);
    if (!problem.empty()) {
      fmt::print(stderr, "rondo: {}\n", problem);
      return 2;
    }
  }
  struct Prepared {
    std::unique_ptr<format::TraceReader> trace;
    analyzer::AnalysisOptions options;
  };
  auto prepare = [&](const std::string& dir) {
    Prepared p{std::make_unique<format::TraceReader>(dir), {}};
    std::string note;
    p.options = stats_analysis_options(o, *p.trace, &note);
    if (!note.empty()) fmt::print(stderr, "rondo: note: {}\n", note);
    warn_if_mpi_analysis_will_not_fit(*p.trace, p.options);
    return p;
  };
  std::vector<Prepared> traces;
  try {
    traces.push_back(prepare(o.trace));
    if (!o.compare.empty()) traces.push_back(prepare(o.compare));
  } catch (const std::invalid_argument& e) {  // a bad --window
    fmt::print(stderr, "rondo: {}\n", e.what());
    return 2;
  }
  std::vector<analyzer::StatsReport> reports;
  for (Prepared& p : traces) {
    ProgressBar bar("analyzing " + p.trace->dir());
    p.options.progress = [&](uint64_t done, uint64_t total) { bar.update(done, total); };
    reports.push_back(analyzer::analyze(*p.trace, p.options));
  }
  return print_stats(out, reports[0], reports.size() > 1 ? &reports[1] : nullptr);
}

}  // namespace rondo::cli
