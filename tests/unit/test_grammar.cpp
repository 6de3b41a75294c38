// The grammar builder and the reader together: what is recorded is what is read,
// and repetition becomes loops.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>

#include "stream_generator.h"
#include "rondo/format/merge.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;
using rondo::test::Op;
using rondo::test::nested_loops;

namespace {

void expect_same_events(const std::vector<Op>& ops, const std::vector<Event>& events, size_t limit = SIZE_MAX) {
  size_t n = std::min(ops.size(), limit);
  ASSERT_GE(events.size(), n);
  for (size_t i = 0; i < n; ++i) {
    const Op& op = ops[i];
    const Event& e = events[i];
    ASSERT_EQ(e.index, i);
    ASSERT_EQ(e.ticks, op.ticks) << "event " << i;
    switch (op.type) {
      case Op::Enter:
        ASSERT_EQ(e.kind(), EventKind::Enter) << "event " << i;
        ASSERT_EQ(e.def->key.ref, op.region);
        break;
      case Op::Leave:
        ASSERT_EQ(e.kind(), EventKind::Leave) << "event " << i;
        ASSERT_EQ(e.def->key.ref, op.region);
        break;
      case Op::Leaf:
        ASSERT_TRUE(e.def->key == op.key) << "event " << i;
        for (int k = 0; k < e.def->data; ++k) ASSERT_EQ(e.data[k], op.data[k]) << "event " << i;
        break;
    }
  }
}

// Records ops into one thread of a fresh trace and returns the reader.
std::unique_ptr<TraceReader> record(const rondo::test::TempDir& dir, const std::vector<Op>& ops,
                                    int batch_events = 1 << 14) {
  rondo::test::write_process(
      dir.file("p0.rnd"), 1, 8, [&](int, ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); },
      batch_events);
  return std::make_unique<TraceReader>(dir.str());
}

// Appends a call without children of `region`: enter `enter_gap` ticks after the
// previous event, leave `leave_gap` ticks later.
void push_call(std::vector<Op>& ops, uint64_t& now, uint32_t region, uint64_t enter_gap = 3, uint64_t leave_gap = 2) {
  ops.push_back(Op(Op::Enter, region, now += enter_gap));
  ops.push_back(Op(Op::Leave, region, now += leave_gap));
}

}  // namespace

TEST(Grammar, NestedLoopsWithVaryingTripCountsBecomeTwoLoops) {
  rondo::test::TempDir dir;
  uint64_t now = 0;
  auto ops = nested_loops(1000, now);
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  EXPECT_FALSE(t.truncated());
  EXPECT_EQ(t.event_count(), ops.size());
  // Sequences: f's call, g's call, the outer body [Loop(f), g], main's call.
  EXPECT_EQ(t.sequences().size(), 4u);
  ASSERT_EQ(t.loops().size(), 2u);
  // One top-level token: the call to main.
  ASSERT_EQ(t.top_level().size(), 1u);
  // The inner loop (body: the call to f) and the outer loop (body: inner loop + g).
  // Iteration 0 calls f once, which is not a loop yet, so the outer loop is found
  // from the next iteration on, shifted by one token: [f, Loop(g, Loop(f)) x 999, g].
  uint32_t inner = t.loops()[0].body.kind() == TokenKind::Sequence && t.sequences()[t.loops()[0].body.id()].loop_body
                       ? 1 : 0;
  uint32_t outer = 1 - inner;
  EXPECT_EQ(t.loop_counts(outer), std::vector<uint32_t>({999}));
  ASSERT_EQ(t.loop_counts(inner).size(), 999u);
  for (int i = 1; i < 1000; ++i) EXPECT_EQ(t.loop_counts(inner)[i - 1], 1u + i % 5);
  const auto& main_body = t.sequences()[t.top_level()[0].id()].tokens;
  ASSERT_EQ(main_body.size(), 5u);  // enter main, f, outer loop, g, leave main
  EXPECT_EQ(main_body[2], loop_token(outer));
  expect_same_events(ops, rondo::test::replay(t));
  // Statistics from the summary, without replay: 3000 calls of f, exact sums.
  ASSERT_TRUE(t.has_summary());
  EXPECT_EQ(t.summary().regions[1].inclusive.count, 3000u);
  uint64_t f_sum = 0;
  for (size_t i = 0; i + 1 < ops.size(); ++i)
    if (ops[i].type == Op::Enter && ops[i].region == 1) f_sum += ops[i + 1].ticks - ops[i].ticks;
  EXPECT_EQ(t.summary().regions[1].inclusive.sum, f_sum);
  EXPECT_EQ(t.summary().loops[outer].iterations, 999u);
}

