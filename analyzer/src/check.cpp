#include "rondo/analyzer/check.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "rondo/analyzer/loop_stats.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/thread_stats.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/analyzer/wait_states.h"

#include "decimal_text.h"

namespace rondo::analyzer {

using namespace rondo::format;

std::string_view invariant_name(Invariant invariant) {
  switch (invariant) {
    case Invariant::Regions: return "regions";
    case Invariant::Requests: return "requests";
    case Invariant::Waiting: return "waiting";
    case Invariant::Exclusive: return "exclusive";
    case Invariant::Messages: return "messages";
    case Invariant::Clock: return "clock";
    case Invariant::Run: return "run";
    case Invariant::Timestamps: return "timestamps";
    case Invariant::Loops: return "loops";
  }
  return "unknown";
}

size_t CheckReport::count(Invariant invariant) const {
  return static_cast<size_t>(
      std::count_if(violations.begin(), violations.end(),
                    [&](const Violation& v) { return v.invariant == invariant; }));
}

namespace {

// Collects the violations of one location (a thread, a process or the whole
// trace), keeping at most `limit` per invariant.
class Findings {
 public:
  Findings(const TraceReader& trace, int64_t start_ns, size_t limit)
      : trace_(&trace), start_ns_(start_ns), limit_(limit) {}

  // `process` < 0: the whole trace. `ticks` of that process's clock, or none.
  void add(Invariant inv, int64_t process, int32_t thread, int64_t event, const uint64_t* ticks, std::string message) {
    auto key = std::tuple(static_cast<int>(inv), process, thread);
    if (kept_[key]++ >= limit_) {
      ++omitted;
      return;
    }
    Violation v;
    v.invariant = inv;
    if (process >= 0) {
      const ProcessReader& p = *trace_->processes()[static_cast<size_t>(process)];
      v.file = p.path();
      v.rank = process_label(*trace_, static_cast<size_t>(process));
      if (ticks) v.time_ns = p.to_ns(*ticks) - start_ns_;  // defined: times lie within format::kTimeLimitNs
    }
    v.thread = thread;
    v.event = event;
    v.message = std::move(message);
    violations.push_back(std::move(v));
  }
  void add_at_ns(Invariant inv, int64_t process, int32_t thread, int64_t event, int64_t ns, std::string message) {
    size_t before = violations.size();
    add(inv, process, thread, event, nullptr, std::move(message));
    if (violations.size() > before) violations.back().time_ns = ns - start_ns_;
  }

  std::vector<Violation> violations;
  uint64_t omitted = 0;

