// MPI wait states of real jobs: the programs in wait_states/ make ranks late by
// sleeping a known time before an MPI call, `kReps` times; they are recorded with
// `rondo record -- mpirun ...` and analyzed with analyzer::wait_states. Exact
// counts of waiting calls, the ranks that wait and the call sites; waiting times
// of at least what the programs measured, less a little, and never more than
// the time the rank spent in the waiting calls (a relation that holds at any
// speed: no upper bound in wall time, the machine is shared). Measured: each
// program prints when every rank began each step's MPI call (CLOCK_MONOTONIC,
// one clock on one node), because on a loaded machine the waiting rank may
// leave its previous call late (it noticed the message late, cores are shared)
// and then waits less than the sleep. Less a little: a rank can be preempted
// between its clock read and the call.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "../common/trace_counts.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/wait_states.h"

namespace {

namespace fs = std::filesystem;
using rondo::analyzer::WaitPattern;
using rondo::analyzer::WaitStates;

constexpr int kReps = 3;
constexpr int64_t kSleepNs = 200'000'000;
constexpr int64_t kEarlyNs = 20'000'000;  // how much shorter than measured a wait may be

class WaitStatesJob : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
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
    auto r = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, ranks,
                                         rondo::test::shell_quoted(program) + " " + std::to_string(kReps) + " " +
                                             std::to_string(kSleepNs / 1'000'000));
    EXPECT_EQ(r.status, 0) << r.out;
    if (r.status != 0) return {};
    entered_ = step_entries(r.out);
    EXPECT_TRUE(rondo::test::trace_valid(trace));
    rondo::format::TraceReader reader(trace);
    rondo::analyzer::MpiScan scan = rondo::analyzer::scan_mpi(reader);
    WaitStates w = rondo::analyzer::wait_states(reader, scan, rondo::analyzer::match_messages(scan));
    // What the test checks is also there for the report.
    SCOPED_TRACE(rondo::analyzer::wait_states_json(w).dump(1));
    EXPECT_TRUE(w.has_mpi);
    EXPECT_GT(w.run_ns, 0);
    // rondo stats gives the same, asked for the wait states alone (which then
    // take the run time without the rest of the mpi section) or for every
    // section (the wait states computed beside the mpi section).
    const rondo::analyzer::Sections asked[] = {rondo::analyzer::kSectionWaitStates, rondo::analyzer::kAllSections};
    for (rondo::analyzer::Sections sections : asked) {
      rondo::analyzer::AnalysisOptions alone;
      alone.sections = sections;
      EXPECT_EQ(rondo::analyzer::wait_states_json(rondo::analyzer::analyze(reader, alone).wait_states),
                rondo::analyzer::wait_states_json(w))
          << "sections " << sections;
    }
    // Inclusive time per rank and MPI call: what bounds the waiting from above.
    call_ns_.clear();
    rondo::analyzer::AnalysisOptions options;
    options.by = rondo::analyzer::GroupBy::Rank;
    for (const auto& row : rondo::analyzer::analyze(reader, options).profile.regions)
      call_ns_[{row.rank, row.name}] += row.inclusive_ns;
    return w;
  }

  // `pattern` waited `per_rank` calls on each rank of `waiting_ranks` (none on the
  // others), each about the sleep, at `call` made from `caller`, all of it for
  // ranks of `late_ranks` (the partners that slept). No rank waits longer than
  // it spent in the calls of the pattern's call sites, and no pattern longer
  // than all ranks spent in the recorded calls.
  void expect_pattern(const WaitStates& w, WaitPattern pattern, const std::set<int>& waiting_ranks,
                             int per_rank, const std::set<std::pair<std::string, std::string>>& call_sites,
                             const std::set<int>& late_ranks) {
    ASSERT_EQ(w.patterns.size(), rondo::analyzer::kWaitPatternCount);
    const auto& p = w[pattern];
    std::string json = rondo::analyzer::wait_states_json(w).dump(1);
    SCOPED_TRACE(std::string(p.name()) + "\n" + json);
    uint64_t n = static_cast<uint64_t>(per_rank) * waiting_ranks.size();
    EXPECT_EQ(p.instances, n);
    // What each waiting rank waited by the programs' clock, per step: until the
    // first late rank began the step (a lower bound for every pattern).
    std::map<int, int64_t> measured;
    int64_t measured_total = 0, least_step = INT64_MAX;
    for (int rank : waiting_ranks) {
      for (int step = 0; step < per_rank; ++step) {
        int64_t late_at = INT64_MAX;
        for (int late : late_ranks) late_at = std::min(late_at, entered(late, step));
        int64_t waited = std::max<int64_t>(0, late_at - entered(rank, step));
        measured[rank] += waited;
        least_step = std::min(least_step, waited);
      }
      measured_total += measured[rank];
    }
    // The sleeps made the partners late (by far more than a loaded machine's
    // delays take off), so the bounds below are not trivial.
    EXPECT_GT(measured_total, static_cast<int64_t>(n) * kSleepNs / 4);
    EXPECT_GE(p.waiting_ns, measured_total - static_cast<int64_t>(n) * kEarlyNs);
    std::set<std::string> calls;
    for (const auto& site : call_sites) calls.insert(site.first);
    for (const auto& r : p.per_rank) {
      if (waiting_ranks.count(r.rank)) {
        EXPECT_EQ(r.instances, static_cast<uint64_t>(per_rank)) << "rank " << r.rank;
        EXPECT_GE(r.waiting_ns, measured[r.rank] - per_rank * kEarlyNs) << "rank " << r.rank;
        int64_t in_calls = 0;
        for (const auto& call : calls) in_calls += call_ns(r.rank, call);
        EXPECT_LE(r.waiting_ns, in_calls) << "rank " << r.rank;
      } else {
        EXPECT_EQ(r.instances, 0u) << "rank " << r.rank;
      }
    }
    // Who was late: every waiting call's partner is one of the ranks that slept.
    int64_t caused = 0;
    for (const auto& l : p.by_late_rank) {
      EXPECT_TRUE(late_ranks.count(l.rank)) << "late rank " << l.rank;
      caused += l.waiting_ns;
    }
    EXPECT_EQ(caused, p.waiting_ns);
    for (const auto& r : p.per_rank) {
      int64_t waited_for = 0;
      for (const auto& l : r.by_late_rank) {
        EXPECT_TRUE(late_ranks.count(l.rank)) << "rank " << r.rank << " waited for " << l.rank;
        EXPECT_NE(l.rank, r.rank);
        waited_for += l.waiting_ns;
      }
      EXPECT_EQ(waited_for, r.waiting_ns) << "rank " << r.rank;
    }
    std::set<std::pair<std::string, std::string>> sites;
    for (const auto& s : p.call_sites) {
      sites.insert({s.call, s.caller});
      EXPECT_TRUE(waiting_ranks.count(s.worst_rank)) << s.call << " " << s.worst_rank;
      EXPECT_GE(s.worst_ns, least_step - kEarlyNs);
      EXPECT_LE(s.worst_ns, call_ns(s.worst_rank, s.call));
    }
    EXPECT_EQ(sites, call_sites);
    for (const auto& other : w.patterns) {
      int64_t in_calls = 0;
      for (const auto& [key, ns] : call_ns_) in_calls += ns;
      EXPECT_LE(other.waiting_ns, in_calls) << other.name();
    }
    EXPECT_EQ(w.total_ns, [&] {
      int64_t sum = 0;
      for (const auto& q : w.patterns) sum += q.waiting_ns;
      return sum;
    }());
    EXPECT_GT(w.share, 0);
    EXPECT_LT(w.share, 1);
  }

  // When `rank` began step `step` by the program's clock (its line
  // "wait_states: rank R step S entered NS"); a missing line fails the test.
  int64_t entered(int rank, int step) const {
    auto it = entered_.find({rank, step});
    if (it != entered_.end()) return it->second;
    ADD_FAILURE() << "the program printed no entry time for rank " << rank << ", step " << step;
    return 0;
  }

  static std::map<std::pair<int, int>, int64_t> step_entries(const std::string& output) {
    std::map<std::pair<int, int>, int64_t> out;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
      int rank = 0, step = 0;
      long long ns = 0;
      // mpirun can join two ranks' lines: look for the text anywhere.
      size_t at = line.find("wait_states: rank ");
      if (at != std::string::npos &&
          std::sscanf(line.c_str() + at, "wait_states: rank %d step %d entered %lld", &rank, &step, &ns) == 3)
        out[{rank, step}] = ns;
    }
    return out;
  }

  // Inclusive time of `call` on `rank` in the last analyzed trace.
  int64_t call_ns(int32_t rank, const std::string& call) const {
    auto it = call_ns_.find({rank, call});
    return it == call_ns_.end() ? 0 : it->second;
  }

  std::string mpirun_;
  fs::path dir_;
  std::map<std::pair<int32_t, std::string>, int64_t> call_ns_;
  std::map<std::pair<int, int>, int64_t> entered_;  // (rank, step) -> ns, of the last job
};

