// bench_read: reading the loop-heavy trace (bench_common.h) with Rondo vs reading the same events with OTF2.
//
// Measured, each the best of several runs, every run starting from the files (a fresh reader each time):
//   Rondo replay          TraceReader + thread load + EventCursor over every event            -> events/s
//   Rondo profile (summary)  TraceReader + thread load + ThreadTrace::summary(): calls, inclusive and
//                         exclusive time per region (what `rondo stats` uses)
//   rondo stats           TraceReader + rondo::analyzer::flat_profile (summary-based, rows in ns), when the
//                         analyzer library is part of the build
//   Rondo profile (replay)   the same flat profile computed from the events (EventCursor + call stack)
//   OTF2 replay           OTF2 global event reader over every event (replay_otf2_events_per_second)
//   OTF2 profile          OTF2 global event reader + call stack (profile_otf2)
// The OTF2 archive is written from the events replayed from the Rondo trace (identical timestamps in raw ticks
// and regions), and the three profiles are checked to be identical.
//
// Usage: bench_read [--iterations N] [--trace DIR] [--runs N] [--keep]
//   --trace DIR  use an existing single-thread trace instead of recording the loop workload
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_common.h"
#include "otf2_baseline.h"
#include "rondo/format/reader.h"
#ifdef RONDO_BENCH_HAVE_ANALYZER
#include "rondo/analyzer/trace_summary.h"
#endif

