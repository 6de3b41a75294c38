// Loop statistics (analyzer/loop_stats.h) and the cursor's loop frames
// (EventCursor::loop_frames) on hand-built traces with known timestamps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "../common/trace_check.h"
#include "rondo/analyzer/loop_stats.h"
#include "rondo/analyzer/parallel.h"
#include "rondo/format/chunk.h"
#include "rondo/format/crc32c.h"
#include "../../cli/stats_loops.h"
#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;
using analyzer::LoopDetail;
using Loops = analyzer::LoopStats;
using analyzer::TimeWindow;

namespace {

// main (r0) calls f (r1) 20 times. Iteration i starts at 1000 + 100 i, except
// that iteration 13 lasts 1000 ticks; f lasts 50 ticks (so the last iteration,
// which ends at the loop's last event, lasts 50).
std::vector<uint64_t> flat_starts() {
  std::vector<uint64_t> starts;
  uint64_t t = 1000;
  for (int i = 0; i < 20; ++i) {
    starts.push_back(t);
    t += i == 13 ? 1000 : 100;
  }
  return starts;
}

void record_flat(ThreadWriter& w) {
  auto starts = flat_starts();
  w.enter(0, 0);
  for (uint64_t s : starts) {
    w.enter(1, s);
    w.leave(1, s + 50);
  }
  w.leave(0, starts.back() + 500);
}

// main (r0) calls step (r1) 6 times; step i calls relax (r2) 2 + i % 3 times,
// then exchange (r3). Every event is 10 ticks after the previous one, except
// relax of step 4, j = 1, which lasts 500.
struct Nested {
  std::vector<uint64_t> step_enter, step_leave;
  std::vector<std::vector<uint64_t>> relax_enter, relax_leave;
};

Nested record_nested(ThreadWriter& w) {
  Nested n;
  uint64_t t = 0;
  w.enter(0, t);
  for (int i = 0; i < 6; ++i) {
    n.step_enter.push_back(t += 10);
    w.enter(1, t);
    n.relax_enter.emplace_back();
    n.relax_leave.emplace_back();
    for (int j = 0; j < 2 + i % 3; ++j) {
      n.relax_enter.back().push_back(t += 10);
      w.enter(2, t);
      n.relax_leave.back().push_back(t += (i == 4 && j == 1) ? 500 : 10);
      w.leave(2, t);
    }
    w.enter(3, t += 10);
    w.leave(3, t += 10);
    n.step_leave.push_back(t += 10);
    w.leave(1, t);
  }
  w.leave(0, t += 10);
  return n;
}

const analyzer::LoopRow* row(const Loops& s, const std::string& name) {
  for (auto& r : s.rows)
    if (r.name() == name) return &r;
  return nullptr;
}

std::string names(const Loops& s) {
  std::string out;
  for (auto& r : s.rows) out += "[" + r.name() + "] ";
  return out;
}

struct Moments {
  uint64_t n = 0;
  double sum = 0, sq = 0;
  void add(double d) {
    ++n;
    sum += d;
    sq += d * d;
  }
  double mean() const { return sum / static_cast<double>(n); }
  double stddev() const { return std::sqrt(sq / static_cast<double>(n) - mean() * mean()); }
};

analyzer::AnalysisOptions options(unsigned threads = 1) {
  analyzer::AnalysisOptions o;
  o.threads = threads;
  return o;
}

}  // namespace

TEST(LoopFrames, CursorReportsLoopOccurrenceIterationAndStart) {
  test::TempDir dir;
  test::write_process(dir.file("p.rnd"), 1, 4, [](int, ThreadWriter& w) { record_nested(w); });
  TraceReader trace(dir.str());
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  EventCursor c(t);
  Event e;
  std::vector<LoopFrame> frames;
  // For every ENTER relax: two frames (the step loop, the relax loop) whose
  // iteration numbers are i and j, and the relax frame's iteration starts here.
  int relax_seen = 0;
  uint64_t generation = c.loop_generation();
  while (c.next(e)) {
    c.loop_frames(frames);
    if (e.kind() == EventKind::Enter && e.def->key.ref == 2) {
      ASSERT_EQ(frames.size(), 2u) << e.index;
      EXPECT_EQ(frames[1].first_event, e.index);
      EXPECT_LE(frames[0].first_event, e.index);
      ++relax_seen;
    }
    if (e.kind() == EventKind::Enter && e.def->key.ref == 1) {
      ASSERT_GE(frames.size(), 1u);
      EXPECT_EQ(frames[0].first_event, e.index);
      EXPECT_EQ(frames[0].iterations, 6u);
      EXPECT_NE(c.loop_generation(), generation);  // a new iteration started
    }
    generation = c.loop_generation();
  }
  EXPECT_EQ(relax_seen, 18);
}

