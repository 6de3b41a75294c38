// Flat profile, call tree, imbalance and time windows (analyzer/profile.h) on
// hand-built traces whose statistics are computed by hand in the comments.
#include <gtest/gtest.h>

#include <cmath>

#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/trace_summary.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;
using analyzer::AnalysisOptions;
using analyzer::RegionRow;

namespace {

void call(ThreadWriter& w, uint32_t r, uint64_t from, uint64_t to) {
  w.enter(r, from);
  w.leave(r, to);
}

test::MpiProcessSpec spec(int32_t rank, int threads = 1) {
  test::MpiProcessSpec s;
  s.rank = rank;
  s.world_size = 2;
  s.threads = threads;
  s.regions = {{"a", RegionRole::Function}, {"b", RegionRole::Function}, {"r", RegionRole::Function}};
  return s;
}

// a [0,100] calls b [10,30] and b [40,45]; a [200,260] calls b [210,250].
void two_calls_of_a(int, ThreadWriter& w) {
  w.enter(0, 0);
  call(w, 1, 10, 30);
  call(w, 1, 40, 45);
  w.leave(0, 100);
  w.enter(0, 200);
  call(w, 1, 210, 250);
  w.leave(0, 260);
}

const RegionRow& row(const std::vector<RegionRow>& rows, const std::string& name, int32_t rank = -1,
                     int32_t thread = -1) {
  for (auto& r : rows)
    if (r.name == name && r.rank == rank && r.thread == thread) return r;
  throw std::runtime_error("no row " + name);
}

analyzer::TimeWindow window_ticks(const TraceReader& trace, uint64_t from, uint64_t to) {
  const ProcessReader& p = *trace.processes()[0];
  return {p.to_ns(from), p.to_ns(to)};
}

// The profile from the thread summaries, then from a replay (a window of
// [0, `until`] ticks holding every event): check(profile, replay) for each.
template <typename Check>
void from_summaries_and_replay(const TraceReader& trace, uint64_t until, Check check) {
  for (bool replay : {false, true}) {
    SCOPED_TRACE(replay ? "replay" : "summary");
    AnalysisOptions o;
    if (replay) o.window = window_ticks(trace, 0, until);
    check(analyzer::profile(trace, o), replay);
  }
}

}  // namespace

// The flat profile of a whole trace comes from the threads' summaries alone:
// no thread is decoded, by analyzer::flat_profile() (Python's t.profile()) or by
// analyze() asked for the profile section (rondo stats --sections profile),
// and the rows are the replay's. A window needs the events.
TEST(Profile, FromSummariesDecodesNoThread) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0, 2), [](int, ThreadWriter& w) { two_calls_of_a(0, w); });
  test::write_mpi_process(dir.file("p1.rnd"), spec(1), two_calls_of_a);
  auto decoded = [](const TraceReader& t) {
    size_t n = 0;
    for (auto& p : t.processes()) n += p->threads_decoded();
    return n;
  };
  const TraceReader trace(dir.str());
  const std::vector<RegionRow> rows = analyzer::flat_profile(trace);
  EXPECT_EQ(decoded(trace), 0u);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(row(rows, "a").calls, 6u);  // 2 calls on each of 3 threads
  EXPECT_EQ(row(rows, "b").exclusive_ns, 3 * (20 + 5 + 40));

  const TraceReader fresh(dir.str());
  AnalysisOptions sections;
  sections.sections = analyzer::kSectionProfile;
  const analyzer::StatsReport report = analyzer::analyze(fresh, sections);
  EXPECT_EQ(decoded(fresh), 0u);
  EXPECT_EQ(row(report.profile.regions, "a").calls, 6u);

  AnalysisOptions window;
  window.window = window_ticks(trace, 0, 1000);
  EXPECT_EQ(row(analyzer::profile(trace, window).regions, "b").exclusive_ns, 3 * (20 + 5 + 40));
  EXPECT_EQ(decoded(trace), 3u);
}