TEST(Grammar, ExclusiveTimeSubtractsCallees) {
  rondo::test::TempDir dir;
  // a [0,100] contains b [10,30] and b [40,45]: a exclusive = 100 - 20 - 5 = 75.
  std::vector<Op> ops = {Op(Op::Enter, 0), Op(Op::Enter, 1), Op(Op::Leave, 1), Op(Op::Enter, 1), Op(Op::Leave, 1), Op(Op::Leave, 0)};
  uint64_t ticks[] = {0, 10, 30, 40, 45, 100};
  for (size_t i = 0; i < ops.size(); ++i) ops[i].ticks = ticks[i];
  auto trace = record(dir, ops);
  const ThreadSummary& s = trace->processes()[0]->thread(0).summary();
  EXPECT_EQ(s.regions[0].inclusive.sum, 100u);
  EXPECT_EQ(s.regions[0].exclusive_sum, 75u);
  EXPECT_EQ(s.regions[1].inclusive.count, 2u);
  EXPECT_EQ(s.regions[1].inclusive.min, 5u);
  EXPECT_EQ(s.regions[1].inclusive.max, 20u);
  EXPECT_EQ(s.regions[1].exclusive_sum, 25u);
  // Sums of squares for the standard deviation: 100², and 20² + 5².
  ASSERT_TRUE(s.has_sum_squares);
  EXPECT_TRUE(s.regions[0].inclusive_sum_squares == 10000u);
  EXPECT_TRUE(s.regions[1].inclusive_sum_squares == 425u);
}

TEST(Grammar, RecursionRoundTripsAndReusesSequences) {
  rondo::test::TempDir dir;
  std::vector<Op> ops;
  uint64_t now = 0;
  // fib-shaped recursion, 20 times over.
  std::function<void(int)> fib = [&](int n) {
    ops.push_back(Op(Op::Enter, 3, now += 3));
    if (n > 1) {
      fib(n - 1);
      fib(n - 2);
    }
    ops.push_back(Op(Op::Leave, 3, now += 2));
  };
  for (int i = 0; i < 20; ++i) fib(10);
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  // One sequence per distinct fib(n): fib(0..10) = 11 sequences (fib(0) and fib(1) are alike).
  EXPECT_LE(t.sequences().size(), 12u);
  expect_same_events(ops, rondo::test::replay(t));
  // The 20 calls form one loop at the top level.
  ASSERT_EQ(t.top_level().size(), 1u);
  ASSERT_EQ(t.top_level()[0].kind(), TokenKind::Loop);
  EXPECT_EQ(t.loop_counts(t.top_level()[0].id()), std::vector<uint32_t>({20}));
}

TEST(Grammar, IrregularStreamsRoundTripWithBoundedFrames) {
  rondo::test::TempDir dir;
  std::mt19937_64 rng(7);
  std::vector<Op> ops;
  uint64_t now = 0;
  // 100k markers with random texts: nothing repeats in order, so the top level streams out.
  for (int i = 0; i < 100000; ++i) {
    Op op(Op::Leaf);
    op.key.kind = EventKind::Marker;
    op.key.ref = static_cast<uint32_t>(rng() % 5000);
    op.ticks = now += 1 + rng() % 100;
    ops.push_back(op);
  }
  auto trace = record(dir, ops, 4096);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  EXPECT_GT(t.top_level().size(), 90000u);
  EXPECT_EQ(t.timestamp_chunks().size(), 25u);  // 100000 / 4096, rounded up
  expect_same_events(ops, rondo::test::replay(t));
}

