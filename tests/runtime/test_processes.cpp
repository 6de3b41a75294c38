// Threads and processes: exit() from a non-main thread, fork(), many threads.
#include <gtest/gtest.h>

#include <map>
#include <ostream>
#include <set>
#include <string>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

// The parameter is RONDO_BATCH_EVENTS; "" leaves the default.
using WithBatch = ::testing::TestWithParam<const char*>;

std::string batch_name(const ::testing::TestParamInfo<const char*>& info) {
  return *info.param ? std::string("Batch") + info.param : "DefaultBatch";
}

// ---------------------------------------------------------------------------
// exit() on a non-main thread: main did 5000 x "main_work", then records
// "main_spin" without end; two threads record "spinner_work" without end; the
// exiting thread did 3000 x "exiter_work", entered "exiter_open" and called exit(0).

class ExitFromThread : public WithBatch {};

TEST_P(ExitFromThread, TraceHoldsTheMainAndTheExitingThread) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"exit_thread"})
                      .traced(dir.path())
                      .with_env("RONDO_BATCH_EVENTS", GetParam())
                      .timeout(60));
  ASSERT_TRUE(o.exited()) << o.describe();
  EXPECT_EQ(o.exit_code(), 0);
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ProcessCounts& p = trace[0];
  expect_clean(p);
  ASSERT_EQ(p.threads.size(), 4u) << "main, two spinners, the exiting thread";
  for (const auto& t : p.threads) expect_complete(p, t);

  const ThreadCounts* main_thread = p.thread_with("main_work");
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ(main_thread->os_tid, static_cast<uint64_t>(o.pid));
  EXPECT_EQ(main_thread->count("main_work"), 5000u);
  // main_spin runs until the end: its last call may be cut after its enter.
  uint64_t spin_open = main_thread->entered("main_spin") - main_thread->left("main_spin");
  EXPECT_LE(spin_open, 1u);
  EXPECT_EQ(main_thread->open_regions, spin_open);

  const ThreadCounts* exiter = p.thread_with("exiter_work");
  ASSERT_NE(exiter, nullptr);
  EXPECT_EQ(exiter->count("exiter_work"), 3000u);
  EXPECT_EQ(exiter->entered("exiter_open"), 1u);
  EXPECT_EQ(exiter->left("exiter_open"), 0u);
  EXPECT_EQ(exiter->open_regions, 1u);
  EXPECT_EQ(exiter->event_count, 2u * 3000 + 1);

  int spinners = 0;
  for (const auto& t : p.threads) {
    if (&t == main_thread || &t == exiter) continue;
    ++spinners;
    // 100 calls were done before the exiting thread could go on.
    EXPECT_GE(t.count("spinner_work"), 100u) << "thread " << t.index;
    EXPECT_LE(t.entered("spinner_work") - t.left("spinner_work"), 1u);
    EXPECT_EQ(t.calls.size(), 1u);
  }
  EXPECT_EQ(spinners, 2);
}

INSTANTIATE_TEST_SUITE_P(Batches, ExitFromThread, ::testing::Values("", "64"), batch_name);

// ---------------------------------------------------------------------------
// fork(): 1000 x "before_fork" in the parent, then 300 x "parent_work" in the
// parent and 700 x "child_work" in the child. "busy": another thread records
// "background" in the parent all along (at least 1000 calls before the fork).

struct ForkCase {
  const char* batch;
  bool busy;
};

void PrintTo(const ForkCase& c, std::ostream* os) {
  *os << "{batch \"" << c.batch << "\", " << (c.busy ? "busy" : "quiet") << "}";
}

class Fork : public ::testing::TestWithParam<ForkCase> {};

