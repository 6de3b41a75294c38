// The trace invariants (analyzer/check.h) on traces written with the real
// writer: clean traces give no violation, and each hand-made fault gives
// exactly the violation it should, at the right place. Also `rondo check`'s
// exit status and output.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <functional>

#include "../common/run_command.h"
#include "mpi_fixture.h"
#include "rondo/analyzer/check.h"
#include "trace_fixture.h"

namespace {

using namespace rondo::format;
using rondo::analyzer::check_trace;
using rondo::analyzer::CheckReport;
using rondo::analyzer::Invariant;
using rondo::analyzer::Violation;
using rondo::test::TempDir;
using namespace rondo::test::mpi;

std::string all_text(const CheckReport& r) {
  std::string s;
  for (const Violation& v : r.violations) s += rondo::analyzer::violation_text(v) + "\n";
  return s;
}

// The only violation of the report; fails the test when there is not exactly one.
Violation only_violation(const CheckReport& r) {
  EXPECT_EQ(r.violations.size(), 1u) << all_text(r);
  EXPECT_EQ(r.omitted, 0u);
  return r.violations.empty() ? Violation{} : r.violations.front();
}

CheckReport check_dir(const std::string& dir) {
  TraceReader reader(dir);
  return check_trace(reader);
}

void marker(ThreadWriter& w, uint64_t t) { w.event(EventKey{EventKind::Marker, 1, {}}, t); }

// From `now` on, r2 calls r0 1000 times, each call of r0 one of r1: one loop of
// 1000 iterations, of 17 to 19 ticks each.
void loop_of_nested_calls(ThreadWriter& w, uint64_t now) {
  w.enter(2, now++);
  for (int i = 0; i < 1000; ++i) {
    w.enter(0, now += 3);
    w.enter(1, now += 5);
    w.leave(1, now += 7 + static_cast<uint64_t>(i % 3));
    w.leave(0, now += 2);
  }
  w.leave(2, now + 1);
}

// ---------------------------------------------------------------------------
// Regions, timestamps, exclusive times (one process, regions r0, r1, r2).

TEST(Check, CleanThreadsWithLoopsAndNestingGiveNoViolation) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 2, 3, [](int t, ThreadWriter& w) {
    loop_of_nested_calls(w, 100 * static_cast<uint64_t>(t));
  });
  CheckReport r = check_dir(dir.str());
  EXPECT_TRUE(r.clean()) << all_text(r);
  EXPECT_EQ(r.processes, 1u);
  EXPECT_EQ(r.threads, 2u);
  EXPECT_EQ(r.events, 2u * (2 + 4000));
  EXPECT_EQ(r.cut_short_threads, 0u);
}

TEST(Check, RecursionOneHundredThousandDeepIsCheckedWithoutRecursing) {
  TempDir dir;
  constexpr uint64_t kDepth = 100000;
  rondo::test::write_process(dir.file("p.rnd"), 1, 1, [](int, ThreadWriter& w) {
    for (uint64_t d = 0; d < kDepth; ++d) w.enter(0, d);
    for (uint64_t d = 0; d < kDepth; ++d) w.leave(0, kDepth + d);
  });
  CheckReport r = check_dir(dir.str());
  EXPECT_TRUE(r.clean()) << all_text(r);
  EXPECT_EQ(r.events, 2 * kDepth);
}

TEST(Check, TimestampGoingBackIsReportedAtItsEvent) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 1, [](int, ThreadWriter& w) {
    w.enter(0, 10);
    marker(w, 20);
    marker(w, 15);  // event 2: 5 ticks before event 1
    w.leave(0, 30);
  });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Timestamps);
  EXPECT_EQ(v.thread, 0);
  EXPECT_EQ(v.event, 2);
  EXPECT_EQ(v.message, "timestamp goes back by 5 ticks from the previous event");
  EXPECT_EQ(v.file, dir.file("p.rnd"));
}

TEST(Check, LeaveThatClosesCallsStillOpenAboveItIsReported) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.enter(1, 10);  // never left: longjmp out of r1 and r0's leave
    w.leave(0, 20);
  });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Regions);
  EXPECT_EQ(v.event, 2);
  EXPECT_EQ(v.time_ns, 20);
  EXPECT_EQ(v.message,
            "leave of \"r0\" closes 1 call still open above it (innermost \"r1\", entered at event 1) that never left");
}

TEST(Check, LeaveWithoutEnterIsReported) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.leave(0, 10);
    w.leave(1, 20);
  });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Regions);
  EXPECT_EQ(v.event, 2);
  EXPECT_EQ(v.message, "leave of \"r1\" without its enter");
}