TEST(Grammar, LongIrregularCallIsFlattenedAndStillExact) {
  rondo::test::TempDir dir;
  std::mt19937_64 rng(11);
  std::vector<Op> ops;
  uint64_t now = 0;
  ops.push_back(Op(Op::Enter, 0, now += 5));
  for (int i = 0; i < 20000; ++i) {
    Op op(Op::Leaf);
    op.key.kind = EventKind::Marker;
    op.key.ref = static_cast<uint32_t>(rng() % 3000);
    op.ticks = now += 1 + rng() % 10;
    ops.push_back(op);
  }
  ops.push_back(Op(Op::Leave, 0, now += 5));
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  expect_same_events(ops, rondo::test::replay(t));
  EXPECT_EQ(t.summary().regions[0].inclusive.count, 1u);
  EXPECT_EQ(t.summary().regions[0].inclusive.sum, ops.back().ticks - ops.front().ticks);
}

TEST(Grammar, RandomStructuredStreamsRoundTripExactly) {
  for (uint64_t seed = 1; seed <= 60; ++seed) {
    rondo::test::TempDir dir;
    rondo::test::StreamGenerator gen(seed, 6);
    auto ops = gen.run(20000);
    int batch = 100 + static_cast<int>(seed * 977 % 5000);
    auto trace = record(dir, ops, batch);
    const ThreadTrace& t = trace->processes()[0]->thread(0);
    SCOPED_TRACE("seed " + std::to_string(seed));
    ASSERT_FALSE(t.truncated());
    ASSERT_EQ(t.event_count(), ops.size());
    auto events = rondo::test::replay(t);
    ASSERT_EQ(events.size(), ops.size());
    expect_same_events(ops, events);
  }
}

TEST(Grammar, DenseRandomStreamsWithSharedLoopsRoundTripExactly) {
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    rondo::test::TempDir dir;
    rondo::test::StreamGenerator gen(seed, 3, true);
    auto ops = gen.run(5000);
    auto trace = record(dir, ops, 100 + static_cast<int>(seed * 131 % 2000));
    const ThreadTrace& t = trace->processes()[0]->thread(0);
    SCOPED_TRACE("seed " + std::to_string(seed));
    auto events = rondo::test::replay(t);
    ASSERT_EQ(events.size(), ops.size());
    expect_same_events(ops, events);
  }
}

TEST(Grammar, LoopOpenInCallerWhileCalleeRunsTheSameLoop) {
  // main { g x3; h() { g x5 } }: the caller's loop of g ends only when h returns,
  // after the callee's loop of g ended. Counts must still be in start order.
  rondo::test::TempDir dir;
  std::vector<Op> ops;
  uint64_t now = 0;
  auto call = [&](uint32_t r) { push_call(ops, now, r); };
  ops.push_back(Op(Op::Enter, 0, now += 1));
  for (int i = 0; i < 3; ++i) call(1);
  ops.push_back(Op(Op::Enter, 2, now += 1));
  for (int i = 0; i < 5; ++i) call(1);
  ops.push_back(Op(Op::Leave, 2, now += 1));
  // Recursion through the loop: r3 { g x2; r3 { g x4; r3 { g x6 } } }
  for (int depth = 0; depth < 3; ++depth) {
    ops.push_back(Op(Op::Enter, 3, now += 1));
    for (int i = 0; i < 2 + 2 * depth; ++i) call(1);
  }
  for (int depth = 0; depth < 3; ++depth) ops.push_back(Op(Op::Leave, 3, now += 1));
  ops.push_back(Op(Op::Leave, 0, now += 1));
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  expect_same_events(ops, rondo::test::replay(t));
  ASSERT_EQ(t.loops().size(), 1u);
  EXPECT_EQ(t.loop_counts(0), std::vector<uint32_t>({3, 5, 2, 4, 6}));
}

TEST(Grammar, SeekFindsTheFirstEventAtOrAfterATime) {
  rondo::test::TempDir dir;
  rondo::test::StreamGenerator gen(99, 5);
  auto ops = gen.run(50000);
  auto trace = record(dir, ops, 1000);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  std::mt19937_64 rng(3);
  for (int k = 0; k < 50; ++k) {
    size_t i = rng() % ops.size();
    EventCursor c(t);
    c.seek_ticks(ops[i].ticks);
    Event e;
    ASSERT_TRUE(c.next(e));
    size_t first = i;
    while (first > 0 && ops[first - 1].ticks >= ops[i].ticks) --first;
    EXPECT_EQ(e.index, first);
    EXPECT_EQ(e.ticks, ops[first].ticks);
    // Replay goes on correctly from there.
    for (size_t j = first + 1; j < std::min(ops.size(), first + 200); ++j) {
      ASSERT_TRUE(c.next(e));
      ASSERT_EQ(e.ticks, ops[j].ticks);
    }
  }
}