TEST_P(Fork, ParentAndChildEachWriteTheirOwnFile) {
  SKIP_UNDER_TSAN(TSAN_FORK_LIMIT);
  const ForkCase c = GetParam();
  TempDir dir;
  Launch launch(api_program(), {"fork"});
  launch.traced(dir.path()).with_env("RONDO_BATCH_EVENTS", c.batch).timeout(60);
  if (c.busy) launch.args.push_back("busy");
  Outcome o = run(launch);
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe() << " (13: the child failed)";
  ASSERT_EQ(o.out.rfind("child=", 0), 0u) << o.out;
  const uint32_t child_pid = static_cast<uint32_t>(std::stoul(o.out.substr(6)));
  const uint32_t parent_pid = static_cast<uint32_t>(o.pid);

  auto files = process_files(dir.path());
  ASSERT_EQ(files.size(), 2u);
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 2u);
  const ProcessCounts* parent = nullptr;
  const ProcessCounts* child = nullptr;
  for (const auto& p : trace) {
    if (p.pid == parent_pid) parent = &p;
    if (p.pid == child_pid) child = &p;
  }
  ASSERT_NE(parent, nullptr) << "no process file with the parent's pid " << parent_pid;
  ASSERT_NE(child, nullptr) << "no process file with the child's pid " << child_pid;
  EXPECT_NE(parent->path.find("." + std::to_string(parent_pid) + ".rnd"), std::string::npos) << parent->path;
  EXPECT_NE(child->path.find("." + std::to_string(child_pid) + ".rnd"), std::string::npos) << child->path;
  EXPECT_EQ(child->parent_pid, parent_pid);
  expect_clean(*parent);
  expect_clean(*child);

  // The parent: its main thread, plus the background thread when busy.
  ASSERT_EQ(parent->threads.size(), c.busy ? 2u : 1u);
  for (const auto& t : parent->threads) expect_complete(*parent, t);
  const ThreadCounts* parent_main = parent->thread_with("before_fork");
  ASSERT_NE(parent_main, nullptr);
  EXPECT_EQ(parent_main->os_tid, parent_pid);
  EXPECT_EQ(parent_main->count("before_fork"), 1000u);
  EXPECT_EQ(parent_main->count("parent_work"), 300u);
  EXPECT_EQ(parent_main->count("child_work"), 0u);
  EXPECT_FALSE(parent->has_region("child_work")) << "defined after fork() in the child only";
  if (c.busy) {
    const ThreadCounts* background = parent->thread_with("background");
    ASSERT_NE(background, nullptr);
    EXPECT_NE(background, parent_main);
    EXPECT_GE(background->count("background"), 1000u);
  }

  // The child: only its own thread, only what it recorded after fork().
  ASSERT_EQ(child->threads.size(), 1u);
  const ThreadCounts& ct = child->threads[0];
  expect_complete(*child, ct);
  EXPECT_EQ(ct.os_tid, child_pid);
  EXPECT_EQ(ct.count("child_work"), 700u);
  EXPECT_EQ(ct.count("before_fork"), 0u);
  EXPECT_EQ(ct.count("parent_work"), 0u);
  EXPECT_EQ(ct.count("background"), 0u);
  EXPECT_EQ(ct.event_count, 1400u);
  EXPECT_TRUE(child->has_region("before_fork")) << "definitions made before fork() carry over";
}

std::string fork_name(const ::testing::TestParamInfo<ForkCase>& info) {
  return std::string(*info.param.batch ? std::string("Batch") + info.param.batch : "DefaultBatch") +
         (info.param.busy ? "_Busy" : "_Quiet");
}

INSTANTIATE_TEST_SUITE_P(Cases, Fork,
                         ::testing::Values(ForkCase{"", false}, ForkCase{"64", false}, ForkCase{"", true},
                                           ForkCase{"64", true}),
                         fork_name);

// ---------------------------------------------------------------------------
// Threads

class Threads : public WithBatch {};

// 8 threads run at once; thread i enters "thread<i>" once and does (i+1)*1000 x
// "work" in it. The main thread only records "main".
TEST_P(Threads, EightThreadsEachHaveTheirOwnLocationWithExactCounts) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"threads8"}).traced(dir.path()).with_env("RONDO_BATCH_EVENTS", GetParam()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.err, "");
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ProcessCounts& p = trace[0];
  expect_clean(p);
  ASSERT_EQ(p.threads.size(), 9u);
  EXPECT_EQ(p.thread_def_tids.size(), 9u);
  std::set<uint64_t> tids(p.thread_def_tids.begin(), p.thread_def_tids.end());
  EXPECT_EQ(tids.size(), 9u) << "threads that ran at the same time have distinct ids";
  std::set<uint32_t> indices;
  for (const auto& t : p.threads) {
    expect_complete(p, t);
    indices.insert(t.index);
  }
  EXPECT_EQ(indices.size(), 9u);

  const ThreadCounts* main_thread = p.thread_with("main");
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ(main_thread->os_tid, static_cast<uint64_t>(o.pid));
  EXPECT_EQ(main_thread->count("main"), 1u);
  EXPECT_EQ(main_thread->count("work"), 0u);
  EXPECT_EQ(main_thread->event_count, 2u);
  for (int i = 0; i < 8; ++i) {
    std::string name = "thread" + std::to_string(i);
    const ThreadCounts* t = p.thread_with(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_NE(t, main_thread);
    EXPECT_EQ(t->count(name), 1u);
    EXPECT_EQ(t->count("work"), 1000u * (i + 1)) << name;
    EXPECT_EQ(t->calls.size(), 2u) << name;
    EXPECT_EQ(t->event_count, 2u + 2000u * (i + 1)) << name;
  }
}

// 1000 threads (20 waves of 50), each doing 3 x "tiny".
TEST_P(Threads, AThousandShortThreadsAreAllPresent) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"threads1000"}).traced(dir.path()).with_env("RONDO_BATCH_EVENTS", GetParam()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ProcessCounts& p = trace[0];
  expect_clean(p);
  ASSERT_EQ(p.threads.size(), 1001u);
  EXPECT_EQ(p.thread_def_tids.size(), 1001u);
  int workers = 0;
  for (const auto& t : p.threads) {
    expect_complete(p, t);
    if (t.count("main") == 1) continue;
    ++workers;
    EXPECT_EQ(t.count("tiny"), 3u) << "thread " << t.index;
    EXPECT_EQ(t.calls.size(), 1u) << "thread " << t.index;
    EXPECT_EQ(t.event_count, 6u) << "thread " << t.index;
  }
  EXPECT_EQ(workers, 1000);
}

INSTANTIATE_TEST_SUITE_P(Batches, Threads, ::testing::Values("", "64"), batch_name);

}  // namespace
}  // namespace rondo::runtime_test
