#include "rondo/analyzer/report_json.h"

#include <algorithm>

#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/thread_stats.h"

namespace rondo::analyzer {

namespace {

nlohmann::ordered_json region_json(const RegionRow& r, GroupBy by) {
  nlohmann::ordered_json j;
  j["name"] = r.name;
  if (by != GroupBy::None) j["rank"] = r.rank;
  if (by == GroupBy::Thread) j["thread"] = r.thread;
  j["calls"] = r.calls;
  j["inclusive_ns"] = r.inclusive_ns;
  j["exclusive_ns"] = r.exclusive_ns;
  j["min_ns"] = r.min_ns;
  j["max_ns"] = r.max_ns;
  j["mean_ns"] = r.mean_ns();
  j["stddev_ns"] = r.stddev_ns;
  j["cut_short"] = r.cut_short;
  return j;
}

nlohmann::ordered_json matrix_json(const std::vector<std::vector<uint64_t>>& m) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (auto& row : m) rows.push_back(row);
  return rows;
}

nlohmann::ordered_json mpi_json(const MpiStats& s) {
  nlohmann::ordered_json j;
  j["messages"] = {{"count", s.messages.count},
                   {"bytes", s.messages.bytes},
                   {"unmatched", s.messages.unmatched},
                   {"unmatched_sends", s.messages.unmatched_sends},
                   {"unmatched_receives", s.messages.unmatched_receives},
                   {"bytes_mismatched", s.messages.bytes_mismatched},
                   {"cancelled", s.messages.cancelled},
                   {"incomplete_receives", s.messages.incomplete_receives},
                   {"incomplete_sends", s.messages.incomplete_sends}};
  if (s.dense_json()) j["matrix_bytes"] = matrix_json(s.matrix_bytes());
  nlohmann::ordered_json ops = nlohmann::ordered_json::array();
  for (auto& o : s.collective_ops)
    ops.push_back({{"name", o.name},
                   {"count", o.count},
                   {"bytes", o.bytes_sent},
                   {"bytes_received", o.bytes_received},
                   {"time_ns", o.time_ns}});
  j["collectives"] = {{"count", s.collectives.count},
                      {"bytes", s.collectives.bytes},
                      {"bytes_received", s.collectives.bytes_received},
                      {"time_ns", s.collectives.time_ns},
                      {"operations", ops}};
  j["ranks"] = s.ranks;
  if (s.dense_json()) j["matrix_count"] = matrix_json(s.matrix_count());
  // Every job: the pairs that exchanged matched messages, [src, dst, count, bytes].
  nlohmann::ordered_json pairs = nlohmann::ordered_json::array();
  for (const PairTraffic& p : s.pairs)
    if (p.src >= 0 && p.dst >= 0 && p.src < s.ranks && p.dst < s.ranks)
      pairs.push_back({p.src, p.dst, p.count, p.bytes});
  j["matrix_pairs"] = std::move(pairs);
  j["received_before_sent"] = s.received_before_sent;
  nlohmann::ordered_json sizes = nlohmann::ordered_json::array();
  for (auto& b : s.size_histogram)
    sizes.push_back({{"min_bytes", b.min_bytes}, {"max_bytes", b.max_bytes}, {"count", b.count}, {"bytes", b.bytes}});
  j["message_sizes"] = sizes;
  nlohmann::ordered_json ranks = nlohmann::ordered_json::array();
  for (auto& r : s.time_per_rank)
    ranks.push_back({{"rank", r.rank}, {"mpi_ns", r.mpi_ns}, {"total_ns", r.total_ns}, {"mpi_calls", r.mpi_calls}});
  j["time_per_rank"] = ranks;
  nlohmann::ordered_json calls = nlohmann::ordered_json::array();
  for (auto& c : s.calls)
    calls.push_back({{"name", c.name},
                     {"calls", c.calls},
                     {"inclusive_ns", c.inclusive_ns},
                     {"min_ns", c.min_ns},
                     {"max_ns", c.max_ns},
                     {"mean_ns", c.mean_ns()}});
  j["calls"] = calls;
  nlohmann::ordered_json comms = nlohmann::ordered_json::array();
  for (auto& c : s.communicators) {
    if (c.messages == 0 && c.collectives == 0) continue;  // defined, never used (MPI_COMM_SELF of every rank, ...)
    comms.push_back({{"index", c.index},
                     {"name", c.name},
                     {"size", c.size},
                     {"instance", c.instance},
                     {"messages", c.messages},
                     {"bytes", c.bytes},
                     {"collectives", c.collectives}});
  }
  j["communicators"] = comms;
  nlohmann::ordered_json traffic = nlohmann::ordered_json::array();
  for (auto& t : s.traffic)
    traffic.push_back({{"begin_ns", t.begin_ns}, {"end_ns", t.end_ns}, {"messages", t.messages}, {"bytes", t.bytes}});
  j["traffic_over_time"] = traffic;
  return j;
}

nlohmann::ordered_json threads_json(const ThreadStats& s) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json threads = nlohmann::ordered_json::array();
  for (auto& t : s.threads)
    threads.push_back({{"rank", t.rank},
                       {"thread", t.thread},
                       {"parallel_ns", t.parallel_ns},
                       {"barrier_ns", t.barrier_ns},
                       {"lock_ns", t.lock_ns},
                       {"pthread_wait_ns", t.pthread_wait_ns},
                       {"fork_join_ns", t.fork_join_ns},
                       {"span_ns", t.span_ns}});
  j["threads"] = threads;
  nlohmann::ordered_json regions = nlohmann::ordered_json::array();
  for (auto& r : s.parallel_regions) {
    nlohmann::ordered_json teams = nlohmann::ordered_json::array();
    for (auto& t : r.teams)
      teams.push_back({{"rank", t.rank},
                       {"threads", t.threads},
                       {"calls", t.calls},
                       {"busy_ns", t.busy_ns},
                       {"max_ns", t.max_ns},
                       {"mean_ns", t.mean_ns()},
                       {"imbalance", t.imbalance()},
                       {"slowest_thread", t.slowest_thread}});
    regions.push_back({{"name", r.name},
                       {"threads", r.threads},
                       {"calls", r.calls},
                       {"total_ns", r.total_ns},
                       {"busy_ns", r.busy_ns},
                       {"max_ns", r.max_ns},
                       {"mean_ns", r.mean_ns()},
                       {"imbalance", r.imbalance()},
                       {"worst_rank", r.worst_rank()},
                       {"mean_imbalance", r.mean_imbalance()},
                       {"slowest_rank", r.slowest_rank},
                       {"slowest_thread", r.slowest_thread},
                       {"teams", teams}});
  }
  j["parallel_regions"] = regions;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (auto& f : s.io_files)
    files.push_back({{"path", f.path},
                     {"reads", f.reads},
                     {"writes", f.writes},
                     {"other", f.other},
                     {"failed", f.failed},
                     {"bytes_read", f.bytes_read},
                     {"bytes_written", f.bytes_written},
                     {"read_ns", f.read_ns},
                     {"write_ns", f.write_ns},
                     {"other_ns", f.other_ns}});
  j["io_files"] = files;
  return j;
}

}  // namespace

