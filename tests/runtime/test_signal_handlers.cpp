// Instrumented functions whose first call happens inside a signal handler: the
// compiler hooks must not look names up there (allocations and locks the
// interrupted code may hold, on the same thread), yet every recorded call must
// reach the trace under its function's one region, with its name.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

const char* signal_program() { return RONDO_TEST_SIGNAL_PROGRAM; }

// Runs `signal_program MODE N` traced into `dir`; `allocations`: how many
// allocations its handlers made, as the program prints it (-1: it did not).
Outcome run_handlers(const std::string& dir, const std::string& mode, uint64_t n, long& allocations) {
  Outcome o = run(Launch(signal_program(), {mode, std::to_string(n)}).traced(dir).preloaded().timeout(60));
  allocations = -1;
  std::sscanf(o.out.c_str(), "allocations in handlers %ld", &allocations);
  return o;
}

// Every region has a name, once: no id recorded without its definition, no
// function under two ids, no address left unnamed.
void expect_named_once(const ProcessCounts& p) {
  std::set<std::string> seen;
  for (const auto& name : p.regions) {
    EXPECT_FALSE(name.empty()) << p.path << ": a region without a name";
    EXPECT_NE(name.rfind("0x", 0), 0u) << p.path << ": unresolved " << name;
    EXPECT_TRUE(seen.insert(name).second) << p.path << ": two regions named " << name;
  }
  for (const auto& t : p.threads) EXPECT_EQ(t.count("<unknown region>"), 0u) << p.path;
}

uint64_t count_prefixed(const ThreadCounts& t, const std::string& prefix) {
  uint64_t n = 0;
  for (const auto& [name, calls] : t.calls)
    if (name.rfind(prefix, 0) == 0) n += calls;
  return n;
}

// Each function's name is looked up on its first call, under the hooks' locks;
// the program's operator new raises a signal in the middle of every lookup, on
// the same thread, and the handler calls a new function each time. With names
// looked up inside the handler, the first such signal deadlocks the program
// (the hooks' lock is the interrupted code's).
TEST(SignalHandlers, FirstCallsInHandlersThatInterruptANameLookup) {
  constexpr int n = 300;
  TempDir dir;
  Outcome o = run(Launch(signal_program(), {"lookup", std::to_string(n)}).traced(dir.path()).preloaded().timeout(60));
  ASSERT_FALSE(o.timed_out) << "the program hung in a signal handler";
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe() << "\n" << o.err;
  int handled = -1;
  ASSERT_EQ(std::sscanf(o.out.c_str(), "handled %d", &handled), 1) << o.out;
  EXPECT_GE(handled, n) << "every lookup allocates at least once";
  auto trace = read_trace(dir.path());
  const ThreadCounts* t = single_thread(trace);
  ASSERT_NE(t, nullptr);
  expect_named_once(trace[0]);
  for (int i = 0; i < n; ++i) EXPECT_EQ(t->count("void f<" + std::to_string(i) + ">()"), 1u) << i;
  // A handler that interrupted the recorder (here: always) records nothing.
  EXPECT_EQ(count_prefixed(*t, "void h<"), 0u);
  EXPECT_EQ(t->count("on_lookup_signal(int)"), 0u);
  EXPECT_EQ(t->count("main"), 1u);
}

// Handlers run by raise(): each call of a function first met in a handler is
// recorded there, and named once the program is outside handlers (at exit).
TEST(SignalHandlers, FunctionsFirstCalledInHandlersKeepTheirNames) {
  constexpr uint64_t n = 100;
  TempDir dir;
  Outcome o = run(Launch(signal_program(), {"raise", std::to_string(n)}).traced(dir.path()).preloaded().timeout(60));
  ASSERT_TRUE(o.exited()) << o.describe();
  ASSERT_NE(o.exit_code(), 3) << "sigaction()/signal() did not report the program's own handler back";
  ASSERT_EQ(o.exit_code(), 0) << o.describe() << "\n" << o.err;
  auto trace = read_trace(dir.path());
  const ThreadCounts* t = single_thread(trace);
  ASSERT_NE(t, nullptr);
  expect_named_once(trace[0]);
  EXPECT_EQ(t->count("only_in_handler(int)"), n);
  EXPECT_EQ(t->count("via_signal()"), 1u);
  EXPECT_EQ(t->count("between()"), 1u);
  EXPECT_EQ(t->count("main"), 1u);
}

