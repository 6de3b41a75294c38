#include "rondo/analyzer/call_sites.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/trace_summary.h"

namespace rondo::analyzer {

using format::EventKind;

namespace {

using SiteKey = std::tuple<std::string, std::string, std::string, uint32_t>;  // call, function, file, line

// Ticks are summed per process and turned into ns once, as the region
// statistics do, so that a site's time and its region's time agree exactly.
struct ProcessTicks {
  std::map<SiteKey, std::pair<uint64_t, uint64_t>> sites;  // calls, ticks
  uint64_t mpi_ticks = 0;  // every outermost MPI call, with or without a site
};
struct Totals {
  std::map<SiteKey, MpiCallSite> sites;
  int64_t mpi_ns = 0;
};

void scan_thread(const format::ProcessReader& p, const format::ThreadTrace& t, const TimeWindow& window,
                 ProcessTicks& out) {
  const format::ProcessDefinitions& defs = p.defs();
  const TickWindow w = tick_window(p, window, t.first_ticks(), t.last_ticks());
  struct Open {
    uint32_t region;
    uint32_t site;  // call-site id + 1, 0: none
    uint64_t start;
  };
  std::vector<Open> open;  // MPI calls entered and not left, outermost first
  format::EventCursor cursor(t);
  format::Event e;
  while (cursor.next(e)) {
    EventKind kind = e.kind();
    if (kind != EventKind::Enter && kind != EventKind::Leave) continue;
    uint32_t region = e.def->key.ref;
    if (region >= defs.regions.size() || defs.regions[region].role != format::RegionRole::Mpi) continue;
    if (kind == EventKind::Enter) {
      uint32_t site = e.def->params > 0 ? static_cast<uint32_t>(e.def->key.params[0]) : 0;
      open.push_back({region, site, e.ticks});
      continue;
    }
    auto it = std::find_if(open.rbegin(), open.rend(), [&](const Open& o) { return o.region == region; });
    if (it == open.rend()) continue;  // recording began inside the call
    open.resize(static_cast<size_t>(open.rend() - it));
    Open call = open.back();
    open.pop_back();
    if (!open.empty()) continue;  // an MPI call inside an MPI call is the outer call's time
    int64_t ticks = w.clip(call.start, std::max(e.ticks, call.start));
    if (ticks < 0) continue;
    out.mpi_ticks += static_cast<uint64_t>(ticks);
    if (call.site == 0 || call.site > defs.call_sites.size()) continue;
    const format::CallSiteDef& site = defs.call_sites[call.site - 1];
    if (site.frames.empty()) continue;
    const format::CallSiteFrame& inner = site.frames.front();
    SiteKey key{defs.region_name(region), call_site_function(defs, inner), defs.string(inner.file), inner.line};
    auto& [calls, site_ticks] = out.sites[key];
    ++calls;
    site_ticks += static_cast<uint64_t>(ticks);
  }
}

}  // namespace

std::vector<MpiCallSite> mpi_call_sites(const format::TraceReader& trace, const TimeWindow& window) {
  Totals totals;
  for (const auto& p : trace.processes()) {
    if (p->defs().call_sites.empty()) continue;
    ProcessTicks ticks;
    for (size_t i = 0; i < p->thread_count(); ++i) scan_thread(*p, p->thread(i), window, ticks);
    totals.mpi_ns = format::add_ns(totals.mpi_ns, duration_ns(*p, ticks.mpi_ticks));
    // A site's ns is the difference of the running sum over its call's sites,
    // each converted once: rounding every site on its own would let the sites
    // of MPI_Allreduce add up to a nanosecond more or less than the region.
    const std::string* call = nullptr;
    uint64_t call_ticks = 0;
    for (const auto& [key, counts] : ticks.sites) {
      if (!call || *call != std::get<0>(key)) {
        call = &std::get<0>(key);
        call_ticks = 0;
      }
      MpiCallSite& s = totals.sites[key];
      if (s.calls == 0) std::tie(s.call, s.function, s.file, s.line) = key;
      s.calls += counts.first;
      const int64_t ns = duration_ns(*p, call_ticks + counts.second) - duration_ns(*p, call_ticks);
      s.inclusive_ns = format::add_ns(s.inclusive_ns, ns);
      call_ticks += counts.second;
    }
  }
  std::vector<MpiCallSite> out;
  for (auto& [_, s] : totals.sites) {
    s.share = totals.mpi_ns > 0 ? static_cast<double>(s.inclusive_ns) / static_cast<double>(totals.mpi_ns) : 0.0;
    out.push_back(std::move(s));
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const MpiCallSite& a, const MpiCallSite& b) { return a.inclusive_ns > b.inclusive_ns; });
  return out;
}

std::string call_site_function(const format::ProcessDefinitions& defs, const format::CallSiteFrame& f) {
  if (f.function != 0) return defs.string(f.function);
  char text[32];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(f.address));
  return text;
}

std::vector<CallSiteFrameText> call_site_frames(const format::ProcessDefinitions& defs) {
  std::vector<CallSiteFrameText> out;
  out.reserve(defs.call_sites.size());
  for (const format::CallSiteDef& site : defs.call_sites) {
    CallSiteFrameText text;
    if (!site.frames.empty()) {
      const format::CallSiteFrame& f = site.frames.front();
      text = {call_site_function(defs, f), defs.string(f.file), f.line};
    }
    out.push_back(std::move(text));
  }
  return out;
}

std::string call_site_place(const std::string& function, const std::string& file, uint32_t line) {
  if (file.empty()) return function;
  std::string name = file.substr(file.rfind('/') + 1);
  return line ? function + " (" + name + ":" + std::to_string(line) + ")" : function + " (" + name + ")";
}

std::string call_site_place(const format::ProcessDefinitions& defs, uint32_t site) {
  if (site == 0 || site > defs.call_sites.size() || defs.call_sites[site - 1].frames.empty()) return "";
  const format::CallSiteFrame& f = defs.call_sites[site - 1].frames.front();
  return call_site_place(call_site_function(defs, f), defs.string(f.file), f.line);
}

nlohmann::ordered_json call_sites_json(const std::vector<MpiCallSite>& sites) {
  nlohmann::ordered_json j = nlohmann::ordered_json::array();
  for (const MpiCallSite& s : sites)
    j.push_back({{"call", s.call},
                 {"function", s.function},
                 {"file", s.file},
                 {"line", s.line},
                 {"calls", s.calls},
                 {"inclusive_ns", s.inclusive_ns},
                 {"mpi_share", s.share}});
  return j;
}

}  // namespace rondo::analyzer