namespace {

namespace rb = rondo::bench;
namespace rf = rondo::format;

struct Profile {
  std::vector<uint64_t> calls, inclusive, exclusive;
  uint64_t events = 0;
  void resize(size_t regions) {
    calls.assign(regions, 0);
    inclusive.assign(regions, 0);
    exclusive.assign(regions, 0);
  }
  bool operator==(const Profile& o) const {
    return calls == o.calls && inclusive == o.inclusive && exclusive == o.exclusive;
  }
};

// Opens the trace and returns its only thread (the reader stays alive in `trace`).
const rf::ThreadTrace& open_thread(const std::string& dir, std::unique_ptr<rf::TraceReader>& trace) {
  trace = std::make_unique<rf::TraceReader>(dir);
  if (trace->processes().size() != 1 || trace->processes().front()->thread_count() != 1)
    throw std::runtime_error(dir + ": expected a trace of one process with one thread");
  return trace->processes().front()->thread(0);
}

struct ReplayRun {
  double open_seconds = 0, replay_seconds = 0;
  uint64_t events = 0, checksum = 0;
};

ReplayRun rondo_replay(const std::string& dir) {
  ReplayRun run;
  const auto start = rb::Clock::now();
  std::unique_ptr<rf::TraceReader> trace;
  const rf::ThreadTrace& thread = open_thread(dir, trace);
  run.open_seconds = rb::seconds_since(start);
  const auto replay_start = rb::Clock::now();
  rf::EventCursor cursor(thread);
  rf::Event e;
  uint64_t events = 0, checksum = 0;
  while (cursor.next(e)) {
    ++events;
    checksum += e.ticks ^ e.id;
  }
  run.replay_seconds = rb::seconds_since(replay_start);
  run.events = events;
  run.checksum = checksum;
  return run;
}

// Flat profile from the statistics the recorder kept (THREAD_SUMMARY), as `rondo stats` does.
Profile rondo_summary_profile(const std::string& dir, size_t regions, double& seconds) {
  const auto start = rb::Clock::now();
  std::unique_ptr<rf::TraceReader> trace;
  const rf::ThreadTrace& thread = open_thread(dir, trace);
  if (!thread.has_summary()) throw std::runtime_error(dir + ": thread has no summary");
  const rf::ThreadSummary& summary = thread.summary();
  Profile p;
  p.resize(regions);
  for (size_t r = 0; r < std::min(regions, summary.regions.size()); ++r) {
    const rf::RegionStats& s = summary.regions[r];
    p.calls[r] = s.inclusive.count;
    p.inclusive[r] = s.inclusive.sum;
    p.exclusive[r] = s.exclusive_sum;
  }
  p.events = summary.events;
  seconds = rb::seconds_since(start);
  return p;
}

// The same flat profile from the events: a call stack over an EventCursor replay (same rules as profile_otf2:
// exclusive = inclusive - direct children's inclusive; inclusive only at the outermost activation of a region).
Profile rondo_replay_profile(const std::string& dir, size_t regions, double& seconds) {
  const auto start = rb::Clock::now();
  std::unique_ptr<rf::TraceReader> trace;
  const rf::ThreadTrace& thread = open_thread(dir, trace);
  struct Frame {
    uint32_t region;
    uint64_t start, child_inclusive;
  };
  std::vector<Frame> stack;
  stack.reserve(256);
  std::vector<uint32_t> active(regions, 0);
  Profile p;
  p.resize(regions);
  rf::EventCursor cursor(thread);
  rf::Event e;
  while (cursor.next(e)) {
    const uint32_t region = e.def->key.ref;
    if (region >= regions) throw std::runtime_error("event of an undefined region");
    ++p.events;
    if (e.kind() == rf::EventKind::Enter) {
      ++p.calls[region];
      ++active[region];
      stack.push_back({region, e.ticks, 0});
    } else if (e.kind() == rf::EventKind::Leave) {
      if (stack.empty() || stack.back().region != region) throw std::runtime_error("unmatched leave in replay");
      const Frame f = stack.back();
      stack.pop_back();
      const uint64_t inclusive = e.ticks - f.start;
      p.exclusive[region] += inclusive - f.child_inclusive;
      if (--active[region] == 0) p.inclusive[region] += inclusive;
      if (!stack.empty()) stack.back().child_inclusive += inclusive;
    } else {
      throw std::runtime_error("unexpected event kind in replay");
    }
  }
  if (!stack.empty()) throw std::runtime_error("regions left open at the end of the replay");
  seconds = rb::seconds_since(start);
  return p;
}

#ifdef RONDO_BENCH_HAVE_ANALYZER
// What `rondo stats` computes: rondo::analyzer::flat_profile (rows in ns, sorted by exclusive time). Returns
// false when its call counts differ from `expected` (by region name).
bool analyzer_profile(const std::string& dir, const std::vector<std::string>& names, const Profile& expected,
                      double& seconds) {
  const auto start = rb::Clock::now();
  const rf::TraceReader trace(dir);
  const std::vector<rondo::analyzer::RegionRow> rows = rondo::analyzer::flat_profile(trace);
  seconds = rb::seconds_since(start);
  size_t matched = 0;
  for (const auto& row : rows) {
    for (size_t r = 0; r < names.size(); ++r) {
      if (names[r] == row.name) {
        if (row.calls != expected.calls[r]) return false;
        ++matched;
      }
    }
  }
  size_t called = 0;
  for (uint64_t c : expected.calls) called += c > 0 ? 1 : 0;
  return matched == called;
}
#endif

uint64_t parse_count(const char* text, const char* option) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) {
    std::fprintf(stderr, "bench_read: %s needs a positive integer, got '%s'\n", option, text);
    std::exit(2);
  }
  return v;
}

double rate(uint64_t events, double seconds) { return static_cast<double>(events) / seconds; }

}  // namespace

