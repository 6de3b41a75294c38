// rondo info: what a trace holds.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "rondo/analyzer/trace_summary.h"
#include "text_output.h"

namespace rondo::cli {

int run_info(const std::string& path, bool json) {
  format::TraceReader trace(path);
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  if (json) {
    nlohmann::ordered_json j;
    j["processes"] = info.processes;
    j["threads"] = info.threads;
    j["events"] = info.events;
    j["bytes"] = info.bytes;
    j["bytes_per_event"] = info.bytes_per_event();
    j["truncated"] = info.truncated;
    j["grammar"] = {{"events", info.grammar.events}, {"sequences", info.grammar.sequences}, {"loops", info.grammar.loops}};
    j["duration_ns"] = info.end_ns - info.start_ns;
    nlohmann::ordered_json procs = nlohmann::ordered_json::array();
    for (size_t i = 0; i < trace.processes().size(); ++i) {
      const format::ProcessReader& p = *trace.processes()[i];
      const auto& d = p.defs().process;
      uint64_t events = 0;
      for (size_t t = 0; t < p.thread_count(); ++t) events += p.thread(t).event_count();
      procs.push_back({{"rank", d.rank}, {"pid", d.pid}, {"host", d.host}, {"command", d.command},
                       {"threads", p.thread_count()}, {"events", events}, {"ended", p.ended()},
                       {"file", p.path()}});
    }
    j["process_list"] = procs;
    j["problems"] = info.problems;
    fmt::print("{}\n", j.dump(2));
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
