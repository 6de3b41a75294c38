// MPI wait states over a 3-rank trace written with the real writer, at chosen
// times (1 tick = 1 ns), against waiting computed by hand; and the text and CSV
// of `rondo stats` made from them.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>

#include "../../cli/stats_wait_states.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/wait_states.h"
#include "trace_fixture.h"

namespace {

using namespace rondo::format;
using rondo::analyzer::WaitPattern;
using rondo::analyzer::WaitStates;

enum Region : uint32_t { kSolver, kBarrier, kAllreduce, kIallreduce, kBcast, kReduce, kSend, kSsend, kRecv };

rondo::test::MpiProcessSpec spec(int32_t rank) {
  rondo::test::MpiProcessSpec s;
  s.rank = rank;
  s.world_size = 3;
  s.regions = {{"solver", RegionRole::Function}, {"MPI_Barrier", RegionRole::Mpi}, {"MPI_Allreduce", RegionRole::Mpi},
               {"MPI_Iallreduce", RegionRole::Mpi}, {"MPI_Bcast", RegionRole::Mpi}, {"MPI_Reduce", RegionRole::Mpi},
               {"MPI_Send", RegionRole::Mpi},   {"MPI_Ssend", RegionRole::Mpi},   {"MPI_Recv", RegionRole::Mpi}};
  s.groups = {{0, 1, 2}};
  s.communicators = {{"MPI_COMM_WORLD", 0, 0, UINT32_MAX}};
  return s;
}

// Calls recorded as the MPI interceptor records them.
struct Calls {
  ThreadWriter& w;
  void collective(uint32_t region, CollectiveOp op, int root, uint64_t t0, uint64_t t1) {
    w.enter(region, t0);
    w.event(EventKey{EventKind::MpiCollectiveBegin, 0, {}}, t0);
    w.event(EventKey{EventKind::MpiCollectiveEnd, static_cast<uint32_t>(op), {0, root, 8, 8}}, t1);
    w.leave(region, t1);
  }
  void send(uint32_t region, int dst, uint64_t t0, uint64_t t1) {  // recorded at the call's entry
    w.enter(region, t0);
    w.event(EventKey{EventKind::MpiSend, 0, {dst, 7, 0, 4}}, t0);
    w.leave(region, t1);
  }
  void recv(int src, uint64_t t0, uint64_t t1) {  // recorded when the data is there
    w.enter(kRecv, t0);
    w.event(EventKey{EventKind::MpiRecv, 0, {src, 7, 0, 4}}, t1);
    w.leave(kRecv, t1);
  }
};

// Per rank: collective enter and exit times, the rank's point-to-point calls.
struct Timeline {
  uint64_t barrier[2], allreduce1[2], allreduce2[2], iallreduce[2], bcast1[2], reduce[2], bcast2[2];
};
// Waiting by hand (ranks 0, 1, 2):
//   barrier      enters 100 150 400              -> 300 250 0       (top level)
//   allreduce 1  enters 1000 1000 1100            -> 100 100 0       (in solver)
//   allreduce 2  enters 2000 2050 2000            -> 50 0 50         (in solver)
//   iallreduce   nonblocking                      -> not a wait state
//   bcast 1      root 1 enters 3200; 3000, 3100   -> 200 - 100
//   reduce       root 0 enters 4000; 4300, 4200   -> root 200
//   bcast 2      root 1 enters 5200; rank 0 enters 5000 and leaves at 5050 -> 50 (clamped), rank 2 enters 5200 -> 0
//   late sender  rank 0 MPI_Recv [6000, 6300], rank 1 MPI_Send at 6250 -> 250 on rank 0
//   late receiver rank 1 MPI_Ssend [7000, 7400], rank 2 MPI_Recv posted at 7300 -> 300 on rank 1
const Timeline kRanks[3] = {
    {{100, 410}, {1000, 1200}, {2000, 2060}, {2100, 2105}, {3000, 3210}, {4000, 4310}, {5000, 5050}},
    {{150, 410}, {1000, 1200}, {2050, 2060}, {2500, 2505}, {3200, 3201}, {4300, 4301}, {5200, 5201}},
    {{400, 410}, {1100, 1200}, {2000, 2060}, {2100, 2105}, {3100, 3210}, {4200, 4201}, {5200, 5210}},
};

class WaitStatesTrace : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int32_t rank = 0; rank < 3; ++rank)
      rondo::test::write_mpi_process(dir_.file("rank-" + std::to_string(rank) + ".rnd"), spec(rank),
                                     [&](int, ThreadWriter& w) {
                                       const Timeline& t = kRanks[rank];
                                       Calls c{w};
                                       c.collective(kBarrier, CollectiveOp::Barrier, -1, t.barrier[0], t.barrier[1]);
                                       w.enter(kSolver, 900);
                                       c.collective(kAllreduce, CollectiveOp::Allreduce, -1, t.allreduce1[0],
                                                    t.allreduce1[1]);
                                       c.collective(kAllreduce, CollectiveOp::Allreduce, -1, t.allreduce2[0],
                                                    t.allreduce2[1]);
                                       w.leave(kSolver, 2090);
                                       c.collective(kIallreduce, CollectiveOp::Allreduce, -1, t.iallreduce[0],
                                                    t.iallreduce[1]);
                                       c.collective(kBcast, CollectiveOp::Bcast, 1, t.bcast1[0], t.bcast1[1]);
                                       c.collective(kReduce, CollectiveOp::Reduce, 0, t.reduce[0], t.reduce[1]);
                                       c.collective(kBcast, CollectiveOp::Bcast, 1, t.bcast2[0], t.bcast2[1]);
                                       if (rank == 0) c.recv(1, 6000, 6300);
                                       if (rank == 1) c.send(kSend, 0, 6250, 6260);
                                       if (rank == 1) c.send(kSsend, 2, 7000, 7400);
                                       if (rank == 2) c.recv(1, 7300, 7400);
                                     });
    trace_ = std::make_unique<TraceReader>(dir_.str());
    scan_ = rondo::analyzer::scan_mpi(*trace_);
    matching_ = rondo::analyzer::match_messages(scan_);
  }
  WaitStates analyze(const rondo::analyzer::TimeWindow& window = {}) {
    return rondo::analyzer::wait_states(*trace_, scan_, matching_, window);
  }
  static std::vector<int64_t> per_rank(const WaitStates& w, WaitPattern p) {
    std::vector<int64_t> out;
    for (auto& r : w[p].per_rank) out.push_back(r.waiting_ns);
    return out;
  }

  rondo::test::TempDir dir_;
  std::unique_ptr<TraceReader> trace_;
  rondo::analyzer::MpiScan scan_;
  rondo::analyzer::MessageMatching matching_;
};

