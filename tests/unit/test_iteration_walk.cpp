// Loop iteration times from the structure and one timestamp per iteration
// (analyzer/src/iteration_walk.h) are a replay's, iteration for iteration, on
// random programs with nested loops of varying trip counts, calls and
// recursion.
#include <gtest/gtest.h>

#include "iteration_walk.h"
#include "rondo/analyzer/loop_stats.h"
#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

// Every iteration a sink hears, in order.
struct Recorded final : analyzer::IterationSink {
  struct Item {
    LoopFrame frame;
    uint64_t ticks, start, end;
    bool operator==(const Item&) const = default;
  };
  std::vector<Item> items;
  void on(const LoopFrame& f, uint64_t ticks, uint64_t start, uint64_t end) override {
    items.push_back({f, ticks, start, end});
  }
};

// The iterations a replay finds: a cursor's loop frames, followed as the loops
// section follows them (the iteration of a frame ends at the first event of the
// next iteration of its occurrence, else at its own last event; innermost first).
Recorded replayed_iterations(const ThreadTrace& t) {
  Recorded out;
  EventCursor cursor(t);
  Event e;
  std::vector<LoopFrame> frames;
  struct Open {
    LoopFrame frame;
    uint64_t start;
  };
  std::vector<Open> open;
  uint64_t previous = 0, generation = UINT64_MAX;
  auto same = [](const LoopFrame& a, const LoopFrame& b) {
    return a.loop == b.loop && a.occurrence == b.occurrence && a.iteration == b.iteration;
  };
  auto close = [&](const Open& o, uint64_t end) {
    end = std::max(end, o.start);
    out.on(o.frame, end - o.start, o.start, end);
  };
  while (cursor.next(e)) {
    if (cursor.loop_generation() != generation) {
      generation = cursor.loop_generation();
      cursor.loop_frames(frames);
      size_t d = 0;
      while (d < open.size() && d < frames.size() && same(open[d].frame, frames[d])) ++d;
      for (size_t k = open.size(); k-- > d;) {
        bool next = k == d && k < frames.size() && frames[k].loop == open[k].frame.loop &&
                    frames[k].occurrence == open[k].frame.occurrence;
        close(open[k], next ? e.ticks : previous);
      }
      open.resize(d);
      for (size_t k = d; k < frames.size(); ++k) open.push_back({frames[k], e.ticks});
    }
    previous = e.ticks;
  }
  for (size_t k = open.size(); k-- > 0;) close(open[k], previous);
  return out;
}

// A thread whose grammar another writer made (the reference writer never
// writes a trip count of 0): r0's call S0, loop L0 of S0, loop L1 of L0 alone,
// top level [L1 x4] with L0's counts 2, 0, 3, 0: L1's second and fourth
// iterations hold no event. Call k of the five takes ticks 100 k .. 100 k + 10 + k.
void write_loop_of_loops(const std::string& path) {
  ProcessFile file(path);
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, test::basic_process_defs(1, 1), 3));
  Batch b;
  EventDef enter, leave;
  enter.key.kind = EventKind::Enter;
  leave.key.kind = EventKind::Leave;
  b.structure.event_defs = {{0, enter}, {1, leave}};
  b.structure.sequence_defs = {{0, SequenceDef{{event_token(0), event_token(1)}, false}}};
  b.structure.loop_defs = {{0, LoopDef{sequence_token(0)}}, {1, LoopDef{Token(TokenKind::Loop, 0)}}};
  b.structure.tokens = {Token(TokenKind::Loop, 1)};
  b.structure.loop_counts = {{0, 2}, {0, 0}, {0, 3}, {0, 0}, {1, 4}};
  for (uint64_t k = 0; k < 5; ++k) {
    b.ticks.push_back(100 * k);
    b.ticks.push_back(100 * k + 10 + k);
  }
  b.final = true;
  b.summary.events = 10;
  b.summary.first_ticks = 0;
  b.summary.last_ticks = 414;
  b.summary.regions.resize(1);
  for (uint64_t k = 0; k < 5; ++k) b.summary.regions[0].add_call(10 + k, 0);
  for (auto& c : encode_batch(b, 3)) file.append(c);
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

}  // namespace

// 150 random programs, 2 threads each: the loops section without a window
// (structure and times from one walk) equals that of a window holding
// everything (the structure-only walk, then a replay): iterations, sums,
// squares, extremes, outliers, slowest, and every count of the structure.
TEST(IterationWalk, LoopTimesAreTheReplaysOnRandomPrograms) {
  int walked = 0, threads = 0;
  uint64_t iterations = 0;
  for (uint64_t seed = 1; seed <= 150; ++seed) {
    test::TempDir dir;
    std::vector<test::Op> ops[2] = {test::StreamGenerator(seed, 5, true).run(1000 + seed * 40),
                                    test::StreamGenerator(seed + 500, 8).run(1000 + seed * 40)};
    test::write_process(dir.file("p0.rnd"), 2, 8,
                        [&](int t, ThreadWriter& w) { test::StreamGenerator::record(ops[t], w); }, 700);
    TraceReader trace(dir.str());
    const ProcessReader& p = *trace.processes()[0];
    for (uint32_t t = 0; t < p.thread_count(); ++t, ++threads) {
      walked += analyzer::iterations_from_structure_possible(p.thread(t));
      auto whole = analyzer::loop_thread_partial(p, 0, t, {});
      auto replayed = analyzer::loop_thread_partial(p, 0, t, {0, std::numeric_limits<int64_t>::max() / 2});
      ASSERT_EQ(whole.loops.size(), replayed.loops.size()) << "seed " << seed;
      for (size_t l = 0; l < whole.loops.size(); ++l) {
        // The structure counted by the same walk (occurrences, trip counts,
        // events, labels, parents) and the times.
        EXPECT_EQ(whole.loops[l], replayed.loops[l]) << "seed " << seed << " thread " << t << " loop " << l;
        iterations += whole.loops[l].timing.iterations;
      }
      if (HasFailure()) return;
    }
  }
  // Every thread of these programs ends cleanly and each loop body holds an
  // event, so each is walked; the programs ran this many iterations in all.
  EXPECT_EQ(walked, threads);
  EXPECT_GT(iterations, 100000u);
}

