// rondo stats: every statistic of a trace (profile, call tree, imbalance, MPI,
// wait states, threads, loops) as tables, CSV or JSON, optionally restricted to
// a time window or compared with a second trace. --distributed hands the work
// to rondo-stats-mpi, which runs it as an MPI job.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>

#include "commands.h"
#include "progress_bar.h"
#include "stats_options.h"
#include "stats_report.h"

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

}  // namespace

int run_stats(const StatsOptions& o) {
  if (o.distributed) return run_distributed(o);
  StatsOutput out{o.trace, o.compare, o.json, o.csv_dir};
  auto analyze = [&](const std::string& dir) {
    format::TraceReader trace(dir);
    analyzer::AnalysisOptions options = stats_analysis_options(o, trace);
    ProgressBar bar("analyzing " + dir);
    options.progress = [&](uint64_t done, uint64_t total) { bar.update(done, total); };
    return analyzer::analyze(trace, options);
  };
  analyzer::StatsReport report = analyze(o.trace);
  if (o.compare.empty()) return print_stats(out, report);
  analyzer::StatsReport after = analyze(o.compare);
  return print_stats(out, report, &after);
}

}  // namespace rondo::cli