TEST(Profile, InclusiveExclusiveMinMaxMeanAndStandardDeviation) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), two_calls_of_a);
  TraceReader trace(dir.str());
  // From the summary (no window) and from a replay (a window holding everything).
  for (bool replay : {false, true}) {
    AnalysisOptions o;
    if (replay) o.window = window_ticks(trace, 0, 1000);
    auto rows = analyzer::profile(trace, o).regions;
    ASSERT_EQ(rows.size(), 2u);
    // a: 100 and 60; exclusive 100 - 20 - 5 + 60 - 40 = 95; stddev of {100, 60} = 20.
    const RegionRow& a = row(rows, "a");
    EXPECT_EQ(a.calls, 2u);
    EXPECT_EQ(a.inclusive_ns, 160);
    EXPECT_EQ(a.exclusive_ns, 95);
    EXPECT_EQ(a.min_ns, 60);
    EXPECT_EQ(a.max_ns, 100);
    EXPECT_DOUBLE_EQ(a.mean_ns(), 80.0);
    EXPECT_NEAR(a.stddev_ns, 20.0, 1e-9);
    // b: 20, 5, 40: mean 65/3, variance (400 + 25 + 1600) / 3 - (65/3)^2.
    const RegionRow& b = row(rows, "b");
    EXPECT_EQ(b.calls, 3u);
    EXPECT_EQ(b.inclusive_ns, 65);
    EXPECT_EQ(b.exclusive_ns, 65);
    EXPECT_EQ(b.min_ns, 5);
    EXPECT_EQ(b.max_ns, 40);
    EXPECT_NEAR(b.stddev_ns, std::sqrt(2025.0 / 3 - (65.0 / 3) * (65.0 / 3)), 1e-9);
    // Sorted by exclusive time: b (65) after a (95).
    EXPECT_EQ(rows[0].name, "a");
  }
}

TEST(Profile, RecursionCountsEveryLevelAndBuildsAPathPerLevel) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), [](int, ThreadWriter& w) {
    w.enter(2, 0);  // r [0,100] > r [10,60] > r [20,30]
    w.enter(2, 10);
    call(w, 2, 20, 30);
    w.leave(2, 60);
    w.leave(2, 100);
  });
  TraceReader trace(dir.str());
  auto p = analyzer::profile(trace, {});
  const RegionRow& r = row(p.regions, "r");
  EXPECT_EQ(r.calls, 3u);
  EXPECT_EQ(r.inclusive_ns, 160);  // 100 + 50 + 10
  EXPECT_EQ(r.exclusive_ns, 100);  // 50 + 40 + 10
  ASSERT_EQ(p.call_tree.size(), 3u);
  EXPECT_EQ(p.call_tree[0].path, "r");
  EXPECT_EQ(p.call_tree[1].path, "r > r");
  EXPECT_EQ(p.call_tree[2].path, "r > r > r");
  EXPECT_EQ(p.call_tree[1].depth, 1u);
  EXPECT_EQ(p.call_tree[0].inclusive_ns, 100);
  EXPECT_EQ(p.call_tree[0].exclusive_ns, 50);
  EXPECT_EQ(p.call_tree[2].inclusive_ns, 10);
}

TEST(Profile, CallTreeSeparatesCallersAndMergesThreads) {
  test::TempDir dir;
  // Thread 0: a > b (20), b alone (5). Thread 1: a > b (30).
  test::write_mpi_process(dir.file("p0.rnd"), spec(0, 2), [](int t, ThreadWriter& w) {
    w.enter(0, 0);
    call(w, 1, 10, t == 0 ? 30 : 40);
    w.leave(0, 50);
    if (t == 0) call(w, 1, 60, 65);
  });
  TraceReader trace(dir.str());
  auto tree = analyzer::profile(trace, {}).call_tree;
  ASSERT_EQ(tree.size(), 3u);
  EXPECT_EQ(tree[0].path, "a");  // inclusive 100, before b (5)
  EXPECT_EQ(tree[0].calls, 2u);
  EXPECT_EQ(tree[1].path, "a > b");
  EXPECT_EQ(tree[1].calls, 2u);
  EXPECT_EQ(tree[1].inclusive_ns, 50);
  EXPECT_EQ(tree[1].min_ns, 20);
  EXPECT_EQ(tree[1].max_ns, 30);
  EXPECT_EQ(tree[2].path, "b");
  EXPECT_EQ(tree[2].calls, 1u);
  EXPECT_EQ(tree[2].inclusive_ns, 5);
}

