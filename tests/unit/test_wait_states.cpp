// MPI wait states over a 3-rank trace written with the real writer, at chosen
// times (1 tick = 1 ns), against waiting computed by hand; and the text and CSV
// of `rondo stats` made from them.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <tuple>

#include "../../cli/stats_wait_states.h"
#include "../../cli/text_output.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/wait_states.h"
#include "trace_fixture.h"

namespace {

using namespace rondo::format;
using rondo::analyzer::WaitPattern;
using rondo::analyzer::WaitStates;

enum Region : uint32_t {
  kSolver, kBarrier, kAllreduce, kIallreduce, kBcast, kReduce, kSend, kSsend, kRecv, kIsend, kIssend, kIrecv, kWaitall
};

rondo::test::MpiProcessSpec spec(int32_t rank) {
  rondo::test::MpiProcessSpec s;
  s.rank = rank;
  s.world_size = 3;
  s.regions = {{"solver", RegionRole::Function}, {"MPI_Barrier", RegionRole::Mpi}, {"MPI_Allreduce", RegionRole::Mpi},
               {"MPI_Iallreduce", RegionRole::Mpi}, {"MPI_Bcast", RegionRole::Mpi}, {"MPI_Reduce", RegionRole::Mpi},
               {"MPI_Send", RegionRole::Mpi},   {"MPI_Ssend", RegionRole::Mpi},   {"MPI_Recv", RegionRole::Mpi},
               {"MPI_Isend", RegionRole::Mpi},  {"MPI_Issend", RegionRole::Mpi},  {"MPI_Irecv", RegionRole::Mpi},
               {"MPI_Waitall", RegionRole::Mpi}};
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
    int64_t bytes[2] = {8, 8};  // sent, received
    w.event(EventKey{EventKind::MpiCollectiveEnd, static_cast<uint32_t>(op), {0, root}}, t1, bytes);
    w.leave(region, t1);
  }
  void send(uint32_t region, int dst, uint64_t t0, uint64_t t1, int tag = 7, int64_t bytes = 4) {
    w.enter(region, t0);  // recorded at the call's entry
    w.event(EventKey{EventKind::MpiSend, 0, {dst, tag, 0}}, t0, &bytes);
    w.leave(region, t1);
  }
  void recv(int src, uint64_t t0, uint64_t t1, int tag = 7, int64_t bytes = 4) {
    w.enter(kRecv, t0);  // recorded when the data is there
    w.event(EventKey{EventKind::MpiRecv, 0, {src, tag, 0}}, t1, &bytes);
    w.leave(kRecv, t1);
  }
  void isend(uint32_t region, int dst, int tag, int64_t request, uint64_t t0, uint64_t t1) {
    w.enter(region, t0);
    int64_t data[2] = {request, 4};  // request id, bytes
    w.event(EventKey{EventKind::MpiIsend, 0, {dst, tag, 0}}, t0, data);
    w.leave(region, t1);
  }
  void irecv(int64_t request, uint64_t t0, uint64_t t1) {
    w.enter(kIrecv, t0);
    w.event(EventKey{EventKind::MpiIrecvRequest, 0, {}}, t1, &request);
    w.leave(kIrecv, t1);
  }
  // A MPI_Waitall completing receives {request, source, tag} and sends {request}.
  void waitall(uint64_t t0, uint64_t t1, std::initializer_list<std::array<int64_t, 3>> receives,
               std::initializer_list<int64_t> sends) {
    w.enter(kWaitall, t0);
    for (auto& r : receives) {
      int64_t data[2] = {r[0], 4};  // request id, bytes
      w.event(EventKey{EventKind::MpiIrecv, 0, {r[1], r[2], 0}}, t1, data);
    }
    for (auto& id : sends) w.event(EventKey{EventKind::MpiIsendComplete, 0, {}}, t1, &id);
    w.leave(kWaitall, t1);
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
//   late sender  rank 0 MPI_Recv [6000, 6300], rank 1 MPI_Send at 6250 -> 250 on rank 0, for rank 1
//   late receiver rank 1 MPI_Ssend [7000, 7400], rank 2 MPI_Recv posted at 7300 -> 300 on rank 1, for rank 2
//   eager send   rank 0 MPI_Send of 4 bytes [8000, 8500], rank 2 MPI_Recv posted at 8400 -> nothing (the send
//                completes locally whatever the receiver does)
//   rendezvous   rank 0 MPI_Send of 1 MiB [9000, 9600], rank 1 MPI_Recv posted at 9500 -> late receiver 500 on
//                rank 0, for rank 1
//   waitall      rank 2 MPI_Waitall [10000, 10500] completes two MPI_Irecv (senders start at 10200 (rank 0) and
//                10400 (rank 1)) and an eager MPI_Isend received from 10450 -> one late sender of 400 on
//                rank 2, for rank 1 (the latest sender; not 200 + 400, and no late receiver)
//   mixed        rank 1 MPI_Waitall [11000, 11600] completes a MPI_Irecv (send starts at 11100: 100) and an
//                MPI_Issend (receive posted at 11500: 500) -> one late receiver of 500 on rank 1, for rank 2
//                (not 100 + 500 in two patterns)
//   chain        rank 1 MPI_Recv [12000, 12300] waits 300 for rank 2 (send at 12300); then rank 1 sends at
//                12400 to rank 0, whose MPI_Recv [12100, 12410] waits 300 for rank 1. Rank 1 was late only
//                because it waited for rank 2 (its waiting [12000, 12300] is after rank 0's previous blocking
//                call, which ended at 11110): late rank 1, root cause rank 2.
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
                                       if (rank == 0) {
                                         c.send(kSend, 2, 8000, 8500, 8);
                                         c.send(kSend, 1, 9000, 9600, 9, 1 << 20);
                                         c.send(kSend, 2, 10200, 10210, 10);
                                         c.recv(2, 10450, 10460, 12);
                                         c.send(kSend, 1, 11100, 11110, 13);
                                         c.recv(1, 12100, 12410, 16);
                                       } else if (rank == 1) {
                                         c.recv(0, 9500, 9600, 9, 1 << 20);
                                         c.send(kSend, 2, 10400, 10410, 11);
                                         c.irecv(1, 10900, 10905);
                                         c.isend(kIssend, 2, 14, 2, 10950, 10960);
                                         c.waitall(11000, 11600, {{1, 0, 13}}, {2});
                                         c.recv(2, 12000, 12300, 15);
                                         c.send(kSend, 0, 12400, 12410, 16);
                                       } else {
                                         c.recv(0, 8400, 8410, 8);
                                         c.irecv(1, 9900, 9905);
                                         c.irecv(2, 9910, 9915);
                                         c.isend(kIsend, 0, 12, 3, 9950, 9960);
                                         c.waitall(10000, 10500, {{1, 0, 10}, {2, 1, 11}}, {3});
                                         c.recv(1, 11500, 11600, 14);
                                         c.send(kSend, 1, 12300, 12310, 15);
                                       }
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
  ASSERT_EQ(scan_.sends.size(), 11u);
  auto first = std::find_if(scan_.sends.begin(), scan_.sends.end(), [](auto& s) { return s.src == 1; });
  ASSERT_NE(first, scan_.sends.end());
  const auto& send = *first;
  EXPECT_EQ(scan_.call_name(scan_.call(send.call)), "MPI_Send");
  EXPECT_EQ(scan_.call(send.call).enter_ns, 6250);
  EXPECT_EQ(scan_.call(send.call).exit_ns, 6260);
  EXPECT_EQ(scan_.caller_name(scan_.call(send.call)), "");
  EXPECT_EQ(send.completion, send.call);  // a blocking send completes in the call that posted it
  ASSERT_EQ(scan_.recvs.size(), 11u);
  EXPECT_EQ(scan_.call_name(scan_.call(scan_.recvs[0].call)), "MPI_Recv");
  EXPECT_EQ(scan_.call(scan_.recvs[0].completion).exit_ns, 6300);
  size_t in_solver = 0;
  for (const auto& c : scan_.collectives) {
    EXPECT_TRUE(scan_.call(c.call).complete());
    if (scan_.caller_name(scan_.call(c.call)) == "solver") {
      ++in_solver;
      EXPECT_EQ(scan_.call_name(scan_.call(c.call)), "MPI_Allreduce");
    }
  }
  EXPECT_EQ(in_solver, 6u);
  EXPECT_EQ(matching_.matched, 11u);
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
  EXPECT_EQ(per_rank(w, WaitPattern::LateSender), (std::vector<int64_t>{550, 300, 400}));
  EXPECT_EQ(w[WaitPattern::LateSender].instances, 4u);
  EXPECT_EQ(per_rank(w, WaitPattern::LateReceiver), (std::vector<int64_t>{500, 800, 0}));
  EXPECT_EQ(w[WaitPattern::LateReceiver].instances, 3u);
  EXPECT_EQ(w.total_ns, 550 + 300 + 350 + 200 + 1250 + 1300);
  EXPECT_EQ(w.instances, 2u + 4 + 3 + 1 + 4 + 3);

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

// Who was late, by hand (see the table above): the rank each waiting call
// waited for, per pattern and over all of them.
using Late = std::vector<std::tuple<int32_t, uint64_t, int64_t>>;  // (late rank, instances, waiting)
Late late(const std::vector<rondo::analyzer::LateRankWaiting>& v) {
  Late out;
  for (auto& l : v) out.emplace_back(l.rank, l.instances, l.waiting_ns);
  return out;
}

TEST_F(WaitStatesTrace, WaitingIsAttributedToTheLateRank) {
  WaitStates w = analyze();
  // Barrier: rank 2 entered last; allreduce 1: rank 2; allreduce 2: rank 1.
  EXPECT_EQ(late(w[WaitPattern::WaitAtBarrier].by_late_rank), (Late{{2, 2, 550}}));
  EXPECT_EQ(late(w[WaitPattern::WaitAtNxN].by_late_rank), (Late{{2, 2, 200}, {1, 2, 100}}));
  EXPECT_EQ(late(w[WaitPattern::LateBroadcast].by_late_rank), (Late{{1, 3, 350}}));  // the root
  EXPECT_EQ(late(w[WaitPattern::EarlyReduce].by_late_rank), (Late{{2, 1, 200}}));    // the first non-root
  EXPECT_EQ(late(w[WaitPattern::LateSender].by_late_rank), (Late{{1, 3, 950}, {2, 1, 300}}));
  EXPECT_EQ(late(w[WaitPattern::LateReceiver].by_late_rank), (Late{{2, 2, 800}, {1, 1, 500}}));
  EXPECT_EQ(late(w[WaitPattern::LateReceiver].per_rank[1].by_late_rank), (Late{{2, 2, 800}}));
  // Every pattern together.
  ASSERT_EQ(w.per_rank.size(), 3u);
  EXPECT_EQ(w.per_rank[0].waiting_ns, 1950);
  EXPECT_EQ(w.per_rank[0].instances, 9u);
  EXPECT_EQ(late(w.per_rank[0].by_late_rank), (Late{{1, 6, 1350}, {2, 3, 600}}));
  EXPECT_EQ(late(w.per_rank[1].by_late_rank), (Late{{2, 5, 1450}}));
  EXPECT_EQ(late(w.per_rank[2].by_late_rank), (Late{{1, 3, 550}}));
  EXPECT_EQ(late(w.by_late_rank), (Late{{2, 8, 2050}, {1, 9, 1900}}));
}

// Root causes: rank 0's wait at 12100 for rank 1 goes to rank 2, for which
// rank 1 had waited since 12000 (after rank 0's previous blocking call). The
// other waits have no such chain: rank 0's MPI_Allreduce at 2000 waited for
// rank 1, whose earlier waiting (in the first MPI_Allreduce, until 1100) was
// before rank 0 left that same call; rank 2's MPI_Waitall waited for rank 1,
// whose last blocking call (MPI_Recv [9500, 9600]) did not wait.
TEST_F(WaitStatesTrace, RootCausesFollowChainsOfWaiting) {
  WaitStates w = analyze();
  EXPECT_EQ(late(w[WaitPattern::LateSender].per_rank[0].by_late_rank), (Late{{1, 2, 550}}));
  EXPECT_EQ(late(w[WaitPattern::LateSender].per_rank[0].by_root_rank), (Late{{2, 1, 300}, {1, 1, 250}}));
  EXPECT_EQ(late(w[WaitPattern::LateSender].per_rank[1].by_root_rank), (Late{{2, 1, 300}}));
  EXPECT_EQ(late(w[WaitPattern::LateSender].per_rank[2].by_root_rank), (Late{{1, 1, 400}}));
  EXPECT_EQ(late(w[WaitPattern::WaitAtNxN].by_root_rank), late(w[WaitPattern::WaitAtNxN].by_late_rank));
  EXPECT_EQ(late(w[WaitPattern::LateReceiver].by_root_rank), late(w[WaitPattern::LateReceiver].by_late_rank));
  // Root shares add up to the waiting, per rank and in all.
  for (const auto& r : w.per_rank) {
    int64_t sum = 0;
    for (const auto& l : r.by_root_rank) sum += l.waiting_ns;
    EXPECT_EQ(sum, r.waiting_ns) << "rank " << r.rank;
  }
  EXPECT_EQ(late(w.by_root_rank), (Late{{2, 9, 2350}, {1, 8, 1600}}));
}

// One waiting time per call, so a rank never waits longer than it spent in MPI.
TEST_F(WaitStatesTrace, RankWaitingNeverExceedsItsTimeInMpi) {
  WaitStates w = analyze();
  auto stats = rondo::analyzer::mpi_stats(*trace_, scan_, matching_);
  ASSERT_EQ(stats.time_per_rank.size(), 3u);
  int64_t total = 0;
  for (int32_t r = 0; r < 3; ++r) {
    int64_t rank_total = 0;
    for (const auto& p : w.patterns) rank_total += p.per_rank[static_cast<size_t>(r)].waiting_ns;
    EXPECT_EQ(rank_total, w.per_rank[static_cast<size_t>(r)].waiting_ns);
    EXPECT_LE(rank_total, stats.time_per_rank[static_cast<size_t>(r)].mpi_ns) << "rank " << r;
    total += rank_total;
  }
  EXPECT_EQ(total, w.total_ns);
  // A lower eager limit makes the 4-byte sends rendezvous: rank 0's MPI_Send at
  // 8000 then waited 400 for rank 2 (posted at 8400), and rank 2's waitall still
  // waits once: 450, for rank 0 (its MPI_Isend, received from 10450, beats the
  // 400 of the latest sender).
  WaitStates strict = rondo::analyzer::wait_states(scan_, matching_, {}, stats.run_ns(), 2);
  EXPECT_EQ(strict.eager_limit_bytes, 2u);
  EXPECT_EQ(per_rank(strict, WaitPattern::LateReceiver), (std::vector<int64_t>{900, 800, 450}));
  EXPECT_EQ(per_rank(strict, WaitPattern::LateSender), (std::vector<int64_t>{550, 300, 0}));
  EXPECT_EQ(late(strict[WaitPattern::LateReceiver].per_rank[2].by_late_rank), (Late{{0, 1, 450}}));
}

TEST_F(WaitStatesTrace, WindowKeepsCallsEnteredInside) {
  // [0, 1050): the barrier and the first allreduce of ranks 0 and 1, which
  // entered at 1000 and waited 100 each, of which 50 inside the window.
  WaitStates w = analyze({0, 1050});
  EXPECT_EQ(w[WaitPattern::WaitAtBarrier].instances, 2u);
  EXPECT_EQ(w[WaitPattern::WaitAtNxN].instances, 2u);
  EXPECT_EQ(w[WaitPattern::WaitAtNxN].waiting_ns, 100);
  EXPECT_EQ(w.total_ns, 650);
  EXPECT_EQ(late(w[WaitPattern::WaitAtNxN].per_rank[0].by_root_rank), (Late{{2, 1, 50}}));
  // Within the window too, no rank waits longer than it spent in MPI calls there.
  auto stats = rondo::analyzer::analyze(*trace_, {rondo::analyzer::GroupBy::None, {0, 1050}, 1, {}});
  for (int32_t r = 0; r < 3; ++r)
    EXPECT_LE(w.per_rank[static_cast<size_t>(r)].waiting_ns, stats.mpi.time_per_rank[static_cast<size_t>(r)].mpi_ns)
        << "rank " << r;
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
  ASSERT_EQ(files.size(), 4u);
  std::ifstream partners(dir_.file("wait_states_partners.csv"));
  std::stringstream partner_rows;
  partner_rows << partners.rdbuf();
  EXPECT_NE(partner_rows.str().find("late_receiver,1,2,2,800\n"), std::string::npos) << partner_rows.str();
  std::ifstream sites(dir_.file("wait_states_call_sites.csv"));
  std::stringstream all;
  all << sites.rdbuf();
  // No call site (recorded without --callstack): function and file empty, line 0.
  EXPECT_NE(all.str().find("wait_at_nxn,MPI_Allreduce,solver,4,300,0,100,,,0\n"), std::string::npos) << all.str();
}

// Per-rank tables are sized by the ranks that have process files, not by the
// world size the processes declare: a trace of 2 ranks of a declared world of
// 2^24 (a damaged or partial trace) analyzes in the memory of 2 ranks.
TEST(WaitStatesWorld, PerRankRowsAreTheRecordedRanksWhateverTheDeclaredWorldSize) {
  rondo::test::TempDir dir;
  for (int32_t rank = 0; rank < 2; ++rank) {
    rondo::test::MpiProcessSpec s = spec(rank);
    s.world_size = kMaxWorldSize;
    rondo::test::write_mpi_process(dir.file("rank-" + std::to_string(rank) + ".rnd"), s, [&](int, ThreadWriter& w) {
      Calls c{w};
      if (rank == 0) c.recv(1, 6000, 6300);
      if (rank == 1) c.send(kSend, 0, 6250, 6260);
    });
  }
  TraceReader trace(dir.str());
  auto scan = rondo::analyzer::scan_mpi(trace);
  EXPECT_EQ(scan.world_size, kMaxWorldSize);
  EXPECT_EQ(scan.recorded_ranks, (std::vector<int32_t>{0, 1}));
  auto matching = rondo::analyzer::match_messages(scan);
  WaitStates w = rondo::analyzer::wait_states(trace, scan, matching, {});
  ASSERT_EQ(w.per_rank.size(), 2u);
  EXPECT_EQ(w.per_rank[0].waiting_ns, 250);  // late sender: receive from 6000, send at 6250
  EXPECT_EQ(w.per_rank[1].waiting_ns, 0);
  ASSERT_EQ(w[WaitPattern::LateSender].per_rank.size(), 2u);

  // The ranks without a file: one run, counted, and listed only up to a bound.
  rondo::analyzer::TraceInfo info = rondo::analyzer::trace_info(trace);
  ASSERT_EQ(info.missing_rank_runs.size(), 1u);
  EXPECT_EQ(info.missing_rank_runs[0].first, 2);
  EXPECT_EQ(info.missing_rank_runs[0].last, kMaxWorldSize - 1);
  EXPECT_EQ(info.missing_rank_count, kMaxWorldSize - 2);
  std::vector<int32_t> listed = info.listed_missing_ranks();
  ASSERT_EQ(static_cast<int64_t>(listed.size()), rondo::analyzer::TraceInfo::kListedMissingRanks);
  EXPECT_EQ(listed.front(), 2);
  EXPECT_EQ(listed.back(), 2 + rondo::analyzer::TraceInfo::kListedMissingRanks - 1);
}

// A process whose MPI calls are on two threads: its blocking calls, in the
// scan's order thread by thread, are not in the order of their ends, which the
// root causes need.
//   rank 0, thread 0: MPI_Send to rank 1 at 1000 [1000, 1010]
//   rank 0, thread 1: MPI_Recv [100, 500] from rank 2, which sends at 500: waits 400 for rank 2
//   rank 1:           MPI_Recv [50, 1010] from rank 0: waits 950 for rank 0, of which rank 0
//                     spent 400 waiting for rank 2 (its call on thread 1 ended at 500, before
//                     the send): root causes rank 2 400, rank 0 550
TEST(WaitStatesThreads, RootCausesFollowWaitingOnAnotherThreadOfTheLateProcess) {
  rondo::test::TempDir dir;
  for (int32_t rank = 0; rank < 3; ++rank) {
    rondo::test::MpiProcessSpec s = spec(rank);
    s.threads = rank == 0 ? 2 : 1;
    rondo::test::write_mpi_process(dir.file("rank-" + std::to_string(rank) + ".rnd"), s, [&](int thread, ThreadWriter& w) {
      Calls c{w};
      if (rank == 0 && thread == 0) c.send(kSend, 1, 1000, 1010);
      if (rank == 0 && thread == 1) c.recv(2, 100, 500);
      if (rank == 1) c.recv(0, 50, 1010);
      if (rank == 2) c.send(kSend, 0, 500, 510);
    });
  }
  TraceReader trace(dir.str());
  auto scan = rondo::analyzer::scan_mpi(trace);
  auto matching = rondo::analyzer::match_messages(scan);
  ASSERT_EQ(matching.matched, 2u);
  WaitStates w = rondo::analyzer::wait_states(trace, scan, matching, {});
  const auto& late_sender = w[WaitPattern::LateSender];
  ASSERT_EQ(late_sender.per_rank.size(), 3u);
  EXPECT_EQ(late_sender.per_rank[0].waiting_ns, 400);
  EXPECT_EQ(late_sender.per_rank[1].waiting_ns, 950);
  EXPECT_EQ(late(late_sender.per_rank[1].by_late_rank), (Late{{0, 1, 950}}));
  EXPECT_EQ(late(late_sender.per_rank[1].by_root_rank), (Late{{0, 1, 550}, {2, 1, 400}}));
}

// `rondo stats` names the ranks that left no file as runs, however many.
TEST(WaitStatesWorld, MissingRanksAreNamedAsRuns) {
  using rondo::cli::rank_runs_text;
  EXPECT_EQ(rank_runs_text({}), "");
  EXPECT_EQ(rank_runs_text({{3, 3}}), "3");
  EXPECT_EQ(rank_runs_text({{2, 3}}), "2, 3");
  EXPECT_EQ(rank_runs_text({{0, 0}, {2, 4}, {7, 7}, {9, 10}}), "0, 2-4, 7, 9, 10");
}

}  // namespace
