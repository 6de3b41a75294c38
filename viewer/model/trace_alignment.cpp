#include "trace_alignment.h"

#include <map>

#include "rondo/analyzer/loop_stats.h"

namespace rondo::viewer {

std::vector<LoopPlace> loop_places(const TraceSession& s) {
  std::vector<LoopPlace> places;
  std::map<std::string, size_t> seen;  // name -> index in places
  for (size_t ri = 0; ri < s.rows().size(); ++ri) {
    const Row& r = s.rows()[ri];
    analyzer::LoopThreadPartial partial =
        analyzer::loop_thread_partial(s.process(r), static_cast<uint32_t>(r.process), static_cast<uint32_t>(r.thread),
                                      analyzer::TimeWindow{}, analyzer::LoopDetail::Structure);
    for (const analyzer::ThreadLoop& l : partial.loops) {  // by loop id: the lowest id of a name comes first
      analyzer::LoopRow named;
      named.label = l.label;
      named.parents = l.parents;
      std::string name = named.name();
      if (l.occurrences == 0 || seen.count(name)) continue;
      seen[name] = places.size();
      places.push_back(LoopPlace{name, ri, l.loop, l.min_trip});
    }
  }
  return places;
}

std::vector<CommonLoop> common_loops(const TraceSession& a, const TraceSession& b) {
  std::map<std::string, LoopPlace> in_b;
  for (LoopPlace& p : loop_places(b)) in_b.emplace(p.name, std::move(p));
  std::vector<CommonLoop> common;
  for (LoopPlace& p : loop_places(a)) {
    auto it = in_b.find(p.name);
    if (it == in_b.end()) continue;
    uint32_t n = std::min(p.min_trip, it->second.min_trip);
    if (n == 0) continue;
    common.push_back(CommonLoop{p.name, n, p, it->second});
  }
  return common;
}

std::optional<int64_t> iteration_start(const TraceSession& s, const LoopPlace& place, uint32_t k) {
  const Row& r = s.rows()[place.row];
  analyzer::IterationSpan span = analyzer::loop_iteration_span(s.process(r), static_cast<uint32_t>(r.thread),
                                                               place.loop_id, 0, k);
  if (!span.found) return std::nullopt;
  return span.begin_ns;
}

int64_t start_shift(const TraceSession& a, const TraceSession& b) { return b.info().start_ns - a.info().start_ns; }

std::optional<int64_t> iteration_shift(const TraceSession& a, const TraceSession& b, const CommonLoop& loop,
                                       uint32_t k) {
  auto ta = iteration_start(a, loop.a, k), tb = iteration_start(b, loop.b, k);
  if (!ta || !tb) return std::nullopt;
  return *tb - *ta;
}

}  // namespace rondo::viewer
