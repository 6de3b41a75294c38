// rondo stats: the flat profile of a trace, as a table, CSV or JSON.
#include <fmt/format.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "rondo/analyzer/trace_summary.h"
#include "text_output.h"

namespace rondo::cli {

using analyzer::GroupBy;
using analyzer::RegionRow;

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

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
  return j;
}

}  // namespace

int run_stats(const StatsOptions& o) {
  format::TraceReader trace(o.trace);
  GroupBy by = o.by == "rank" ? GroupBy::Rank : o.by == "thread" ? GroupBy::Thread : GroupBy::None;
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  std::vector<RegionRow> rows = analyzer::flat_profile(trace, by);
  int64_t duration = info.end_ns - info.start_ns;

  if (o.json) {
    nlohmann::ordered_json j;
    j["duration_ns"] = duration;
    j["truncated"] = info.truncated;
    nlohmann::ordered_json regions = nlohmann::ordered_json::array();
    for (auto& r : rows) regions.push_back(region_json(r, by));
    j["regions"] = regions;
    // No MPI module in this build: message statistics are empty, not absent.
    j["mpi"] = {{"messages", {{"count", 0}, {"bytes", 0}, {"unmatched", 0}}},
                {"matrix_bytes", nlohmann::ordered_json::array()},
                {"collectives", {{"count", 0}, {"bytes", 0}}}};
    fmt::print("{}\n", j.dump(2));
    return 0;
  }
  if (!o.csv_dir.empty()) {
    std::filesystem::create_directories(o.csv_dir);
    std::string csv = "name,";
    if (by != GroupBy::None) csv += "rank,";
    if (by == GroupBy::Thread) csv += "thread,";
    csv += "calls,inclusive_ns,exclusive_ns,min_ns,mean_ns,max_ns\n";
    for (auto& r : rows) {
      csv += csv_field(r.name) + ",";
      if (by != GroupBy::None) csv += std::to_string(r.rank) + ",";
      if (by == GroupBy::Thread) csv += std::to_string(r.thread) + ",";
      csv += fmt::format("{},{},{},{},{:.1f},{}\n", r.calls, r.inclusive_ns, r.exclusive_ns, r.min_ns, r.mean_ns(),
                         r.max_ns);
    }
    write_text_file(o.csv_dir + "/regions.csv", csv);
    fmt::print("wrote {}/regions.csv ({} rows)\n", o.csv_dir, rows.size());
    return 0;
  }

  fmt::print("{}: {} process{}, {} thread{}, {} events, duration {}{}\n\n", o.trace, info.processes,
             info.processes == 1 ? "" : "es", info.threads, info.threads == 1 ? "" : "s", format_count(info.events),
             format_duration_ns(static_cast<double>(duration)), info.truncated ? " (incomplete trace)" : "");
  std::vector<std::string> headers = {"region"};
  if (by != GroupBy::None) headers.push_back("rank");
  if (by == GroupBy::Thread) headers.push_back("thread");
  for (auto h : {"calls", "inclusive", "exclusive", "excl %", "min", "mean", "max"}) headers.push_back(h);
  std::vector<bool> right(headers.size(), true);
  right[0] = false;
  TextTable table(headers, right);
  int64_t total_exclusive = 0;
  for (auto& r : rows) total_exclusive += r.exclusive_ns;
  for (auto& r : rows) {
    std::vector<std::string> cells = {r.name};
    if (by != GroupBy::None) cells.push_back(std::to_string(r.rank));
    if (by == GroupBy::Thread) cells.push_back(std::to_string(r.thread));
    cells.push_back(format_count(r.calls));
    cells.push_back(format_duration_ns(static_cast<double>(r.inclusive_ns)));
    cells.push_back(format_duration_ns(static_cast<double>(r.exclusive_ns)));
    cells.push_back(total_exclusive ? fmt::format("{:.1f}", 100.0 * static_cast<double>(r.exclusive_ns) /
                                                                 static_cast<double>(total_exclusive))
                                    : "-");
    cells.push_back(format_duration_ns(static_cast<double>(r.min_ns)));
    cells.push_back(format_duration_ns(r.mean_ns()));
    cells.push_back(format_duration_ns(static_cast<double>(r.max_ns)));
    table.add(cells);
  }
  fmt::print("Flat profile (sorted by exclusive time)\n{}", table.str());
  if (rows.empty()) fmt::print("(no regions recorded)\n");
  return 0;
}

}  // namespace rondo::cli
