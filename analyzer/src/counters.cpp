#include "rondo/analyzer/counters.h"

#include <algorithm>

#include "rondo/analyzer/profile.h"

namespace rondo::analyzer {

namespace {

struct OpenCall {
  uint32_t region;
  std::vector<uint64_t> at_enter;
  std::vector<uint64_t> in_callees;
};

// Adds one thread's calls to `out`. `slot[j]` maps the thread's counter j to
// the profile's counter index.
void add_thread(const format::ThreadTrace& t, const std::vector<size_t>& slot, CounterProfile& out) {
  const auto& defs = t.process().defs();
  const size_t m = slot.size(), n = out.counters.size();
  std::vector<OpenCall> open;
  std::vector<std::string> path_names;  // path of each open call, innermost last
  const uint64_t* first = nullptr;
  const uint64_t* last = nullptr;
  auto add = [&](CounterProfile::Region& r, const std::vector<uint64_t>& inclusive,
                 const std::vector<uint64_t>& callees) {
    ++r.calls;
    r.sums.resize(n);
    for (size_t j = 0; j < m; ++j) {
      r.sums[slot[j]].inclusive += inclusive[j];
      r.sums[slot[j]].exclusive += inclusive[j] - callees[j];
    }
  };
  std::vector<uint64_t> inclusive(m);
  // Ends the innermost open call at readings `at`: its sums, and its inclusive
  // counts added to its caller's callees (or, outermost, to the thread's count
  // inside regions).
  auto close_innermost = [&](const uint64_t* at) {
    OpenCall& call = open.back();
    for (size_t j = 0; j < m; ++j) inclusive[j] = at[j] - call.at_enter[j];
    add(out.regions[defs.region_name(call.region)], inclusive, call.in_callees);
    add(out.call_paths[path_names.back()], inclusive, call.in_callees);
    open.pop_back();
    path_names.pop_back();
    for (size_t j = 0; j < m; ++j) {
      if (open.empty())
        out.in_regions[slot[j]] += inclusive[j];
      else
        open.back().in_callees[j] += inclusive[j];
    }
  };
  format::EventCursor cursor(t);
  format::Event e;
  while (cursor.next(e)) {
    const uint64_t* now = t.counters_at(e.index);
    if (!now) break;  // no readings past here (truncated thread)
    if (!first) first = now;
    last = now;
    if (e.kind() == format::EventKind::Enter) {
      const std::string& name = defs.region_name(e.def->key.ref);
      // Paths deeper than kCallPathFullDepth keep their first levels and the
      // callee (deep recursion must not make each name as long as the stack).
      if (path_names.empty())
        path_names.push_back(name);
      else if (path_names.size() < kCallPathFullDepth)
        path_names.push_back(path_names.back() + " > " + name);
      else
        path_names.push_back(path_names[kCallPathFullDepth - 1] + " > … > " + name);
      open.push_back({e.def->key.ref, std::vector<uint64_t>(now, now + m), std::vector<uint64_t>(m, 0)});
    } else if (e.kind() == format::EventKind::Leave && !open.empty()) {
      close_innermost(now);
    }
  }
  // Calls still open where the data ends count up to the last reading, as the
  // time profile counts them up to the last timestamp.
  while (!open.empty() && last) close_innermost(last);
  if (first)
    for (size_t j = 0; j < m; ++j) out.thread_totals[slot[j]] += last[j] - first[j];
}

bool has(const CounterProfile& p, const std::string& name, size_t& index) {
  auto it = std::find(p.counters.begin(), p.counters.end(), name);
  index = static_cast<size_t>(it - p.counters.begin());
  return it != p.counters.end();
}

}  // namespace

CounterProfile counter_profile(const format::TraceReader& trace) {
  CounterProfile out;
  for (const auto& process : trace.processes()) {
    const auto& defs = process->defs();
    // Counters are Metric definitions: a process without any has none, and its
    // threads need not be decoded.
    if (defs.metrics.empty()) continue;
    for (size_t i = 0; i < process->thread_count(); ++i) {
      const format::ThreadTrace& t = process->thread(i);
      if (t.counter_metrics().empty()) continue;
      std::vector<size_t> slot;
      for (uint32_t metric : t.counter_metrics()) {
        std::string name =
            metric < defs.metrics.size() ? defs.string(defs.metrics[metric].name) : "metric " + std::to_string(metric);
        size_t index;
        if (!has(out, name, index)) out.counters.push_back(name);
        slot.push_back(index);
      }
      out.in_regions.resize(out.counters.size());
      out.thread_totals.resize(out.counters.size());
      add_thread(t, slot, out);
    }
  }
  // Counters a thread did not have sum to 0 in its regions.
  for (auto* table : {&out.regions, &out.call_paths})
    for (auto& [name, r] : *table) r.sums.resize(out.counters.size());
  return out;
}

std::map<std::string, double> CounterProfile::rates(const Region& r) const {
  std::map<std::string, double> out;
  size_t ins, cyc;
  bool have_ins = has(*this, "PAPI_TOT_INS", ins);
  if (have_ins && has(*this, "PAPI_TOT_CYC", cyc) && r.sums[cyc].inclusive > 0)
    out["IPC"] = static_cast<double>(r.sums[ins].inclusive) / static_cast<double>(r.sums[cyc].inclusive);
  if (have_ins && r.sums[ins].inclusive > 0)
    for (size_t j = 0; j < counters.size(); ++j) {
      const std::string& c = counters[j];
      // PAPI_L1_DCM, PAPI_L2_TCM, PAPI_L3_TCM, ...: cache misses.
      if (c.rfind("PAPI_L", 0) == 0 && c.size() > 3 && c.compare(c.size() - 2, 2, "CM") == 0)
        out[c + " per 1000 instructions"] =
            1000.0 * static_cast<double>(r.sums[j].inclusive) / static_cast<double>(r.sums[ins].inclusive);
    }
  return out;
}

nlohmann::ordered_json counters_json(const CounterProfile& p, nlohmann::ordered_json& regions) {
  auto sums_json = [&](const CounterProfile::Region& r) {
    nlohmann::ordered_json c = nlohmann::ordered_json::object();
    for (size_t j = 0; j < p.counters.size(); ++j)
      c[p.counters[j]] = {{"inclusive", r.sums[j].inclusive}, {"exclusive", r.sums[j].exclusive}};
    return c;
  };
  for (auto& row : regions) {
    if (!row.is_object() || !row.contains("name") || !row["name"].is_string()) continue;
    auto it = p.regions.find(row["name"].get<std::string>());
    if (it == p.regions.end()) continue;
    row["counters"] = sums_json(it->second);
    if (auto rates = p.rates(it->second); !rates.empty()) row["counter_rates"] = rates;
  }
  nlohmann::ordered_json section;
  section["names"] = p.counters;
  section["in_regions"] = nlohmann::ordered_json::object();
  section["thread_totals"] = nlohmann::ordered_json::object();
  for (size_t j = 0; j < p.counters.size(); ++j) {
    section["in_regions"][p.counters[j]] = p.in_regions[j];
    section["thread_totals"][p.counters[j]] = p.thread_totals[j];
  }
  section["call_paths"] = nlohmann::ordered_json::array();
  for (const auto& [path, r] : p.call_paths)
    section["call_paths"].push_back({{"path", path}, {"calls", r.calls}, {"counters", sums_json(r)}});
  return section;
}

}  // namespace rondo::analyzer