TEST(Check, CallNeverLeftInAThreadNotCutShortIsReported) {
  TempDir dir;
  rondo::test::write_process(
      dir.file("p.rnd"), 1, 2,
      [](int, ThreadWriter& w) {
        w.enter(0, 0);
        w.leave(0, 10);
        w.enter(1, 20);  // the thread's last event
      },
      1 << 14, true, [](int, ThreadSummary& s) { s.open_regions = 0; });  // the summary forgets it
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Regions);
  EXPECT_EQ(v.event, 2);
  EXPECT_EQ(v.message,
            "1 call never left (outermost \"r1\", innermost \"r1\"), and the thread is not marked as cut short");
}

// A killed process (no end record) ends inside r0: allowed, and its open call
// counts up to the thread's last event in the profile (README: calls still
// open when a program dies end at the last recorded time).
TEST(Check, CutShortThreadMayEndInsideCalls) {
  TempDir dir;
  rondo::test::write_process(
      dir.file("p.rnd"), 1, 2,
      [](int, ThreadWriter& w) {
        w.enter(0, 0);
        w.enter(1, 10);
        w.leave(1, 20);
        marker(w, 50);
      },
      1 << 14, /*end_record=*/false);
  CheckReport r = check_dir(dir.str());
  EXPECT_EQ(r.cut_short_threads, 1u);
  EXPECT_EQ(r.count(Invariant::Regions), 0u) << all_text(r);
  EXPECT_TRUE(r.clean()) << all_text(r);
}

// r0 [0, 100] calls r1 [10, 30]: r0 inclusive 100, exclusive 80; r1 20 and 20.
void r0_calls_r1(int, ThreadWriter& w) {
  w.enter(0, 0);
  w.enter(1, 10);
  w.leave(1, 30);
  w.leave(0, 100);
}

TEST(Check, ExclusiveAboveInclusiveIsReported) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 2, r0_calls_r1, 1 << 14, true, [](int, ThreadSummary& s) {
    s.regions[0].exclusive_sum = 75;  // the sum stays 100
    s.regions[1].exclusive_sum = 25;
  });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Exclusive);
  EXPECT_EQ(v.thread, 0);
  EXPECT_EQ(v.message, "\"r1\": exclusive 25 ns is not within [0, inclusive 20 ns]");
}

TEST(Check, ExclusiveTimesThatDoNotAddUpToTheTimeInRegionsAreReported) {
  TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 2, r0_calls_r1, 1 << 14, true,
                             [](int, ThreadSummary& s) { s.regions[0].exclusive_sum = 70; });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Exclusive);
  EXPECT_EQ(v.message,
            "the regions' exclusive times add up to 90 ns, but the thread spent 100 ns inside its outermost calls "
            "(calls still open at its end counted up to its last event)");
}

// ---------------------------------------------------------------------------
// MPI: requests, messages, clocks, waiting, one run.

// Rank `me` of 2: Isend (request 1) and Irecv (request 2) to and from the other
// rank, then a Waitall that completes both.
void exchange(Mpi& m, int me) {
  int other = 1 - me;
  m.enter(kMain, 0);
  m.isend(10, other, 5, 64, 1);
  m.irecv(20, 2);
  m.enter(kWaitall, 30);
  m.isend_complete(31, 1);
  m.irecv_complete(40, other, 5, 64, 2);
  m.leave(kWaitall, 41);
  m.leave(kMain, 50);
}

TEST(Check, CleanNonblockingExchangeGivesNoViolation) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) { exchange(m, 0); });
  trace.add(base_spec(1, 2), [](Mpi& m) { exchange(m, 1); });
  CheckReport r = check_dir(trace.dir());
  EXPECT_TRUE(r.clean()) << all_text(r);
  EXPECT_EQ(r.requests, 4u);
  EXPECT_EQ(r.messages, 2u);
  EXPECT_EQ(r.unmatched_sends + r.unmatched_receives, 0u);
}

// Rank 1 receives `n` messages of rank 0 (tag 5, 64 bytes) with MPI_Recv.
void receive(Mpi& m, int n) {
  m.enter(kMain, 0);
  for (uint64_t i = 0; i < static_cast<uint64_t>(n); ++i) m.recv(100 + 10 * i, 105 + 10 * i, 0, 5, 64);
  m.leave(kMain, 200);
}