TEST(Grammar, SkipLoopJumpsOverTheRemainingIterations) {
  rondo::test::TempDir dir;
  std::vector<Op> ops;
  uint64_t now = 0;
  // 10 calls of main, each with a 5000-iteration loop of f(): 20000 events per main.
  for (int m = 0; m < 10; ++m) {
    ops.push_back(Op(Op::Enter, 0, now += 7));
    for (int i = 0; i < 5000 + m; ++i) {
      ops.push_back(Op(Op::Enter, 1, now += 3 + (i % 3)));
      ops.push_back(Op(Op::Leave, 1, now += 2));
    }
    ops.push_back(Op(Op::Leave, 0, now += 7));
  }
  auto trace = record(dir, ops, 777);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  EventCursor c(t);
  Event e;
  ASSERT_TRUE(c.next(e));  // enter main
  ASSERT_TRUE(c.next(e));  // enter f: inside the loop, first iteration
  uint64_t skipped = c.skip_loop();
  // Finished the first iteration (1 event) and skipped the other 4999 (9998 events).
  EXPECT_EQ(skipped, 1u + 9998u);
  ASSERT_TRUE(c.next(e));
  EXPECT_EQ(e.index, 10001u);
  EXPECT_EQ(e.kind(), EventKind::Leave);
  EXPECT_EQ(e.def->key.ref, 0u);
  EXPECT_EQ(e.ticks, ops[10001].ticks);
  ASSERT_TRUE(c.next(e));
  EXPECT_EQ(e.ticks, ops[10002].ticks);
}

TEST(Grammar, ThousandThreads) {
  rondo::test::TempDir dir;
  rondo::test::write_process(dir.file("p0.rnd"), 1000, 4, [](int thread, ThreadWriter& w) {
    uint64_t now = 100;
    for (int i = 0; i < 10 + thread % 7; ++i) {
      w.enter(1, now += 5);
      w.leave(1, now += 5);
    }
  });
  TraceReader trace(dir.str());
  const ProcessReader& p = *trace.processes()[0];
  ASSERT_EQ(p.thread_count(), 1000u);
  for (size_t i = 0; i < 1000; ++i) {
    const ThreadTrace& t = p.thread(i);
    ASSERT_EQ(t.event_count(), 2u * (10 + i % 7));
    ASSERT_EQ(t.loops().size(), 1u);
    ASSERT_EQ(t.loop_counts(0), std::vector<uint32_t>({static_cast<uint32_t>(10 + i % 7)}));
    ASSERT_EQ(rondo::test::replay(t).size(), t.event_count());
  }
}

TEST(Merge, AllThreadsInTimeOrderWithEveryEvent) {
  rondo::test::TempDir dir;
  // Three threads whose events interleave in time; thread t's events are at
  // times t, t+3, t+6, ... so the merge alternates 0, 1, 2, 0, 1, 2, ...
  rondo::test::write_process(dir.file("p0.rnd"), 3, 2, [](int thread, ThreadWriter& w) {
    for (int i = 0; i < 1000; ++i) {
      w.enter(1, static_cast<uint64_t>(6 * i + thread));
      w.leave(1, static_cast<uint64_t>(6 * i + 3 + thread));
    }
  });
  TraceReader trace(dir.str());
  MergedCursor merged(trace);
  MergedEvent e;
  size_t count = 0;
  int64_t previous = INT64_MIN;
  while (merged.next(e)) {
    ASSERT_GE(e.ns, previous);
    // Event k of the merge comes from thread k % 3 at time k.
    ASSERT_EQ(e.thread, count % 3) << "event " << count;
    ASSERT_EQ(e.event.ticks, count);
    previous = e.ns;
    ++count;
  }
  EXPECT_EQ(count, 6000u);
}