// Iteration by iteration: the same frames, durations, starts and ends, in the
// order the replay's tracker ends them (innermost first).
TEST(IterationWalk, HandsOnTheIterationsInTheReplaysOrder) {
  test::TempDir dir;
  test::write_process(dir.file("p0.rnd"), 1, 3, [](int, ThreadWriter& w) {
    uint64_t at = 0;
    for (int step = 0; step < 40; ++step) {  // 40 x (r0 calling r1 (step % 3 + 1) times), a gap of 7 every 5th
      w.enter(0, at);
      at += 3;
      for (int j = 0; j <= step % 3; ++j) {
        w.enter(1, at++);
        w.leave(1, at);
        at += 2;
      }
      w.leave(0, at);
      at += step % 5 == 4 ? 7 : 1;
    }
  });
  TraceReader trace(dir.str());
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  ASSERT_TRUE(analyzer::iterations_from_structure_possible(t));
  Recorded walked;
  analyzer::walk_iterations(t, walked);
  Recorded replayed = replayed_iterations(t);
  ASSERT_FALSE(walked.items.empty());
  EXPECT_EQ(walked.items.size(), replayed.items.size());
  for (size_t i = 0; i < std::min(walked.items.size(), replayed.items.size()); ++i)
    EXPECT_EQ(walked.items[i], replayed.items[i]) << "iteration " << i;
}

// Iterations without events are skipped as a replay skips them: the iteration
// before one ends where the next iteration with events begins.
TEST(IterationWalk, IterationsWithoutEventsAreSkippedAsAReplaySkipsThem) {
  test::TempDir dir;
  write_loop_of_loops(dir.file("p0.rnd"));
  TraceReader trace(dir.str());
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  ASSERT_EQ(t.loop_counts(0), (std::vector<uint32_t>{2, 0, 3, 0}));
  ASSERT_TRUE(analyzer::iterations_from_structure_possible(t));
  Recorded walked;
  analyzer::walk_iterations(t, walked);
  Recorded replayed = replayed_iterations(t);
  EXPECT_EQ(walked.items, replayed.items);
  // L0: occurrence 0 (calls at 0 and 100), occurrence 2 (200, 300, 400); L1:
  // its iteration 0 (0 .. 200, where iteration 2 begins), iteration 2 (200 .. 414).
  ASSERT_EQ(walked.items.size(), 7u);
  EXPECT_EQ(walked.items[0].frame.loop, 0u);
  EXPECT_EQ(walked.items[0].ticks, 100u);
  EXPECT_EQ(walked.items[1].ticks, 111u - 100u);
  EXPECT_EQ(walked.items[2].frame.loop, 1u);
  EXPECT_EQ(walked.items[2].frame.iteration, 0u);
  EXPECT_EQ(walked.items[2].ticks, 200u);
  EXPECT_EQ(walked.items[3].frame.occurrence, 2u);
  EXPECT_EQ(walked.items[5].ticks, 414u - 400u);
  EXPECT_EQ(walked.items[6].frame.loop, 1u);
  EXPECT_EQ(walked.items[6].frame.iteration, 2u);
  EXPECT_EQ(walked.items[6].ticks, 414u - 200u);
}

// A time step whose body holds more loops than a sequence expanded in place may
// (WalkPrograms): the walk runs that sequence as a level of its own, and hands
// on what the replay finds, iteration by iteration.
TEST(IterationWalk, ASequenceTooLargeToExpandRunsAsItsOwnLevel) {
  constexpr int kLoops = 40;  // distinct loops in one step, each run 2 to 4 times
  test::TempDir dir;
  test::write_process(dir.file("p0.rnd"), 1, kLoops + 1, [](int, ThreadWriter& w) {
    uint64_t at = 0;
    for (int step = 0; step < 30; ++step) {
      w.enter(0, at++);
      for (int k = 0; k < kLoops; ++k)
        for (int j = 0; j < (step + k) % 3 + 2; ++j) {
          w.enter(static_cast<uint32_t>(1 + k), at);
          at += 1 + (step * 7 + j) % 5;
          w.leave(static_cast<uint32_t>(1 + k), at++);
        }
      w.leave(0, at);
      at += 3;
    }
  });
  TraceReader trace(dir.str());
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  ASSERT_TRUE(analyzer::iterations_from_structure_possible(t));
  const analyzer::FixedSizes sizes(t);
  const analyzer::WalkPrograms programs(t, sizes);
  auto has_sequence_level = [](const std::vector<analyzer::WalkStep>& steps) {
    return std::any_of(steps.begin(), steps.end(),
                       [](const analyzer::WalkStep& s) { return s.kind == analyzer::WalkStep::Kind::Sequence; });
  };
  bool level = has_sequence_level(programs.top());
  for (uint32_t l = 0; l < t.loops().size(); ++l) level = level || has_sequence_level(programs.body(l));
  ASSERT_TRUE(level) << "the step's sequence was expanded: the test no longer covers a sequence level";
  Recorded walked;
  analyzer::walk_iterations(t, walked);
  Recorded replayed = replayed_iterations(t);
  ASSERT_GT(walked.items.size(), 30u * kLoops * 2);
  EXPECT_EQ(walked.items.size(), replayed.items.size());
  EXPECT_EQ(walked.items, replayed.items);
}