 private:
  const TraceReader* trace_;
  int64_t start_ns_;
  size_t limit_;
  std::map<std::tuple<int, int64_t, int32_t>, size_t> kept_;
};

std::string quoted(const ProcessDefinitions& defs, uint32_t region) { return "\"" + defs.region_name(region) + "\""; }

// Whether a thread may end inside calls and requests: its data ends early, its
// process never wrote its end record, or its summary says calls were open.
bool cut_short(const ProcessReader& p, uint32_t ti) {
  if (!p.ended() || p.thread(ti).truncated()) return true;
  ThreadSummary s;
  return p.thread_summary(ti, s) && s.open_regions > 0;
}

// One replay of a thread: timestamp order, Enter/Leave nesting, and the time
// spent inside outermost calls (in ticks), against which the profile's
// exclusive times are checked. The call stack is a vector: any depth.
struct RegionReplay {
  uint64_t events = 0;
  uint64_t region_ticks = 0;  // outermost calls, open ones up to the last event
  uint64_t outer_calls = 0;   // how many calls region_ticks adds up
  uint64_t time_unit = 1;     // coarsest timestamp unit of the thread, ticks (FORMAT.md 8.2.2)
  bool any_region = false;
};

RegionReplay replay_regions(const ProcessReader& p, uint32_t pi, uint32_t ti, bool short_thread, Findings& out) {
  RegionReplay r;
  const ThreadTrace& t = p.thread(ti);
  for (const TimestampChunkInfo& c : t.timestamp_chunks()) r.time_unit = std::max(r.time_unit, c.unit);
  const ProcessDefinitions& defs = p.defs();
  struct Frame {
    uint32_t region;
    uint64_t enter_ticks;
    uint64_t event;
  };
  std::vector<Frame> stack;
  std::vector<uint32_t> open_count;  // by region: frames of it on the stack
  auto pi64 = static_cast<int64_t>(pi);
  auto tid = static_cast<int32_t>(ti);
  uint64_t last_ticks = 0;
  EventCursor cursor(t);
  Event e;
  try {
    while (cursor.next(e)) {
      ++r.events;
      if (r.events > 1 && e.ticks < last_ticks)
        out.add(Invariant::Timestamps, pi64, tid, static_cast<int64_t>(e.index), &e.ticks,
                "timestamp goes back by " + std::to_string(last_ticks - e.ticks) + " ticks from the previous event");
      last_ticks = std::max(last_ticks, e.ticks);
      EventKind kind = e.kind();
      if (kind == EventKind::Polls && polls_last(e.def->key)) {
        // The last record of a run of folded polls (FORMAT.md 7.2): polls made
        // outside any call are outermost calls, with the time inside them.
        r.any_region = true;
        if (stack.empty() && e.data[1] > 0) {
          r.region_ticks += static_cast<uint64_t>(e.data[1]);
          ++r.outer_calls;
        }
        continue;
      }
      if (kind != EventKind::Enter && kind != EventKind::Leave) continue;
      uint32_t region = e.def->key.ref;
      if (open_count.size() <= region) open_count.resize(region + 1, 0);
      if (kind == EventKind::Enter) {
        r.any_region = true;
        if (stack.empty()) ++r.outer_calls;
        stack.push_back({region, e.ticks, e.index});
        ++open_count[region];
        continue;
      }
      if (open_count[region] == 0) {
        out.add(Invariant::Regions, pi64, tid, static_cast<int64_t>(e.index), &e.ticks,
                "leave of " + quoted(defs, region) + " without its enter");
        continue;
      }
      if (stack.back().region != region) {
        // The analyses close the calls above (FORMAT.md, section 12), but each
        // of them lost its own Leave.
        size_t above = 0;
        for (auto it = stack.rbegin(); it->region != region; ++it) ++above;
        const Frame& inner = stack.back();
        out.add(Invariant::Regions, pi64, tid, static_cast<int64_t>(e.index), &e.ticks,
                "leave of " + quoted(defs, region) + " closes " + std::to_string(above) + " call" +
                    (above == 1 ? "" : "s") + " still open above it (innermost " + quoted(defs, inner.region) +
                    ", entered at event " + std::to_string(inner.event) + ") that never left");
      }
      // Pop up to and including the region's innermost frame: each pop is paid
      // for by its push, so mismatched traces stay linear.
      while (true) {
        Frame f = stack.back();
        stack.pop_back();
        --open_count[f.region];
        if (stack.empty()) r.region_ticks += e.ticks >= f.enter_ticks ? e.ticks - f.enter_ticks : 0;
        if (f.region == region) break;
      }
    }
  } catch (const FormatError&) {
    // Damaged data: the thread is truncated, what was read is checked.
  }
  if (!stack.empty()) {
    if (last_ticks >= stack.front().enter_ticks) r.region_ticks += last_ticks - stack.front().enter_ticks;
    if (!short_thread) {
      const Frame& outer = stack.front();
      out.add(Invariant::Regions, pi64, tid, static_cast<int64_t>(outer.event), &outer.enter_ticks,
              std::to_string(stack.size()) + " call" + (stack.size() == 1 ? "" : "s") +
                  " never left (outermost " + quoted(defs, outer.region) + ", innermost " +
                  quoted(defs, stack.back().region) + "), and the thread is not marked as cut short");
    }
  }
  return r;
}

// The flat profile of a thread against its replay.
std::string int128_text(__int128 v) {
  if (v >= INT64_MIN && v <= INT64_MAX) return std::to_string(static_cast<int64_t>(v));
  return v < 0 ? "below -9223372036854775808" : "above 9223372036854775807";
}

void check_profile(const ProcessReader& p, uint32_t pi, uint32_t ti, const ProfilePartial& profile,
                   const RegionReplay& replay, Findings& out) {
  auto pi64 = static_cast<int64_t>(pi);
  auto tid = static_cast<int32_t>(ti);
  // 128 bits: a damaged trace (or an imported one whose clock runs backwards) may
  // hold times near the int64 limits, and the check must report it, not overflow.
  __int128 exclusive_sum = 0;
  for (const RegionPartial& r : profile.regions) {
    exclusive_sum += r.exclusive_ns;
    if (r.exclusive_ns < 0 || r.exclusive_ns > r.inclusive_ns)
      out.add(Invariant::Exclusive, pi64, tid, -1, nullptr,
              quoted(p.defs(), r.region) + ": exclusive " + std::to_string(r.exclusive_ns) + " ns is not within [0, " +
                  "inclusive " + std::to_string(r.inclusive_ns) + " ns]");
  }
  if (!replay.any_region && profile.regions.empty()) return;
  // Each region's sum is rounded to ns on its own: allow half a ns per region.
  int64_t in_regions = duration_ns(p, replay.region_ticks);
  int64_t slack = static_cast<int64_t>(profile.regions.size()) / 2 + 1;
  // Rounded timestamps (--time-resolution): the profile comes from the exact
  // clock readings, the replay from rounded ones, each call's time within one unit.
  if (replay.time_unit > 1)
    slack += static_cast<int64_t>(replay.outer_calls) * (duration_ns(p, replay.time_unit) + 1);
  __int128 gap = exclusive_sum - in_regions;
  if (gap > slack || gap < -slack)
    out.add(Invariant::Exclusive, pi64, tid, -1, nullptr,
            "the regions' exclusive times add up to " + int128_text(exclusive_sum) +
                " ns, but the thread spent " + std::to_string(in_regions) +
                " ns inside its outermost calls (calls still open at its end counted up to its last event)");
}

// The iteration times the recorder kept in the thread's summary (FORMAT.md
// 12) against the ones a walk over the events finds: every figure the same.
// Timestamps rounded to `time_unit` ticks (--time-resolution) move each
// duration by less than a unit from the clock's, which the recorder timed:
// then the counts are the same, the sum within a unit per iteration and the
// extremes within a unit, and the rest is not compared.
void check_loops(const ProcessReader& p, uint32_t pi, uint32_t ti, uint64_t time_unit, Findings& out) {
  const ThreadTrace& t = p.thread(ti);
  if (!t.has_summary() || t.truncated() || !t.summary().has_iteration_stats) return;
  LoopThreadPartial walked;
  try {
    walked = loop_thread_partial(p, pi, ti, TimeWindow{}, LoopDetail::TimedFromEvents);
  } catch (const std::exception&) {
    return;  // damaged data: what the other invariants report
  }
  const std::vector<IterationStats>& kept = t.summary().iterations;
  for (const ThreadLoop& loop : walked.loops) {
    const LoopTiming& w = loop.timing;
    std::string differs;
    // Equal, or within `slack` where the timestamps are rounded.
    auto compare = [&](const char* what, uint128 recorded, uint128 found, uint128 slack = 0) {
      if (time_unit <= 1) slack = 0;
      const uint128 gap = recorded > found ? recorded - found : found - recorded;
      if (differs.empty() && gap > slack)
        differs = std::string(what) + ": " + decimal_text(recorded) + " recorded, " + decimal_text(found) +
                  " in the events";
    };
    if (loop.loop >= kept.size()) {
      differs = "the summary has none";
    } else {
      const IterationStats& k = kept[loop.loop];
      compare("iterations", k.durations.count, w.iterations);
      if (w.iterations > 0) {
        compare("sum", k.durations.sum, w.sum_ticks, static_cast<uint128>(w.iterations) * time_unit);
        compare("shortest", k.durations.min, w.min_ticks, time_unit);
        compare("longest", k.durations.max, w.max_ticks, time_unit);
      }
      if (w.iterations > 0 && time_unit <= 1) {
        compare("sum of squares", k.sum_squares, w.sum_squares());
        if (k.outliers != IterationStats::kUnknown) compare("outliers", k.outliers, w.outliers);
        compare("slowest iterations listed", k.slowest.size(), w.slowest.size());
        for (size_t i = 0; i < k.slowest.size() && i < w.slowest.size(); ++i) {
          compare("a slowest iteration's occurrence", k.slowest[i].occurrence, w.slowest[i].occurrence);
          compare("a slowest iteration's number", k.slowest[i].iteration, w.slowest[i].iteration);
          compare("a slowest iteration's ticks", k.slowest[i].ticks, w.slowest[i].ticks);
        }
      }
    }
    if (!differs.empty())
      out.add(Invariant::Loops, static_cast<int64_t>(pi), static_cast<int32_t>(ti), -1, nullptr,
              "loop " + std::to_string(loop.loop) + " (" + loop.label +
                  "): the recorder's iteration times differ from the events', " + differs);
  }
}

// Nonblocking requests of one process: each posted once, completed (or
// cancelled) once. Request ids are the process's (threads share them), so the
// records of all its threads are taken in time order.
struct RequestPost {
  RecordPosition at;
  bool send = false;
  bool cut_short = false;  // its thread may end with it open
};

uint64_t check_requests(const TraceReader& trace, uint32_t pi, const std::vector<const MpiThreadPartial*>& threads,
                        const std::vector<char>& short_threads, Findings& out) {
  std::vector<const MpiRawP2p*> records;
  for (const MpiThreadPartial* t : threads)
    for (const MpiRawP2p& r : t->p2p)
      if (r.kind != EventKind::MpiSend && r.kind != EventKind::MpiRecv) records.push_back(&r);
  std::stable_sort(records.begin(), records.end(),
                   [](const MpiRawP2p* a, const MpiRawP2p* b) { return a->at < b->at; });
  const ProcessReader& p = *trace.processes()[pi];
  auto pi64 = static_cast<int64_t>(pi);
  bool process_short = !p.ended();
  std::unordered_map<int64_t, RequestPost> open;
  uint64_t posted = 0;
  auto where = [](const RecordPosition& at) {
    return "thread " + std::to_string(at.thread) + " event " + std::to_string(at.index);
  };
  for (const MpiRawP2p* r : records) {
    auto tid = static_cast<int32_t>(r->at.thread);
    auto event = static_cast<int64_t>(r->at.index);
    std::string id = "request " + std::to_string(r->request);
    bool post = r->kind == EventKind::MpiIsend || r->kind == EventKind::MpiIrecvRequest;
    if (post) {
      ++posted;
      RequestPost rp{r->at, r->kind == EventKind::MpiIsend,
                     process_short || (r->at.thread < short_threads.size() && short_threads[r->at.thread])};
      auto [it, added] = open.try_emplace(r->request, rp);
      if (!added) {
        out.add_at_ns(Invariant::Requests, pi64, tid, event, r->at.ns,
                      id + " posted again while its post at " + where(it->second.at) +
                          " never completed (that completion was lost)");
        it->second = rp;
      }
      continue;
    }
    bool completes_send = r->kind == EventKind::MpiIsendComplete;
    bool completes_recv = r->kind == EventKind::MpiIrecv;
    if (!completes_send && !completes_recv && r->kind != EventKind::MpiRequestCancelled) continue;
    auto it = open.find(r->request);
    const char* what = completes_send ? "send completion" : completes_recv ? "receive completion" : "cancellation";
    if (it == open.end()) {
      // A receive completed without a recorded post would be unmatched, not
      // lost; sends and cancellations need their post.
      if (!completes_recv)
        out.add_at_ns(Invariant::Requests, pi64, tid, event, r->at.ns,
                      std::string(what) + " of " + id + ", which is not open (completed twice, or never posted)");
      continue;
    }
    if ((completes_send && !it->second.send) || (completes_recv && it->second.send))
      out.add_at_ns(Invariant::Requests, pi64, tid, event, r->at.ns,
                    std::string(what) + " of " + id + ", which was posted as a " +
                        (it->second.send ? "send" : "receive") + " at " + where(it->second.at));
    open.erase(it);
  }
  // Requests left open, in posting order.
  std::vector<std::pair<RecordPosition, int64_t>> left;
  for (const auto& [request, post] : open)
    if (!post.cut_short) left.emplace_back(post.at, request);
  std::sort(left.begin(), left.end());
  for (const auto& [at, request] : left)
    out.add_at_ns(Invariant::Requests, pi64, static_cast<int32_t>(at.thread), static_cast<int64_t>(at.index), at.ns,
                  std::string(open.at(request).send ? "send" : "receive") + " request " + std::to_string(request) +
                      " never completed, and its thread is not marked as cut short");
  return posted;
}

// Matched messages: each record in at most one, none received before it was sent.
void check_messages(const MpiScan& scan, const MessageMatching& matching, Findings& out) {
  std::vector<char> send_used(scan.sends.size(), 0), recv_used(scan.recvs.size(), 0);
  for (const Message& m : matching.messages) {
    if (!m.matched()) continue;
    auto describe = [&] {
      return "message " + std::to_string(m.src) + " -> " + std::to_string(m.dst) + " tag " + std::to_string(m.tag);
    };
    if (m.send_record < send_used.size()) {
      const SendRecord& s = scan.sends[m.send_record];
      if (send_used[m.send_record]++)
        out.add_at_ns(Invariant::Messages, s.process, static_cast<int32_t>(s.position.thread),
                      static_cast<int64_t>(s.position.index), m.send_ns,
                      describe() + ": its send is matched to more than one receive");
    }
    if (m.recv_record < recv_used.size()) {
      const RecvRecord& v = scan.recvs[m.recv_record];
      if (recv_used[m.recv_record]++)
        out.add_at_ns(Invariant::Messages, v.process, static_cast<int32_t>(v.position.thread),
                      static_cast<int64_t>(v.position.index), m.recv_ns,
                      describe() + ": its receive is matched to more than one send");
      if (m.recv_ns < m.send_ns)
        out.add_at_ns(Invariant::Clock, v.process, static_cast<int32_t>(m.recv_thread), -1, m.recv_ns,
                      describe() + " received " + std::to_string(m.send_ns - m.recv_ns) +
                          " ns before it was sent (clock correction)");
    }
  }
}

// Per rank: waiting of every pattern against the time in the MPI functions
// that waited (those named by any wait state's call sites).
void check_waiting(const TraceReader& trace, const MpiScan& scan, const WaitStates& waits, Findings& out) {
  std::set<std::string, std::less<>> waiting_calls;
  std::map<int32_t, int64_t> waited;  // rank -> waiting
  for (const WaitPatternStats& pattern : waits.patterns) {
    for (const WaitCallSite& site : pattern.call_sites) waiting_calls.insert(site.call);
    for (const RankWaiting& r : pattern.per_rank) waited[r.rank] += r.waiting_ns;
  }
  std::map<int32_t, int64_t> in_calls;
  std::map<int32_t, uint32_t> process_of;
  for (const ThreadMpiActivity& a : scan.threads) {
    const ProcessReader& p = *trace.processes()[a.process];
    int32_t rank = process_label(trace, a.process);
    process_of.try_emplace(rank, a.process);
    for (const MpiCallStats& c : a.calls)
      if (waiting_calls.count(p.defs().region_name(c.region))) in_calls[rank] += duration_ns(p, c.inclusive.sum);
  }
  std::string names;
  for (const std::string& n : waiting_calls) names += (names.empty() ? "" : ", ") + n;
  for (const auto& [rank, ns] : waited) {
    if (ns <= 0) continue;
    int64_t budget = in_calls[rank];
    // Each call's duration is rounded to ns on its own by the wait states.
    if (ns <= budget + 1) continue;
    auto process = process_of.count(rank) ? static_cast<int64_t>(process_of[rank]) : -1;
    out.add(Invariant::Waiting, process, -1, -1, nullptr,
            "rank " + std::to_string(rank) + " waits " + std::to_string(ns) +
                " ns in MPI (wait states), but spent only " +
                std::to_string(budget) + " ns in the calls that waited (" + names + ")");
  }
}

// Process files of one run. That every file carries the same run id, and that
// no rank appears twice outside one lineage (fork, exec), is enforced by the
// reader itself (TraceReader refuses such a directory, naming the files), so a
// trace that opened is one run; what remains is that its ranks agree on the
// world they belong to.
void check_run(const TraceReader& trace, Findings& out) {
  int32_t world = 0;
  uint32_t world_from = 0;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    const ProcessDef& d = p.defs().process;
    if (d.rank < 0) continue;
    if (d.world_size > 0 && world == 0) {
      world = d.world_size;
      world_from = pi;
    } else if (d.world_size > 0 && d.world_size != world) {
      out.add(Invariant::Run, pi, -1, -1, nullptr,
              "world size " + std::to_string(d.world_size) + ", but " + trace.processes()[world_from]->path() +
                  " has " + std::to_string(world));
    }
    if (d.world_size > 0 && d.rank >= d.world_size)
      out.add(Invariant::Run, pi, -1, -1, nullptr,
              "rank " + std::to_string(d.rank) + " outside its world size " + std::to_string(d.world_size));
  }
}

struct ThreadResult {
  Findings findings;
  RegionReplay replay;
  bool cut_short = false;
};

}  // namespace

