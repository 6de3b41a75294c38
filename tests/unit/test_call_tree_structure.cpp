// The call tree taken from the grammar and the summary (analyzer/src/
// call_tree_structure.h) is the replay's, node for node, on random programs
// with calls, loops with varying trip counts and recursion; and where the
// structure cannot give it, nothing is returned and the replay answers.
#include <gtest/gtest.h>

#include "call_tree_structure.h"
#include "rondo/analyzer/profile.h"
#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

analyzer::TimeWindow everything() { return {0, std::numeric_limits<int64_t>::max() / 2}; }

void expect_same_tree(const std::vector<analyzer::CallPathRow>& a, const std::vector<analyzer::CallPathRow>& b,
                      uint64_t seed) {
  ASSERT_EQ(a.size(), b.size()) << "seed " << seed;
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].path, b[i].path) << "seed " << seed << " row " << i;
    EXPECT_EQ(a[i].parent, b[i].parent) << "seed " << seed << " row " << i;
    EXPECT_EQ(a[i].calls, b[i].calls) << "seed " << seed << " " << a[i].path;
    EXPECT_EQ(a[i].inclusive_ns, b[i].inclusive_ns) << "seed " << seed << " " << a[i].path;
    EXPECT_EQ(a[i].exclusive_ns, b[i].exclusive_ns) << "seed " << seed << " " << a[i].path;
    EXPECT_EQ(a[i].min_ns, b[i].min_ns) << "seed " << seed << " " << a[i].path;
    EXPECT_EQ(a[i].max_ns, b[i].max_ns) << "seed " << seed << " " << a[i].path;
    EXPECT_EQ(a[i].cut_short, b[i].cut_short) << "seed " << seed << " " << a[i].path;
  }
}

}  // namespace

// 200 random programs, 2 threads each (one dense, one sparse), 1,000 to 6,000
// events a thread: the tree without a window (from the structure where it can)
// equals the tree of a window that holds everything (always a replay).
TEST(CallTreeStructure, IsTheReplaysTreeOnRandomPrograms) {
  int from_structure = 0, threads = 0;
  for (uint64_t seed = 1; seed <= 200; ++seed) {
    test::TempDir dir;
    std::vector<test::Op> ops[2] = {test::StreamGenerator(seed, 6, true).run(1000 + seed * 25),
                                    test::StreamGenerator(seed + 1000, 9).run(1000 + seed * 25)};
    test::write_process(dir.file("p0.rnd"), 2, 10,
                        [&](int t, ThreadWriter& w) { test::StreamGenerator::record(ops[t], w); }, 512);
    TraceReader trace(dir.str());
    const ProcessReader& p = *trace.processes()[0];
    for (uint32_t t = 0; t < p.thread_count(); ++t, ++threads) {
      ThreadSummary summary;
      ASSERT_TRUE(p.thread_summary(t, summary));
      from_structure += analyzer::call_tree_from_structure(p.thread(t), summary).has_value();
    }
    analyzer::AnalysisOptions whole, windowed;
    windowed.window = everything();
    expect_same_tree(analyzer::profile(trace, whole, true).call_tree,
                     analyzer::profile(trace, windowed, true).call_tree, seed);
    if (HasFailure()) return;
  }
  // The others call one behaviour of a function from two callers (these seeds:
  // 210 of 400 threads from the structure); far fewer would mean the structure
  // was no longer used where it can be.
  EXPECT_GE(from_structure, 200) << from_structure << " of " << threads;
}

// A function with the same behaviour called from two callers: one sequence,
// two paths, so the summary cannot split it. The replay answers, exactly.
TEST(CallTreeStructure, ASequenceReachedFromTwoPathsGivesNoTree) {
  test::TempDir dir;
  test::write_process(dir.file("p0.rnd"), 1, 3, [](int, ThreadWriter& w) {
    w.enter(0, 0);    // r0 calls r2
    w.enter(2, 10);
    w.leave(2, 20);
    w.leave(0, 30);
    w.enter(1, 40);   // r1 calls r2, the same way
    w.enter(2, 50);
    w.leave(2, 65);
    w.leave(1, 70);
  });
  TraceReader trace(dir.str());
  const ProcessReader& p = *trace.processes()[0];
  ThreadSummary summary;
  ASSERT_TRUE(p.thread_summary(0, summary));
  EXPECT_FALSE(analyzer::call_tree_from_structure(p.thread(0), summary).has_value());
  auto tree = analyzer::profile(trace, {}, true).call_tree;
  ASSERT_EQ(tree.size(), 4u);
  EXPECT_EQ(tree[1].path, "r0 > r2");
  EXPECT_EQ(tree[1].inclusive_ns, 10);
  EXPECT_EQ(tree[3].path, "r1 > r2");
  EXPECT_EQ(tree[3].inclusive_ns, 15);
}

// Each behaviour from one path: the tree comes from the structure, with
// exclusive times from the children's sums.
TEST(CallTreeStructure, LoopsOfCallsGiveTheTreeWithoutReplay) {
  test::TempDir dir;
  test::write_process(dir.file("p0.rnd"), 1, 3, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    uint64_t at = 1;
    for (int i = 0; i < 100; ++i) {  // 100 x r1 calling r2 (i % 3 + 1) times
      w.enter(1, at++);
      for (int j = 0; j <= i % 3; ++j) {
        w.enter(2, at);
        at += 2;
        w.leave(2, at++);
      }
      w.leave(1, at++);
    }
    w.leave(0, at);
  });
  TraceReader trace(dir.str());
  const ProcessReader& p = *trace.processes()[0];
  ThreadSummary summary;
  ASSERT_TRUE(p.thread_summary(0, summary));
  auto nodes = analyzer::call_tree_from_structure(p.thread(0), summary);
  ASSERT_TRUE(nodes.has_value());
  ASSERT_EQ(nodes->size(), 3u);
  EXPECT_EQ((*nodes)[2].stats.inclusive.count, 199u);  // 34 x 1 + 33 x 2 + 33 x 3
  EXPECT_EQ((*nodes)[2].stats.inclusive.sum, 2 * 199u);
  EXPECT_EQ((*nodes)[1].stats.exclusive_sum, (*nodes)[1].stats.inclusive.sum - 2 * 199u);
}
