#include "rondo/analyzer/trace_summary.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

// Per-region statistics of one thread in ticks: from the summary when the thread
// ended normally (read alone), else by replaying its events with a call stack.
std::vector<RegionStats> thread_region_stats(const ProcessReader& p, size_t thread) {
  ThreadSummary summary;
  if (p.thread_summary(thread, summary)) return summary.regions;
  const ThreadTrace& t = p.thread(thread);
  std::vector<RegionStats> stats;
  struct Frame {
    uint32_t region;
    uint64_t start;
    uint64_t children = 0;
  };
  std::vector<Frame> stack;
  EventCursor cursor(t);
  Event e;
  try {
    while (cursor.next(e)) {
      if (e.kind() == EventKind::Enter) {
        stack.push_back({e.def->key.ref, e.ticks});
      } else if (e.kind() == EventKind::Leave) {
        while (!stack.empty() && stack.back().region != e.def->key.ref) stack.pop_back();
        if (stack.empty()) continue;
        Frame f = stack.back();
        stack.pop_back();
        uint64_t d = e.ticks - f.start;
        if (stats.size() <= f.region) stats.resize(f.region + 1);
        stats[f.region].inclusive.add(d);
        stats[f.region].exclusive_sum += d - std::min(d, f.children);
        if (!stack.empty()) stack.back().children += d;
      }
    }
  } catch (const FormatError&) {
    // damaged data: keep what was read
  }
  return stats;
}

int64_t ticks_to_ns(const ProcessReader& p, uint64_t ticks) {
  return static_cast<int64_t>(std::llround(static_cast<double>(ticks) / p.ticks_per_ns()));
}

}  // namespace

int32_t process_label(const TraceReader& trace, size_t i) {
  int32_t rank = trace.processes()[i]->rank();
  return rank >= 0 ? rank : static_cast<int32_t>(i);
}

TraceInfo trace_info(const TraceReader& trace) {
  TraceInfo info;
  info.processes = trace.processes().size();
  info.bytes = trace.bytes_on_disk();
  info.truncated = trace.truncated();
  bool first = true;
  for (auto& p : trace.processes()) {
    for (size_t i = 0; i < p->thread_count(); ++i) {
      ++info.threads;
      uint64_t events, first_ticks, last_ticks;
      ThreadSummary summary;
      if (p->thread_summary(i, summary)) {  // a thread that ended cleanly: no decoding
        events = summary.events;
        first_ticks = summary.first_ticks;
        last_ticks = summary.last_ticks;
        info.grammar.events += summary.event_definitions;
        info.grammar.sequences += summary.sequences.size();
        info.grammar.loops += summary.loops.size();
      } else {
        const ThreadTrace& t = p->thread(i);
        events = t.event_count();
        first_ticks = t.first_ticks();
        last_ticks = t.last_ticks();
        info.grammar.events += t.events().size();
        info.grammar.sequences += t.sequences().size();
        info.grammar.loops += t.loops().size();
        info.truncated = info.truncated || t.truncated();
      }
      info.events += events;
      if (events == 0) continue;
      int64_t s = p->to_ns(first_ticks), e = p->to_ns(last_ticks);
      info.start_ns = first ? s : std::min(info.start_ns, s);
      info.end_ns = first ? e : std::max(info.end_ns, e);
      first = false;
    }
  }
  info.problems = trace.problems();
  return info;
}

std::vector<RegionRow> flat_profile(const TraceReader& trace, GroupBy by) {
  // Key: (name, rank, thread); ranks/threads are -1 unless grouped by them.
  std::map<std::tuple<std::string, int32_t, int32_t>, RegionRow> rows;
  for (size_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    int32_t rank = by == GroupBy::None ? -1 : process_label(trace, pi);
    for (size_t ti = 0; ti < p.thread_count(); ++ti) {
      int32_t thread = by == GroupBy::Thread ? static_cast<int32_t>(p.thread_index(ti)) : -1;
      auto stats = thread_region_stats(p, ti);
      for (uint32_t r = 0; r < stats.size(); ++r) {
        const RegionStats& s = stats[r];
        if (s.inclusive.count == 0) continue;
        const std::string& name = p.defs().region_name(r);
        RegionRow& row = rows[{name, rank, thread}];
        int64_t mn = ticks_to_ns(p, s.inclusive.min), mx = ticks_to_ns(p, s.inclusive.max);
        if (row.calls == 0) {
          row.name = name;
          row.rank = rank;
          row.thread = thread;
          row.min_ns = mn;
          row.max_ns = mx;
        }
        row.min_ns = std::min(row.min_ns, mn);
        row.max_ns = std::max(row.max_ns, mx);
        row.calls += s.inclusive.count;
        row.inclusive_ns += ticks_to_ns(p, s.inclusive.sum);
        row.exclusive_ns += ticks_to_ns(p, s.exclusive_sum);
      }
    }
  }
  std::vector<RegionRow> out;
  out.reserve(rows.size());
  for (auto& [_, row] : rows) out.push_back(std::move(row));
  std::stable_sort(out.begin(), out.end(), [](const RegionRow& a, const RegionRow& b) {
    return std::tie(b.exclusive_ns, a.name, a.rank, a.thread) < std::tie(a.exclusive_ns, b.name, b.rank, b.thread);
  });
  return out;
}

}  // namespace rondo::analyzer