namespace {
// TraceInfo::truncated_threads; `recorded_events` only where a summary after a
// gap names it (FORMAT.md 5.5).
nlohmann::ordered_json truncated_threads_json(const TraceInfo& info) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const TraceInfo::TruncatedThread& t : info.truncated_threads) {
    nlohmann::ordered_json one = {{"rank", t.rank}, {"thread", t.thread}, {"events", t.events}};
    if (t.recorded_events >= 0) one["recorded_events"] = t.recorded_events;
    out.push_back(one);
  }
  return out;
}

nlohmann::ordered_json account_json(const format::SizeAccount& a) {
  nlohmann::ordered_json j;
  j["events"] = a.events;
  j["stored"] = a.stored();
  j["decoded"] = a.decoded();
  j["bytes_per_event"] = a.events ? static_cast<double>(a.stored()) / static_cast<double>(a.events) : 0.0;
  nlohmann::ordered_json parts;
  for (size_t i = 0; i < format::kSizeParts; ++i) {
    const format::PartBytes& b = a.parts[i];
    parts[format::size_part_name(static_cast<format::SizePart>(i))] = {{"stored", b.stored}, {"decoded", b.decoded}};
  }
  j["parts"] = parts;
  return j;
}
}  // namespace

nlohmann::ordered_json sizes_json(const format::TraceSizes& sizes) {
  nlohmann::ordered_json j;
  j["total"] = account_json(sizes.total);
  j["process_level"] = account_json(sizes.process_level);
  nlohmann::ordered_json threads = nlohmann::ordered_json::array();
  for (const format::ThreadSizes& t : sizes.threads) {
    nlohmann::ordered_json one = {{"rank", t.rank}, {"process", t.process}, {"thread", t.thread}};
    one.update(account_json(t.account));
    threads.push_back(one);
  }
  j["threads"] = threads;
  return j;
}