TEST(LoopStats, IterationsMeanStddevSlowestAndOutliers) {
  test::TempDir dir;
  test::write_process(dir.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) { record_flat(w); });
  TraceReader trace(dir.str());
  Loops s = analyzer::loop_stats(trace, options());
  ASSERT_EQ(s.rows.size(), 1u) << names(s);
  const auto& r = s.rows[0];
  EXPECT_EQ(r.name(), "r1");
  EXPECT_EQ(r.occurrences, 1u);
  EXPECT_EQ(r.iterations, 20u);
  EXPECT_EQ(r.min_trip, 20u);
  EXPECT_EQ(r.max_trip, 20u);
  EXPECT_DOUBLE_EQ(r.events_per_iteration, 2.0);
  // 18 iterations of 100, iteration 13 of 1000, the last of 50.
  EXPECT_EQ(r.total_ns, 2850);
  EXPECT_DOUBLE_EQ(r.mean_ns, 142.5);
  // sum of squares 1 182 500 / 20 = 59 125; minus 142.5^2 = 38 818.75.
  EXPECT_NEAR(r.stddev_ns, std::sqrt(38818.75), 1e-6);
  EXPECT_EQ(r.min_ns, 50);
  EXPECT_EQ(r.max_ns, 1000);
  EXPECT_EQ(r.outliers, 1u);  // 1000 > 142.5 + 3 * 197.0
  ASSERT_EQ(r.slowest.size(), 5u);
  EXPECT_EQ(r.slowest[0].iteration, 13u);
  EXPECT_EQ(r.slowest[0].ns, 1000);
  for (uint32_t k = 1; k < 5; ++k) {  // ties: by index
    EXPECT_EQ(r.slowest[k].iteration, k - 1);
    EXPECT_EQ(r.slowest[k].ns, 100);
  }
  EXPECT_EQ(r.threads, 1u);
  EXPECT_EQ(r.thread_max_ns, 2850);

  // Without timestamps: same counts, total from the summary (first to last event
  // of each occurrence), no spread.
  Loops structure = analyzer::loop_stats(trace, options(), LoopDetail::Structure);
  ASSERT_EQ(structure.rows.size(), 1u);
  EXPECT_EQ(structure.rows[0].iterations, 20u);
  EXPECT_EQ(structure.rows[0].total_ns, 2850);
  EXPECT_DOUBLE_EQ(structure.rows[0].mean_ns, 142.5);
  EXPECT_FALSE(structure.rows[0].timed);
  auto j = analyzer::loops_json(structure);
  EXPECT_TRUE(j[0]["stddev_ns"].is_null());
  EXPECT_EQ(j[0]["iterations"], 20);
}

namespace {

// main (r0) calls f (r1) once per iteration; iteration i lasts durations[i]
// ticks (from its f to the next), the last one 50 (its own f).
void record_durations(ThreadWriter& w, const std::vector<uint64_t>& durations) {
  uint64_t t = 1000;
  w.enter(0, 0);
  for (uint64_t d : durations) {
    w.enter(1, t);
    w.leave(1, t + 50);
    t += d;
  }
  w.enter(1, t);
  w.leave(1, t + 50);
  w.leave(0, t + 100);
}

// Outliers (above mean + 3 standard deviations) of `durations` and the last
// iteration's 50 ticks, from the definition.
uint64_t outliers_of(std::vector<uint64_t> durations) {
  durations.push_back(50);
  long double n = static_cast<long double>(durations.size()), sum = 0, sq = 0;
  for (uint64_t d : durations) {
    sum += static_cast<long double>(d);
    sq += static_cast<long double>(d) * static_cast<long double>(d);
  }
  long double mean = sum / n, threshold = mean + 3 * std::sqrt(sq / n - mean * mean);
  uint64_t above = 0;
  for (uint64_t d : durations) above += static_cast<long double>(d) > threshold;
  return above;
}

}  // namespace