// Rank 0 runs `rank0` (inside main), rank 1 receives `received` messages of it;
// the trace's only violation is a Requests one at `event` of rank 0's thread.
void expect_request_violation(const std::function<void(Mpi&)>& rank0, int received, int64_t event,
                              const std::string& message) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [&](Mpi& m) {
    m.enter(kMain, 0);
    rank0(m);
    m.leave(kMain, 50);
  });
  trace.add(base_spec(1, 2), [&](Mpi& m) { receive(m, received); });
  Violation v = only_violation(check_dir(trace.dir()));
  EXPECT_EQ(v.invariant, Invariant::Requests);
  EXPECT_EQ(v.rank, 0);
  EXPECT_EQ(v.thread, 0);
  EXPECT_EQ(v.event, event);
  EXPECT_EQ(v.message, message);
}

// What the recorder wrote when Open MPI handed out one handle for two Isends
// and the recorder keyed requests by handle: one post per Isend, one completion.
TEST(Check, RequestPostedAgainBeforeItCompletedIsReported) {
  expect_request_violation(
      [](Mpi& m) {
        m.isend(10, 1, 5, 64, 7);  // events 1-3
        m.isend(20, 1, 5, 64, 7);  // events 4-6
        m.enter(kWaitall, 30);
        m.isend_complete(31, 7);
        m.leave(kWaitall, 32);
      },
      2, 5, "request 7 posted again while its post at thread 0 event 2 never completed (that completion was lost)");
}

TEST(Check, SendRequestNeverCompletedIsReported) {
  expect_request_violation(
      [](Mpi& m) {
        m.isend(10, 1, 5, 64, 7);
        m.isend(20, 1, 5, 64, 8);
        m.enter(kWaitall, 30);
        m.isend_complete(31, 8);  // 7's completion is lost
        m.leave(kWaitall, 32);
      },
      2, 2, "send request 7 never completed, and its thread is not marked as cut short");
}

TEST(Check, RequestCompletedTwiceIsReported) {
  expect_request_violation(
      [](Mpi& m) {
        m.isend(10, 1, 5, 64, 7);
        m.enter(kWaitall, 30);
        m.isend_complete(31, 7);
        m.isend_complete(32, 7);  // event 6
        m.leave(kWaitall, 33);
      },
      1, 6, "send completion of request 7, which is not open (completed twice, or never posted)");
}

TEST(Check, MessageReceivedBeforeItWasSentIsReported) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.recv(300, 400, 1, 5, 64);  // the data is there at 400
    m.leave(kMain, 600);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.send(500, 510, 0, 5, 64);  // sent at 500
    m.leave(kMain, 600);
  });
  Violation v = only_violation(check_dir(trace.dir()));
  EXPECT_EQ(v.invariant, Invariant::Clock);
  EXPECT_EQ(v.rank, 0);
  EXPECT_EQ(v.time_ns, 400);
  EXPECT_EQ(v.message, "message 1 -> 0 tag 5 received 100 ns before it was sent (clock correction)");
}

// Issue 12, point 1: one MPI_Waitall that completes an eager Isend and a late
// Irecv. Rank 0 spends 100 ns in it; whatever patterns its messages show, its
// waiting cannot exceed those 100 ns.
TEST(Check, WaitingOfOneWaitallStaysWithinTheCall) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.isend(0, 1, 5, 8, 1);
    m.irecv(2, 2);
    m.enter(kWaitall, 10);
    m.isend_complete(20, 1);
    m.irecv_complete(105, 1, 6, 8, 2);
    m.leave(kWaitall, 110);
    m.leave(kMain, 200);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.recv(50, 60, 0, 5, 8);    // posted 40 ns after rank 0 entered its Waitall
    m.send(100, 101, 0, 6, 8);  // sent 90 ns after it
    m.leave(kMain, 200);
  });
  CheckReport r = check_dir(trace.dir());
  EXPECT_EQ(r.count(Invariant::Waiting), 0u) << all_text(r);
  EXPECT_TRUE(r.clean()) << all_text(r);
}

