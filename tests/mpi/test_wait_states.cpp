// MPI wait states of real jobs: the programs in wait_states/ make ranks late by
// sleeping a known time before an MPI call, `kReps` times; they are recorded with
// `rondo record -- mpirun ...` and analyzed with analyzer::wait_states. Exact
// counts of waiting calls, the ranks that wait and the call sites; waiting times
// between the sleep less a little and the sleep plus a generous slack (the
// machine is shared). Less: the sleeping rank starts its sleep when its previous
// call returns, but the waiting rank may leave its own previous call later (it
// noticed the message late, cores are shared: 2 ms seen), so it enters its next
// wait later and waits a little less than the sleep.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/wait_states.h"

namespace {

namespace fs = std::filesystem;
using rondo::analyzer::WaitPattern;
using rondo::analyzer::WaitStates;

constexpr int kReps = 3;
constexpr int64_t kSleepNs = 200'000'000;
constexpr int64_t kEarlyNs = 20'000'000;  // how much shorter than the sleep a wait may be
constexpr int64_t kSlackNs = 150'000'000;  // how much longer, per waiting call

std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The configured mpirun, else the first mpirun or mpiexec in PATH; "" when none.
std::string find_mpirun() {
  if (access(RONDO_MPIEXEC, X_OK) == 0) return RONDO_MPIEXEC;
  for (const char* name : {"mpirun", "mpiexec"}) {
    auto r = rondo::test::run_command(std::string("command -v ") + name);
    if (r.status == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

class WaitStatesJob : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = find_mpirun();
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun: MPI wait-state tests skipped";
    dir_ = fs::temp_directory_path() / ("rondo-wait-states-" + std::to_string(getpid()) + "-" +
                                        std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }

  // Records `program` on `ranks` ranks and analyzes the trace.
  WaitStates analyze(const std::string& program, int ranks) {
    std::string trace = (dir_ / "trace").string();
    std::string cmd = "cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + shell_quoted(RONDO_CLI) +
                      " record -o " + shell_quoted(trace) + " -- " + shell_quoted(mpirun_) +
                      (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np " +
                      std::to_string(ranks) + " " + shell_quoted(program) + " " + std::to_string(kReps) + " " +
                      std::to_string(kSleepNs / 1'000'000);
    auto r = rondo::test::run_command(cmd);
    EXPECT_EQ(r.status, 0) << cmd << "\n" << r.out;
    if (r.status != 0) return {};
    EXPECT_TRUE(rondo::test::trace_valid(trace));
    rondo::format::TraceReader reader(trace);
    rondo::analyzer::MpiScan scan = rondo::analyzer::scan_mpi(reader);
    WaitStates w = rondo::analyzer::wait_states(reader, scan, rondo::analyzer::match_messages(scan));
    // What the test checks is also there for the report.
    SCOPED_TRACE(rondo::analyzer::wait_states_json(w).dump(1));
    EXPECT_TRUE(w.has_mpi);
    EXPECT_GT(w.run_ns, 0);
    return w;
  }

  // `pattern` waited `per_rank` calls on each rank of `waiting_ranks` (none on the
  // others), each about the sleep, at `call` made from `caller`; the other
  // patterns waited little.
  static void expect_pattern(const WaitStates& w, WaitPattern pattern, const std::set<int>& waiting_ranks,
                             int per_rank, const std::set<std::pair<std::string, std::string>>& call_sites) {
    ASSERT_EQ(w.patterns.size(), rondo::analyzer::kWaitPatternCount);
    const auto& p = w[pattern];
    std::string json = rondo::analyzer::wait_states_json(w).dump(1);
    SCOPED_TRACE(std::string(p.name()) + "\n" + json);
    uint64_t n = static_cast<uint64_t>(per_rank) * waiting_ranks.size();
    EXPECT_EQ(p.instances, n);
    EXPECT_GE(p.waiting_ns, static_cast<int64_t>(n) * (kSleepNs - kEarlyNs));
    EXPECT_LT(p.waiting_ns, static_cast<int64_t>(n) * (kSleepNs + kSlackNs));
    for (const auto& r : p.per_rank) {
      if (waiting_ranks.count(r.rank)) {
        EXPECT_EQ(r.instances, static_cast<uint64_t>(per_rank)) << "rank " << r.rank;
        EXPECT_GE(r.waiting_ns, per_rank * (kSleepNs - kEarlyNs)) << "rank " << r.rank;
      } else {
        EXPECT_EQ(r.instances, 0u) << "rank " << r.rank;
      }
    }
    std::set<std::pair<std::string, std::string>> sites;
    for (const auto& s : p.call_sites) {
      sites.insert({s.call, s.caller});
      EXPECT_TRUE(waiting_ranks.count(s.worst_rank)) << s.call << " " << s.worst_rank;
      EXPECT_GE(s.worst_ns, kSleepNs - kEarlyNs);
      EXPECT_LT(s.worst_ns, kSleepNs + kSlackNs);
    }
    EXPECT_EQ(sites, call_sites);
    for (const auto& other : w.patterns) {
      if (other.pattern == pattern) continue;
      EXPECT_LT(other.waiting_ns, kSlackNs) << other.name();
    }
    EXPECT_EQ(w.total_ns, [&] {
      int64_t sum = 0;
      for (const auto& q : w.patterns) sum += q.waiting_ns;
      return sum;
    }());
    EXPECT_GT(w.share, 0);
    EXPECT_LT(w.share, 1);
  }

  std::string mpirun_;
  fs::path dir_;
};

TEST_F(WaitStatesJob, LateSenderInRecvAndWait) {
  WaitStates w = analyze(WS_LATE_SENDER, 2);
  expect_pattern(w, WaitPattern::LateSender, {0}, 2 * kReps,
                 {{"MPI_Recv", "late_sender_blocking"}, {"MPI_Wait", "late_sender_nonblocking"}});
  EXPECT_EQ(w[WaitPattern::LateReceiver].instances, 0u);
}

TEST_F(WaitStatesJob, LateReceiverInSsendAndWait) {
  WaitStates w = analyze(WS_LATE_RECEIVER, 2);
  expect_pattern(w, WaitPattern::LateReceiver, {0}, 2 * kReps,
                 {{"MPI_Ssend", "late_receiver_blocking"}, {"MPI_Wait", "late_receiver_nonblocking"}});
  EXPECT_EQ(w[WaitPattern::LateSender].instances, 0u);
}

TEST_F(WaitStatesJob, WaitAtBarrier) {
  WaitStates w = analyze(WS_BARRIER, 3);
  expect_pattern(w, WaitPattern::WaitAtBarrier, {0, 2}, kReps, {{"MPI_Barrier", "barrier_step"}});
}

TEST_F(WaitStatesJob, WaitAtAllreduce) {
  WaitStates w = analyze(WS_ALLREDUCE, 3);
  expect_pattern(w, WaitPattern::WaitAtNxN, {0, 1}, kReps, {{"MPI_Allreduce", "allreduce_step"}});
}

TEST_F(WaitStatesJob, LateBroadcast) {
  WaitStates w = analyze(WS_BCAST, 3);
  expect_pattern(w, WaitPattern::LateBroadcast, {1, 2}, kReps, {{"MPI_Bcast", "bcast_step"}});
}

TEST_F(WaitStatesJob, EarlyReduce) {
  WaitStates w = analyze(WS_REDUCE, 3);
  expect_pattern(w, WaitPattern::EarlyReduce, {0}, kReps, {{"MPI_Reduce", "reduce_step"}});
}

// A window that starts after the job restricts to the calls entered inside it.
TEST_F(WaitStatesJob, WindowKeepsCallsEnteredInside) {
  std::string trace = (dir_ / "trace").string();
  WaitStates all = analyze(WS_BARRIER, 2);
  ASSERT_EQ(all[WaitPattern::WaitAtBarrier].instances, static_cast<uint64_t>(kReps));
  rondo::format::TraceReader reader(trace);
  auto scan = rondo::analyzer::scan_mpi(reader);
  auto matching = rondo::analyzer::match_messages(scan);
  // The barrier calls that waited, in time order: a window from just after the
  // first one's enter keeps the others.
  std::vector<int64_t> enters;
  for (const auto& c : scan.collectives)
    if (c.rank == 0 && c.call.name == "MPI_Barrier") enters.push_back(c.call.enter_ns);
  ASSERT_EQ(enters.size(), static_cast<size_t>(kReps));
  std::sort(enters.begin(), enters.end());
  rondo::analyzer::TimeWindow window{enters[0] + 1, enters.back() + 1};
  WaitStates part = rondo::analyzer::wait_states(reader, scan, matching, window);
  EXPECT_EQ(part[WaitPattern::WaitAtBarrier].instances, static_cast<uint64_t>(kReps - 1));
  EXPECT_LT(part.total_ns, all.total_ns);
}

}  // namespace