// Iterations of seconds (2^32 ticks and more, which the timer keeps apart from
// the shorter ones) are counted as outliers by their exact duration, whether
// the threshold lies below 2^32 ticks or above.
TEST(LoopStats, OutliersAmongIterationsOfSecondsAreCountedExactly) {
  // Threshold about 7e8 ticks: both long iterations are outliers.
  std::vector<uint64_t> low(1000, 100);
  low[300] = low[700] = 5'000'000'000;
  // Threshold about 3e10 ticks: the 5e9 iterations are not outliers, 6e10 is.
  std::vector<uint64_t> high(30, 100);
  for (int k = 0; k < 8; ++k) high.push_back(5'000'000'000);
  high.push_back(60'000'000'000);
  high.push_back(100);
  for (const auto& [durations, expected] : {std::pair{low, uint64_t{2}}, std::pair{high, uint64_t{1}}}) {
    ASSERT_EQ(outliers_of(durations), expected);
    test::TempDir dir;
    test::write_process(dir.file("p.rnd"), 1, 2, [&](int, ThreadWriter& w) { record_durations(w, durations); });
    TraceReader trace(dir.str());
    // From the recorder's summary, and from the events (the timer's own store
    // of long durations).
    for (LoopDetail detail : {LoopDetail::Timed, LoopDetail::TimedFromEvents}) {
      Loops s = analyzer::loop_stats(trace, options(), detail);
      ASSERT_EQ(s.rows.size(), 1u) << names(s);
      EXPECT_EQ(s.rows[0].iterations, durations.size() + 1);
      EXPECT_EQ(s.rows[0].outliers, expected);
      EXPECT_EQ(s.rows[0].max_ns, static_cast<int64_t>(*std::max_element(durations.begin(), durations.end())));
    }
  }
}

namespace {

// The iteration timing of every loop of a thread as the recorder kept it
// (FORMAT.md 12) and as a walk over the events finds it.
void expect_recorded_timing_is_the_events(const ProcessReader& p, const std::string& what) {
  const ThreadTrace& t = p.thread(0);
  ASSERT_TRUE(t.has_summary() && t.summary().has_iteration_stats) << what;
  const auto from_events = analyzer::loop_thread_partial(p, 0, 0, TimeWindow{}, LoopDetail::TimedFromEvents);
  ASSERT_FALSE(from_events.loops.empty()) << what;
  for (const analyzer::ThreadLoop& loop : from_events.loops) {
    const IterationStats& kept = t.summary().iterations.at(loop.loop);
    const analyzer::LoopTiming& walked = loop.timing;
    const std::string where = what + ", loop " + std::to_string(loop.loop);
    EXPECT_EQ(kept.durations.count, walked.iterations) << where;
    EXPECT_EQ(kept.durations.sum, walked.sum_ticks) << where;
    EXPECT_EQ(kept.durations.min, walked.min_ticks) << where;
    EXPECT_EQ(kept.durations.max, walked.max_ticks) << where;
    EXPECT_EQ(static_cast<uint64_t>(kept.sum_squares >> 64), walked.sum_sq_hi) << where;
    EXPECT_EQ(static_cast<uint64_t>(kept.sum_squares), walked.sum_sq_lo) << where;
    EXPECT_EQ(kept.outliers, walked.outliers) << where;
    ASSERT_EQ(kept.slowest.size(), walked.slowest.size()) << where;
    for (size_t k = 0; k < kept.slowest.size(); ++k) {
      EXPECT_EQ(kept.slowest[k].occurrence, walked.slowest[k].occurrence) << where << ", slowest " << k;
      EXPECT_EQ(kept.slowest[k].iteration, walked.slowest[k].iteration) << where << ", slowest " << k;
      EXPECT_EQ(kept.slowest[k].ticks, walked.slowest[k].ticks) << where << ", slowest " << k;
    }
  }
  // And the section that reads the summary gives what the events give.
  const auto from_summary = analyzer::loop_thread_partial(p, 0, 0, TimeWindow{}, LoopDetail::Timed);
  EXPECT_EQ(nlohmann::json(from_summary), nlohmann::json(from_events)) << what;
}

}  // namespace

// The recorder times every iteration as its grammar builder finds the loops
// (tandem repeats found after two iterations, loops nested in loops and in
// calls, recursion, occurrences cut short): on generated streams its numbers,
// slowest iterations included, are the ones a walk over the events finds.
TEST(LoopStats, RecordedIterationTimesAreTheOnesTheEventsGive) {
  for (uint64_t seed = 1; seed <= 12; ++seed)
    for (bool dense : {false, true}) {
      test::StreamGenerator gen(seed, 6, dense);
      auto ops = gen.run(30000);
      test::TempDir dir;
      test::write_process(dir.file("p.rnd"), 1, 8, [&](int, ThreadWriter& w) { test::StreamGenerator::record(ops, w); },
                          3000);
      TraceReader trace(dir.str());
      expect_recorded_timing_is_the_events(*trace.processes()[0],
                                           "seed " + std::to_string(seed) + (dense ? ", dense" : ""));
    }
}

// More outliers than the recorder keeps durations for (one iteration in 20
// lasts 100 times longer: 5,000 outliers): the summary says so, and the
// section counts them from the events.
TEST(LoopStats, MoreOutliersThanTheRecorderKeepsAreCountedFromTheEvents) {
  std::vector<uint64_t> durations(100000, 100);
  for (size_t i = 0; i < durations.size(); i += 20) durations[i] = 10000;
  const uint64_t expected = outliers_of(durations);
  ASSERT_EQ(expected, 5000u);
  test::TempDir dir;
  test::write_process(dir.file("p.rnd"), 1, 2, [&](int, ThreadWriter& w) { record_durations(w, durations); });
  TraceReader trace(dir.str());
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  ASSERT_EQ(t.summary().iterations.size(), 1u);
  EXPECT_EQ(t.summary().iterations[0].outliers, IterationStats::kUnknown);
  EXPECT_EQ(t.summary().iterations[0].durations.count, durations.size() + 1);
  Loops s = analyzer::loop_stats(trace, options());
  ASSERT_EQ(s.rows.size(), 1u) << names(s);
  EXPECT_EQ(s.rows[0].outliers, expected);
  EXPECT_EQ(analyzer::loops_json(s), analyzer::loops_json(analyzer::loop_stats(trace, options(), LoopDetail::TimedFromEvents)));
}

TEST(LoopStats, NestedLoopsWithParent) {
  test::TempDir dir;
  Nested n;
  test::write_process(dir.file("p.rnd"), 1, 4, [&](int, ThreadWriter& w) { n = record_nested(w); });
  TraceReader trace(dir.str());
  Loops s = analyzer::loop_stats(trace, options());
  const auto* outer = row(s, "r1");
  const auto* inner = row(s, "r1 > r2");
  ASSERT_TRUE(outer && inner) << names(s);

  // Oracle from the recorded ticks.
  Moments steps, relaxes;
  uint64_t slowest_relax = 0;
  for (size_t i = 0; i < 6; ++i) {
    steps.add(static_cast<double>((i + 1 < 6 ? n.step_enter[i + 1] : n.step_leave[i]) - n.step_enter[i]));
    const auto& e = n.relax_enter[i];
    for (size_t j = 0; j < e.size(); ++j) {
      uint64_t d = (j + 1 < e.size() ? e[j + 1] : n.relax_leave[i][j]) - e[j];
      relaxes.add(static_cast<double>(d));
      slowest_relax = std::max(slowest_relax, d);
    }
  }
  EXPECT_EQ(outer->occurrences, 1u);
  EXPECT_EQ(outer->iterations, 6u);
  EXPECT_EQ(outer->total_ns, static_cast<int64_t>(steps.sum));
  EXPECT_NEAR(outer->stddev_ns, steps.stddev(), 1e-6);
  EXPECT_EQ(outer->slowest[0].iteration, 4u);  // the step with the long relax

  EXPECT_EQ(inner->occurrences, 6u);
  EXPECT_EQ(inner->iterations, 18u);  // 2 + 3 + 4 + 2 + 3 + 4
  EXPECT_EQ(inner->min_trip, 2u);
  EXPECT_EQ(inner->max_trip, 4u);
  EXPECT_EQ(inner->total_ns, static_cast<int64_t>(relaxes.sum));
  EXPECT_DOUBLE_EQ(inner->mean_ns, relaxes.mean());
  EXPECT_NEAR(inner->stddev_ns, relaxes.stddev(), 1e-6);
  ASSERT_FALSE(inner->slowest.empty());
  EXPECT_EQ(inner->slowest[0].occurrence, 4u);
  EXPECT_EQ(inner->slowest[0].iteration, 1u);
  EXPECT_EQ(inner->slowest[0].ns, static_cast<int64_t>(slowest_relax));
  EXPECT_EQ(inner->outliers, 1u);
  EXPECT_EQ(inner->parents, std::vector<std::string>{"r1"});
}

TEST(LoopStats, WindowClipsIterationsToIt) {
  test::TempDir dir;
  // Small batches: many timestamp chunks, the window beginning in a late one.
  test::write_process(dir.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) { record_flat(w); }, 8);
  TraceReader trace(dir.str());
  auto starts = flat_starts();
  analyzer::AnalysisOptions o = options();
  o.window = TimeWindow{static_cast<int64_t>(starts[5]), static_cast<int64_t>(starts[15])};
  Loops s = analyzer::loop_stats(trace, o);
  ASSERT_EQ(s.rows.size(), 1u) << names(s);
  const auto& r = s.rows[0];
  EXPECT_TRUE(s.windowed);
  EXPECT_EQ(r.iterations, 10u);  // 5 .. 14
  EXPECT_EQ(r.occurrences, 1u);
  EXPECT_EQ(r.min_trip, 20u);
  EXPECT_EQ(r.total_ns, 9 * 100 + 1000);
  EXPECT_EQ(r.slowest[0].iteration, 13u);
  EXPECT_EQ(r.slowest[1].iteration, 5u);

  // A window starting one tick after an iteration start clips it, as the
  // profile clips calls: it still counts, 1 ns shorter.
  o.window.begin_ns = static_cast<int64_t>(starts[5]) + 1;
  EXPECT_EQ(analyzer::loop_stats(trace, o).rows.at(0).iterations, 10u);
  EXPECT_EQ(analyzer::loop_stats(trace, o).rows.at(0).total_ns, 9 * 100 + 1000 - 1);
  // One ending 40 ns into iteration 15 counts those 40 ns of it: the total
  // never exceeds the window.
  o.window.begin_ns = static_cast<int64_t>(starts[5]);
  o.window.end_ns = static_cast<int64_t>(starts[15]) + 40;
  EXPECT_EQ(analyzer::loop_stats(trace, o).rows.at(0).iterations, 11u);
  EXPECT_EQ(analyzer::loop_stats(trace, o).rows.at(0).total_ns, 9 * 100 + 1000 + 40);
  EXPECT_LE(analyzer::loop_stats(trace, o).rows.at(0).total_ns, o.window.end_ns - o.window.begin_ns);
  // Structure alone cannot apply a window.
  EXPECT_THROW(analyzer::loop_stats(trace, o, LoopDetail::Structure), std::invalid_argument);

  // The same events in one batch give the same statistics as in many.
  test::TempDir one;
  test::write_process(one.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) { record_flat(w); });
  TraceReader single(one.str());
  EXPECT_EQ(analyzer::loops_json(analyzer::loop_stats(single, options())),
            analyzer::loops_json(analyzer::loop_stats(trace, options())));
}