nlohmann::ordered_json info_json(const format::TraceReader& trace) {
  TraceInfo info = trace_info(trace);
  nlohmann::ordered_json j;
  j["processes"] = info.processes;
  j["threads"] = info.threads;
  j["events"] = info.events;
  j["bytes"] = info.bytes;
  j["bytes_per_event"] = info.bytes_per_event();
  j["truncated"] = info.truncated;
  // 0 for lossless timestamps; else the rounding step and the bound on each timestamp's error.
  j["time_resolution_ns"] = info.time_step_ns;
  j["time_error_ns"] = info.time_error_ns;
  j["polls_counted"] = info.polls_counted;
  j["grammar"] = {{"events", info.grammar.events}, {"sequences", info.grammar.sequences}, {"loops", info.grammar.loops}};
  j["duration_ns"] = info.end_ns - info.start_ns;
  // Where relative times (windows, Python's send_ns / time_ns) start.
  j["start_ns"] = info.start_ns;
  j["start_realtime_ns"] = info.start_realtime_ns;
  nlohmann::ordered_json procs = nlohmann::ordered_json::array();
  for (size_t i = 0; i < trace.processes().size(); ++i) {
    const format::ProcessReader& p = *trace.processes()[i];
    const auto& d = p.defs().process;
    uint64_t events = 0;
    for (size_t t = 0; t < p.thread_count(); ++t) {
      format::ThreadSummary summary;  // read alone: no need to decode the thread
      events += p.thread_summary(t, summary) ? summary.events : p.thread(t).event_count();
    }
    procs.push_back({{"rank", d.rank}, {"pid", d.pid}, {"host", d.host}, {"command", d.command},
                     {"threads", p.thread_count()}, {"events", events}, {"ended", p.ended()},
                     {"file", p.path()}});
  }
  j["process_list"] = procs;
  j["problems"] = info.problems;
  j["truncated_threads"] = truncated_threads_json(info);
  return j;
}

nlohmann::ordered_json stats_json(const StatsReport& r) {
  nlohmann::ordered_json j;
  j["duration_ns"] = r.duration_ns;
  j["truncated"] = r.info.truncated;
  j["ended_early"] = r.info.ended_early;
  j["missing_ranks"] = r.info.listed_missing_ranks();
  j["missing_rank_count"] = r.info.missing_rank_count;
  j["truncated_threads"] = truncated_threads_json(r.info);
  j["polls_counted"] = r.info.polls_counted;
  if (!r.window.whole()) {
    // Relative to the trace's start, as --window takes them (clipped to the trace).
    auto relative = [&](int64_t ns) { return std::clamp(ns, r.info.start_ns, r.info.end_ns) - r.info.start_ns; };
    j["window"] = {{"begin_ns", relative(r.window.begin_ns)}, {"end_ns", relative(r.window.end_ns)}};
  }
  auto asked = [&](Section s) { return (r.sections & s) != 0; };
  if (asked(kSectionProfile)) {
    nlohmann::ordered_json regions = nlohmann::ordered_json::array();
    for (auto& row : r.profile.regions) regions.push_back(region_json(row, r.by));
    j["regions"] = regions;
  }
  nlohmann::ordered_json tree = nlohmann::ordered_json::array();
  for (auto& c : r.profile.call_tree)
    tree.push_back({{"path", c.path},
                    {"name", c.name},
                    {"depth", c.depth},
                    {"parent", c.parent},
                    {"calls", c.calls},
                    {"inclusive_ns", c.inclusive_ns},
                    {"exclusive_ns", c.exclusive_ns},
                    {"min_ns", c.min_ns},
                    {"max_ns", c.max_ns},
                    {"mean_ns", c.mean_ns()},
                    {"cut_short", c.cut_short}});
  if (asked(kSectionCallTree)) j["call_tree"] = tree;
  nlohmann::ordered_json imbalance = nlohmann::ordered_json::array();
  for (auto& im : r.profile.imbalance)
    imbalance.push_back({{"name", im.name},
                         {"max_ns", im.max_ns},
                         {"max_rank", im.max_rank},
                         {"mean_ns", im.mean_ns},
                         {"min_ns", im.min_ns},
                         {"min_rank", im.min_rank},
                         {"ratio", im.ratio()},
                         {"excess_ns", im.excess_ns()}});
  if (asked(kSectionImbalance)) j["imbalance"] = imbalance;
  if (asked(kSectionMpi))
    j["mpi"] = r.mpi.has_mpi ? mpi_json(r.mpi)
                             // No MPI in this trace: message statistics are empty, not absent.
                             : nlohmann::ordered_json{{"messages", {{"count", 0}, {"bytes", 0}, {"unmatched", 0}}},
                                                      {"matrix_bytes", nlohmann::ordered_json::array()},
                                                      {"collectives", {{"count", 0}, {"bytes", 0}}}};
  if (asked(kSectionMpi) && !r.call_sites.empty()) j["mpi"]["call_sites"] = call_sites_json(r.call_sites);
  if (asked(kSectionWaitStates)) j["wait_states"] = wait_states_json(r.wait_states);
  if (asked(kSectionThreads) && r.threads.has_threads) j["threads"] = threads_json(r.threads);
  if (asked(kSectionLoops)) j["loops"] = loops_json(r.loops);
  if (asked(kSectionGpu) && r.gpu.any()) j["gpu"] = gpu_json(r.gpu);
  if (asked(kSectionProfile) && !r.counters.empty()) j["counters"] = counters_json(r.counters, j["regions"]);
  return j;
}

nlohmann::ordered_json stats_json(const format::TraceReader& trace, GroupBy by) {
  AnalysisOptions options;
  options.by = by;
  return stats_json(analyze(trace, options));
}

}  // namespace rondo::analyzer