TEST(Profile, WindowClipsCallsThatCrossItsEdges) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), two_calls_of_a);
  TraceReader trace(dir.str());
  AnalysisOptions o;
  o.window = window_ticks(trace, 50, 220);  // [50, 220)
  auto p = analyzer::profile(trace, o);
  // a [0,100] -> 50 (its b calls lie before 50); a [200,260] -> 20, of which b [210,250] -> 10.
  const RegionRow& a = row(p.regions, "a");
  EXPECT_EQ(a.calls, 2u);
  EXPECT_EQ(a.inclusive_ns, 70);
  EXPECT_EQ(a.exclusive_ns, 60);
  EXPECT_EQ(a.min_ns, 20);
  EXPECT_EQ(a.max_ns, 50);
  const RegionRow& b = row(p.regions, "b");
  EXPECT_EQ(b.calls, 1u);
  EXPECT_EQ(b.inclusive_ns, 10);
  // A window between the calls of a, inside the first: only a, clipped.
  o.window = window_ticks(trace, 31, 39);
  p = analyzer::profile(trace, o);
  ASSERT_EQ(p.regions.size(), 1u);
  EXPECT_EQ(p.regions[0].inclusive_ns, 8);
  EXPECT_EQ(p.regions[0].exclusive_ns, 8);
  // The call tree keeps a, without the b calls that lie outside.
  ASSERT_EQ(p.call_tree.size(), 1u);
  EXPECT_EQ(p.call_tree[0].path, "a");
  EXPECT_EQ(p.call_tree[0].calls, 1u);
  // A window after everything: nothing.
  o.window = window_ticks(trace, 300, 400);
  p = analyzer::profile(trace, o);
  EXPECT_TRUE(p.regions.empty());
  EXPECT_TRUE(p.call_tree.empty());
}

TEST(Profile, GroupsByRankAndThreadAndFindsTheImbalancedRank) {
  test::TempDir dir;
  // Rank 0: a = 100 on each of 2 threads; rank 1: a = 500 on thread 0, 100 on thread 1.
  for (int rank = 0; rank < 2; ++rank)
    test::write_mpi_process(dir.file("p" + std::to_string(rank) + ".rnd"), spec(rank, 2),
                            [rank](int t, ThreadWriter& w) { call(w, 0, 0, rank == 1 && t == 0 ? 500 : 100); });
  TraceReader trace(dir.str());
  AnalysisOptions o;
  o.by = analyzer::GroupBy::Rank;
  auto p = analyzer::profile(trace, o);
  EXPECT_EQ(row(p.regions, "a", 0).inclusive_ns, 200);
  EXPECT_EQ(row(p.regions, "a", 1).inclusive_ns, 600);
  o.by = analyzer::GroupBy::Thread;
  EXPECT_EQ(row(analyzer::profile(trace, o).regions, "a", 1, 0).inclusive_ns, 500);
  ASSERT_EQ(p.imbalance.size(), 1u);
  EXPECT_EQ(p.imbalance[0].name, "a");
  EXPECT_EQ(p.imbalance[0].max_rank, 1);
  EXPECT_EQ(p.imbalance[0].max_ns, 600);
  EXPECT_EQ(p.imbalance[0].min_rank, 0);
  EXPECT_DOUBLE_EQ(p.imbalance[0].mean_ns, 400.0);
  EXPECT_DOUBLE_EQ(p.imbalance[0].ratio(), 1.5);
}