// Corrupts the delta block of every timestamp chunk (payload and header
// checksums recomputed, so the chunks still load): replaying fails, while the
// structural statistics stay exact because they never decode a timestamp.
TEST(LoopStats, StructureNeedsNoTimestamps) {
  test::TempDir dir;
  std::string file = dir.file("p.rnd");
  test::write_process(file, 1, 4, [](int, ThreadWriter& w) { record_nested(w); }, 8);
  std::ifstream in(file, std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  auto varint = [&](size_t& at) {
    uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      uint8_t b = bytes[at++];
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return v;
    }
  };
  auto u32 = [&](size_t at) {
    return static_cast<uint32_t>(bytes[at]) | static_cast<uint32_t>(bytes[at + 1]) << 8 |
           static_cast<uint32_t>(bytes[at + 2]) << 16 | static_cast<uint32_t>(bytes[at + 3]) << 24;
  };
  auto put32 = [&](size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) bytes[at + k] = static_cast<uint8_t>(v >> (8 * k));
  };
  int corrupted = 0;
  for (size_t pos = 16; pos + kChunkHeaderSize <= bytes.size();) {
    uint32_t stored = u32(pos + 16);
    size_t payload = pos + kChunkHeaderSize;
    if (bytes[pos + 4] == static_cast<uint8_t>(ChunkKind::ThreadTimestamps) && bytes[pos + 5] == 0) {
      size_t at = payload;
      varint(at);                       // first_index
      if (varint(at) > 1) {             // count
        at += 16;                       // first_ticks, last_ticks
        bytes[at++] = 1;                // delta codec: zstd
        varint(at);                     // raw size
        size_t n = varint(at);          // stored size
        for (size_t k = 0; k < n; ++k) bytes[at + k] = 0xff;  // not a zstd frame
        put32(pos + 24, crc32c(bytes.data() + payload, stored));
        put32(pos + 28, crc32c(bytes.data() + pos, 28));
        ++corrupted;
      }
    }
    pos = payload + stored;
  }
  ASSERT_GT(corrupted, 2);
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));

  TraceReader trace(dir.str());
  EXPECT_TRUE(trace.problems().empty());
  // Timestamps are unreadable: iteration times from the events fail, while the
  // recorder's (in the summary) need none either.
  EXPECT_ANY_THROW(analyzer::loop_stats(trace, options(), LoopDetail::TimedFromEvents));
  Loops timed = analyzer::loop_stats(trace, options());
  ASSERT_TRUE(row(timed, "r1 > r2")) << names(timed);
  EXPECT_EQ(row(timed, "r1 > r2")->iterations, 18u);
  auto partial = analyzer::loop_thread_partial(*trace.processes()[0], 0, 0, TimeWindow{}, LoopDetail::Structure);
  Loops s = analyzer::reduce_loops(trace, {partial});
  const auto* outer = row(s, "r1");
  const auto* inner = row(s, "r1 > r2");
  ASSERT_TRUE(outer && inner) << names(s);
  EXPECT_EQ(outer->iterations, 6u);
  EXPECT_EQ(inner->occurrences, 6u);
  EXPECT_EQ(inner->iterations, 18u);
  EXPECT_EQ(inner->min_trip, 2u);
  EXPECT_EQ(inner->max_trip, 4u);
  EXPECT_DOUBLE_EQ(inner->events_per_iteration, 2.0);
  EXPECT_DOUBLE_EQ(outer->events_per_iteration, (2.0 * 18 + 4 * 6) / 6);
  EXPECT_GT(outer->total_ns, 0);  // from the summary
}