// With RONDO_FILTER, whose rules need the name, a function first met in a
// handler is left out until its name is known; once named (by between(), the
// next function met outside handlers), its later calls in handlers are recorded.
TEST(SignalHandlers, WithAFilterCallsAreRecordedOnceNamed) {
  constexpr uint64_t n = 100;
  TempDir dir;
  Outcome o = run(Launch(signal_program(), {"raise", std::to_string(n)})
                      .traced(dir.path())
                      .preloaded()
                      .with_env("RONDO_FILTER", "-via_*")
                      .timeout(60));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe() << "\n" << o.err;
  auto trace = read_trace(dir.path());
  const ThreadCounts* t = single_thread(trace);
  ASSERT_NE(t, nullptr);
  expect_named_once(trace[0]);
  EXPECT_EQ(t->count("via_signal()"), 0u);
  EXPECT_EQ(t->count("main"), 1u);
  EXPECT_EQ(t->count("between()"), 1u);
  EXPECT_EQ(t->count("only_in_handler(int)"), n - n / 2);
}

// Handlers that nest deeper than anything before on the thread and meet a new
// function each time: recording them made the recorder grow its event table
// and its stacks inside the handler (operator new, which may take the lock of
// the malloc the handler interrupted). Their events are kept without
// allocating and recorded once the handler returned: every call is in the
// trace, with its nesting.
TEST(SignalHandlers, DeepNewCallsInHandlersAllocateNothing) {
  constexpr uint64_t n = 12;  // the last handler nests 1,200 calls: two blocks of the deferred list
  TempDir dir;
  long allocations = -1;
  Outcome o = run_handlers(dir.path(), "deep", n, allocations);
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe() << "\n" << o.err;
  ASSERT_NE(allocations, -1) << o.out;
  EXPECT_EQ(allocations, 0) << "the recorder allocated inside a signal handler";
  EXPECT_EQ(o.err.find("lost"), std::string::npos) << o.err;
  auto trace = read_trace(dir.path());
  const ThreadCounts* t = single_thread(trace);
  ASSERT_NE(t, nullptr);
  expect_named_once(trace[0]);
  EXPECT_FALSE(t->truncated);
  uint64_t nest_calls = 0;  // 100 * k + 1 calls of nest() in the k-th handler
  for (uint64_t k = 1; k <= n; ++k) {
    nest_calls += 100 * k + 1;
    EXPECT_EQ(t->count("void h<" + std::to_string(k) + ">()"), 1u) << k;
  }
  EXPECT_EQ(t->count("nest(int, void (*)())"), nest_calls);
  EXPECT_EQ(t->entered("nest(int, void (*)())"), nest_calls);
  EXPECT_EQ(t->left("nest(int, void (*)())"), nest_calls);
  EXPECT_EQ(t->count("on_deep_signal(int)"), n);
  EXPECT_EQ(t->count("between()"), n);
  EXPECT_EQ(t->count("main"), 1u);
  // main > deep(int) > on_deep_signal(int) > 1,201 levels of nest() > h<12>().
  EXPECT_EQ(t->max_depth, 3 + 100 * n + 1 + 1);
}

// A thread whose first events come from inside a handler has no recorder yet,
// and creating one allocates: those events are left out, counted and said once,
// and the thread records from its first event outside the handler.
TEST(SignalHandlers, AThreadsFirstEventsInAHandlerAreLeftOutWithoutAllocating) {
  constexpr uint64_t n = 5;
  TempDir dir;
  long allocations = -1;
  Outcome o = run_handlers(dir.path(), "fresh", n, allocations);
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe() << "\n" << o.err;
  ASSERT_NE(allocations, -1) << o.out;
  EXPECT_EQ(allocations, 0) << "a recorder was created inside a signal handler";
  // 6 calls a handler (on_fresh_signal, 4 levels of nest, h<0>), 12 events.
  EXPECT_NE(o.err.find("rondo: " + std::to_string(12 * n) + " events recorded in signal handlers were left out"),
            std::string::npos)
      << o.err;
  auto trace = read_trace(dir.path());
  ASSERT_EQ(trace.size(), 1u);
  const ThreadCounts* worker = trace[0].thread_with("between()");
  ASSERT_NE(worker, nullptr);
  expect_complete(trace[0], *worker);
  EXPECT_EQ(worker->count("between()"), 1u);
  EXPECT_EQ(worker->count("on_fresh_signal(int)"), 0u);
  EXPECT_EQ(worker->count("nest(int, void (*)())"), 0u);
  const ThreadCounts* main_thread = trace[0].thread_with("main");
  ASSERT_NE(main_thread, nullptr);
  EXPECT_EQ(main_thread->count("fresh(int)"), 1u);
  EXPECT_EQ(main_thread->count("on_fresh_signal(int)"), 0u);
}

}  // namespace
}  // namespace rondo::runtime_test
