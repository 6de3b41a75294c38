// Loop trip counts read from the structure chunks on request (loop_count_column.h):
// the counts of a loop spread over hundreds of chunks, taken in replay order
// (an outer loop's count is written after all its inner loops' counts), in
// reverse, from a killed process's checkpoint, and from two threads at once,
// are exactly the recorded ones.
#include <gtest/gtest.h>

#include <thread>

#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo::format;
using rondo::test::Op;

namespace {

std::vector<Op> nested(int outer) {
  uint64_t now = 0;
  return rondo::test::nested_loops(outer, now);
}

// The loop whose body is the call of f (its counts vary), and the other one.
std::pair<uint32_t, uint32_t> inner_and_outer(const ThreadTrace& t) {
  for (uint32_t l = 0; l < t.loops().size(); ++l)
    if (t.loop_occurrences(l) > 1) return {l, 1 - l};
  return {0, 0};
}

// One thread of `ops` in 64-event batches: the inner loop's counts spread over
// hundreds of structure chunks.
void write_in_small_batches(const std::string& path, const std::vector<Op>& ops) {
  rondo::test::write_process(
      path, 1, 3, [&](int, ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); }, 64);
}

void expect_replay(const ThreadTrace& t, const std::vector<Op>& ops, size_t events) {
  auto replayed = rondo::test::replay(t);
  ASSERT_EQ(replayed.size(), events);
  for (size_t i = 0; i < events; ++i) {
    ASSERT_EQ(replayed[i].ticks, ops[i].ticks) << i;
    ASSERT_EQ(replayed[i].def->key.ref, ops[i].region) << i;
  }
}

}  // namespace

TEST(LoopCountColumn, CountsOverHundredsOfChunksReadBackInAnyOrder) {
  rondo::test::TempDir dir;
  const int outer = 5000;
  auto ops = nested(outer);
  // 64 events a batch: the inner loop's 4,999 counts lie in about 400 chunks,
  // far more than the reader caches, and the outer count in the last one.
  write_in_small_batches(dir.file("p0.rnd"), ops);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  ASSERT_EQ(t.loops().size(), 2u);
  auto [inner, outer_loop] = inner_and_outer(t);
  ASSERT_EQ(t.loop_occurrences(inner), static_cast<uint64_t>(outer - 1));
  ASSERT_EQ(t.loop_occurrences(outer_loop), 1u);
  EXPECT_EQ(t.loop_count(outer_loop, 0), static_cast<uint32_t>(outer - 1));
  for (uint64_t i = t.loop_occurrences(inner); i-- > 0;)  // backwards: every chunk decoded again
    ASSERT_EQ(t.loop_count(inner, i), 1u + (i + 1) % 5) << i;
  std::vector<uint32_t> all = t.loop_counts(inner);
  ASSERT_EQ(all.size(), static_cast<size_t>(outer - 1));
  for (size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], 1u + (i + 1) % 5) << i;
  expect_replay(t, ops, ops.size());
  // Two threads replaying the same thread at once (each has its own cache).
  std::vector<Event> a, b;
  std::thread ta([&] { a = rondo::test::replay(t); }), tb([&] { b = rondo::test::replay(t); });
  ta.join();
  tb.join();
  ASSERT_EQ(a.size(), ops.size());
  ASSERT_EQ(b.size(), ops.size());
  for (size_t i = 0; i < ops.size(); ++i) ASSERT_TRUE(a[i].ticks == ops[i].ticks && b[i].ticks == ops[i].ticks) << i;
}