// A process without a rank beside ranks 0 and 2 of a world of 4 (rank 1's file
// lost, rank 3 never recorded): it is labelled after every rank, so its calls
// are never added to a rank's, recorded or missing. Before, it took its
// position (2) and its row merged with rank 2's.
TEST(Profile, AProcessWithoutARankIsLabelledAfterEveryRank) {
  test::TempDir dir;
  for (int32_t rank : {0, 2, -1}) {
    test::MpiProcessSpec s = spec(rank);
    s.world_size = rank < 0 ? 0 : 4;
    s.pid = static_cast<uint32_t>(2000 + rank);
    test::write_mpi_process(dir.file("p" + std::to_string(rank + 1) + ".rnd"), s,
                            [rank](int, ThreadWriter& w) { call(w, 0, 0, rank < 0 ? 70 : 100 + 10 * rank); });
  }
  TraceReader trace(dir.str());
  ASSERT_EQ(trace.processes().size(), 3u);
  EXPECT_EQ(analyzer::process_label(trace, 0), 0);
  EXPECT_EQ(analyzer::process_label(trace, 1), 2);
  EXPECT_EQ(analyzer::process_label(trace, 2), 4);  // after the world size, not after rank 2
  AnalysisOptions o;
  o.by = analyzer::GroupBy::Rank;
  auto p = analyzer::profile(trace, o);
  ASSERT_EQ(p.regions.size(), 3u);
  EXPECT_EQ(row(p.regions, "a", 0).inclusive_ns, 100);
  EXPECT_EQ(row(p.regions, "a", 2).inclusive_ns, 120);
  EXPECT_EQ(row(p.regions, "a", 4).inclusive_ns, 70);
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  ASSERT_EQ(info.missing_rank_runs.size(), 2u);
  EXPECT_EQ(info.missing_rank_runs[0].first, 1);
  EXPECT_EQ(info.missing_rank_runs[1].first, 3);

  // Without any rank, labels are positions, as they always were.
  test::TempDir plain;
  for (int k = 0; k < 2; ++k) {
    test::MpiProcessSpec s = spec(-1);
    s.world_size = 0;
    s.pid = static_cast<uint32_t>(3000 + k);
    test::write_mpi_process(plain.file("p" + std::to_string(k) + ".rnd"), s, [](int, ThreadWriter& w) { call(w, 0, 0, 5); });
  }
  TraceReader unranked(plain.str());
  EXPECT_EQ(analyzer::process_label(unranked, 0), 0);
  EXPECT_EQ(analyzer::process_label(unranked, 1), 1);
}

TEST(Profile, ThreadCountAndShippedPartialsGiveIdenticalResults) {
  test::TempDir dir;
  // Four threads of irregular nested calls.
  test::write_mpi_process(dir.file("p0.rnd"), spec(0, 4), [](int t, ThreadWriter& w) {
    uint64_t now = 0;
    for (int i = 0; i < 2000; ++i) {
      w.enter(0, now += 3 + (i * 7 + t) % 11);
      for (int j = 0; j < i % 4; ++j) {
        uint64_t from = now += 1 + j;
        call(w, 1, from, now += 5 + (i * 13 + j + t) % 17);
      }
      w.leave(0, now += 2 + i % 3);
    }
  });
  TraceReader trace(dir.str());
  auto same = [](const analyzer::Profile& x, const analyzer::Profile& y) {
    ASSERT_EQ(x.regions.size(), y.regions.size());
    for (size_t i = 0; i < x.regions.size(); ++i) {
      EXPECT_EQ(x.regions[i].name, y.regions[i].name);
      EXPECT_EQ(x.regions[i].calls, y.regions[i].calls);
      EXPECT_EQ(x.regions[i].inclusive_ns, y.regions[i].inclusive_ns);
      EXPECT_EQ(x.regions[i].exclusive_ns, y.regions[i].exclusive_ns);
      EXPECT_EQ(x.regions[i].stddev_ns, y.regions[i].stddev_ns);  // bit for bit
    }
    ASSERT_EQ(x.call_tree.size(), y.call_tree.size());
    for (size_t i = 0; i < x.call_tree.size(); ++i) EXPECT_EQ(x.call_tree[i].inclusive_ns, y.call_tree[i].inclusive_ns);
  };
  AnalysisOptions one, four;
  one.threads = 1;
  four.threads = 4;
  analyzer::Profile serial = analyzer::profile(trace, one);
  same(serial, analyzer::profile(trace, four));
  // Partials through JSON (as the distributed analyzer ships them).
  std::vector<analyzer::ProfilePartial> shipped;
  for (uint32_t t = 0; t < 4; ++t) {
    nlohmann::json j = analyzer::profile_thread(*trace.processes()[0], 0, t, {});
    shipped.push_back(nlohmann::json::from_cbor(nlohmann::json::to_cbor(j)).get<analyzer::ProfilePartial>());
  }
  same(serial, analyzer::reduce_profile(trace, shipped, analyzer::GroupBy::None));
  EXPECT_EQ(serial.regions[0].calls + serial.regions[1].calls, 8000u + 4 * 3000u);  // a: 4 x 2000; b: 4 x 500 x (0+1+2+3)
}