// Three threads (two ranks' worth of work in one process plus one more process)
// run the same loop: one row, spread over threads; identical with 1 or 4 workers
// and after shipping the partials as JSON.
TEST(LoopStats, GroupsThreadsAndRanksMapReduceIsDeterministic) {
  test::TempDir dir;
  for (int rank = 0; rank < 2; ++rank) {
    test::MpiProcessSpec spec;
    spec.rank = rank;
    spec.world_size = 2;
    spec.threads = 2;
    spec.regions = {{"main", RegionRole::Function}, {"f", RegionRole::Function}};
    test::write_mpi_process(dir.file("p" + std::to_string(rank) + ".rnd"), spec, [&](int t, ThreadWriter& w) {
      uint64_t at = 0, len = 10 + 5 * static_cast<uint64_t>(rank * 2 + t);  // thread k: iterations of 10 + 5k
      w.enter(0, at);
      for (int i = 0; i < 10; ++i) {
        w.enter(1, at);
        w.leave(1, at + 1);
        at += len;
      }
      w.leave(0, at);
    });
  }
  TraceReader trace(dir.str());
  Loops one = analyzer::loop_stats(trace, options(1));
  ASSERT_EQ(one.rows.size(), 1u) << names(one);
  const auto& r = one.rows[0];
  EXPECT_EQ(r.name(), "f");
  EXPECT_EQ(r.ranks, 2u);
  EXPECT_EQ(r.threads, 4u);
  EXPECT_EQ(r.iterations, 40u);
  // Per thread: 9 iterations of len, the last of 1 tick.
  EXPECT_EQ(r.total_ns, 9 * (10 + 15 + 20 + 25) + 4);
  EXPECT_EQ(r.thread_min_ns, 9 * 10 + 1);
  EXPECT_EQ(r.thread_max_ns, 9 * 25 + 1);
  EXPECT_EQ(r.slowest_rank, 1);
  EXPECT_EQ(r.slowest_thread, 1);
  EXPECT_EQ(r.slowest[0].rank, 1);
  EXPECT_EQ(r.slowest[0].iteration, 0u);
  EXPECT_EQ(r.outliers, 0u);  // relative to each thread's own iterations

  Loops four = analyzer::loop_stats(trace, options(4));
  EXPECT_EQ(analyzer::loops_json(one), analyzer::loops_json(four));

  std::vector<analyzer::LoopThreadPartial> shipped;
  for (uint32_t p = 0; p < 2; ++p)
    for (uint32_t t = 0; t < 2; ++t) {
      auto partial = analyzer::loop_thread_partial(*trace.processes()[p], p, t, TimeWindow{});
      nlohmann::json j = partial;
      auto back = nlohmann::json::parse(j.dump()).get<analyzer::LoopThreadPartial>();
      EXPECT_EQ(back, partial);
      shipped.push_back(back);
    }
  EXPECT_EQ(analyzer::loops_json(analyzer::reduce_loops(trace, shipped)), analyzer::loops_json(one));

  Loops by_thread = analyzer::reduce_loops(trace, shipped, analyzer::GroupBy::Thread);
  EXPECT_EQ(by_thread.rows.size(), 4u);
  EXPECT_EQ(by_thread.rows[0].rank, 1);
  EXPECT_EQ(by_thread.rows[0].thread, 1);
}