CheckReport check_trace(const TraceReader& trace, const CheckOptions& options) {
  CheckReport report;
  TraceInfo info = trace_info(trace);
  std::vector<Location> locations = all_locations(trace);
  report.processes = trace.processes().size();
  report.threads = locations.size();

  // Per thread, in parallel: the replay checks and the analyzer's partials.
  std::vector<ProfilePartial> profiles(locations.size());
  std::vector<ThreadActivityPartial> activity(locations.size());
  std::vector<MpiThreadPartial> mpi(locations.size());
  std::vector<ThreadResult> results;
  results.reserve(locations.size());
  for (size_t i = 0; i < locations.size(); ++i)
    results.push_back({Findings(trace, info.start_ns, options.max_per_location), {}, false});
  parallel_for(locations.size(), options.threads, [&](size_t i) {
    const Location& l = locations[i];
    const ProcessReader& p = *trace.processes()[l.process];
    ThreadResult& r = results[i];
    r.cut_short = cut_short(p, l.thread);
    r.replay = replay_regions(p, l.process, l.thread, r.cut_short, r.findings);
    profiles[i] = profile_thread(p, l.process, l.thread, {}, false);
    check_profile(p, l.process, l.thread, profiles[i], r.replay, r.findings);
    check_loops(p, l.process, l.thread, r.replay.time_unit, r.findings);
    activity[i] = thread_activity(p, l.process, l.thread, {});
    mpi[i] = scan_mpi_thread(p, l.process, l.thread, {});
  });

  Findings global(trace, info.start_ns, options.max_per_location);
  check_run(trace, global);
  for (size_t i = 0; i < locations.size();) {  // one process at a time
    uint32_t pi = locations[i].process;
    std::vector<const MpiThreadPartial*> threads;
    std::vector<char> short_threads;
    for (; i < locations.size() && locations[i].process == pi; ++i) {
      threads.push_back(&mpi[i]);
      short_threads.push_back(results[i].cut_short);
    }
    report.requests += check_requests(trace, pi, threads, short_threads, global);
  }
  MpiScan scan = reduce_mpi_scan(trace, std::move(mpi));
  MessageMatching matching = match_messages(scan, options.threads);
  check_messages(scan, matching, global);
  if (scan.any_mpi()) {
    MpiStats stats = mpi_stats(trace, scan, matching, profiles, activity, {});
    check_waiting(trace, scan, wait_states(scan, matching, {}, stats.run_ns()), global);
  }
  report.messages = matching.matched;
  report.unmatched_sends = matching.unmatched_sends;
  report.unmatched_receives = matching.unmatched_receives;

  for (ThreadResult& r : results) {
    report.events += r.replay.events;
    report.cut_short_threads += r.cut_short;
    report.omitted += r.findings.omitted;
    for (Violation& v : r.findings.violations) report.violations.push_back(std::move(v));
  }
  report.omitted += global.omitted;
  for (Violation& v : global.violations) report.violations.push_back(std::move(v));
  std::stable_sort(report.violations.begin(), report.violations.end(), [](const Violation& a, const Violation& b) {
    return std::tie(a.invariant, a.file, a.thread, a.event) < std::tie(b.invariant, b.file, b.thread, b.event);
  });
  return report;
}

