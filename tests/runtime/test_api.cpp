// The C/C++ API (librondo.so): exact counts, markers, no trace without
// RONDO_TRACE_DIR, exit status.
#include <gtest/gtest.h>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

// api_program basic: 10 x "outer" (RONDO_SCOPE), each around 100 x "inner" (C
// API); markers "checkpoint" at i = 0 and 5, then "done".
void expect_basic_trace(const std::string& dir, const Outcome& o) {
  auto trace = read_trace(dir);
  ASSERT_EQ(trace.size(), 1u);
  const ProcessCounts& p = trace[0];
  expect_clean(p);
  EXPECT_EQ(p.pid, static_cast<uint32_t>(o.pid));
  ASSERT_EQ(p.threads.size(), 1u);
  const ThreadCounts& t = p.threads[0];
  expect_complete(p, t);
  EXPECT_EQ(t.os_tid, static_cast<uint64_t>(o.pid)) << "the main thread's id is the process id";
  EXPECT_EQ(t.count("outer"), 10u);
  EXPECT_EQ(t.count("inner"), 1000u);
  EXPECT_EQ(t.entered("outer"), 10u);
  EXPECT_EQ(t.entered("inner"), 1000u);
  EXPECT_EQ(t.calls.size(), 2u) << "no region but outer and inner";
  EXPECT_EQ(t.markers, (std::vector<std::string>{"checkpoint", "checkpoint", "done"}));
  EXPECT_EQ(t.event_count, 2u * 10 + 2u * 1000 + 3);
  EXPECT_EQ(t.open_regions, 0u);
}

TEST(ApiProgram, RecordsExactCallCountsAndMarkers) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"basic"}).traced(dir.path()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.out, "recording=1\n");
  EXPECT_EQ(o.err, "");
  EXPECT_EQ(process_files(dir.path()).size(), 1u);
  expect_basic_trace(dir.path(), o);
}

TEST(ApiProgram, ManySmallBatchesGiveTheSameTrace) {
  // 2023 events in batches of 64: 32 batches, each its own chunks.
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"basic"}).traced(dir.path()).with_env("RONDO_BATCH_EVENTS", "64"));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  expect_basic_trace(dir.path(), o);
}

TEST(ApiProgram, TraceFileIsNamedAfterHostAndPid) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"basic"}).traced(dir.path() + "/nested/deeper"));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto files = process_files(dir.path() + "/nested/deeper");
  ASSERT_EQ(files.size(), 1u) << "the trace directory is created, parents included";
  std::string suffix = "." + std::to_string(o.pid) + ".rnd";
  ASSERT_GT(files[0].size(), suffix.size());
  EXPECT_EQ(files[0].substr(files[0].size() - suffix.size()), suffix);
}

TEST(ApiProgram, WithoutTraceDirRunsAndWritesNothing) {
  TempDir cwd;
  Outcome o = run(Launch(api_program(), {"basic"}).in_dir(cwd.path()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.out, "recording=0\n");
  EXPECT_EQ(o.err, "");
  EXPECT_TRUE(cwd.entries().empty()) << "files appeared in the working directory";
}

TEST(ExitStatus, ApiProgramReturningThreeExitsWithThree) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"status", "3"}).traced(dir.path()));
  ASSERT_TRUE(o.exited()) << o.describe();
  EXPECT_EQ(o.exit_code(), 3);
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  expect_clean(trace[0]);
  ASSERT_EQ(trace[0].threads.size(), 1u);
  expect_complete(trace[0], trace[0].threads[0]);
  EXPECT_EQ(trace[0].threads[0].count("before_return"), 42u);
}

TEST(ExitStatus, ApiProgramReturningThreeWithoutRecordingExitsWithThree) {
  TempDir cwd;
  Outcome o = run(Launch(api_program(), {"status", "3"}).in_dir(cwd.path()));
  ASSERT_TRUE(o.exited()) << o.describe();
  EXPECT_EQ(o.exit_code(), 3);
  EXPECT_TRUE(cwd.entries().empty());
}

}  // namespace
}  // namespace rondo::runtime_test