TEST_F(WaitStatesJob, LateSenderInRecvAndWait) {
  WaitStates w = analyze(WS_LATE_SENDER, 2);
  expect_pattern(w, WaitPattern::LateSender, {0}, 2 * kReps,
                 {{"MPI_Recv", "late_sender_blocking"}, {"MPI_Wait", "late_sender_nonblocking"}}, {1});
  EXPECT_EQ(w[WaitPattern::LateReceiver].instances, 0u);
}

TEST_F(WaitStatesJob, LateReceiverInSsendAndWait) {
  WaitStates w = analyze(WS_LATE_RECEIVER, 2);
  expect_pattern(w, WaitPattern::LateReceiver, {0}, 2 * kReps,
                 {{"MPI_Ssend", "late_receiver_blocking"}, {"MPI_Wait", "late_receiver_nonblocking"}}, {1});
  EXPECT_EQ(w[WaitPattern::LateSender].instances, 0u);
}

TEST_F(WaitStatesJob, WaitAtBarrier) {
  WaitStates w = analyze(WS_BARRIER, 3);
  expect_pattern(w, WaitPattern::WaitAtBarrier, {0, 2}, kReps, {{"MPI_Barrier", "barrier_step"}}, {1});
}

TEST_F(WaitStatesJob, WaitAtAllreduce) {
  WaitStates w = analyze(WS_ALLREDUCE, 3);
  expect_pattern(w, WaitPattern::WaitAtNxN, {0, 1}, kReps, {{"MPI_Allreduce", "allreduce_step"}}, {2});
}

