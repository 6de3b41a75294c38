// Fatal signals: the program dies exactly as it would without Rondo, and the
// trace holds every event recorded before the signal.
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <tuple>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

struct Ending {
  const char* how;  // the program's argument
  int signal;
};
// Every fatal signal the README promises a flush for (SIGBUS and SIGFPE raised
// by the faults themselves: a store past a mapped file's end, a division by zero).
const Ending kEndings[] = {{"segv", SIGSEGV}, {"bus", SIGBUS},       {"fpe", SIGFPE},
                           {"abort", SIGABRT}, {"sigterm", SIGTERM}, {"sigint", SIGINT}};

// RONDO_BATCH_EVENTS: "" leaves the default (16384 events per batch). The last
// one holds the whole run: no batch is ever handed to the writer thread.
constexpr const char* kOneBatch = "4194304";
const std::string kBatches[] = {"64", "1000", "", kOneBatch};

enum class Program { Api, Instrumented };
// Immediate: the signal comes right after the last event, often while the writer
// thread holds a batch it took off the queue. Settled: 200 ms later, when the
// writer thread has written every batch handed to it.
enum class Timing { Immediate, Settled };

void PrintTo(const Ending& e, std::ostream* os) { *os << e.how; }
void PrintTo(Program p, std::ostream* os) { *os << (p == Program::Api ? "api" : "instrumented"); }
void PrintTo(Timing t, std::ostream* os) { *os << (t == Timing::Immediate ? "immediate" : "settled"); }

using Param = std::tuple<Program, Ending, std::string, Timing>;

class Crash : public ::testing::TestWithParam<Param> {};

TEST_P(Crash, ExitStatusIsTheSignalAndTraceHoldsEveryEventBeforeIt) {
  auto [program, ending, batch, timing] = GetParam();
  const bool api = program == Program::Api;
  // api_program: "crash_top" open, N x "work", a marker. instrumented: main and
  // crash_now(char const*) open, N x app::leaf(int).
  const long n = api ? 100000 : 20000;
  TempDir dir;
  Launch launch(api ? api_program() : instrumented_program(),
                {"crash", ending.how, std::to_string(n), timing == Timing::Settled ? "200" : "0"});
  launch.traced(dir.path()).with_env("RONDO_BATCH_EVENTS", batch).timeout(60);
  if (!api) launch.preloaded();
  Outcome o = run(launch);
  ASSERT_TRUE(o.signaled()) << o.describe();
  EXPECT_EQ(o.signal(), ending.signal) << o.describe();

  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ProcessCounts& p = trace[0];
  expect_clean(p);  // the signal handler writes the end record too
  ASSERT_EQ(p.threads.size(), 1u);
  const ThreadCounts& t = p.threads[0];
  expect_complete(p, t);
  const uint64_t expected_events = 2 * static_cast<uint64_t>(n) + 2;
  EXPECT_EQ(t.event_count, expected_events);
  EXPECT_EQ(t.replayed, expected_events);
  if (api) {
    EXPECT_EQ(t.count("work"), static_cast<uint64_t>(n));
    EXPECT_EQ(t.entered("work"), static_cast<uint64_t>(n));
    EXPECT_EQ(t.entered("crash_top"), 1u);
    EXPECT_EQ(t.left("crash_top"), 0u);
    EXPECT_EQ(t.count("crash_top"), 0u);
    EXPECT_EQ(t.open_regions, 1u);
    EXPECT_EQ(t.markers, std::vector<std::string>{"before crash"});
  } else {
    EXPECT_EQ(t.count("app::leaf(int)"), static_cast<uint64_t>(n));
    EXPECT_EQ(t.entered("app::leaf(int)"), static_cast<uint64_t>(n));
    EXPECT_EQ(t.entered("main"), 1u);
    EXPECT_EQ(t.entered("crash_now(char const*)"), 1u);
    EXPECT_EQ(t.calls.size(), 1u) << "only app::leaf(int) completed";
    EXPECT_EQ(t.open_regions, 2u);
  }
}

std::string param_name(const ::testing::TestParamInfo<Param>& info) {
  auto [program, ending, batch, timing] = info.param;
  std::string batch_name = batch.empty() ? "DefaultBatch" : "Batch" + batch;
  return std::string(program == Program::Api ? "Api" : "Instrumented") + "_" + ending.how + "_" + batch_name +
         (timing == Timing::Immediate ? "_Immediate" : "_Settled");
}

INSTANTIATE_TEST_SUITE_P(Signals, Crash,
                         ::testing::Combine(::testing::Values(Program::Api, Program::Instrumented),
                                            ::testing::ValuesIn(kEndings), ::testing::ValuesIn(kBatches),
                                            ::testing::Values(Timing::Immediate, Timing::Settled)),
                         param_name);

// Ready once the process's file holds at least `bytes` (0: once it exists, i.e.
// the process records). A slow start (a sanitized build on a loaded machine)
// signalled after a fixed delay alone was sometimes killed before Rondo's
// handlers were installed, leaving no file, or before its first call ended.
std::function<bool()> file_holds(const std::string& trace_dir, uintmax_t bytes = 0) {
  return [trace_dir, bytes] {
    auto files = process_files(trace_dir);
    return files.size() == 1 && std::filesystem::file_size(trace_dir + "/" + files[0]) >= bytes;
  };
}

