#include "rondo/analyzer/trace_summary.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <set>
#include <tuple>

namespace rondo::analyzer {

using namespace rondo::format;

int64_t duration_ns(const ProcessReader& p, uint64_t ticks) {
  // At most kTimeLimitNs, as a difference of two times (a sum of a damaged
  // summary can say more; llround of it would be undefined).
  double ns = static_cast<double>(ticks) / p.ticks_per_ns();
  if (!(ns < static_cast<double>(kTimeLimitNs))) return kTimeLimitNs;
  return static_cast<int64_t>(std::llround(ns));
}

int32_t process_label(const TraceReader& trace, size_t i) {
  const auto& processes = trace.processes();
  int32_t rank = processes[i]->rank();
  if (rank >= 0) return rank;
  // The reader lists the processes with a rank first, by rank: the others are
  // numbered on from the largest rank and the world size, so that no rank,
  // recorded or missing, shares its number with a process without one.
  auto first_without =
      std::partition_point(processes.begin(), processes.end(), [](const auto& p) { return p->rank() >= 0; });
  const size_t first = static_cast<size_t>(first_without - processes.begin());
  int64_t after = 0;
  for (size_t k = 0; k < first; ++k)
    after = std::max({after, static_cast<int64_t>(processes[k]->rank()) + 1,
                      static_cast<int64_t>(processes[k]->defs().process.world_size)});
  return static_cast<int32_t>(std::min<int64_t>(after + static_cast<int64_t>(i - first), INT32_MAX));
}

std::vector<int32_t> TraceInfo::listed_missing_ranks() const {
  std::vector<int32_t> out;
  for (const RankRun& run : missing_rank_runs)
    for (int32_t r = run.first; r <= run.last && static_cast<int64_t>(out.size()) < kListedMissingRanks; ++r)
      out.push_back(r);
  return out;
}

TraceInfo trace_info(const TraceReader& trace) {
  TraceInfo info;
  info.processes = trace.processes().size();
  info.bytes = trace.bytes_on_disk();
  info.truncated = trace.truncated();
  bool first = true;
  int32_t world_size = 0;
  std::set<int32_t> ranks;
  for (size_t i = 0; i < trace.processes().size(); ++i) {
    const ProcessReader& p = *trace.processes()[i];
    if (!p.ended()) info.ended_early.push_back(process_label(trace, i));
    world_size = std::max(world_size, p.defs().process.world_size);
    if (p.rank() >= 0) ranks.insert(p.rank());
  }
  if (!ranks.empty()) {
    int32_t next = 0;  // the lowest rank not yet known to have a file or be missing
    auto missing_below = [&](int32_t end) {
      if (next >= end) return;
      info.missing_rank_runs.push_back({next, end - 1});
      info.missing_rank_count += end - next;
    };
    for (int32_t r : ranks) {
      if (r >= world_size) break;
      missing_below(r);
      next = r + 1;
    }
    missing_below(world_size);
  }
  for (size_t pi = 0; pi < trace.processes().size(); ++pi) {
    const auto& p = trace.processes()[pi];
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
        if (t.truncated()) {
          ThreadSummary recorded;
          bool unconfirmed = p->unconfirmed_summary(i, recorded);
          info.truncated_threads.push_back({process_label(trace, pi), p->thread_index(i), events,
                                            unconfirmed ? static_cast<int64_t>(recorded.events) : -1});
        }
      }
      info.events += events;
      if (p->version() >= 3) {  // only version-3 files may round (8.2.2) or count polls (7.2)
        const ThreadTrace& t = p->thread(i);
        for (const TimestampChunkInfo& c : t.timestamp_chunks())
          info.time_step_ns = std::max(info.time_step_ns, c.unit > 1 ? static_cast<double>(c.unit) / p->ticks_per_ns() : 0.0);
        for (const EventDef& d : t.events())
          info.polls_counted = info.polls_counted || (d.key.kind == EventKind::Polls && polls_counted(d.key));
      }
      if (events == 0) continue;
      int64_t s = p->to_ns(first_ticks), e = p->to_ns(last_ticks);
      info.start_ns = first ? s : std::min(info.start_ns, s);
      info.end_ns = first ? e : std::max(info.end_ns, e);
      first = false;
    }
  }
  info.time_error_ns = info.time_step_ns / 2;
  // Times are on rank 0's CLOCK_MONOTONIC axis (FORMAT.md, "Time"): its clock
  // gives the distance to the wall clock.
  const ProcessReader* reference = trace.processes().empty() ? nullptr : trace.processes()[0].get();
  for (auto& p : trace.processes())
    if (p->rank() == 0) reference = p.get();
  if (reference) realtime_of(reference->defs().clock, info.start_ns, info.start_realtime_ns);
  info.problems = trace.problems();
  return info;
}

}  // namespace rondo::analyzer
