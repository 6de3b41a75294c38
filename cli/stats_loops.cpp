#include "stats_loops.h"

#include <fmt/format.h>

#include <algorithm>

#include "text_output.h"

namespace rondo::cli {

namespace {

constexpr size_t kLoopRowsShown = 20;
constexpr size_t kSlowestRowsShown = 5;

std::string where(const analyzer::LoopRow& r) {
  if (r.thread >= 0) return fmt::format("{}:{}", r.rank, r.thread);
  if (r.rank >= 0) return std::to_string(r.rank);
  return fmt::format("{} rank{}, {} thread{}", r.ranks, r.ranks == 1 ? "" : "s", r.threads, r.threads == 1 ? "" : "s");
}

std::string duration(double ns) { return format_duration_ns(ns); }

// A row's name for the terminal: each enclosing loop by its first name only
// ("MPI_Irecv… > MPI_Irecv, MPI_Isend, MPI_Waitall"), then shortened to the
// name column (JSON and CSV keep the whole name).
std::string text_name(const analyzer::LoopRow& r) {
  std::string out;
  for (const std::string& parent : r.parents) {
    size_t comma = parent.find(", ");
    out += (comma == std::string::npos ? parent : parent.substr(0, comma) + "\u2026") + " > ";
  }
  return short_name(out + r.label);
}

// Iterations of a whole nest; rows over several threads add "(N/thread)".
std::string nest_text(const analyzer::LoopRow& r) {
  if (r.nest_iterations == 0) return "-";
  std::string total = format_count(r.nest_iterations);
  if (r.threads < 2) return total;
  if (r.nest_iterations % r.threads == 0) return total + " (" + format_count(r.nest_iterations / r.threads) + "/thread)";
  return total + fmt::format(" ({:.1f}/thread)", static_cast<double>(r.nest_iterations) / static_cast<double>(r.threads));
}

}  // namespace

std::string loops_text(const analyzer::LoopStats& s) {
  if (s.rows.empty()) return "";
  std::string out = fmt::format("\nLoops (by total time{}{})\n", s.windowed ? ", iterations clipped to the window" : "",
                                s.timed ? "" : "; from the structure and thread summaries, no timestamps read");
  // "nest": iterations of the whole nest a loop is the outer loop of (a time
  // step the grammar split by its period), shown when some row is one.
  bool nests = std::any_of(s.rows.begin(), s.rows.end(), [](const auto& r) { return r.nest_iterations > 0; });
  std::vector<std::string> headers = {"loop", "on", "occurrences", "iterations", "trips", "total", "mean"};
  if (nests) headers.insert(headers.begin() + 4, "nest iterations");
  if (s.timed) headers.insert(headers.end(), {"stddev", "max", "outliers", "thread spread"});
  std::vector<bool> right(headers.size(), true);
  right[0] = right[1] = false;
  TextTable table(headers, right);
  size_t shown = std::min(s.rows.size(), kLoopRowsShown);
  for (size_t i = 0; i < shown; ++i) {
    const auto& r = s.rows[i];
    std::string trips = r.min_trip == r.max_trip ? format_count(r.min_trip)
                                                 : format_count(r.min_trip) + "-" + format_count(r.max_trip);
    std::vector<std::string> cells = {text_name(r),
                                      where(r),
                                      format_count(r.occurrences),
                                      format_count(r.iterations),
                                      trips,
                                      duration(static_cast<double>(r.total_ns)),
                                      duration(r.mean_ns)};
    if (nests) cells.insert(cells.begin() + 4, nest_text(r));
    if (s.timed) {
      std::string spread = r.threads > 1 ? duration(static_cast<double>(r.thread_min_ns)) + " - " +
                                               duration(static_cast<double>(r.thread_max_ns)) +
                                               fmt::format(" ({}:{})", r.slowest_rank, r.slowest_thread)
                                         : "-";
      cells.insert(cells.end(), {duration(r.stddev_ns), duration(static_cast<double>(r.max_ns)),
                                 format_count(r.outliers), spread});
    }
    table.add(cells);
  }
  out += table.str();
  if (s.rows.size() > shown) out += fmt::format("({} more loops in --json and --csv)\n", s.rows.size() - shown);
  if (s.cut_rows)
    out += fmt::format("({} loops below 0.1% of the largest loop's time not shown)\n", format_count(s.cut_rows));
  if (!s.timed) return out;

  TextTable slow({"loop", "rank:thread", "occurrence", "iteration", "duration", "x mean"},
                 {false, true, true, true, true, true});
  for (size_t i = 0; i < std::min(s.rows.size(), kSlowestRowsShown); ++i)
    for (const auto& it : s.rows[i].slowest)
      slow.add({text_name(s.rows[i]), fmt::format("{}:{}", it.rank, it.thread), std::to_string(it.occurrence),
                std::to_string(it.iteration), duration(static_cast<double>(it.ns)),
                s.rows[i].mean_ns > 0 ? fmt::format("{:.1f}", static_cast<double>(it.ns) / s.rows[i].mean_ns) : "-"});
  if (slow.rows()) out += "\nSlowest iterations (occurrence and iteration count from 0)\n" + slow.str();
  return out;
}

std::vector<std::string> write_loops_csv(const analyzer::LoopStats& s, const std::string& dir) {
  std::string rows =
      "loop,rank,thread,ranks,threads,occurrences,iterations,min_trip,max_trip,events_per_iteration,total_ns,mean_ns,"
      "stddev_ns,min_ns,max_ns,outliers,thread_min_ns,thread_max_ns,slowest_rank,slowest_thread,nest_iterations\n";
  std::string slowest = "loop,rank,thread,loop_id,occurrence,iteration,ns\n";
  for (const auto& r : s.rows) {
    auto timed = [&](auto v) { return r.timed ? fmt::format("{}", v) : std::string(); };
    rows += fmt::format("{},{},{},{},{},{},{},{},{},{:.3f},{},{:.1f},{},{},{},{},{},{},{},{},{}\n", csv_field(r.name()),
                        r.rank, r.thread, r.ranks, r.threads, r.occurrences, r.iterations, r.min_trip, r.max_trip,
                        r.events_per_iteration, r.total_ns, r.mean_ns,
                        r.timed ? fmt::format("{:.1f}", r.stddev_ns) : std::string(), timed(r.min_ns),
                        timed(r.max_ns), timed(r.outliers), r.thread_min_ns, r.thread_max_ns, r.slowest_rank,
                        r.slowest_thread, r.nest_iterations);
    for (const auto& it : r.slowest)
      slowest += fmt::format("{},{},{},{},{},{},{}\n", csv_field(r.name()), it.rank, it.thread, it.loop_id,
                             it.occurrence, it.iteration, it.ns);
  }
  write_text_file(dir + "/loops.csv", rows);
  write_text_file(dir + "/loops_slowest.csv", slowest);
  return {"loops.csv", "loops_slowest.csv"};
}

}  // namespace rondo::cli