// Folded polls (FORMAT.md 7.2): a [0,1000] polls b four times in vain
// ([100,110], [200,230], [300,305], [400,420]: 65 ticks inside, span 100..420),
// then calls b [500,540] (the poll that found something). The writer writes one
// POLLS pair; the summary keeps every poll exactly, the replay with the run's
// mean (65 / 4 = 16); a's exclusive time leaves out the polls either way.
TEST(Profile, FoldedPollsCountAsCallsWithTheirTimeInside) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.poll(1, 100, 110);
    w.poll(1, 200, 230);
    w.poll(1, 300, 305);
    w.poll(1, 400, 420);
    EXPECT_EQ(w.pending_polls(), 4u);
    call(w, 1, 500, 540);  // its enter writes the run first
    EXPECT_EQ(w.pending_polls(), 0u);
    w.leave(0, 1000);
  });
  TraceReader trace(dir.str());
  auto events = test::replay(trace.processes()[0]->thread(0));
  ASSERT_EQ(events.size(), 6u);  // enter a, POLLS first, POLLS last, enter b, leave b, leave a
  EXPECT_EQ(events[1].kind(), EventKind::Polls);
  EXPECT_EQ(events[1].def->key.params[0], 0);
  EXPECT_EQ(events[1].ticks, 100u);
  EXPECT_EQ(events[2].def->key.params[0], 1);
  EXPECT_EQ(events[2].ticks, 420u);
  for (int i : {1, 2}) {
    EXPECT_EQ(events[static_cast<size_t>(i)].def->key.ref, 1u);
    EXPECT_EQ(events[static_cast<size_t>(i)].data[0], 4);
    EXPECT_EQ(events[static_cast<size_t>(i)].data[1], 65);
  }
  from_summaries_and_replay(trace, 2000, [&](const analyzer::Profile& p, bool replay) {
    const RegionRow& b = row(p.regions, "b");
    EXPECT_EQ(b.calls, 5u);
    EXPECT_EQ(b.inclusive_ns, 105);  // 65 inside the polls + 40
    EXPECT_EQ(b.exclusive_ns, 105);
    EXPECT_EQ(b.min_ns, replay ? 16 : 5);
    EXPECT_EQ(b.max_ns, 40);
    const RegionRow& a = row(p.regions, "a");
    EXPECT_EQ(a.calls, 1u);
    EXPECT_EQ(a.exclusive_ns, 1000 - 105);
    if (replay) {
      ASSERT_EQ(p.call_tree.size(), 2u);
      EXPECT_EQ(p.call_tree[1].path, "a > b");
      EXPECT_EQ(p.call_tree[1].calls, 5u);
    }
  });
  // A window over half the run's span counts half its polls and time.
  AnalysisOptions o;
  o.window = window_ticks(trace, 0, 260);  // 160 of the span's 320 ticks
  auto half = analyzer::profile(trace, o);  // kept: `b` refers into it
  const RegionRow& b = row(half.regions, "b");
  EXPECT_EQ(b.calls, 2u);
  EXPECT_EQ(b.inclusive_ns, 33);  // 65 / 2, rounded
}

// Polls counted, not timed (`--poll-times count`): the clock is asked only when
// a function's run opens; the run's last record takes the time of the event
// that ends it; the pair is marked counted (p0 2, 3) and holds the number of
// polls and no time inside; the polls are calls of 0 ns. A run a flush ends
// lasts until the time given to end_polls().
TEST(Profile, CountedPollsAskTheClockOncePerRunAndLastUntilTheNextEvent) {
  test::TempDir dir;
  int clock_reads = 0;
  uint64_t clock = 150;
  auto now = [&] {
    ++clock_reads;
    return clock;
  };
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), [&](int, ThreadWriter& w) {
    w.enter(0, 0);
    for (int i = 0; i < 7; ++i) w.poll_counted(1, now);
    EXPECT_EQ(w.pending_polls(), 7u);
    clock = 190;
    for (int i = 0; i < 3; ++i) w.poll_counted(2, now);  // a second function in the same run
    call(w, 1, 500, 540);  // its enter ends the run: both functions' runs last until 500
    clock = 700;
    for (int i = 0; i < 2; ++i) w.poll_counted(1, now);  // a new run
    w.end_polls(900);  // as the runtime does before its final flush
    w.leave(0, 1000);
  });
  EXPECT_EQ(clock_reads, 3);  // one per function's run, none per poll
  TraceReader trace(dir.str());
  auto events = test::replay(trace.processes()[0]->thread(0));
  // enter a; first b 150, first r 190, last b 500, last r 500; enter b, leave b; first b 700, last b 900; leave a
  ASSERT_EQ(events.size(), 10u);
  struct Want {
    uint32_t region;
    bool last;
    uint64_t ticks;
    int64_t polls;
  };
  const std::pair<size_t, Want> polls[] = {{1, {1, false, 150, 7}}, {2, {2, false, 190, 3}}, {3, {1, true, 500, 7}},
                                           {4, {2, true, 500, 3}},  {7, {1, false, 700, 2}}, {8, {1, true, 900, 2}}};
  for (const auto& [i, want] : polls) {
    SCOPED_TRACE("event " + std::to_string(i));
    const Event& e = events[i];
    ASSERT_EQ(e.kind(), EventKind::Polls);
    EXPECT_TRUE(polls_counted(e.def->key));
    EXPECT_EQ(polls_last(e.def->key), want.last);
    EXPECT_EQ(e.def->key.ref, want.region);
    EXPECT_EQ(e.ticks, want.ticks);
    EXPECT_EQ(e.data[0], want.polls);
    EXPECT_EQ(e.data[1], 0);  // no time inside: the polls were not timed
  }
  from_summaries_and_replay(trace, 2000, [&](const analyzer::Profile& p, bool) {
    const RegionRow& b = row(p.regions, "b");
    EXPECT_EQ(b.calls, 7u + 1 + 2);
    EXPECT_EQ(b.inclusive_ns, 40);  // the one timed call; the polls take none
    const RegionRow& r = row(p.regions, "r");
    EXPECT_EQ(r.calls, 3u);
    EXPECT_EQ(r.inclusive_ns, 0);
    EXPECT_EQ(r.max_ns, 0);
  });
}