int main(int argc, char** argv) {
  if (int rc = rb::run_child_if_requested(argc, argv); rc >= 0) return rc;
  uint64_t iterations = rb::kLoopIterations;
  int runs = 3;
  bool keep = false;
  std::string given_trace;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = parse_count(argv[++i], "--iterations");
    } else if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = static_cast<int>(parse_count(argv[++i], "--runs"));
    } else if (std::strcmp(argv[i], "--trace") == 0 && i + 1 < argc) {
      given_trace = argv[++i];
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      keep = true;
    } else {
      std::fprintf(stderr, "usage: %s [--iterations N] [--trace DIR] [--runs N] [--keep]\n", argv[0]);
      return 2;
    }
  }

  std::string base;
  try {
    base = rb::make_temp_dir("rondo-bench-read");
    std::string trace_dir = given_trace;
    if (trace_dir.empty()) {
      trace_dir = base + "/loop.rondo";
      const rb::RecordResult recorded = rb::record_workload(trace_dir, "loop", iterations);
      std::printf("recorded the loop workload: %" PRIu64 " events in %.3f s (%" PRIu64 " bytes on disk)\n",
                  recorded.events, recorded.seconds, rb::directory_bytes(trace_dir));
    }

    // Events for OTF2, and the region table.
    const rb::TraceEvents trace = rb::read_trace_events(trace_dir);
    const uint64_t n = trace.event_count;
    const size_t regions = trace.region_names.size();
    const std::string otf2_dir = base + "/loop.otf2";
    const rb::Otf2WriteResult written = rb::write_otf2(otf2_dir, trace.region_names, trace.events, trace.ticks_per_second);
    std::printf("trace: %" PRIu64 " events, %zu regions; Rondo %" PRIu64 " bytes, OTF2 %" PRIu64
                " bytes (written in %.3f s)\n",
                n, regions, rb::directory_bytes(trace_dir), written.bytes_on_disk, written.seconds);

    // Rounds: every measurement once per round (the fast summary-based ones several times), so that a change
    // of machine load during the run hits Rondo and OTF2 alike; the best time of each is kept.
    ReplayRun best_replay;
    double best_replay_total = 1e300, best_summary = 1e300, best_replay_profile = 1e300, best_analyzer = 1e300;
    double best_otf2_rate = 0, best_otf2_profile = 1e300, seconds = 0;
    Profile summary_profile, replay_profile;
    rb::Otf2Profile otf2;
    bool analyzer_ok = true;
    constexpr int kFastRepeats = 5;
    for (int round = 0; round < runs; ++round) {
      const ReplayRun run = rondo_replay(trace_dir);
      if (run.events != n) throw std::runtime_error("Rondo replay returned " + std::to_string(run.events) + " events");
      if (run.open_seconds + run.replay_seconds < best_replay_total) {
        best_replay_total = run.open_seconds + run.replay_seconds;
        best_replay = run;
      }
      best_otf2_rate = std::max(best_otf2_rate, rb::replay_otf2_events_per_second(otf2_dir));

      for (int k = 0; k < kFastRepeats; ++k) {
        summary_profile = rondo_summary_profile(trace_dir, regions, seconds);
        best_summary = std::min(best_summary, seconds);
#ifdef RONDO_BENCH_HAVE_ANALYZER
        analyzer_ok = analyzer_profile(trace_dir, trace.region_names, summary_profile, seconds) && analyzer_ok;
        best_analyzer = std::min(best_analyzer, seconds);
#endif
      }
      replay_profile = rondo_replay_profile(trace_dir, regions, seconds);
      best_replay_profile = std::min(best_replay_profile, seconds);
      otf2 = rb::profile_otf2(otf2_dir, regions);
      best_otf2_profile = std::min(best_otf2_profile, otf2.seconds);
    }
    Profile otf2_profile;
    otf2_profile.calls = otf2.calls;
    otf2_profile.inclusive = otf2.inclusive;
    otf2_profile.exclusive = otf2.exclusive;
    otf2_profile.events = otf2.events;

    // ---- checks ----
    const bool summary_ok = summary_profile == otf2_profile && summary_profile.events == n;
    const bool replay_ok = replay_profile == otf2_profile && replay_profile.events == n;
    const bool otf2_ok = otf2.events == n;
    const bool all_ok = summary_ok && replay_ok && otf2_ok && analyzer_ok;

    // ---- report ----
    const double rondo_total_rate = rate(n, best_replay_total);
    const double rondo_cursor_rate = rate(n, best_replay.replay_seconds);
    std::printf("\nFlat profile (ticks; identical in all three: %s)\n", summary_ok && replay_ok ? "yes" : "NO");
    std::printf("  %-10s %10s %16s %16s\n", "region", "calls", "inclusive", "exclusive");
    for (size_t r = 0; r < regions; ++r) {
      std::printf("  %-10s %10" PRIu64 " %16" PRIu64 " %16" PRIu64 "\n", trace.region_names[r].c_str(),
                  summary_profile.calls[r], summary_profile.inclusive[r], summary_profile.exclusive[r]);
    }

    std::printf("\nReading %" PRIu64 " events (best of %d rounds, summary-based profiles best of %d; every run opens "
                "the files again)\n",
                n, runs, runs * kFastRepeats);
    std::printf("  %-44s %10s %14s\n", "", "seconds", "Mevents/s");
    std::printf("  %-44s %10.4f %14.1f\n", "Rondo replay: open + load + EventCursor", best_replay_total,
                rondo_total_rate / 1e6);
    std::printf("  %-44s %10.4f %14s\n", "  of which open + load (TraceReader, thread)", best_replay.open_seconds, "-");
    std::printf("  %-44s %10.4f %14.1f\n", "  of which EventCursor over all events", best_replay.replay_seconds,
                rondo_cursor_rate / 1e6);
    std::printf("  %-44s %10.4f %14.1f\n", "OTF2 replay: global event reader", static_cast<double>(n) / best_otf2_rate,
                best_otf2_rate / 1e6);
    std::printf("  %-44s %10.4f %14s\n", "Rondo flat profile from summary()", best_summary, "-");
#ifdef RONDO_BENCH_HAVE_ANALYZER
    std::printf("  %-44s %10.4f %14s\n", "rondo stats: analyzer::flat_profile()", best_analyzer, "-");
#endif
    std::printf("  %-44s %10.4f %14.1f\n", "Rondo flat profile by replay (call stack)", best_replay_profile,
                rate(n, best_replay_profile) / 1e6);
    std::printf("  %-44s %10.4f %14.1f\n", "OTF2 flat profile (reader + call stack)", best_otf2_profile,
                rate(n, best_otf2_profile) / 1e6);

    std::printf("\nRatios\n");
    std::printf("  replay events/s, Rondo (open+load+cursor) / OTF2: %.2fx\n", rondo_total_rate / best_otf2_rate);
    std::printf("  replay events/s, Rondo (cursor only) / OTF2:      %.2fx\n", rondo_cursor_rate / best_otf2_rate);
    std::printf("  flat profile, OTF2 time / Rondo summary time:     %.0fx\n", best_otf2_profile / best_summary);
#ifdef RONDO_BENCH_HAVE_ANALYZER
    std::printf("  flat profile, OTF2 time / rondo stats time:       %.0fx\n", best_otf2_profile / best_analyzer);
#endif
    std::printf("  flat profile, OTF2 time / Rondo replay time:      %.2fx\n", best_otf2_profile / best_replay_profile);
    std::printf("  (replay checksum %" PRIx64 ")\n", best_replay.checksum);

    if (!all_ok) {
      std::fprintf(stderr, "bench_read: the profiles differ (summary %s, replay %s, OTF2 events %s, rondo stats %s)\n",
                   summary_ok ? "ok" : "differs", replay_ok ? "ok" : "differs", otf2_ok ? "ok" : "differ",
                   analyzer_ok ? "ok" : "differs");
    }
    if (keep) {
      std::printf("\nfiles kept in %s\n", base.c_str());
    } else {
      rb::remove_tree(base);
    }
    return all_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_read: %s\n", e.what());
    if (!base.empty() && !keep) rb::remove_tree(base);
    return 1;
  }
}
