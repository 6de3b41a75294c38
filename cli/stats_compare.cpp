#include "stats_compare.h"

#include <fmt/format.h>

#include <cstdlib>

#include "text_output.h"

namespace rondo::cli {

namespace {

constexpr size_t kRowsShown = 20;

std::string signed_duration(int64_t ns) {
  return (ns > 0 ? "+" : ns < 0 ? "-" : "") + format_duration_ns(static_cast<double>(std::llabs(ns)));
}

// `ratios`: the traces are comparable (analyzer::RegionOverlap), so "x faster" means something.
std::string change(const analyzer::ChangeRow& r, bool ratios) {
  if (r.before_ns == 0) return r.after_ns ? "new" : "-";
  if (r.after_ns == 0) return "gone";
  if (!ratios) return "";
  double ratio = r.ratio();
  if (ratio < 0.995) return fmt::format("{:.2f}x faster", 1 / ratio);
  if (ratio > 1.005) return fmt::format("{:.2f}x slower", ratio);
  return "same";
}

// "(+12.0 ms, 1.50x slower)", or "(+12.0 ms)" without a ratio.
std::string delta_text(const analyzer::ChangeRow& r, bool ratios) {
  std::string how = change(r, ratios);
  return "(" + signed_duration(r.delta_ns()) + (how.empty() ? "" : ", " + how) + ")";
}

std::string table(const std::string& title, const char* what, const char* count,
                  const std::vector<analyzer::ChangeRow>& rows, bool ratios) {
  if (rows.empty()) return "";
  TextTable t({what, std::string(count) + " before", std::string(count) + " after", "before", "after", "change",
               ""},
              {false, true, true, true, true, true, false});
  for (size_t i = 0; i < rows.size() && i < kRowsShown; ++i) {
    const auto& r = rows[i];
    t.add({short_name(r.name), format_count(r.count_before), format_count(r.count_after),
           format_duration_ns(static_cast<double>(r.before_ns)), format_duration_ns(static_cast<double>(r.after_ns)),
           signed_duration(r.delta_ns()), change(r, ratios)});
  }
  std::string out = "\n" + title + "\n" + t.str();
  if (rows.size() > kRowsShown) out += fmt::format("({} more rows in --json and --csv)\n", rows.size() - kRowsShown);
  return out;
}

std::string rows_csv(const std::vector<analyzer::ChangeRow>& rows) {
  std::string csv = "name,count_before,count_after,before_ns,after_ns,delta_ns,ratio\n";
  for (auto& r : rows)
    csv += fmt::format("{},{},{},{},{},{},{:.4f}\n", csv_field(r.name), r.count_before, r.count_after, r.before_ns,
                       r.after_ns, r.delta_ns(), r.ratio());
  return csv;
}

}  // namespace

std::string comparison_text(const analyzer::Comparison& c, const std::string& before, const std::string& after) {
  std::string out = fmt::format("Comparison: {} (before) -> {} (after)\n", before, after);
  bool ratios = c.overlap.comparable();
  if (!ratios)
    out += fmt::format(
        "  (the traces share {} of {} region names: they look like different programs, so no speed-up "
        "ratios are shown)\n",
        c.overlap.common, c.overlap.either());
  out += fmt::format("  duration     {} -> {} {}\n", format_duration_ns(static_cast<double>(c.duration.before_ns)),
                     format_duration_ns(static_cast<double>(c.duration.after_ns)), delta_text(c.duration, ratios));
  if (c.mpi_time.before_ns || c.mpi_time.after_ns) {
    out += fmt::format("  time in MPI  {} -> {} {}\n", format_duration_ns(static_cast<double>(c.mpi_time.before_ns)),
                       format_duration_ns(static_cast<double>(c.mpi_time.after_ns)), delta_text(c.mpi_time, ratios));
    out += fmt::format("  messages     {} ({}) -> {} ({})\n", format_count(c.messages_before),
                       format_bytes(c.bytes_before), format_count(c.messages_after), format_bytes(c.bytes_after));
  }
  out += table("Regions (exclusive time; largest changes first)", "region", "calls", c.regions, ratios);
  out += table("MPI calls (inclusive time)", "MPI call", "calls", c.mpi_calls, ratios);
  bool waits = false;
  for (auto& w : c.wait_states) waits = waits || w.before_ns || w.after_ns;
  if (waits) out += table("Wait states", "pattern", "instances", c.wait_states, ratios);
  out += table("Loops (total time)", "loop", "iterations", c.loops, ratios);
  return out;
}

std::vector<std::string> write_comparison_csv(const analyzer::Comparison& c, const std::string& dir) {
  std::vector<analyzer::ChangeRow> totals = {c.duration, c.mpi_time};
  write_text_file(dir + "/compare_totals.csv", rows_csv(totals));
  write_text_file(dir + "/compare_regions.csv", rows_csv(c.regions));
  write_text_file(dir + "/compare_mpi_calls.csv", rows_csv(c.mpi_calls));
  write_text_file(dir + "/compare_wait_states.csv", rows_csv(c.wait_states));
  write_text_file(dir + "/compare_loops.csv", rows_csv(c.loops));
  return {"compare_totals.csv", "compare_regions.csv", "compare_mpi_calls.csv", "compare_wait_states.csv",
          "compare_loops.csv"};
}

}  // namespace rondo::cli
