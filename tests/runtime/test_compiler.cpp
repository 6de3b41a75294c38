// -finstrument-functions with librondo-compiler.so preloaded: exact counts per
// (demangled) function name, loops in the grammar, RONDO_FILTER, exit status.
#include <gtest/gtest.h>

#include <map>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

// instrumented_program loops: main -> loops() -> 10 x outer_step(i) -> sweep -> 100 x (leaf, helper_offset),
// then helper_scale and twice<double> once per outer_step.
const std::map<std::string, uint64_t> kLoopsCalls = {
    {"main", 1},
    {"loops()", 1},
    {"outer_step(int)", 10},
    {"app::Grid::sweep(int)", 10},
    {"app::leaf(int)", 1000},
    {"helper_offset", 1000},
    {"helper_scale", 10},
    {"double app::twice<double>(double)", 10},
};

uint64_t events_of(const std::map<std::string, uint64_t>& calls) {
  uint64_t n = 0;
  for (const auto& [name, count] : calls) n += 2 * count;
  return n;
}

// Runs the instrumented program and returns its only thread's counts.
struct Recorded {
  Outcome outcome;
  std::vector<ProcessCounts> trace;
};

Recorded record(const TempDir& dir, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  Recorded r;
  Launch launch(instrumented_program(), std::move(args));
  launch.traced(dir.path()).preloaded().env = std::move(env);
  r.outcome = run(launch);
  if (!process_files(dir.path()).empty()) r.trace = read_trace(dir.path());
  return r;
}

TEST(CompilerHooks, ExactCallCountsPerFunctionName) {
  TempDir dir;
  Recorded r = record(dir, {"loops"});
  ASSERT_TRUE(r.outcome.exited() && r.outcome.exit_code() == 0) << r.outcome.describe();
  EXPECT_EQ(r.outcome.err, "");
  ASSERT_EQ(r.trace.size(), 1u);
  const ProcessCounts& p = r.trace[0];
  expect_clean(p);
  ASSERT_EQ(p.threads.size(), 1u);
  const ThreadCounts& t = p.threads[0];
  expect_complete(p, t);
  // Exactly these functions, with exactly these counts (C++ names demangled, C names as they are).
  EXPECT_EQ(t.calls, kLoopsCalls);
  EXPECT_EQ(t.enters, kLoopsCalls);
  EXPECT_EQ(t.event_count, events_of(kLoopsCalls));
  EXPECT_EQ(t.open_regions, 0u);
}

TEST(CompilerHooks, NestedLoopsBecomeLoopsOfTheGrammar) {
  TempDir dir;
  Recorded r = record(dir, {"loops"});
  ASSERT_TRUE(r.outcome.exited() && r.outcome.exit_code() == 0) << r.outcome.describe();
  ASSERT_EQ(r.trace.size(), 1u);
  ASSERT_EQ(r.trace[0].threads.size(), 1u);
  const ThreadCounts& t = r.trace[0].threads[0];
  // 4084 events, but the repetition is structure: the 10 outer and 100 inner
  // iterations are loops, and the whole run is a handful of top-level tokens.
  EXPECT_GE(t.loops, 2u);
  EXPECT_GE(t.top_level, 1u);
  EXPECT_LE(t.top_level, 3u);
  EXPECT_EQ(t.replayed, events_of(kLoopsCalls));
}

TEST(CompilerHooks, FilterExcludesMatchingFunctionsAndKeepsTheOthers) {
  TempDir dir;
  Recorded r = record(dir, {"loops"}, {{"RONDO_FILTER", "-helper*"}});
  ASSERT_TRUE(r.outcome.exited() && r.outcome.exit_code() == 0) << r.outcome.describe();
  EXPECT_EQ(r.outcome.err, "");
  ASSERT_EQ(r.trace.size(), 1u);
  const ProcessCounts& p = r.trace[0];
  expect_clean(p);
  for (const auto& name : p.regions) EXPECT_NE(name.rfind("helper", 0), 0u) << "excluded function defined: " << name;
  ASSERT_EQ(p.threads.size(), 1u);
  const ThreadCounts& t = p.threads[0];
  expect_complete(p, t);
  auto expected = kLoopsCalls;
  expected.erase("helper_offset");
  expected.erase("helper_scale");
  EXPECT_EQ(t.calls, expected);
  EXPECT_EQ(t.enters, expected);
  EXPECT_EQ(t.event_count, events_of(expected));
}

TEST(CompilerHooks, IncludeOnlyFilterKeepsJustTheListedFunctions) {
  // A filter made of include rules only is an allow-list.
  TempDir dir;
  Recorded r = record(dir, {"loops"}, {{"RONDO_FILTER", "main,app::*"}});
  ASSERT_TRUE(r.outcome.exited() && r.outcome.exit_code() == 0) << r.outcome.describe();
  ASSERT_EQ(r.trace.size(), 1u);
  ASSERT_EQ(r.trace[0].threads.size(), 1u);
  const ThreadCounts& t = r.trace[0].threads[0];
  expect_complete(r.trace[0], t);
  // "double app::twice<double>(double)" starts with its return type: not matched.
  std::map<std::string, uint64_t> expected = {{"main", 1}, {"app::Grid::sweep(int)", 10}, {"app::leaf(int)", 1000}};
  EXPECT_EQ(t.calls, expected);
}

TEST(CompilerHooks, WithoutTraceDirRunsAndWritesNothing) {
  TempDir cwd;
  Outcome o = run(Launch(instrumented_program(), {"loops"}).preloaded().in_dir(cwd.path()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(cwd.entries().empty());
}

TEST(ExitStatus, InstrumentedProgramReturningThreeExitsWithThree) {
  TempDir dir;
  Recorded r = record(dir, {"status", "3"});
  ASSERT_TRUE(r.outcome.exited()) << r.outcome.describe();
  EXPECT_EQ(r.outcome.exit_code(), 3);
  ASSERT_EQ(r.trace.size(), 1u);
  expect_clean(r.trace[0]);
  ASSERT_EQ(r.trace[0].threads.size(), 1u);
  expect_complete(r.trace[0], r.trace[0].threads[0]);
  EXPECT_EQ(r.trace[0].threads[0].calls, kLoopsCalls);
}

}  // namespace
}  // namespace rondo::runtime_test