TEST_F(WaitStatesTrace, RecordsKnowTheirCalls) {
  ASSERT_EQ(scan_.sends.size(), 2u);
  const auto& send = scan_.sends[0];
  EXPECT_EQ(send.call.name, "MPI_Send");
  EXPECT_EQ(send.call.enter_ns, 6250);
  EXPECT_EQ(send.call.exit_ns, 6260);
  EXPECT_EQ(send.call.caller, "");
  EXPECT_EQ(send.completion.enter_ns, 6250);
  ASSERT_EQ(scan_.recvs.size(), 2u);
  EXPECT_EQ(scan_.recvs[0].call.name, "MPI_Recv");
  EXPECT_EQ(scan_.recvs[0].completion.exit_ns, 6300);
  size_t in_solver = 0;
  for (const auto& c : scan_.collectives) {
    EXPECT_TRUE(c.call.complete());
    if (c.call.caller == "solver") {
      ++in_solver;
      EXPECT_EQ(c.call.name, "MPI_Allreduce");
    }
  }
  EXPECT_EQ(in_solver, 6u);
  for (const auto& m : matching_.messages) {
    ASSERT_TRUE(m.matched());
    EXPECT_EQ(scan_.sends[m.send_record].dst, scan_.recvs[m.recv_record].dst);
  }
}

