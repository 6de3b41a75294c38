// rondo info: what a trace holds.
#include <fmt/format.h>


#include "commands.h"
#include "rondo/analyzer/report_json.h"
#include "rondo/analyzer/trace_summary.h"
#include "text_output.h"

namespace rondo::cli {

int run_info(const std::string& path, bool json) {
  format::TraceReader trace(path);
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  if (json) {
    fmt::print("{}\n", analyzer::info_json(trace).dump(2));
    return 0;
  }
  fmt::print("trace      {}\n", path);
  fmt::print("processes  {}\n", info.processes);
  fmt::print("threads    {}\n", info.threads);
  fmt::print("events     {}\n", format_count(info.events));
  fmt::print("duration   {}\n", format_duration_ns(static_cast<double>(info.end_ns - info.start_ns)));
  fmt::print("size       {} ({:.3f} bytes per event)\n", format_bytes(info.bytes), info.bytes_per_event());
  fmt::print("grammar    {} events, {} sequences, {} loops\n", format_count(info.grammar.events),
             format_count(info.grammar.sequences), format_count(info.grammar.loops));
  fmt::print("complete   {}\n", info.truncated ? "no: the trace ends early (killed job or damaged file)" : "yes");
  for (size_t i = 0; i < trace.processes().size(); ++i) {
    const format::ProcessReader& p = *trace.processes()[i];
    const auto& d = p.defs().process;
    fmt::print("  process {}: {}pid {} on {}, {} thread{}: {}\n", analyzer::process_label(trace, i),
               d.rank >= 0 ? fmt::format("rank {}, ", d.rank) : "", d.pid, d.host, p.thread_count(),
               p.thread_count() == 1 ? "" : "s", d.command);
  }
  for (const std::string& problem : info.problems) fmt::print("warning: {}\n", problem);
  return 0;
}

}  // namespace rondo::cli
