#include "stats_wait_states.h"

#include <fmt/format.h>

#include <algorithm>

#include "text_output.h"

namespace rondo::cli {

using analyzer::WaitPattern;
using analyzer::WaitStates;

namespace {

// Longer lists show only their largest entries.
constexpr size_t kRankRows = 16;
constexpr size_t kCallSiteRows = 20;

std::string duration(int64_t ns) { return format_duration_ns(static_cast<double>(ns)); }
std::string share(double fraction) { return fmt::format("{:.2f}", 100.0 * fraction); }

}  // namespace

std::string wait_states_text(const WaitStates& w) {
  if (!w.has_mpi) return "";
  std::string out = "\nMPI wait states\n";
  out += fmt::format("  waiting      {} in {} calls, {}% of the run time of the MPI threads ({})\n", duration(w.total_ns),
                     format_count(w.instances), share(w.share), duration(w.run_ns));
  if (w.instances == 0) return out;

  TextTable patterns({"pattern", "instances", "waiting", "% run", "most waiting rank", "late rank (caused)"},
                     {false, true, true, true, true, true});
  std::vector<const analyzer::WaitPatternStats*> order;
  for (auto& p : w.patterns) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->waiting_ns > b->waiting_ns; });
  for (auto* p : order) {
    auto worst = std::max_element(p->per_rank.begin(), p->per_rank.end(),
                                  [](auto& a, auto& b) { return a.waiting_ns < b.waiting_ns; });
    std::string rank = worst == p->per_rank.end() || worst->waiting_ns == 0
                           ? "-"
                           : fmt::format("{} ({})", worst->rank, duration(worst->waiting_ns));
    std::string late = p->by_late_rank.empty() ? "-"
                                               : fmt::format("{} ({})", p->by_late_rank.front().rank,
                                                             duration(p->by_late_rank.front().waiting_ns));
    patterns.add({std::string(analyzer::wait_pattern_title(p->pattern)), format_count(p->instances),
                  duration(p->waiting_ns), share(p->share), rank, late});
  }
  out += "\nWait states by pattern (Scalasca definitions)\n" + patterns.str();

  // Ranks: every pattern that waited as a column, the ranks that waited most
  // first, the rank each one waited for most (the late partner) and the root
  // cause of most of its waiting.
  std::vector<const analyzer::WaitPatternStats*> waited;
  for (auto* p : order)
    if (p->waiting_ns > 0) waited.push_back(p);
  std::vector<const analyzer::RankWaiting*> ranks;
  for (auto& r : w.per_rank)
    if (r.waiting_ns > 0) ranks.push_back(&r);
  std::stable_sort(ranks.begin(), ranks.end(), [](auto* a, auto* b) { return a->waiting_ns > b->waiting_ns; });
  std::vector<std::string> headers = {"rank", "waiting", "waited for", "root cause"};
  for (auto* p : waited) headers.push_back(std::string(analyzer::wait_pattern_title(p->pattern)));
  TextTable per_rank(headers, std::vector<bool>(headers.size(), true));
  for (size_t i = 0; i < ranks.size() && i < kRankRows; ++i) {
    const analyzer::RankWaiting& rank = *ranks[i];
    auto most = [&](const std::vector<analyzer::LateRankWaiting>& v) {
      return v.empty() ? std::string("-")
                       : fmt::format("rank {} ({}%)", v.front().rank,
                                     share(static_cast<double>(v.front().waiting_ns) / static_cast<double>(rank.waiting_ns)));
    };
    std::vector<std::string> cells = {std::to_string(rank.rank), duration(rank.waiting_ns), most(rank.by_late_rank),
                                      most(rank.by_root_rank)};
    for (auto* p : waited) {
      auto it = std::find_if(p->per_rank.begin(), p->per_rank.end(), [&](auto& r) { return r.rank == rank.rank; });
      cells.push_back(it == p->per_rank.end() || it->waiting_ns == 0 ? "-" : duration(it->waiting_ns));
    }
    per_rank.add(cells);
  }
  std::string note = ranks.size() > kRankRows ? fmt::format(", the {} of {} that waited most", kRankRows, ranks.size())
                                               : std::string();
  out += "\nWaiting per rank (ranks that waited" + note + ")\n" + per_rank.str();

  struct SiteRow {
    WaitPattern pattern;
    const analyzer::WaitCallSite* site;
  };
  std::vector<SiteRow> sites;
  for (auto& p : w.patterns)
    for (auto& s : p.call_sites) sites.push_back({p.pattern, &s});
  std::stable_sort(sites.begin(), sites.end(), [](auto& a, auto& b) { return a.site->waiting_ns > b.site->waiting_ns; });
  TextTable calls({"pattern", "MPI call", "called from", "instances", "waiting", "worst rank", "worst"},
                  {false, false, false, true, true, true, true});
  for (size_t i = 0; i < sites.size() && i < kCallSiteRows; ++i) {
    const auto& s = *sites[i].site;
    calls.add({std::string(analyzer::wait_pattern_title(sites[i].pattern)), s.call, s.place(),
               format_count(s.instances), duration(s.waiting_ns), std::to_string(s.worst_rank), duration(s.worst_ns)});
  }
  std::string top = sites.size() > kCallSiteRows ? fmt::format(" (top {} of {})", kCallSiteRows, sites.size()) : "";
  out += "\nCall sites that waited most" + top + "\n" + calls.str();
  return out;
}

std::vector<std::string> write_wait_states_csv(const WaitStates& w, const std::string& dir) {
  std::string patterns = "pattern,instances,waiting_ns,share\n";
  std::string ranks = "pattern,rank,instances,waiting_ns\n";
  std::string sites = "pattern,call,caller,instances,waiting_ns,worst_rank,worst_ns,function,file,line\n";
  std::string partners = "pattern,rank,late_rank,instances,waiting_ns\n";
  for (auto& p : w.patterns) {
    patterns += fmt::format("{},{},{},{:.6f}\n", p.name(), p.instances, p.waiting_ns, p.share);
    for (auto& r : p.per_rank) {
      ranks += fmt::format("{},{},{},{}\n", p.name(), r.rank, r.instances, r.waiting_ns);
      for (auto& l : r.by_late_rank)
        partners += fmt::format("{},{},{},{},{}\n", p.name(), r.rank, l.rank, l.instances, l.waiting_ns);
    }
    for (auto& s : p.call_sites)
      sites += fmt::format("{},{},{},{},{},{},{},{},{},{}\n", p.name(), csv_field(s.call), csv_field(s.caller),
                           s.instances, s.waiting_ns, s.worst_rank, s.worst_ns, csv_field(s.function),
                           csv_field(s.file), s.line);
  }
  patterns += fmt::format("total,{},{},{:.6f}\n", w.instances, w.total_ns, w.share);
  write_text_file(dir + "/wait_states.csv", patterns);
  write_text_file(dir + "/wait_states_ranks.csv", ranks);
  write_text_file(dir + "/wait_states_call_sites.csv", sites);
  write_text_file(dir + "/wait_states_partners.csv", partners);
  return {"wait_states.csv", "wait_states_ranks.csv", "wait_states_call_sites.csv", "wait_states_partners.csv"};
}

}  // namespace rondo::cli
