// Process images that end without exit() (exec, _exit after fork), stacks that
// unwind without returning (longjmp, siglongjmp out of a signal handler, an
// exception through C code), and processes that die with calls open: the trace
// keeps every event, every enter gets its leave at the right time, and the
// statistics count what was cut short.
#include <signal.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "expectations.h"
#include "harness.h"
#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"

namespace rondo::runtime_test {
namespace {

uint64_t file_size(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

const ProcessCounts* process_with_pid(const std::vector<ProcessCounts>& trace, uint32_t pid, bool ended_main) {
  for (const auto& p : trace)
    if (p.pid == pid && !p.threads.empty() && (p.threads[0].count("main") == 1) == ended_main) return &p;
  return nullptr;
}

// ---------------------------------------------------------------------------
// exec

// ex_a writes 1000 + 234 B and execl()s itself as ex_b, which writes 567 B: two
// process files with the same pid, each ended, each with its own writes.
TEST(Exec, TheImageBeforeExecKeepsItsOwnFileAndTheNewImageGetsAnother) {
  TempDir dir, data;
  std::string file = data.path() + "/out";
  Outcome o = run(
      Launch(lifecycle_program(), {"exec", file}).traced(dir.path()).preloaded().preloading(io_preload()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(file_size(file), 1000u + 234u + 567u);
  ASSERT_EQ(process_files(dir.path()).size(), 2u);
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 2u);
  for (const auto& p : trace) {
    expect_clean(p);
    EXPECT_EQ(p.pid, static_cast<uint32_t>(o.pid)) << "exec keeps the pid";
    ASSERT_EQ(p.threads.size(), 1u);
    expect_complete(p, p.threads[0]);
  }
  // The first image exec()ed from inside main: main is open there.
  const ProcessCounts* before = process_with_pid(trace, static_cast<uint32_t>(o.pid), false);
  const ProcessCounts* after = process_with_pid(trace, static_cast<uint32_t>(o.pid), true);
  ASSERT_NE(before, nullptr);
  ASSERT_NE(after, nullptr);
  EXPECT_EQ(before->threads[0].count("write"), 2u);
  EXPECT_EQ(before->threads[0].io_bytes, 1234u);
  EXPECT_EQ(before->threads[0].entered("main"), 1u);
  EXPECT_EQ(before->threads[0].open_regions, 1u);
  EXPECT_EQ(after->threads[0].count("write"), 1u);
  EXPECT_EQ(after->threads[0].io_bytes, 567u);
  EXPECT_EQ(after->threads[0].open_regions, 0u);
}

// A failed exec() returns and the program goes on: one file, every write in it.
TEST(Exec, AFailedExecKeepsRecordingIntoTheSameFile) {
  TempDir dir, data;
  std::string file = data.path() + "/out";
  Outcome o = run(
      Launch(lifecycle_program(), {"exec_fail", file}).traced(dir.path()).preloaded().preloading(io_preload()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  const ThreadCounts& t = *only;
  EXPECT_EQ(t.count("write"), 2u);
  EXPECT_EQ(t.io_bytes, 150u);
  EXPECT_EQ(t.count("main"), 1u);
  EXPECT_EQ(t.open_regions, 0u);
}

// A shell script whose last command is exec'd: the shell's own writes stay.
TEST(Exec, AShellThatExecsItsLastCommandKeepsItsOwnWrites) {
  TempDir dir, data;
  std::string file = data.path() + "/out";
  std::string script = "printf abc > " + file + "; exec " + lifecycle_program() + " exec_b " + file;
  Outcome o = run(Launch("/bin/sh", {"-c", script}).traced(dir.path()).preloading(io_preload()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(file_size(file), 3u + 567u);
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 2u);
  uint64_t bytes = 0;
  for (const auto& p : trace) {
    expect_clean(p);
    for (const auto& t : p.threads) {
      expect_complete(p, t);
      bytes += t.io_bytes;
    }
  }
  EXPECT_EQ(bytes, 3u + 567u);
}

// The runtime writes its first batches while the program has fd 1 closed, as
// a shell does between close(1) and dup2(file, 1): the trace file must not
// take that descriptor, or the program's redirect and its stdout would be the
// trace's, and the trace the program's.
TEST(Descriptors, TheTraceFileNeverTakesADescriptorTheProgramHasJustClosed) {
  TempDir dir, data;
  std::string file = data.path() + "/out";
  Outcome o = run(Launch(lifecycle_program(), {"redirect", file})
                      .traced(dir.path())
                      .preloaded()
                      .preloading(io_preload())
                      .with_env("RONDO_BATCH_EVENTS", "64"));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.out, "done\n");
  EXPECT_EQ(file_size(file), 200u + 3u);
  ASSERT_EQ(process_files(dir.path()).size(), 1u);
  auto trace = read_trace(dir.path());
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  expect_clean(trace[0]);
  expect_complete(trace[0], *only);
  EXPECT_EQ(only->count("write"), 200u + 1u + 1u) << "the 1-B writes, \"abc\" and \"done\"";
  EXPECT_EQ(only->io_bytes, 200u + 3u + 5u);
}

// A shell's `exec N>file` dup2()s the file onto N, whatever was there: the
// runtime's own descriptors (its signal pipes) must not be at such numbers,
// or the runtime would write into the program's files.
TEST(Descriptors, AShellsNumberedRedirectsGetNoByteOfTheRuntime) {
  TempDir dir, data;
  std::string script;
  for (int n = 3; n <= 9; ++n)
    script += "exec " + std::to_string(n) + ">" + data.path() + "/f" + std::to_string(n) + "; echo line" +
              std::to_string(n) + " >&" + std::to_string(n) + "; ";
  Outcome o = run(Launch("/bin/sh", {"-c", script}).traced(dir.path()).preloading(io_preload()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.err, "");
  for (int n = 3; n <= 9; ++n) {
    std::string expected = "line" + std::to_string(n) + "\n";
    EXPECT_EQ(file_size(data.path() + "/f" + std::to_string(n)), expected.size()) << "fd " << n;
  }
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  expect_clean(trace[0]);
  expect_complete(trace[0], *only);
  EXPECT_EQ(only->count("write"), 7u);
  EXPECT_EQ(only->io_bytes, 7u * 6u);
}

// ---------------------------------------------------------------------------
// _exit

// A run of a lifecycle mode whose program forks once, the child writing 202 B
// to FILE and the parent 10 B after it: both processes' files, each checked
// clean and complete with its one write (parent or child null after a failure).
struct ForkedRun {
  Outcome outcome;
  std::vector<ProcessCounts> trace;
  const ProcessCounts* parent = nullptr;
  const ProcessCounts* child = nullptr;
};

ForkedRun run_forking(const std::string& mode, const TempDir& dir, const std::string& file) {
  ForkedRun r;
  r.outcome = run(Launch(lifecycle_program(), {mode, file}).traced(dir.path()).preloaded().preloading(io_preload()));
  EXPECT_TRUE(r.outcome.exited() && r.outcome.exit_code() == 0) << r.outcome.describe();
  EXPECT_EQ(file_size(file), 202u + 10u);
  r.trace = read_trace(dir.path());
  EXPECT_EQ(r.trace.size(), 2u) << "parent and child";
  for (const auto& p : r.trace) (p.pid == static_cast<uint32_t>(r.outcome.pid) ? r.parent : r.child) = &p;
  if (!r.parent || !r.child || r.trace.size() != 2) return ForkedRun{r.outcome, {}, nullptr, nullptr};
  EXPECT_EQ(r.child->parent_pid, static_cast<uint32_t>(r.outcome.pid));
  for (const ProcessCounts* p : {r.parent, r.child}) {
    expect_clean(*p);
    EXPECT_EQ(p->threads.size(), 1u) << p->path;
    if (p->threads.size() != 1) return ForkedRun{r.outcome, {}, nullptr, nullptr};
    expect_complete(*p, p->threads[0]);
    EXPECT_EQ(p->threads[0].count("write"), 1u);
  }
  EXPECT_EQ(r.child->threads[0].io_bytes, 202u);
  EXPECT_EQ(r.parent->threads[0].io_bytes, 10u);
  return r;
}

TEST(Exit, AForkedChildEndingWithUnderscoreExitKeepsItsTrace) {
  SKIP_UNDER_TSAN(TSAN_FORK_LIMIT);
  TempDir dir, data;
  ForkedRun r = run_forking("fork_exit", dir, data.path() + "/out");
  ASSERT_NE(r.child, nullptr);
  // The child ends inside main, which it entered at the fork.
  EXPECT_EQ(r.child->threads[0].entered("main"), 1u);
  EXPECT_EQ(r.child->threads[0].open_regions, 1u);
}

// A child that closes every descriptor from 3 up (as a subprocess module does
// before exec) closes the file the runtime had made for it at the fork: the
// runtime sees the number is no longer its file and creates one. The child
// returns from main, which it entered at the fork: every leave has its enter.
TEST(Exit, AForkedChildThatClosesEveryDescriptorAndReturnsFromMainKeepsABalancedTrace) {
  SKIP_UNDER_TSAN(TSAN_FORK_LIMIT);
  TempDir dir, data;
  ForkedRun r = run_forking("fork_closefrom", dir, data.path() + "/out");
  ASSERT_NE(r.child, nullptr);
  EXPECT_EQ(r.outcome.err, "");
  for (const ProcessCounts* p : {r.parent, r.child}) {
    EXPECT_EQ(p->threads[0].entered("main"), 1u) << p->path;
    EXPECT_EQ(p->threads[0].left("main"), 1u) << p->path;
    EXPECT_EQ(p->threads[0].open_regions, 0u) << p->path;
  }
}

// ---------------------------------------------------------------------------
// longjmp, siglongjmp, exceptions

analyzer::Profile profile_of(const std::string& dir) {
  format::TraceReader reader(dir);
  return analyzer::profile(reader, analyzer::AnalysisOptions{});
}

const analyzer::RegionRow* row(const analyzer::Profile& p, const std::string& name) {
  for (const auto& r : p.regions)
    if (r.name == name) return &r;
  return nullptr;
}

uint32_t tree_depth(const analyzer::Profile& p) {
  uint32_t d = 0;
  for (const auto& c : p.call_tree) d = std::max(d, c.depth);
  return d;
}

struct JumpCase {
  const char* mode;
  std::vector<std::string> skipped;  // calls each jump or throw skips, outermost first
  uint32_t depth;                    // deepest nesting, main included
};

void PrintTo(const JumpCase& c, std::ostream* os) { *os << c.mode; }

class Jump : public ::testing::TestWithParam<JumpCase> {};

// 1000 jumps or throws: every skipped call is closed at the jump, so the counts
// are exact, the nesting never grows, and no call lasts longer than main.
TEST_P(Jump, SkippedCallsEndAtTheJump) {
  const JumpCase& c = GetParam();
  constexpr uint64_t n = 1000;
  TempDir dir;
  Outcome o = run(Launch(lifecycle_program(), {c.mode, std::to_string(n)}).traced(dir.path()).preloaded());
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  const ThreadCounts& t = *only;
  EXPECT_EQ(t.open_regions, 0u);
  EXPECT_EQ(t.count("main"), 1u);
  EXPECT_EQ(t.max_depth, c.depth);
  for (const auto& name : c.skipped) {
    EXPECT_EQ(t.count(name), n) << name;
    EXPECT_EQ(t.entered(name), n) << name;
    EXPECT_EQ(t.left(name), n) << name;
  }
  analyzer::Profile p = profile_of(dir.path());
  const analyzer::RegionRow* main_row = row(p, "main");
  ASSERT_NE(main_row, nullptr);
  int64_t children = 0;
  for (const auto& name : c.skipped) {
    const analyzer::RegionRow* r = row(p, name);
    ASSERT_NE(r, nullptr) << name;
    EXPECT_EQ(r->calls, n) << name;
    EXPECT_EQ(r->cut_short, 0u) << name;
    EXPECT_LE(r->inclusive_ns, main_row->inclusive_ns) << name;
    if (&name == &c.skipped.front()) children = r->inclusive_ns;
  }
  EXPECT_LE(children, main_row->inclusive_ns);
  EXPECT_EQ(tree_depth(p), c.depth - 1) << "call tree depth (0: main)";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, Jump,
    ::testing::Values(JumpCase{"longjmp", {"a()", "b()"}, 3}, JumpCase{"longjmp_local", {"a()", "b()"}, 4},
                      JumpCase{"siglongjmp", {"a()", "b()"}, 3},
                      JumpCase{"signal_jump", {"raising_a()", "raising_b()", "on_signal"}, 4},
                      JumpCase{"exception", {"c_middle", "throwing_callback", "thrower()"}, 4}),
    [](const ::testing::TestParamInfo<JumpCase>& info) { return std::string(info.param.mode); });

// siglongjmp out of a signal handler that interrupted an intercepted read():
// the read ends at the jump, and the thread goes on recording (the write).
TEST(Jump, OutOfAnInterruptedReadTheThreadGoesOnRecording) {
  constexpr uint64_t n = 200;
  TempDir dir;
  Outcome o = run(Launch(lifecycle_program(), {"read_jump", std::to_string(n)})
                      .traced(dir.path())
                      .preloaded()
                      .preloading(io_preload())
                      .timeout(60));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  expect_clean(trace[0]);
  const ThreadCounts* t = trace[0].thread_with("reading_a(int)");
  ASSERT_NE(t, nullptr);
  expect_complete(trace[0], *t);
  EXPECT_EQ(t->count("reading_a(int)"), n);
  EXPECT_EQ(t->count("read"), n);
  EXPECT_EQ(t->left("read"), n);
  EXPECT_EQ(t->count("write"), 1u);
  EXPECT_EQ(t->io_bytes, 10u);
  EXPECT_EQ(t->count("main"), 1u);
  EXPECT_EQ(t->max_depth, 3u);
}

// Regions of the API: the one entered by the function a jump lands in stays
// open; the one entered below it ends at each jump.
TEST(Jump, ApiRegionsOfTheLandingFunctionStayOpen) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"longjmp", "1000"}).traced(dir.path()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  const ThreadCounts* t = single_thread(trace);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->count("outer"), 1u);
  EXPECT_EQ(t->entered("outer"), 1u);
  EXPECT_EQ(t->left("outer"), 1u);
  EXPECT_EQ(t->count("inner"), 1000u);
  EXPECT_EQ(t->left("inner"), 1000u);
  EXPECT_EQ(t->max_depth, 2u);
  EXPECT_EQ(t->open_regions, 0u);
}

// ---------------------------------------------------------------------------
// Death with calls open

// main -> outer -> 991 x leaf, then the process dies inside outer. main and
// outer count as one call each, cut short at the thread's last event.
void expect_open_calls_counted(const std::string& dir) {
  analyzer::Profile p = profile_of(dir);
  const analyzer::RegionRow* main_row = row(p, "main");
  const analyzer::RegionRow* outer_row = row(p, "outer(long, bool)");
  const analyzer::RegionRow* leaf_row = row(p, "leaf(int)");
  ASSERT_NE(main_row, nullptr) << "main is in the flat profile";
  ASSERT_NE(outer_row, nullptr);
  ASSERT_NE(leaf_row, nullptr);
  EXPECT_EQ(main_row->calls, 1u);
  EXPECT_EQ(main_row->cut_short, 1u);
  EXPECT_EQ(outer_row->calls, 1u);
  EXPECT_EQ(outer_row->cut_short, 1u);
  EXPECT_EQ(leaf_row->calls, 991u);
  EXPECT_EQ(leaf_row->cut_short, 0u);
  EXPECT_GE(main_row->inclusive_ns, outer_row->inclusive_ns);
  EXPECT_GE(outer_row->inclusive_ns, leaf_row->inclusive_ns);
  EXPECT_GT(main_row->inclusive_ns, 0);
  ASSERT_GE(p.call_tree.size(), 3u);
  EXPECT_EQ(p.call_tree[0].name, "main");
  EXPECT_EQ(p.call_tree[0].calls, 1u);
  EXPECT_EQ(p.call_tree[0].cut_short, 1u);
  EXPECT_GE(p.call_tree[0].inclusive_ns, p.call_tree[1].inclusive_ns);
  EXPECT_EQ(p.call_tree[1].name, "outer(long, bool)");
  EXPECT_EQ(p.call_tree[1].calls, 1u);
}

TEST(OpenCalls, AfterAbortTheyCountAsCutShortCalls) {
  TempDir dir;
  Outcome o = run(Launch(lifecycle_program(), {"abort", "991"}).traced(dir.path()).preloaded());
  ASSERT_TRUE(o.signaled() && o.signal() == SIGABRT) << o.describe();
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  expect_clean(trace[0]);
  expect_open_calls_counted(dir.path());
}

// 2 + 2 x 991 events = 31 whole batches of 64: all of them reach the file
// before the SIGKILL, which leaves no time to flush anything.
TEST(OpenCalls, AfterSigkillTheyCountAsCutShortCalls) {
  TempDir dir;
  Outcome o = run(Launch(lifecycle_program(), {"hang", "991"})
                      .traced(dir.path())
                      .preloaded()
                      .with_env("RONDO_BATCH_EVENTS", "64")
                      .signal_after(SIGKILL, 1500));
  ASSERT_TRUE(o.signaled() && o.signal() == SIGKILL) << o.describe();
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_FALSE(trace[0].ended);
  EXPECT_TRUE(trace[0].truncated);
  expect_open_calls_counted(dir.path());
}

// A process that dies before any batch was written still leaves a file that
// says it is incomplete.
TEST(OpenCalls, AProcessKilledBeforeItsFirstBatchLeavesATruncatedFile) {
  TempDir dir;
  Outcome o = run(Launch(lifecycle_program(), {"hang", "10"}).traced(dir.path()).preloaded().signal_after(SIGKILL, 800));
  ASSERT_TRUE(o.signaled() && o.signal() == SIGKILL) << o.describe();
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_FALSE(trace[0].ended);
  EXPECT_TRUE(trace[0].truncated);
  format::TraceReader reader(dir.path());
  EXPECT_TRUE(reader.truncated());
}

// ---------------------------------------------------------------------------
// The memory module never sees Rondo's own allocations

TEST(Memory, OpenAndFopenAddNoAllocationsOfTheirOwn) {
  SKIP_UNDER_SANITIZER(SANITIZER_MALLOC_LIMIT);
  TempDir dir, data;
  Outcome o = run(Launch(lifecycle_program(), {"malloc_open", "relative-name"})
                      .traced(dir.path())
                      .in_dir(data.path())
                      .preloading(memory_preload())
                      .preloading(io_preload()));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  auto trace = read_trace(dir.path());
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  const ThreadCounts& t = *only;
  EXPECT_EQ(t.count("open"), 1u);
  EXPECT_EQ(t.count("fopen"), 1u);
  EXPECT_EQ(t.count("malloc"), 3u) << "the program's own three";
  EXPECT_EQ(t.count("calloc"), 0u);
  EXPECT_EQ(t.count("realloc"), 0u);
}

// ---------------------------------------------------------------------------
// main calls pthread_exit(): the process ends (status 0, as if exit(0) were
// called) when its last thread does, although Rondo's own threads live on.
// Without that, the program never ends: the timeout makes it a failure.

Launch pthread_exit_launch(const std::string& workers) {
  return Launch(lifecycle_program(), {"pthread_exit", workers}).timeout(60);
}

TEST(PthreadExit, MainAloneEndsTheProcessWithStatusZeroAndACompleteTrace) {
  SKIP_UNDER_TSAN(TSAN_PTHREAD_EXIT_LIMIT);
  TempDir dir;
  Outcome o = run(pthread_exit_launch("0").traced(dir.path()).preloaded().preloading(pthread_preload()));
  ASSERT_FALSE(o.timed_out) << "the process did not end after main's pthread_exit";
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.out, "main\natexit\n");
  auto trace = read_trace(dir.path());
  const ThreadCounts* only = single_thread(trace);
  ASSERT_NE(only, nullptr);
  EXPECT_EQ(only->entered("main"), 1u);
}

TEST(PthreadExit, TheThreadsMainLeavesBehindRunToTheEndAndAreRecorded) {
  SKIP_UNDER_TSAN(TSAN_PTHREAD_EXIT_LIMIT);
  TempDir dir;
  Outcome o = run(pthread_exit_launch("2").traced(dir.path()).preloaded().preloading(pthread_preload()));
  ASSERT_FALSE(o.timed_out) << "the process did not end after its last thread";
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  EXPECT_EQ(o.out, "main\nthread 0\nthread 1\natexit\n");
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  expect_clean(trace[0]);
  ASSERT_EQ(trace[0].threads.size(), 3u);
  int workers = 0;
  for (const auto& t : trace[0].threads) {
    expect_complete(trace[0], t);
    if (t.index == 0) {
      EXPECT_EQ(t.entered("main"), 1u);
      EXPECT_EQ(t.count("leaf(int)"), 0u);
    } else {
      EXPECT_EQ(t.count("leaf(int)"), 3u) << "thread " << t.index;
      ++workers;
    }
  }
  EXPECT_EQ(workers, 2);
}

// The program's atexit handler runs once, on the same output as without Rondo
// (untraced, and preloaded without a trace directory, where Rondo starts no
// thread of its own).
TEST(PthreadExit, OutputAndAtexitHandlersAreThoseOfTheUntracedRun) {
  SKIP_UNDER_TSAN(TSAN_PTHREAD_EXIT_LIMIT);
  Outcome plain = run(pthread_exit_launch("2"));
  ASSERT_TRUE(plain.exited() && plain.exit_code() == 0) << plain.describe();
  ASSERT_EQ(plain.out, "main\nthread 0\nthread 1\natexit\n");
  Outcome idle = run(pthread_exit_launch("2").preloaded().preloading(pthread_preload()).preloading(io_preload()));
  ASSERT_TRUE(idle.exited() && idle.exit_code() == 0) << idle.describe();
  EXPECT_EQ(idle.out, plain.out);
  TempDir dir;
  Outcome traced = run(
      pthread_exit_launch("2").traced(dir.path()).preloaded().preloading(pthread_preload()).preloading(io_preload()));
  ASSERT_TRUE(traced.exited() && traced.exit_code() == 0) << traced.describe();
  EXPECT_EQ(traced.out, plain.out);
  EXPECT_EQ(traced.err, plain.err);
}

}  // namespace
}  // namespace rondo::runtime_test
