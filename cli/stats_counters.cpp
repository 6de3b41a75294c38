#include "stats_counters.h"

#include <fmt/format.h>

#include <algorithm>

#include "text_output.h"

namespace rondo::cli {

std::string counters_text(const analyzer::CounterProfile& p) {
  if (p.empty()) return "";
  std::string out;
  for (size_t j = 0; j < p.counters.size(); ++j) {
    // Regions by exclusive count, largest first: where the counter's events happen.
    std::vector<std::pair<std::string, const analyzer::CounterProfile::Region*>> rows;
    for (const auto& [name, r] : p.regions) rows.emplace_back(name, &r);
    std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
      return a.second->sums[j].exclusive > b.second->sums[j].exclusive;
    });
    out += fmt::format("\nCounter {} (inside regions: {}, thread totals: {})\n", p.counters[j],
                       format_count(p.in_regions[j]), format_count(p.thread_totals[j]));
    TextTable table({"region", "calls", "inclusive", "exclusive", "exclusive %"}, {false, true, true, true, true});
    for (const auto& [name, r] : rows)
      table.add({short_name(name), format_count(r->calls), format_count(r->sums[j].inclusive),
                 format_count(r->sums[j].exclusive),
                 percent(static_cast<int64_t>(r->sums[j].exclusive), static_cast<int64_t>(p.in_regions[j]))});
    out += table.str();
  }
  std::string rates;
  for (const auto& [name, r] : p.regions)
    for (const auto& [rate, value] : p.rates(r))
      rates += fmt::format("  {}: {} {:.3f}\n", short_name(name), rate, value);
  if (!rates.empty()) out += "\nCounter rates (inclusive)\n" + rates;
  return out;
}

std::vector<std::string> write_counters_csv(const analyzer::CounterProfile& p, const std::string& dir) {
  if (p.empty()) return {};
  std::string regions = "region,counter,calls,inclusive,exclusive\n";
  for (const auto& [name, r] : p.regions)
    for (size_t j = 0; j < p.counters.size(); ++j)
      regions += fmt::format("{},{},{},{},{}\n", csv_field(name), csv_field(p.counters[j]), r.calls,
                             r.sums[j].inclusive, r.sums[j].exclusive);
  std::string paths = "path,counter,calls,inclusive,exclusive\n";
  for (const auto& [path, r] : p.call_paths)
    for (size_t j = 0; j < p.counters.size(); ++j)
      paths += fmt::format("{},{},{},{},{}\n", csv_field(path), csv_field(p.counters[j]), r.calls, r.sums[j].inclusive,
                           r.sums[j].exclusive);
  write_text_file(dir + "/counters.csv", regions);
  write_text_file(dir + "/counters_call_paths.csv", paths);
  return {"counters.csv", "counters_call_paths.csv"};
}

}  // namespace rondo::cli