std::string violation_text(const Violation& v) {
  std::string s(invariant_name(v.invariant));
  s += ":";
  if (v.rank >= 0) s += " rank " + std::to_string(v.rank);
  if (v.thread >= 0) s += " thread " + std::to_string(v.thread);
  if (v.event >= 0) s += " event " + std::to_string(v.event);
  if (v.time_ns >= 0) s += " at " + std::to_string(v.time_ns) + " ns";
  if (!v.file.empty()) s += " (" + v.file + ")";
  return s + ": " + v.message;
}

nlohmann::ordered_json check_json(const CheckReport& report) {
  nlohmann::ordered_json violations = nlohmann::ordered_json::array();
  for (const Violation& v : report.violations)
    violations.push_back({{"invariant", invariant_name(v.invariant)}, {"file", v.file}, {"rank", v.rank},
                          {"thread", v.thread}, {"event", v.event}, {"time_ns", v.time_ns}, {"message", v.message}});
  return {{"clean", report.clean()},
          {"violations", violations},
          {"omitted", report.omitted},
          {"checked",
           {{"processes", report.processes}, {"threads", report.threads}, {"events", report.events},
            {"cut_short_threads", report.cut_short_threads}, {"requests", report.requests},
            {"messages", report.messages}, {"unmatched_sends", report.unmatched_sends},
            {"unmatched_receives", report.unmatched_receives}}}};
}

}  // namespace rondo::analyzer