TEST_F(WaitStatesTrace, CollectivePatternsAsComputedByHand) {
  WaitStates w = analyze();
  ASSERT_EQ(w.patterns.size(), rondo::analyzer::kWaitPatternCount);
  EXPECT_EQ(w[WaitPattern::WaitAtBarrier].instances, 2u);
  EXPECT_EQ(per_rank(w, WaitPattern::WaitAtBarrier), (std::vector<int64_t>{300, 250, 0}));
  EXPECT_EQ(w[WaitPattern::WaitAtNxN].instances, 4u);
  EXPECT_EQ(per_rank(w, WaitPattern::WaitAtNxN), (std::vector<int64_t>{150, 100, 50}));
  EXPECT_EQ(w[WaitPattern::LateBroadcast].instances, 3u);
  EXPECT_EQ(per_rank(w, WaitPattern::LateBroadcast), (std::vector<int64_t>{250, 0, 100}));
  EXPECT_EQ(w[WaitPattern::EarlyReduce].instances, 1u);
  EXPECT_EQ(per_rank(w, WaitPattern::EarlyReduce), (std::vector<int64_t>{200, 0, 0}));
  EXPECT_EQ(per_rank(w, WaitPattern::LateSender), (std::vector<int64_t>{250, 0, 0}));
  EXPECT_EQ(per_rank(w, WaitPattern::LateReceiver), (std::vector<int64_t>{0, 300, 0}));
  EXPECT_EQ(w.total_ns, 550 + 300 + 350 + 200 + 250 + 300);
  EXPECT_EQ(w.instances, 2u + 4 + 3 + 1 + 1 + 1);

  // Call sites: the innermost non-MPI region around the call.
  const auto& nxn = w[WaitPattern::WaitAtNxN].call_sites;
  ASSERT_EQ(nxn.size(), 1u);
  EXPECT_EQ(nxn[0].call, "MPI_Allreduce");
  EXPECT_EQ(nxn[0].caller, "solver");
  EXPECT_EQ(nxn[0].instances, 4u);
  EXPECT_EQ(nxn[0].worst_ns, 100);
  EXPECT_EQ(nxn[0].worst_rank, 0);
  const auto& barrier = w[WaitPattern::WaitAtBarrier].call_sites;
  ASSERT_EQ(barrier.size(), 1u);
  EXPECT_EQ(barrier[0].caller, "(top level)");
  EXPECT_EQ(barrier[0].worst_rank, 0);
  EXPECT_EQ(barrier[0].worst_ns, 300);

  // Shares are relative to the run time mpi_stats reports.
  auto stats = rondo::analyzer::mpi_stats(*trace_, scan_, matching_);
  int64_t run = 0;
  for (auto& r : stats.time_per_rank) run += r.total_ns;
  EXPECT_EQ(w.run_ns, run);
  EXPECT_DOUBLE_EQ(w.share, static_cast<double>(w.total_ns) / static_cast<double>(run));
  EXPECT_DOUBLE_EQ(w[WaitPattern::WaitAtBarrier].share, 550.0 / static_cast<double>(run));
}

TEST_F(WaitStatesTrace, WindowKeepsCallsEnteredInside) {
  // [0, 1001): the barrier and the first allreduce of ranks 0 and 1.
  WaitStates w = analyze({0, 1001});
  EXPECT_EQ(w[WaitPattern::WaitAtBarrier].instances, 2u);
  EXPECT_EQ(w[WaitPattern::WaitAtNxN].instances, 2u);
  EXPECT_EQ(w[WaitPattern::WaitAtNxN].waiting_ns, 200);
  EXPECT_EQ(w.total_ns, 750);
}

TEST_F(WaitStatesTrace, JsonTextAndCsv) {
  WaitStates w = analyze();
  auto j = rondo::analyzer::wait_states_json(w);
  EXPECT_EQ(j["total_ns"], w.total_ns);
  ASSERT_EQ(j["patterns"].size(), 6u);
  EXPECT_EQ(j["patterns"][0]["name"], "late_sender");
  EXPECT_EQ(j["patterns"][2]["name"], "wait_at_barrier");
  EXPECT_EQ(j["patterns"][2]["per_rank"][1]["waiting_ns"], 250);
  EXPECT_EQ(j["patterns"][3]["call_sites"][0]["caller"], "solver");
  for (auto key : {"call", "caller", "instances", "waiting_ns", "worst_rank", "worst_ns"})
    EXPECT_TRUE(j["patterns"][3]["call_sites"][0].contains(key)) << key;

  std::string text = rondo::cli::wait_states_text(w);
  EXPECT_NE(text.find("Wait at Barrier"), std::string::npos) << text;
  EXPECT_NE(text.find("MPI_Allreduce  solver"), std::string::npos) << text;
  EXPECT_NE(text.find("550 ns"), std::string::npos) << text;

  auto files = rondo::cli::write_wait_states_csv(w, dir_.str());
  ASSERT_EQ(files.size(), 3u);
  std::ifstream sites(dir_.file("wait_states_call_sites.csv"));
  std::stringstream all;
  all << sites.rdbuf();
  EXPECT_NE(all.str().find("wait_at_nxn,MPI_Allreduce,solver,4,300,0,100\n"), std::string::npos) << all.str();
}

}  // namespace