TEST(LoopCountColumn, AHintWhoseChunkLeftTheCacheIsNotTrusted) {
  rondo::test::TempDir dir;
  auto ops = nested(5000);
  write_in_small_batches(dir.file("p0.rnd"), ops);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  auto [inner, outer_loop] = inner_and_outer(t);
  const uint64_t n = t.loop_occurrences(inner);
  ASSERT_GT(n, 400u);
  // A hint on the first chunk, which holds several counts of the inner loop.
  CountHint hint;
  ASSERT_EQ(t.loop_count(inner, 0, hint), 2u);  // counts are 1 + (i + 1) % 5
  ASSERT_EQ(hint.lo, 0u);
  ASSERT_GE(hint.hi, 3u);
  // Counts from 40 other chunks, read without the hint, refill every slot of
  // the cache (it holds 8): the hinted chunk's slot now holds another chunk.
  for (uint64_t i = n - 1; i > n - 400; i -= 10) ASSERT_EQ(t.loop_count(inner, i), 1u + (i + 1) % 5) << i;
  // The same hint reads the rest of its chunk, and on, exactly.
  const uint64_t past_chunk = hint.hi + 50;
  for (uint64_t i = 1; i < past_chunk; ++i) ASSERT_EQ(t.loop_count(inner, i, hint), 1u + (i + 1) % 5) << i;
}

TEST(LoopCountColumn, AKilledProcessTakesItsOpenLoopsCountsFromTheCheckpoint) {
  rondo::test::TempDir dir;
  auto ops = nested(3000);
  ops.pop_back();  // main never returns
  rondo::test::write_killed_process(dir.file("p0.rnd"), 64,
                                    [&](ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); });
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  EXPECT_TRUE(t.truncated());
  auto [inner, outer_loop] = inner_and_outer(t);
  // The outer loop never closed: its one count is the checkpoint's, held in memory.
  ASSERT_EQ(t.loop_occurrences(outer_loop), 1u);
  for (uint64_t i = 0; i < t.loop_occurrences(inner); ++i) ASSERT_EQ(t.loop_count(inner, i), 1u + (i + 1) % 5) << i;
  expect_replay(t, ops, ops.size() / 64 * 64);  // every complete batch
}

TEST(LoopCountColumn, PrefixSumsAreExactOverChunksAndCheckpointCounts) {
  rondo::test::TempDir dir;
  const int outer = 5000;
  auto ops = nested(outer);
  write_in_small_batches(dir.file("p0.rnd"), ops);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  auto [inner, outer_loop] = inner_and_outer(t);
  const uint64_t n = t.loop_occurrences(inner);
  // Counts 1 + (i + 1) % 5: every prefix, at every chunk boundary, backwards
  // (every chunk decoded again) and past the last occurrence.
  std::vector<uint64_t> expected(n + 1, 0);
  for (uint64_t i = 0; i < n; ++i) expected[i + 1] = expected[i] + 1 + (i + 1) % 5;
  for (uint64_t i = n + 1; i-- > 0;) ASSERT_EQ(t.loop_iterations_before(inner, i), expected[i]) << i;
  EXPECT_EQ(expected[n], 14999u);  // 999 rounds of 2+3+4+5+1, then 2+3+4+5
  EXPECT_EQ(t.loop_iterations_before(outer_loop, 0), 0u);
  EXPECT_EQ(t.loop_iterations_before(outer_loop, 1), static_cast<uint64_t>(outer - 1));

  // A killed process: the open outer loop's count is the checkpoint's (in memory).
  rondo::test::TempDir killed_dir;
  ops.pop_back();
  rondo::test::write_killed_process(killed_dir.file("p0.rnd"), 64,
                                    [&](ThreadWriter& w) { rondo::test::StreamGenerator::record(ops, w); });
  TraceReader killed(killed_dir.str());
  const ThreadTrace& k = killed.processes()[0]->thread(0);
  auto [k_inner, k_outer] = inner_and_outer(k);
  EXPECT_EQ(k.loop_iterations_before(k_outer, 1), k.loop_count(k_outer, 0));
  uint64_t sum = 0;
  for (uint64_t i = 0; i < k.loop_occurrences(k_inner); ++i) {
    ASSERT_EQ(k.loop_iterations_before(k_inner, i), sum) << i;
    sum += k.loop_count(k_inner, i);
  }
  EXPECT_EQ(k.loop_iterations_before(k_inner, k.loop_occurrences(k_inner)), sum);
}
