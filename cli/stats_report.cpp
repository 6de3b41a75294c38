#include "stats_report.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <stdexcept>

#include "rondo/analyzer/compare.h"
#include "rondo/analyzer/json_text.h"
#include "stats_compare.h"
#include "stats_counters.h"
#include "stats_gpu.h"
#include "stats_loops.h"
#include "stats_profile.h"
#include "stats_sections.h"
#include "stats_call_sites.h"
#include "stats_wait_states.h"
#include "text_output.h"

namespace rondo::cli {

namespace {

void print_written(const std::string& dir, const std::vector<std::string>& names) {
  for (auto& name : names) fmt::print("wrote {}/{}\n", dir, name);
}

std::string window_text(const analyzer::StatsReport& r) {
  if (r.window.whole()) return "";
  auto relative = [&](int64_t ns) {
    return format_duration_ns(static_cast<double>(std::clamp(ns, r.info.start_ns, r.info.end_ns) - r.info.start_ns));
  };
  return fmt::format(", window {} to {}", relative(r.window.begin_ns), relative(r.window.end_ns));
}

void make_csv_dir_or_throw(const std::string& dir) {
  std::string problem = make_csv_dir(dir);
  if (!problem.empty()) throw std::runtime_error(problem);
}

}  // namespace

std::string make_csv_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    return "--csv " + dir + ": exists and is not a directory (name a directory to write the CSV files into)";
  fs::create_directories(dir, ec);
  if (ec) return "--csv " + dir + ": cannot create the directory: " + ec.message();
  return "";
}

int print_stats(const StatsOutput& o, const analyzer::StatsReport& r, const analyzer::StatsReport* after) {
  if (after) {
    analyzer::Comparison c = analyzer::compare(r, *after);
    if (!c.overlap.comparable())
      fmt::print(stderr,
                 "rondo: warning: {} and {} share only {} of {} region names: they look like different programs "
                 "(compare two runs of one program); no speed-up ratios are shown\n",
                 o.trace, o.compare_trace, c.overlap.common, c.overlap.either());
    if (o.json) {
      nlohmann::ordered_json j = analyzer::comparison_json(c);
      fmt::print("{}\n", analyzer::json_text(j, 2));
    } else if (!o.csv_dir.empty()) {
      make_csv_dir_or_throw(o.csv_dir);
      print_written(o.csv_dir, write_comparison_csv(c, o.csv_dir));
    } else {
      fmt::print("{}", comparison_text(c, o.trace, o.compare_trace));
    }
    return 0;
  }
  auto asked = [&](analyzer::Section s) { return (r.sections & s) != 0; };
  if (o.json) {
    fmt::print("{}\n", analyzer::json_text(analyzer::stats_json(r), 2));
    return 0;
  }
  if (!o.csv_dir.empty()) {
    make_csv_dir_or_throw(o.csv_dir);
    print_written(o.csv_dir, write_profile_csv(r.profile, r.by, o.csv_dir, r.sections));
    if (r.mpi.has_mpi) print_written(o.csv_dir, write_mpi_csv(r.mpi, o.csv_dir));
    if (r.wait_states.has_mpi)
      print_written(o.csv_dir, write_wait_states_csv(r.wait_states, o.csv_dir));
    if (!r.call_sites.empty()) print_written(o.csv_dir, write_call_sites_csv(r.call_sites, o.csv_dir));
    if (r.threads.has_threads) print_written(o.csv_dir, write_threads_csv(r.threads, o.csv_dir));
    if (asked(analyzer::kSectionLoops)) print_written(o.csv_dir, write_loops_csv(r.loops, o.csv_dir));
    if (asked(analyzer::kSectionGpu)) print_written(o.csv_dir, write_gpu_csv(r.gpu, o.csv_dir));
    if (!r.counters.empty()) print_written(o.csv_dir, write_counters_csv(r.counters, o.csv_dir));
    return 0;
  }
  const analyzer::TraceInfo& info = r.info;
  fmt::print("{}: {} process{}, {} thread{}, {} events, duration {}{}{}\n\n", o.trace, info.processes,
             info.processes == 1 ? "" : "es", info.threads, info.threads == 1 ? "" : "s", format_count(info.events),
             format_duration_ns(static_cast<double>(info.end_ns - info.start_ns)), window_text(r),
             info.truncated ? " (incomplete trace)" : "");
  if (info.polls_counted)
    fmt::print("Test, probe and trylock calls were counted, not timed (rondo record --poll-times count): their calls "
               "count below, with no duration.\n\n");
  if (!info.ended_early.empty())
    fmt::print("{} {} ended early (no end record: killed, or its file was cut); what it recorded before is below\n\n",
               r.mpi.has_mpi ? (info.ended_early.size() == 1 ? "rank" : "ranks")
                             : (info.ended_early.size() == 1 ? "process" : "processes"),
               fmt::join(info.ended_early, ", "));
  if (info.missing_rank_count > 0)
    fmt::print("{} {} of the job left no trace file (it could not write one: see the job's own messages)\n\n",
               info.missing_rank_count == 1 ? "rank" : "ranks", rank_runs_text(info.missing_rank_runs));
  if (!info.truncated_threads.empty()) fmt::print("{}\n", truncated_threads_text(info));
  fmt::print("{}", profile_text(r.profile, r.by, r.sections));
  if (r.mpi.has_mpi) fmt::print("{}{}", mpi_text(r.mpi), call_sites_text(r.call_sites));
  fmt::print("{}", wait_states_text(r.wait_states));  // empty without MPI
  if (r.threads.has_threads) fmt::print("{}", threads_text(r.threads));
  if (asked(analyzer::kSectionLoops)) fmt::print("{}", loops_text(r.loops));
  if (asked(analyzer::kSectionGpu)) fmt::print("{}", gpu_text(r.gpu));
  fmt::print("{}", counters_text(r.counters));
  return 0;
}

}  // namespace rondo::cli
