#include "stats_options.h"

#include <stdexcept>

#include "rondo/analyzer/sections.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/analyzer/window_spec.h"

namespace rondo::cli {

void add_stats_options(CLI::App& app, StatsOptions& o, bool with_distributed) {
  app.add_option("TRACE", o.trace, "Trace directory")->required();
  auto* json = app.add_flag("--json", o.json, "Print JSON (keys: docs/stats-json.md)");
  app.add_option("--csv", o.csv_dir, "Write one CSV file per table into DIR")->excludes(json);
  app.add_option("--by", o.by, "One row per region and rank, or per region and thread")
      ->check(CLI::IsMember({"rank", "thread"}));
  app.add_option("--window", o.window,
                 "Only the time from T0 to T1 after the trace's start, e.g. 1.5s:2s, 200ms:, :30us "
                 "(units ns, us, ms, s; none: seconds); calls crossing the edges are clipped");
  app.add_option("--compare", o.compare,
                 "Compare with TRACE2: what got faster or slower from TRACE (before) to TRACE2 (after)");
  app.add_option("--threads", o.threads, "Analyzer threads (default: every core); results do not depend on it")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--sections", o.sections,
                 "Compute and print only these sections, comma-separated: " + analyzer::section_names_text() +
                     " (default: all); e.g. --sections profile reads only the threads' summaries")
      ->check(CLI::Validator(
          [](std::string& list) {
            try {
              analyzer::parse_sections(list);
              return std::string();
            } catch (const std::invalid_argument& e) {
              return std::string(e.what());
            }
          },
          "LIST", "sections"));
  if (with_distributed)
    app.add_flag("--distributed", o.distributed,
                 "Run as an MPI job, e.g. mpirun -np K rondo stats --distributed TRACE: the K processes share "
                 "the trace's process files; rank 0 prints the same output as a single process");
}

analyzer::AnalysisOptions stats_analysis_options(const StatsOptions& o, const format::TraceReader& trace,
                                                 std::string* note) {
  analyzer::AnalysisOptions options;
  options.by = o.by == "rank"     ? analyzer::GroupBy::Rank
               : o.by == "thread" ? analyzer::GroupBy::Thread
                                  : analyzer::GroupBy::None;
  options.threads = o.threads;
  if (!o.sections.empty()) options.sections = analyzer::parse_sections(o.sections);
  if (o.window.empty()) return options;
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  options.window = analyzer::parse_window(o.window, info.start_ns);
  std::string fit = analyzer::window_fit_text(o.window, options.window, info.start_ns, info.end_ns);
  // A window with nothing of the trace in it would print empty tables as if
  // the program had done nothing there: refuse it.
  if (analyzer::window_fit(options.window, info.start_ns, info.end_ns) == analyzer::WindowFit::Outside)
    throw std::invalid_argument(trace.dir() + ": --" + fit);
  if (note && !fit.empty()) *note = trace.dir() + ": --" + fit;
  return options;
}

}  // namespace rondo::cli