// A rank in two process files is two runs in one directory: the reader refuses
// it (so no trace that `rondo check` can open mixes runs), naming both files.
TEST(Check, RankInTwoProcessFilesIsRefusedByTheReader) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) { m.send(10, 11, 1, 5, 8); }, "first-run.rnd");
  trace.add(base_spec(1, 2), [](Mpi& m) { m.recv(10, 12, 0, 5, 8); }, "first-run-1.rnd");
  rondo::test::MpiProcessSpec again = base_spec(0, 2);
  again.pid = 2000;  // another process, not an exec()ed image of the first
  trace.add(again, [](Mpi& m) { m.enter(kMain, 0), m.leave(kMain, 1); }, "second-run.rnd");
  try {
    TraceReader reader(trace.dir());
    FAIL() << "a directory with rank 0 twice was opened";
  } catch (const FormatError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("first-run.rnd"), std::string::npos) << what;
    EXPECT_NE(what.find("second-run.rnd"), std::string::npos) << what;
    EXPECT_NE(what.find("both rank 0"), std::string::npos) << what;
  }
}

TEST(Check, ProcessesThatDisagreeOnTheWorldSizeAreReported) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) { m.enter(kMain, 0), m.leave(kMain, 1); });
  rondo::test::MpiProcessSpec three = base_spec(1, 3);
  trace.add(three, [](Mpi& m) { m.enter(kMain, 0), m.leave(kMain, 1); });
  Violation v = only_violation(check_dir(trace.dir()));
  EXPECT_EQ(v.invariant, Invariant::Run);
  EXPECT_EQ(v.rank, 1);
  EXPECT_EQ(v.message, "world size 3, but " + trace.dir() + "/rank-0.rnd has 2");
}

// ---------------------------------------------------------------------------
// `rondo check`: exit 0 clean, 1 with violations (one line each), 2 unreadable.

std::string cli_quote(const std::string& s) { return "'" + s + "'"; }

TEST(CheckCommand, ExitStatusSaysWhetherTheTraceIsClean) {
  TempDir clean, broken;
  rondo::test::write_process(clean.file("p.rnd"), 1, 2, r0_calls_r1);
  rondo::test::write_process(broken.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.leave(0, 10);
    w.leave(1, 20);
  });
  auto ok = rondo::test::run_command(std::string(RONDO_CLI) + " check " + cli_quote(clean.str()));
  EXPECT_EQ(ok.status, 0) << ok.out;
  EXPECT_NE(ok.out.find(": 1 processes, 1 threads (0 cut short), 4 events, 0 requests, 0 matched messages: ok"),
            std::string::npos)
      << ok.out;

  auto bad = rondo::test::run_command(std::string(RONDO_CLI) + " check " + cli_quote(broken.str()));
  EXPECT_EQ(bad.status, 1) << bad.out;
  EXPECT_EQ(bad.out.rfind("regions: rank 0 thread 0 event 2 at 20 ns (" + broken.file("p.rnd") +
                              "): leave of \"r1\" without its enter\n",
                          0),
            0u)
      << bad.out;
  EXPECT_NE(bad.out.find(": 1 violation\n"), std::string::npos) << bad.out;

  auto json = rondo::test::run_command(std::string(RONDO_CLI) + " check --json " + cli_quote(broken.str()) +
                                       " 2>/dev/null");
  EXPECT_EQ(json.status, 1);
  EXPECT_NE(json.out.find("\"invariant\": \"regions\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"clean\": false"), std::string::npos) << json.out;
}

TEST(CheckCommand, UnreadableTraceExitsTwoWithOneLine) {
  TempDir dir;
  std::string missing = dir.file("no-such-trace");
  auto r = rondo::test::run_command(std::string(RONDO_CLI) + " check " + cli_quote(missing));
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.out.rfind("rondo: ", 0), 0u) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find(missing), std::string::npos) << r.out;
}

}  // namespace

// ---------------------------------------------------------------------------
// Loops: the recorder's iteration times against the events.

// loop_of_nested_calls(), whose longest iteration the summary overstates.
TEST(Check, RecordedIterationTimesThatTheEventsDoNotGiveAreReported) {
  TempDir dir;
  uint64_t longest = 0;
  auto record = [](int, ThreadWriter& w) { loop_of_nested_calls(w, 0); };
  rondo::test::write_process(dir.file("p.rnd"), 1, 3, record, 1 << 14, true, [&](int, ThreadSummary& s) {
    ASSERT_EQ(s.iterations.size(), 1u);
    longest = s.iterations[0].durations.max;
    s.iterations[0].durations.max += 1;
  });
  Violation v = only_violation(check_dir(dir.str()));
  EXPECT_EQ(v.invariant, Invariant::Loops);
  EXPECT_EQ(v.thread, 0);
  EXPECT_EQ(v.message, "loop 0 (r0): the recorder's iteration times differ from the events', longest: " +
                           std::to_string(longest + 1) + " recorded, " + std::to_string(longest) + " in the events");
}
