// rondo info: what a trace holds.
#include <fmt/format.h>


#include "commands.h"
#include "rondo/analyzer/report_json.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/analyzer/json_text.h"
#include "text_output.h"

namespace rondo::cli {

namespace {
// One row per part: bytes on disk, share of the stored total, bytes per event, decoded.
void print_account(const format::SizeAccount& a, const std::string& indent) {
  double stored = static_cast<double>(a.stored()), events = static_cast<double>(a.events);
  for (size_t i = 0; i < format::kSizeParts; ++i) {
    const format::PartBytes& b = a.parts[i];
    if (!b.stored && !b.decoded) continue;
    fmt::print("{}{:<12} {:>11} {:>6.1f}%  {:>7.3f} B/event   decoded {:>11}\n", indent,
               format::size_part_name(static_cast<format::SizePart>(i)), format_bytes(b.stored),
               stored ? 100.0 * static_cast<double>(b.stored) / stored : 0.0,
               events ? static_cast<double>(b.stored) / events : 0.0, format_bytes(b.decoded));
  }
  fmt::print("{}{:<12} {:>11} {:>7}  {:>7.3f} B/event   decoded {:>11}\n", indent, "total", format_bytes(a.stored()),
             "", events ? stored / events : 0.0, format_bytes(a.decoded()));
}

void print_sizes(const format::TraceSizes& sizes) {
  fmt::print("\nwhere the bytes go (stored on disk; structure chunks split by decoded section size)\n");
  print_account(sizes.total, "  ");
  for (const format::ThreadSizes& t : sizes.threads) {
    fmt::print("\n  {} thread {}: {} events\n",
               t.rank >= 0 ? fmt::format("rank {}", t.rank) : fmt::format("process {}", t.process), t.thread,
               format_count(t.account.events));
    print_account(t.account, "    ");
  }
}
}  // namespace

int run_info(const std::string& path, bool json, bool sizes) {
  format::TraceReader trace(path);
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  if (json) {
    nlohmann::ordered_json j = analyzer::info_json(trace);
    if (sizes) j["sizes"] = analyzer::sizes_json(format::trace_sizes(trace));
    fmt::print("{}\n", analyzer::json_text(j, 2));
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
  if (info.time_step_ns > 0)
    fmt::print("timestamps rounded to {:.1f} ns steps at recording: each within {:.1f} ns of the clock reading\n",
               info.time_step_ns, info.time_error_ns);
  else
    fmt::print("timestamps lossless (clock ticks as read)\n");
  if (info.polls_counted)
    fmt::print("polls      counted, not timed (rondo record --poll-times count): test, probe and trylock calls "
               "have no duration\n");
  fmt::print("complete   {}\n", info.truncated ? "no: the trace ends early (killed job or damaged file)" : "yes");
  fmt::print("{}", truncated_threads_text(info));
  for (size_t i = 0; i < trace.processes().size(); ++i) {
    const format::ProcessReader& p = *trace.processes()[i];
    const auto& d = p.defs().process;
    fmt::print("  process {}: {}pid {} on {}, {} thread{}: {}\n", analyzer::process_label(trace, i),
               d.rank >= 0 ? fmt::format("rank {}, ", d.rank) : "", d.pid, d.host, p.thread_count(),
               p.thread_count() == 1 ? "" : "s", d.command);
  }
  for (const std::string& problem : info.problems) fmt::print("warning: {}\n", problem);
  if (sizes) print_sizes(format::trace_sizes(trace));
  return 0;
}

}  // namespace rondo::cli