TEST_F(WaitStatesJob, LateBroadcast) {
  WaitStates w = analyze(WS_BCAST, 3);
  expect_pattern(w, WaitPattern::LateBroadcast, {1, 2}, kReps, {{"MPI_Bcast", "bcast_step"}}, {0});
}

TEST_F(WaitStatesJob, EarlyReduce) {
  WaitStates w = analyze(WS_REDUCE, 3);
  expect_pattern(w, WaitPattern::EarlyReduce, {0}, kReps, {{"MPI_Reduce", "reduce_step"}}, {1, 2});
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
    if (c.rank == 0 && scan.call_name(scan.call(c.call)) == "MPI_Barrier") enters.push_back(scan.call(c.call).enter_ns);
  ASSERT_EQ(enters.size(), static_cast<size_t>(kReps));
  std::sort(enters.begin(), enters.end());
  rondo::analyzer::TimeWindow window{enters[0] + 1, enters.back() + 1};
  WaitStates part = rondo::analyzer::wait_states(reader, scan, matching, window);
  EXPECT_EQ(part[WaitPattern::WaitAtBarrier].instances, static_cast<uint64_t>(kReps - 1));
  EXPECT_LT(part.total_ns, all.total_ns);
}

// examples/mpi/heat1d.c on 4 ranks x 2 OpenMP threads, 300 steps: rank 1 does
// four times the work. Exact request counts, every message matched, per-rank waiting
// within the rank's time in the calls that can wait, and rank 1 as the rank the
// others waited for.
TEST_F(WaitStatesJob, Heat1dStencilWaitsForTheSlowRank) {
  if (std::string(MPI_HEAT1D).empty()) GTEST_SKIP() << "examples/mpi/heat1d.c not built (no OpenMP)";
  const int ranks = 4, steps = 300;
  std::string trace = (dir_ / "heat").string();
  // 8 threads share the machine's cores (2 in CI): waiting ranks and idle
  // OpenMP threads yield their core instead of spinning, and rank 1's three
  // extra sweeps (a million cells each) outweigh the scheduler's time slices,
  // so that rank 1 is the late one by the program's design, not by chance.
  // (With twice the work, rank 2 computing beside ranks 0 and 1 on two
  // oversubscribed cores is itself slower than rank 3 often enough to be a
  // visible delay of its own: the analysis is right to say so.)
  auto r = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, ranks,
                                       rondo::test::shell_quoted(MPI_HEAT1D) + " " + std::to_string(steps) + " 1048576 4",
                                       "OMP_NUM_THREADS=2 OMP_WAIT_POLICY=passive OMPI_MCA_mpi_yield_when_idle=1 ");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_NE(r.out.find("heat1d: 4 ranks, 300 steps, 1048576 cells per rank"), std::string::npos) << r.out;
  rondo::format::TraceReader reader(trace);

  // 2 (P - 1) MPI_Isend per step, each completed once.
  auto kinds = rondo::test::kinds(reader);
  const uint64_t sends = 2 * (ranks - 1) * steps;
  EXPECT_EQ(kinds[rondo::format::EventKind::MpiIsend], sends);
  EXPECT_EQ(kinds[rondo::format::EventKind::MpiIsendComplete], sends);
  EXPECT_EQ(kinds[rondo::format::EventKind::MpiIrecvRequest], sends);
  EXPECT_EQ(kinds[rondo::format::EventKind::MpiIrecv], sends);

  rondo::analyzer::AnalysisOptions options;
  options.by = rondo::analyzer::GroupBy::Rank;
  rondo::analyzer::StatsReport report = rondo::analyzer::analyze(reader, options);
  const auto& m = report.mpi.messages;
  EXPECT_EQ(m.count, sends);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.incomplete_sends + m.incomplete_receives, 0u);

  const WaitStates& w = report.wait_states;
  std::string json = rondo::analyzer::wait_states_json(w).dump(1);
  SCOPED_TRACE(json);
  // Only MPI_Waitall and MPI_Allreduce can wait here: no rank waits longer
  // than its inclusive time in them.
  std::map<int32_t, int64_t> waiting_calls_ns;
  for (const auto& row : report.profile.regions)
    if (row.name == "MPI_Waitall" || row.name == "MPI_Allreduce") waiting_calls_ns[row.rank] += row.inclusive_ns;
  ASSERT_EQ(w.per_rank.size(), static_cast<size_t>(ranks));
  for (const auto& rank : w.per_rank) {
    EXPECT_LE(rank.waiting_ns, waiting_calls_ns[rank.rank]) << "rank " << rank.rank;
    int64_t patterns = 0;
    for (const auto& p : w.patterns) patterns += p.per_rank[static_cast<size_t>(rank.rank)].waiting_ns;
    EXPECT_EQ(patterns, rank.waiting_ns);
  }
  for (const auto& site : w[WaitPattern::LateSender].call_sites) EXPECT_EQ(site.call, "MPI_Waitall");
  for (const auto& site : w[WaitPattern::WaitAtNxN].call_sites) EXPECT_EQ(site.call, "MPI_Allreduce");
  // Eager halo sends never wait for their receiver.
  EXPECT_EQ(w[WaitPattern::LateReceiver].instances, 0u);

  // Ranks 0 and 2, rank 1's neighbours, wait for rank 1 most, directly and
  // by root cause.
  for (int32_t rank : {0, 2}) {
    const auto& waited = w.per_rank[static_cast<size_t>(rank)];
    ASSERT_FALSE(waited.by_late_rank.empty()) << "rank " << rank;
    EXPECT_EQ(waited.by_late_rank.front().rank, 1) << "rank " << rank;
    ASSERT_FALSE(waited.by_root_rank.empty()) << "rank " << rank;
    EXPECT_EQ(waited.by_root_rank.front().rank, 1) << "rank " << rank;
  }
  // Rank 3 waits for its only neighbour, rank 2, in MPI_Waitall, and for
  // rank 1 directly only in MPI_Allreduce. Rank 2 was late mostly because it
  // had waited for rank 1, so by root cause the chain through rank 2 ends at
  // rank 1: it has the largest share of rank 3's waiting, larger than what
  // rank 3 waited for rank 1 directly. (Rank 2's own part is time in which
  // it took longer than rank 3 for the same work: on 2 cores it computes and
  // wakes up beside ranks 0 and 1 while rank 3 does so beside rank 1 alone.)
  {
    const auto& waited = w.per_rank[3];
    ASSERT_FALSE(waited.by_late_rank.empty());
    EXPECT_EQ(waited.by_late_rank.front().rank, 2);
    ASSERT_FALSE(waited.by_root_rank.empty());
    EXPECT_EQ(waited.by_root_rank.front().rank, 1) << "rank 3's waiting does not end at rank 1";
    auto rank1 = [](const std::vector<rondo::analyzer::LateRankWaiting>& v) {
      auto it = std::find_if(v.begin(), v.end(), [](const auto& l) { return l.rank == 1; });
      return it == v.end() ? int64_t{0} : it->waiting_ns;
    };
    EXPECT_GT(rank1(waited.by_root_rank), rank1(waited.by_late_rank)) << "no waiting passed on from rank 2 to rank 1";
  }
  for (int32_t rank : {0, 2, 3}) {
    const auto& waited = w.per_rank[static_cast<size_t>(rank)];
    int64_t shares = 0;
    for (const auto& l : waited.by_root_rank) shares += l.waiting_ns;
    EXPECT_EQ(shares, waited.waiting_ns) << "rank " << rank;
  }
  ASSERT_FALSE(w.by_late_rank.empty());
  EXPECT_EQ(w.by_late_rank.front().rank, 1);
  ASSERT_FALSE(w.by_root_rank.empty());
  EXPECT_EQ(w.by_root_rank.front().rank, 1);
}

}  // namespace
