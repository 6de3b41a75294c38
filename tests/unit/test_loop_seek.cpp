// Seeks across loops by their count prefix sums (EventCursor::skip_structure_to
// skips whole runs of iterations, ThreadTrace::expand_times counts them): a
// seek to any event lands on it with the loop frames (loop, occurrence,
// iteration, trip count, first event of the iteration), the open calls and the
// column cursors (data values read next) that replaying up to it gives, in
// three nested loops with varying trip counts, at chunk boundaries, and in
// random programs whose loops hold data events.
#include <gtest/gtest.h>

#include <random>

#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo::format;
using rondo::test::Op;

namespace {

// main { for i < outer: { for j < 1 + i % 3: step { for k < 1 + (i + j) % 4:
// relax() } ; exchange(); if i % 10 == 9: reduce() } }: three nested loops,
// the two inner ones with varying trip counts (like examples/c_loops/nested_loops.c).
std::vector<Op> three_loops(int outer) {
  std::vector<Op> ops;
  uint64_t now = 1000;
  auto push = [&](Op::Type t, uint32_t r) {
    now += 3 + (now % 5);
    ops.push_back(Op(t, r, now));
  };
  auto call = [&](uint32_t r) {
    push(Op::Enter, r);
    push(Op::Leave, r);
  };
  push(Op::Enter, 0);
  for (int i = 0; i < outer; ++i) {
    for (int j = 0; j < 1 + i % 3; ++j) {
      push(Op::Enter, 1);
      for (int k = 0; k < 1 + (i + j) % 4; ++k) call(2);
      push(Op::Leave, 1);
    }
    call(3);
    if (i % 10 == 9) call(4);
  }
  push(Op::Leave, 0);
  return ops;
}

// One thread of `ops`, `batch` events a chunk.
void write_thread(const std::string& path, const std::vector<Op>& ops, int batch) {
  rondo::test::write_process(
      path, 1, 5, [&](int, ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); }, batch);
}

struct Seen {
  Event event;
  std::vector<LoopFrame> frames;
  std::vector<uint32_t> open;
};

Seen seen_after_next(EventCursor& c) {
  Seen s;
  EXPECT_TRUE(c.next(s.event));
  c.loop_frames(s.frames);
  c.open_calls(s.open);
  return s;
}

// Every target event (sorted, distinct ticks): a fresh cursor's seek to its
// time, and one cursor advancing from target to target, see what replay sees
// there, and read on identically for `follow` events.
void expect_seeks_land(const ThreadTrace& t, const std::vector<Op>& ops, const std::vector<size_t>& targets,
                       size_t follow = 40) {
  EventCursor replay(t), advancing(t);
  size_t at = 0;
  for (size_t i : targets) {
    Seen want;
    while (at <= i) {
      want = seen_after_next(replay);
      ++at;
    }
    ASSERT_EQ(want.event.index, i);
    EventCursor fresh(t);
    fresh.seek_ticks(ops[i].ticks);
    advancing.advance_to_ticks(ops[i].ticks);
    for (EventCursor* c : {&fresh, &advancing}) {
      EventCursor probe = *c;
      Seen got = seen_after_next(probe);
      ASSERT_EQ(got.event.index, i);
      ASSERT_EQ(got.event.ticks, ops[i].ticks) << i;
      ASSERT_EQ(got.frames, want.frames) << "event " << i;
      ASSERT_EQ(got.open, want.open) << "event " << i;
      EventCursor ahead = replay;
      for (size_t k = 0; k < follow; ++k) {
        Event a, b;
        bool more = ahead.next(a);
        ASSERT_EQ(probe.next(b), more);
        if (!more) break;
        ASSERT_EQ(b.index, a.index);
        ASSERT_EQ(b.ticks, a.ticks);
        ASSERT_EQ(b.id, a.id);
        for (int d = 0; d < kMaxData; ++d) ASSERT_EQ(b.data[d], a.data[d]) << "event " << b.index;
      }
    }
  }
}

// Targets: the events around every chunk boundary (`chunk` events a chunk) and
// `random` others.
std::vector<size_t> targets(size_t events, size_t chunk, size_t random, uint64_t seed) {
  std::vector<size_t> out;
  for (size_t b = chunk; b < events; b += chunk)
    for (size_t i = b - 1; i <= b + 1 && i < events; ++i) out.push_back(i);
  std::mt19937_64 rng(seed);
  for (size_t k = 0; k < random; ++k) out.push_back(rng() % events);
  out.push_back(0);
  out.push_back(events - 1);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace

TEST(LoopSeek, SeeksInThreeNestedLoopsLandOnTheReplayedIteration) {
  rondo::test::TempDir dir;
  auto ops = three_loops(3000);
  write_thread(dir.file("p0.rnd"), ops, 256);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  ASSERT_GE(t.loops().size(), 3u);
  ASSERT_GT(t.timestamp_chunks().size(), 100u);
  expect_seeks_land(t, ops, targets(ops.size(), 256, 300, 1));
}

TEST(LoopSeek, SeeksInRandomProgramsWithDataInTheirLoops) {
  for (uint64_t seed : {5u, 17u, 23u}) {
    rondo::test::TempDir dir;
    rondo::test::StreamGenerator gen(seed, 5);
    auto ops = gen.run(40000);
    // Random ticks grow by at least one: a seek to an event's time finds it.
    write_thread(dir.file("p0.rnd"), ops, 1000);
    TraceReader r(dir.str());
    const ThreadTrace& t = r.processes()[0]->thread(0);
    SCOPED_TRACE("seed " + std::to_string(seed));
    expect_seeks_land(t, ops, targets(ops.size(), 1000, 200, seed));
  }
}

TEST(LoopSeek, SkipLoopCountsTheRemainingIterationsByPrefixSums) {
  rondo::test::TempDir dir;
  auto ops = three_loops(2000);
  write_thread(dir.file("p0.rnd"), ops, 256);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  // From every 7th event inside a loop: skip_loop jumps over the rest of the
  // innermost loop occurrence (counting its iterations, and the inner loops'
  // occurrences they hold, by prefix sums) to where replay leaves it.
  EventCursor walk(t);
  Event e;
  std::vector<LoopFrame> frames;
  int checked = 0, long_skips = 0;
  while (walk.next(e)) {
    walk.loop_frames(frames);
    if (e.index % 7 != 0 || frames.empty()) continue;
    LoopFrame in = frames.back();
    auto inside = [&](const std::vector<LoopFrame>& f) {
      for (const LoopFrame& x : f)
        if (x.loop == in.loop && x.occurrence == in.occurrence) return true;
      return false;
    };
    EventCursor reference = walk, c = walk;
    Event want, got;
    std::vector<LoopFrame> want_frames, got_frames;
    bool more;
    do {
      more = reference.next(want);
      reference.loop_frames(want_frames);
    } while (more && inside(want_frames));
    uint64_t from = c.position();
    uint64_t skipped = c.skip_loop();
    ASSERT_EQ(c.next(got), more) << "from event " << e.index;
    if (!more) continue;
    ASSERT_EQ(got.index, want.index) << "from event " << e.index;
    ASSERT_EQ(skipped, want.index - from);
    ASSERT_EQ(got.ticks, ops[got.index].ticks);
    c.loop_frames(got_frames);
    ASSERT_EQ(got_frames, want_frames) << "from event " << e.index;
    ++checked;
    long_skips += skipped > 100;
  }
  EXPECT_GT(checked, 1000);
  EXPECT_GT(long_skips, 20);  // 39: skips over many iterations are among them
}