// A signal from outside, at a random point of a busy program (each round hits
// a different one): the program dies of that signal, never hangs, and leaves a
// readable trace.
void expect_dies_of_signal(const char* mode, int sig, int rounds) {
  for (int round = 0; round < rounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    // 150 ms after the start, and not before the process records.
    Outcome o = run(Launch(api_program(), {mode})
                        .traced(dir.path())
                        .signal_after(sig, 150)
                        .signal_when(sig, file_holds(dir.path()))
                        .timeout(30));
    ASSERT_FALSE(o.timed_out) << "the program hung after the signal";
    ASSERT_TRUE(o.signaled()) << o.describe();
    EXPECT_EQ(o.signal(), sig);
    auto trace = read_trace(dir.path());
    ASSERT_EQ(trace.size(), 1u);
    EXPECT_TRUE(trace[0].problems.empty());
  }
}

// record_forever: "work" calls without end.
TEST(ExternalSignal, SigtermWhileRecordingEndsTheProgram) { expect_dies_of_signal("record_forever", SIGTERM, 5); }

// define_forever: new regions and markers without end, so the signal often
// lands while the program holds the runtime's definitions lock.
TEST(ExternalSignal, SigtermWhileDefiningRegionsEndsTheProgram) {
  expect_dies_of_signal("define_forever", SIGTERM, 5);
}

// allocate_forever: malloc and free without end, so the signal often lands
// while the program holds a malloc lock.
TEST(ExternalSignal, SigintWhileAllocatingEndsTheProgram) { expect_dies_of_signal("allocate_forever", SIGINT, 3); }

TEST(ExternalSignal, SigtermWhileRecordingKeepsEveryEventOfTheThread) {
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    // Once batches of 1000 events reached the file: "work" calls have ended.
    Outcome o = run(Launch(api_program(), {"record_forever"})
                        .traced(dir.path())
                        .with_env("RONDO_BATCH_EVENTS", "1000")
                        .signal_when(SIGTERM, file_holds(dir.path(), 32 * 1024))
                        .timeout(30));
    ASSERT_TRUE(o.signaled() && o.signal() == SIGTERM) << o.describe();
    auto trace = read_trace(dir.path());
    ASSERT_EQ(trace.size(), 1u);
    expect_clean(trace[0]);
    ASSERT_EQ(trace[0].threads.size(), 1u);
    const ThreadCounts& t = trace[0].threads[0];
    expect_complete(trace[0], t);
    EXPECT_GT(t.count("work"), 0u);
    EXPECT_LE(t.entered("work") - t.left("work"), 1u);
  }
}

// No bound in wall time (the machine is shared): the program must not hang,
// which the launch's time limit turns into a failure, and must end its file.
TEST(ExternalSignal, SigintWhileAllocatingEndsWithTheEndRecord) {
  for (int round = 0; round < 5; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    Outcome o = run(Launch(api_program(), {"allocate_forever"})
                        .traced(dir.path())
                        .signal_after(SIGINT, 150)
                        .signal_when(SIGINT, file_holds(dir.path()))
                        .timeout(30));
    ASSERT_FALSE(o.timed_out) << "the program hung after the signal";
    ASSERT_TRUE(o.signaled() && o.signal() == SIGINT) << o.describe();
    auto trace = read_trace(dir.path());
    ASSERT_EQ(trace.size(), 1u);
    expect_clean(trace[0]);
  }
}

// SIGKILL cannot be caught: a process really killed with it (not a file cut
// by hand) leaves a trace that replays up to its last written batch, says it
// is incomplete, and counts every event it replays.
TEST(ExternalSignal, SigkillLeavesTheBatchesWrittenBeforeIt) {
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    // Killed once its file holds several batches of 1000 events.
    Launch launch(api_program(), {"record_forever"});
    launch.traced(dir.path()).with_env("RONDO_BATCH_EVENTS", "1000").timeout(60);
    launch.signal_when(SIGKILL, file_holds(dir.path(), 32 * 1024));
    Outcome o = run(launch);
    ASSERT_FALSE(o.timed_out) << o.describe();
    ASSERT_TRUE(o.signaled() && o.signal() == SIGKILL) << o.describe();
    auto trace = read_trace(dir.path());
    ASSERT_EQ(trace.size(), 1u);
    const ProcessCounts& p = trace[0];
    EXPECT_FALSE(p.ended) << "no end record after SIGKILL";
    EXPECT_TRUE(p.truncated);
    ASSERT_EQ(p.threads.size(), 1u);
    const ThreadCounts& t = p.threads[0];
    EXPECT_TRUE(t.truncated);
    // At least the batches that made the file 32 KiB: thousands of "work" calls.
    EXPECT_GE(t.event_count, 2000u);
    EXPECT_EQ(t.replayed, t.event_count);
    // From the replay (a killed thread has no summary): calls entered and left.
    EXPECT_GE(t.left("work"), 1000u);
    EXPECT_LE(t.entered("work") - t.left("work"), 1u);
  }
}

}  // namespace
}  // namespace rondo::runtime_test
