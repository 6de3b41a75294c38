#include "stats_profile.h"

#include <fmt/format.h>

#include "text_output.h"

namespace rondo::cli {

using analyzer::GroupBy;

namespace {

// The call tree is cut for the terminal (all of it is in --json and --csv).
constexpr size_t kCallTreeRows = 40;
constexpr size_t kImbalanceRows = 10;

std::string duration(double ns) { return format_duration_ns(ns); }
std::string duration(int64_t ns) { return format_duration_ns(static_cast<double>(ns)); }

// Calls that were still open where their thread's data ends are marked "*".
template <typename Row>
std::string calls_cell(const Row& r) {
  return format_count(r.calls) + (r.cut_short ? "*" : "");
}

template <typename Row>
std::string cut_short_note(const std::vector<Row>& rows) {
  uint64_t n = 0;
  for (auto& r : rows) n += r.cut_short;
  if (n == 0) return "";
  return fmt::format("(* includes calls still open where their thread's data ends (crash, kill, exit inside "
                     "them): they end at the thread's last recorded time)\n");
}

std::string flat_text(const std::vector<analyzer::RegionRow>& rows, GroupBy by) {
  std::vector<std::string> headers = {"region"};
  if (by != GroupBy::None) headers.push_back("rank");
  if (by == GroupBy::Thread) headers.push_back("thread");
  for (auto h : {"calls", "inclusive", "exclusive", "excl %", "min", "mean", "max", "stddev"}) headers.push_back(h);
  std::vector<bool> right(headers.size(), true);
  right[0] = false;
  TextTable table(headers, right);
  int64_t total_exclusive = 0;
  for (auto& r : rows) total_exclusive += r.exclusive_ns;
  for (auto& r : rows) {
    std::vector<std::string> cells = {short_name(r.name)};
    if (by != GroupBy::None) cells.push_back(std::to_string(r.rank));
    if (by == GroupBy::Thread) cells.push_back(std::to_string(r.thread));
    cells.insert(cells.end(), {calls_cell(r), duration(r.inclusive_ns), duration(r.exclusive_ns),
                               percent(r.exclusive_ns, total_exclusive), duration(r.min_ns), duration(r.mean_ns()),
                               duration(r.max_ns), duration(r.stddev_ns)});
    table.add(cells);
  }
  std::string out = "Flat profile (sorted by exclusive time)\n" + table.str();
  if (rows.empty()) out += "(no regions recorded)\n";
  return out + cut_short_note(rows);
}

std::string call_tree_text(const std::vector<analyzer::CallPathRow>& tree) {
  if (tree.empty()) return "";
  TextTable table({"call path", "calls", "inclusive", "exclusive", "mean"}, {false, true, true, true, true});
  for (size_t i = 0; i < tree.size() && i < kCallTreeRows; ++i) {
    const auto& c = tree[i];
    table.add({std::string(2 * c.depth, ' ') + short_name(c.name), calls_cell(c), duration(c.inclusive_ns),
               duration(c.exclusive_ns), duration(c.mean_ns())});
  }
  std::string out = "\nCall tree (all threads; children by inclusive time)\n" + table.str();
  if (tree.size() > kCallTreeRows)
    out += fmt::format("({} more call paths in --json and --csv)\n", tree.size() - kCallTreeRows);
  return out + cut_short_note(tree);
}

std::string imbalance_text(const std::vector<analyzer::RegionImbalance>& rows) {
  if (rows.empty()) return "";
  TextTable table({"region", "max", "on rank", "mean", "min", "on rank", "max/mean"},
                  {false, true, true, true, true, true, true});
  for (size_t i = 0; i < rows.size() && i < kImbalanceRows; ++i) {
    const auto& r = rows[i];
    table.add({short_name(r.name), duration(r.max_ns), std::to_string(r.max_rank), duration(r.mean_ns), duration(r.min_ns),
               std::to_string(r.min_rank), fmt::format("{:.2f}", r.ratio())});
  }
  return "\nLoad imbalance across ranks (inclusive time per rank; by max - mean)\n" + table.str();
}

}  // namespace

std::string profile_text(const analyzer::Profile& p, GroupBy by, analyzer::Sections sections) {
  std::string out;
  if (sections & analyzer::kSectionProfile) out += flat_text(p.regions, by);
  if (sections & analyzer::kSectionCallTree) out += call_tree_text(p.call_tree);
  if (sections & analyzer::kSectionImbalance) out += imbalance_text(p.imbalance);
  return out;
}

std::vector<std::string> write_profile_csv(const analyzer::Profile& p, GroupBy by, const std::string& dir,
                                           analyzer::Sections sections) {
  std::vector<std::string> written;
  std::string csv = "name,";
  if (by != GroupBy::None) csv += "rank,";
  if (by == GroupBy::Thread) csv += "thread,";
  csv += "calls,inclusive_ns,exclusive_ns,min_ns,mean_ns,max_ns,stddev_ns\n";
  for (auto& r : p.regions) {
    csv += csv_field(r.name) + ",";
    if (by != GroupBy::None) csv += std::to_string(r.rank) + ",";
    if (by == GroupBy::Thread) csv += std::to_string(r.thread) + ",";
    csv += fmt::format("{},{},{},{},{:.1f},{},{:.1f}\n", r.calls, r.inclusive_ns, r.exclusive_ns, r.min_ns,
                       r.mean_ns(), r.max_ns, r.stddev_ns);
  }
  if (sections & analyzer::kSectionProfile) {
    write_text_file(dir + "/regions.csv", csv);
    written.push_back("regions.csv");
  }
  std::string tree = "path,name,depth,calls,inclusive_ns,exclusive_ns,min_ns,mean_ns,max_ns,parent\n";
  for (auto& c : p.call_tree)
    tree += fmt::format("{},{},{},{},{},{},{},{:.1f},{},{}\n", csv_field(c.path), csv_field(c.name), c.depth, c.calls,
                        c.inclusive_ns, c.exclusive_ns, c.min_ns, c.mean_ns(), c.max_ns, c.parent);
  if (sections & analyzer::kSectionCallTree) {
    write_text_file(dir + "/call_tree.csv", tree);
    written.push_back("call_tree.csv");
  }
  std::string imbalance = "name,max_ns,max_rank,mean_ns,min_ns,min_rank,ratio\n";
  for (auto& r : p.imbalance)
    imbalance += fmt::format("{},{},{},{:.1f},{},{},{:.4f}\n", csv_field(r.name), r.max_ns, r.max_rank, r.mean_ns,
                             r.min_ns, r.min_rank, r.ratio());
  if (sections & analyzer::kSectionImbalance) {
    write_text_file(dir + "/imbalance.csv", imbalance);
    written.push_back("imbalance.csv");
  }
  return written;
}

}  // namespace rondo::cli
