#include "rondo/analyzer/compare.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

namespace rondo::analyzer {

namespace {

// Rows keyed by name, in first-seen order of `before` then `after`.
class RowMerger {
 public:
  void add(const std::string& name, bool after, uint64_t count, int64_t ns) {
    auto [it, added] = index_.try_emplace(name, rows_.size());
    if (added) rows_.push_back({name});
    ChangeRow& r = rows_[it->second];
    (after ? r.count_after : r.count_before) += count;
    (after ? r.after_ns : r.before_ns) += ns;
  }
  // By the size of the change, largest first (ties keep first-seen order).
  std::vector<ChangeRow> by_change() {
    std::stable_sort(rows_.begin(), rows_.end(), [](const ChangeRow& a, const ChangeRow& b) {
      return std::llabs(a.delta_ns()) > std::llabs(b.delta_ns());
    });
    return rows_;
  }
  std::vector<ChangeRow> in_order() const { return rows_; }

 private:
  std::vector<ChangeRow> rows_;
  std::map<std::string, size_t> index_;
};

std::string region_key(const RegionRow& r) {
  if (r.thread >= 0) return r.name + " @" + std::to_string(r.rank) + ":" + std::to_string(r.thread);
  if (r.rank >= 0) return r.name + " @" + std::to_string(r.rank);
  return r.name;
}

nlohmann::ordered_json row_json(const ChangeRow& r) {
  return {{"name", r.name},         {"count_before", r.count_before}, {"count_after", r.count_after},
          {"before_ns", r.before_ns}, {"after_ns", r.after_ns},         {"delta_ns", r.delta_ns()},
          {"ratio", r.ratio()}};
}

nlohmann::ordered_json rows_json(const std::vector<ChangeRow>& rows) {
  nlohmann::ordered_json a = nlohmann::ordered_json::array();
  for (auto& r : rows) a.push_back(row_json(r));
  return a;
}

}  // namespace

Comparison compare(const StatsReport& before, const StatsReport& after) {
  Comparison c;
  c.duration = {"duration", 1, 1, before.duration_ns, after.duration_ns};
  RowMerger regions, calls, loops, waits;
  for (const StatsReport* r : {&before, &after}) {
    bool is_after = r == &after;
    for (auto& row : r->profile.regions) regions.add(region_key(row), is_after, row.calls, row.exclusive_ns);
    for (auto& t : r->mpi.time_per_rank) {
      (is_after ? c.mpi_time.after_ns : c.mpi_time.before_ns) += t.mpi_ns;
      (is_after ? c.mpi_time.count_after : c.mpi_time.count_before) += t.mpi_calls;
    }
    for (auto& call : r->mpi.calls) calls.add(call.name, is_after, call.calls, call.inclusive_ns);
    (is_after ? c.messages_after : c.messages_before) = r->mpi.messages.count;
    (is_after ? c.bytes_after : c.bytes_before) = r->mpi.messages.bytes;
    for (auto& p : r->wait_states.patterns) waits.add(std::string(p.name()), is_after, p.instances, p.waiting_ns);
    for (auto& l : r->loops.rows) loops.add(l.name(), is_after, l.iterations, l.total_ns);
  }
  std::set<std::string> names_before, names_after;
  for (auto& row : before.profile.regions) names_before.insert(row.name);
  for (auto& row : after.profile.regions) names_after.insert(row.name);
  c.overlap.before = names_before.size();
  c.overlap.after = names_after.size();
  for (auto& name : names_before) c.overlap.common += names_after.count(name);
  c.mpi_time.name = "time in MPI";
  c.regions = regions.by_change();
  c.mpi_calls = calls.by_change();
  c.wait_states = waits.in_order();
  c.loops = loops.by_change();
  return c;
}

nlohmann::ordered_json comparison_json(const Comparison& c) {
  nlohmann::ordered_json j;
  j["region_names"] = {{"before", c.overlap.before},
                       {"after", c.overlap.after},
                       {"common", c.overlap.common},
                       {"comparable", c.overlap.comparable()}};
  j["duration"] = row_json(c.duration);
  j["regions"] = rows_json(c.regions);
  j["mpi"] = {{"time", row_json(c.mpi_time)},
              {"calls", rows_json(c.mpi_calls)},
              {"messages", {{"count_before", c.messages_before}, {"count_after", c.messages_after},
                            {"bytes_before", c.bytes_before}, {"bytes_after", c.bytes_after}}}};
  j["wait_states"] = rows_json(c.wait_states);
  j["loops"] = rows_json(c.loops);
  return j;
}

}  // namespace rondo::analyzer
