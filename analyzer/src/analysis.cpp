#include "rondo/analyzer/analysis.h"

#include <algorithm>

#include "rondo/analyzer/parallel.h"

namespace rondo::analyzer {

using namespace rondo::format;

LocationPartial analyze_location(const TraceReader& trace, Location location, const TimeWindow& window) {
  const ProcessReader& p = *trace.processes()[location.process];
  LocationPartial out;
  out.profile = profile_thread(p, location.process, location.thread, window);
  out.activity = thread_activity(p, location.process, location.thread, window);
  out.mpi = scan_mpi_thread(p, location.process, location.thread, window);
  out.loops = loop_thread_partial(p, location.process, location.thread, window);
  return out;
}

StatsReport reduce_report(const TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window) {
  StatsReport r;
  r.info = trace_info(trace);
  r.by = by;
  r.window = window;
  r.duration_ns = std::max<int64_t>(0, window.clip(r.info.start_ns, r.info.end_ns));
  std::vector<ProfilePartial> profiles;
  std::vector<ThreadActivityPartial> activity;
  std::vector<MpiThreadPartial> mpi;
  std::vector<LoopThreadPartial> loops;
  for (LocationPartial& p : partials) {
    profiles.push_back(std::move(p.profile));
    activity.push_back(std::move(p.activity));
    mpi.push_back(std::move(p.mpi));
    loops.push_back(std::move(p.loops));
  }
  r.profile = reduce_profile(trace, profiles, by);
  r.threads = reduce_thread_stats(trace, profiles, activity);
  MpiScan scan = reduce_mpi_scan(trace, std::move(mpi));
  MessageMatching matching = match_messages(scan);
  r.mpi = mpi_stats(trace, scan, matching, profiles, activity, window);
  r.wait_states = wait_states(scan, matching, window, r.mpi.run_ns());
  r.loops = reduce_loops(trace, loops, by);
  r.gpu = gpu_stats(trace, window, r.duration_ns, r.profile);
  if (window.whole()) r.counters = counter_profile(trace);
  r.call_sites = mpi_call_sites(trace, window);
  return r;
}

StatsReport analyze(const TraceReader& trace, const AnalysisOptions& options) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<LocationPartial> partials(locations.size());
  parallel_for(
      locations.size(), options.threads,
      [&](size_t i) { partials[i] = analyze_location(trace, locations[i], options.window); }, options.progress);
  return reduce_report(trace, std::move(partials), options.by, options.window);
}

void to_json(nlohmann::json& j, const LocationPartial& p) {
  j = {{"profile", p.profile}, {"activity", p.activity}, {"mpi", p.mpi}, {"loops", p.loops}};
}

void from_json(const nlohmann::json& j, LocationPartial& p) {
  j.at("profile").get_to(p.profile);
  j.at("activity").get_to(p.activity);
  j.at("mpi").get_to(p.mpi);
  j.at("loops").get_to(p.loops);
}

}  // namespace rondo::analyzer