TEST(Grammar, SummarySumOfSquaresKeepsAllOf128Bits) {
  // Three calls of 2^40 ticks (~6 minutes at 3 GHz): squares of 2^80 need 128 bits.
  ThreadSummary in;
  in.events = 6;
  in.regions.resize(1);
  for (int i = 0; i < 3; ++i) in.regions[0].add_call(uint64_t(1) << 40, 0);
  std::vector<uint8_t> bytes;
  in.encode(bytes);
  ThreadSummary out;
  out.decode(bytes.data(), bytes.size());
  ASSERT_TRUE(out.has_sum_squares);
  EXPECT_TRUE(out.regions[0].inclusive_sum_squares == 3 * (static_cast<rondo::format::uint128>(1) << 80));
  // A summary from before sums of squares were recorded ends after event_definitions.
  ThreadSummary old_in;
  old_in.regions.resize(1);
  std::vector<uint8_t> old_bytes;
  old_in.encode(old_bytes);  // no calls: nothing appended
  ThreadSummary old_out;
  old_out.decode(old_bytes.data(), old_bytes.size());
  EXPECT_FALSE(old_out.has_sum_squares);
}

namespace {

// main { f() x 40; then a call of f that the loop expects but that ends differently
// each time: a marker inside it, a nested call, a leave of main that skips f's leave }
std::vector<Op> leaf_calls_interrupted() {
  std::vector<Op> ops;
  uint64_t now = 0;
  auto call = [&](uint32_t region) { push_call(ops, now, region); };
  ops.push_back(Op(Op::Enter, 0, now += 1));
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 40; ++i) call(1);
    ops.push_back(Op(Op::Enter, 1, now += 3));  // expected to be one more f() [enter, leave]
    if (round == 0) {
      Op marker(Op::Leaf);
      marker.key.kind = EventKind::Marker;
      marker.key.ref = 7;
      marker.ticks = now += 1;
      ops.push_back(marker);
    } else if (round == 1) {
      call(2);
    } else {
      for (int i = 0; i < 5; ++i) call(1);  // f calls itself: the inner calls are expected leaf calls too
    }
    ops.push_back(Op(Op::Leave, 1, now += 2));
  }
  for (int i = 0; i < 40; ++i) call(1);
  ops.push_back(Op(Op::Enter, 1, now += 3));
  ops.push_back(Op(Op::Leave, 0, now += 4));  // main returns while f is open: f ends without its leave
  return ops;
}

}  // namespace

// The recorder's fast path leaves an expected leaf call pending until its leave
// (GrammarBuilder::enter). Every other way the call can go on, and a flush at any
// point of it, must give the events that were recorded.
TEST(Grammar, PendingLeafCallsEndEveryWayACallCan) {
  auto ops = leaf_calls_interrupted();
  for (int batch : {1 << 14, 2, 3, 5, 7, 11, 13}) {
    SCOPED_TRACE("batch " + std::to_string(batch));
    rondo::test::TempDir dir;
    auto trace = record(dir, ops, batch);
    const ThreadTrace& t = trace->processes()[0]->thread(0);
    ASSERT_FALSE(t.truncated());
    auto events = rondo::test::replay(t);
    // main's leave closed f: the leave of f that was never recorded is not replayed.
    ASSERT_EQ(events.size(), ops.size());
    expect_same_events(ops, events);
    // f: 3 x 40 + 3 interrupted + 5 nested + 40 + the last one (ended by main's leave) = 169 calls.
    EXPECT_EQ(t.summary().regions[1].inclusive.count, 169u);
    EXPECT_EQ(t.summary().regions[2].inclusive.count, 1u);
    EXPECT_EQ(t.summary().regions[0].inclusive.count, 1u);
  }
  // What SIGKILL leaves: batches flushed at every possible point (checkpoints
  // taken while a leaf call is pending included), no final flush.
  for (int batch = 2; batch <= 9; ++batch) {
    SCOPED_TRACE("killed, batch " + std::to_string(batch));
    rondo::test::TempDir dir;
    rondo::test::write_killed_process(dir.file("p0.rnd"), static_cast<size_t>(batch),
                                      [&](ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); });
    TraceReader r(dir.str());
    const ThreadTrace& t = r.processes()[0]->thread(0);
    auto events = rondo::test::replay(t);
    ASSERT_EQ(events.size(), ops.size() / batch * batch);
    expect_same_events(ops, events, events.size());
  }
}