// The text and CSV of `rondo stats` for the loops section.
TEST(LoopStats, TextAndCsv) {
  test::TempDir dir;
  test::write_process(dir.file("p.rnd"), 1, 4, [](int, ThreadWriter& w) { record_nested(w); });
  TraceReader trace(dir.str());
  Loops s = analyzer::loop_stats(trace, options());
  std::string text = cli::loops_text(s);
  EXPECT_NE(text.find("Loops (by total time)"), std::string::npos) << text;
  EXPECT_NE(text.find("r1 > r2"), std::string::npos) << text;
  EXPECT_NE(text.find("Slowest iterations"), std::string::npos) << text;
  EXPECT_NE(text.find("2-4"), std::string::npos) << text;  // trip counts of the inner loop
  EXPECT_EQ(cli::loops_text(Loops{}), "");

  test::TempDir out;
  auto files = cli::write_loops_csv(s, out.str());
  ASSERT_EQ(files, (std::vector<std::string>{"loops.csv", "loops_slowest.csv"}));
  std::ifstream in(out.file("loops.csv"));
  std::string header, line;
  std::getline(in, header);
  EXPECT_EQ(header.rfind("loop,rank,thread,ranks,threads,occurrences,iterations,", 0), 0u);
  int rows = 0;
  bool inner = false;
  while (std::getline(in, line)) {
    ++rows;
    if (line.rfind("r1 > r2,-1,-1,1,1,6,18,2,4,", 0) == 0) inner = true;
  }
  EXPECT_EQ(rows, static_cast<int>(s.rows.size()));
  EXPECT_TRUE(inner);
  std::ifstream slow(out.file("loops_slowest.csv"));
  int slow_rows = -1;
  while (std::getline(slow, line)) ++slow_rows;
  size_t expected = 0;
  for (auto& r : s.rows) expected += r.slowest.size();
  EXPECT_EQ(slow_rows, static_cast<int>(expected));
}