// A run that polls two functions in turn (hpcc alternates MPI_Test and
// MPI_Testany): b [100,110], r [120,125], b [130,150], r [160,170] is one run,
// written as one pair per function, in time order (first b 100, first r 120,
// last b 150, last r 170), and each function's polls count exactly.
TEST(Profile, ARunOfPollsOfTwoFunctionsInTurnKeepsBothExactly) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.poll(1, 100, 110);
    w.poll(2, 120, 125);
    w.poll(1, 130, 150);
    w.poll(2, 160, 170);
    w.leave(0, 200);
  });
  TraceReader trace(dir.str());
  auto events = test::replay(trace.processes()[0]->thread(0));
  ASSERT_EQ(events.size(), 6u);
  const std::pair<uint32_t, int64_t> order[] = {{1, 0}, {2, 0}, {1, 1}, {2, 1}};
  const uint64_t ticks[] = {100, 120, 150, 170};
  for (size_t i = 0; i < 4; ++i) {
    const Event& e = events[i + 1];
    EXPECT_EQ(e.kind(), EventKind::Polls);
    EXPECT_EQ(e.def->key.ref, order[i].first);
    EXPECT_EQ(e.def->key.params[0], order[i].second);
    EXPECT_EQ(e.ticks, ticks[i]);
    EXPECT_EQ(e.data[0], 2);
    EXPECT_EQ(e.data[1], e.def->key.ref == 1 ? 30 : 15);
  }
  from_summaries_and_replay(trace, 1000, [&](const analyzer::Profile& p, bool) {
    EXPECT_EQ(row(p.regions, "b").calls, 2u);
    EXPECT_EQ(row(p.regions, "b").inclusive_ns, 30);
    EXPECT_EQ(row(p.regions, "r").calls, 2u);
    EXPECT_EQ(row(p.regions, "r").inclusive_ns, 15);
    EXPECT_EQ(row(p.regions, "a").exclusive_ns, 200 - 45);
  });
}

// Runs one after the other start from nothing: the second run's pair has its
// own first poll and count, not the first run's.
TEST(Profile, EachRunOfPollsStartsAfresh) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), spec(0), [](int, ThreadWriter& w) {
    w.poll(1, 10, 20);
    w.poll(1, 30, 40);
    call(w, 2, 50, 60);
    w.poll(1, 70, 75);
    call(w, 2, 80, 90);
  });
  TraceReader trace(dir.str());
  auto events = test::replay(trace.processes()[0]->thread(0));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[4].kind(), EventKind::Polls);
  EXPECT_EQ(events[4].ticks, 70u);
  EXPECT_EQ(events[4].data[0], 1);
  EXPECT_EQ(events[4].data[1], 5);
  EXPECT_EQ(row(analyzer::profile(trace, {}).regions, "b").calls, 3u);
  EXPECT_EQ(row(analyzer::profile(trace, {}).regions, "b").inclusive_ns, 25);
}