TEST(Grammar, RepeatedLeafCallsBecomeOneLoopWithItsCount) {
  // main { f() x 1000 } with f a leaf: f is one sequence [enter, leave], main's
  // body one loop of it, 1000 iterations.
  std::vector<Op> ops;
  uint64_t now = 0;
  ops.push_back(Op(Op::Enter, 0, now += 1));
  for (int i = 0; i < 1000; ++i) push_call(ops, now, 1, 3 + i % 3);
  ops.push_back(Op(Op::Leave, 0, now += 1));
  rondo::test::TempDir dir;
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  expect_same_events(ops, rondo::test::replay(t));
  ASSERT_EQ(t.top_level().size(), 1u);
  ASSERT_EQ(t.summary().loops.size(), 1u);
  EXPECT_EQ(t.loop_counts(0), std::vector<uint32_t>{1000});
  EXPECT_EQ(t.summary().loops[0].iterations, 1000u);
  EXPECT_EQ(t.summary().regions[1].inclusive.count, 1000u);
  EXPECT_EQ(t.summary().regions[1].inclusive.sum, 2000u);
}

TEST(Grammar, LeafCallsOnTheFastPathKeepExactRegionAndSequenceStatistics) {
  // main { f() x 500 } with durations 1..7: the first call takes the general
  // path, the others the pending short call, whose statistics are kept by
  // sequence and merged into the region's and the sequence's in the summary.
  std::vector<Op> ops;
  uint64_t now = 0;
  ops.push_back(Op(Op::Enter, 0, now += 1));
  uint64_t sum = 0;
  rondo::format::uint128 squares = 0;
  for (int i = 0; i < 500; ++i) {
    const uint64_t d = 1 + static_cast<uint64_t>(i * 5 % 7);
    push_call(ops, now, 1, 3, d);
    sum += d;
    squares += static_cast<rondo::format::uint128>(d) * d;
  }
  ops.push_back(Op(Op::Leave, 0, now += 1));
  rondo::test::TempDir dir;
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  expect_same_events(ops, rondo::test::replay(t));
  const auto& f = t.summary().regions[1];
  EXPECT_EQ(f.inclusive.count, 500u);
  EXPECT_EQ(f.inclusive.sum, sum);
  EXPECT_EQ(f.inclusive.min, 1u);
  EXPECT_EQ(f.inclusive.max, 7u);
  EXPECT_EQ(f.exclusive_sum, sum);
  EXPECT_TRUE(f.inclusive_sum_squares == squares);
  const auto& main_stats = t.summary().regions[0];
  EXPECT_EQ(main_stats.inclusive.count, 1u);
  EXPECT_EQ(main_stats.exclusive_sum, now - 1 - sum);
  // One sequence [enter f, leave f] holds every call of f.
  uint32_t with_all_calls = 0;
  for (const auto& seq : t.summary().sequences)
    if (seq.count == 500) {
      ++with_all_calls;
      EXPECT_EQ(seq.sum, sum);
      EXPECT_EQ(seq.min, 1u);
      EXPECT_EQ(seq.max, 7u);
    }
  EXPECT_EQ(with_all_calls, 1u);
}

TEST(Grammar, LoopEndedByAKnownLeafCallKeepsItsCounts) {
  // main { for i < 300: step { kernel() x (2 + i % 5); exchange() } }: exchange is a
  // known leaf call that the caller does not expect (it expects another kernel()).
  std::vector<Op> ops;
  uint64_t now = 0;
  auto call = [&](uint32_t region) { push_call(ops, now, region, 3, 2 + (now + 3) % 3); };
  ops.push_back(Op(Op::Enter, 0, now += 1));
  std::vector<uint32_t> trips;
  for (int i = 0; i < 300; ++i) {
    ops.push_back(Op(Op::Enter, 1, now += 1));
    trips.push_back(2 + i % 5);
    for (uint32_t k = 0; k < trips.back(); ++k) call(2);
    call(3);
    ops.push_back(Op(Op::Leave, 1, now += 1));
  }
  ops.push_back(Op(Op::Leave, 0, now += 1));
  rondo::test::TempDir dir;
  auto trace = record(dir, ops);
  const ThreadTrace& t = trace->processes()[0]->thread(0);
  expect_same_events(ops, rondo::test::replay(t));
  // Two loops: kernel() inside step, step inside main.
  ASSERT_EQ(t.summary().loops.size(), 2u);
  EXPECT_EQ(t.summary().loops[0].iterations + t.summary().loops[1].iterations,
            300u + std::accumulate(trips.begin(), trips.end(), 0u));
  EXPECT_EQ(t.summary().regions[3].inclusive.count, 300u);
}