// A real program (examples/c_loops/nested_loops.c, compiler-instrumented): 1000
// steps, relax called 1 + i % 4 times in step i. The timed statistics (replay)
// and the structural ones (no timestamps, times from the thread summary) agree
// exactly on every count and on every total.
TEST(LoopStats, RecordedNestedLoopsProgram) {
  test::TempDir dir;
  std::string trace_dir = dir.file("trace");
  std::string record = std::string(RONDO_CLI) + " record -o " + trace_dir + " -- " + NESTED_LOOPS + " 1000 > /dev/null 2>&1";
  ASSERT_EQ(std::system(record.c_str()), 0) << record;
  EXPECT_TRUE(rondo::test::trace_valid(trace_dir));
  TraceReader trace(trace_dir);
  Loops timed = analyzer::loop_stats(trace, options());
  Loops structure = analyzer::loop_stats(trace, options(), LoopDetail::Structure);
  ASSERT_EQ(timed.rows.size(), structure.rows.size()) << names(timed) << " / " << names(structure);
  const analyzer::LoopRow* relax = nullptr;
  for (size_t i = 0; i < timed.rows.size(); ++i) {
    const auto &a = timed.rows[i], &b = structure.rows[i];
    EXPECT_EQ(a.name(), b.name());
    EXPECT_EQ(a.occurrences, b.occurrences) << a.name();
    EXPECT_EQ(a.iterations, b.iterations) << a.name();
    EXPECT_EQ(a.total_ns, b.total_ns) << a.name();
    EXPECT_EQ(a.slowest.at(0).ns, a.max_ns) << a.name();
    EXPECT_LE(a.outliers, a.iterations);
    EXPECT_NE(a.name().find("step"), std::string::npos) << a.name();
    if (a.label == "relax") relax = &a;
  }
  ASSERT_TRUE(relax) << names(timed);
  EXPECT_EQ(relax->min_trip, 1u);
  EXPECT_EQ(relax->max_trip, 4u);
  EXPECT_LE(relax->iterations, 2500u);  // calls of relax outside any loop occurrence are not iterations
  EXPECT_GE(relax->iterations, 2496u);
}

// With a core to spare (one thread of the trace, two workers), the walk reads
// its timestamps a chunk ahead on a helper thread: every figure is the same as
// on one worker, which reads them itself.
TEST(LoopStats, TimestampsReadAheadGiveTheSameStatistics) {
  test::TempDir dir;
  std::string trace_dir = dir.file("trace");
  std::string record = "RONDO_BATCH_EVENTS=4096 " + std::string(RONDO_CLI) + " record -o " + trace_dir + " -- " +
                       NESTED_LOOPS + " 20000 > /dev/null 2>&1";
  ASSERT_EQ(std::system(record.c_str()), 0) << record;
  TraceReader trace(trace_dir);
  ASSERT_GT(trace.processes()[0]->thread(0).timestamp_chunks().size(), 20u);
  ASSERT_TRUE(analyzer::spare_cores(1, 2));
  // From the events (a summary would answer without reading a timestamp).
  Loops alone = analyzer::loop_stats(trace, options(1), LoopDetail::TimedFromEvents);
  Loops ahead = analyzer::loop_stats(trace, options(2), LoopDetail::TimedFromEvents);
  ASSERT_FALSE(alone.rows.empty());
  EXPECT_EQ(analyzer::loops_json(ahead), analyzer::loops_json(alone));
  EXPECT_EQ(analyzer::loops_json(analyzer::loop_stats(trace, options(2))), analyzer::loops_json(alone));
  expect_recorded_timing_is_the_events(*trace.processes()[0], "nested_loops 20000");
  uint64_t iterations = 0;
  for (const auto& r : alone.rows) iterations += r.iterations;
  EXPECT_GT(iterations, 20000u);  // 20,000 steps in loops nested three deep
}
