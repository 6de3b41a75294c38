// Message matching and MPI statistics over multi-process traces written with the
// real writer: one process file per rank, records as the MPI interceptor makes them.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <tuple>

#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "mpi_fixture.h"
#include "trace_fixture.h"

namespace {

using namespace rondo::format;
using rondo::analyzer::CommunicatorTable;
using rondo::analyzer::Message;
using rondo::analyzer::MessageMatching;
using rondo::analyzer::MpiStats;
using rondo::test::MpiProcessSpec;
using namespace rondo::test::mpi;

TEST(Messages, BlockingSendsMatchReceivesInOrderPerTag) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.send(10, 15, 1, 1, 100);
    m.send(20, 25, 1, 1, 200);
    m.send(30, 35, 1, 2, 300);
    m.leave(kMain, 100);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.recv(5, 40, 0, 2, 300);  // tag 2 first: a different channel may be received out of order
    m.recv(41, 42, 0, 1, 100);
    m.recv(43, 44, 0, 1, 200);
    m.leave(kMain, 100);
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.messages.size(), 3u);
  EXPECT_EQ(m.matched, 3u);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  EXPECT_EQ(m.received_before_sent, 0u);
  // Ordered by send time.
  const Message& a = m.messages[0];
  EXPECT_EQ(a.src, 0);
  EXPECT_EQ(a.dst, 1);
  EXPECT_EQ(a.tag, 1);
  EXPECT_EQ(a.bytes, 100u);
  EXPECT_EQ(a.recv_bytes, 100u);
  EXPECT_EQ(a.send_ns, 10);
  EXPECT_EQ(a.recv_ns, 42);
  EXPECT_FALSE(a.nonblocking_send);
  EXPECT_EQ(m.messages[1].bytes, 200u);
  EXPECT_EQ(m.messages[1].send_ns, 20);
  EXPECT_EQ(m.messages[1].recv_ns, 44);
  EXPECT_EQ(m.messages[2].bytes, 300u);
  EXPECT_EQ(m.messages[2].tag, 2);
  EXPECT_EQ(m.messages[2].send_ns, 30);
  EXPECT_EQ(m.messages[2].recv_ns, 40);
  EXPECT_EQ(m.communicators.size(), 1u);
  EXPECT_EQ(m.communicators[a.comm].name, "MPI_COMM_WORLD");
  EXPECT_EQ(m.communicators[a.comm].size(), 2u);

  // The convenience form returns the same messages.
  EXPECT_EQ(rondo::analyzer::match_messages(reader).size(), 3u);

  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_TRUE(s.has_mpi);
  EXPECT_EQ(s.ranks, 2);
  EXPECT_EQ(s.messages.count, 3u);
  EXPECT_EQ(s.messages.bytes, 600u);
  EXPECT_EQ(s.matrix_bytes(), (std::vector<std::vector<uint64_t>>{{0, 600}, {0, 0}}));
  EXPECT_EQ(s.matrix_count(), (std::vector<std::vector<uint64_t>>{{0, 3}, {0, 0}}));
  // 100 in [64, 127], 200 in [128, 255], 300 in [256, 511].
  ASSERT_EQ(s.size_histogram.size(), 3u);
  EXPECT_EQ(s.size_histogram[0].min_bytes, 64u);
  EXPECT_EQ(s.size_histogram[0].max_bytes, 127u);
  EXPECT_EQ(s.size_histogram[0].count, 1u);
  EXPECT_EQ(s.size_histogram[2].min_bytes, 256u);
  EXPECT_EQ(s.size_histogram[2].bytes, 300u);
}

TEST(Messages, NonblockingReceivesMatchInPostingOrderNotCompletionOrder) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.isend(10, 1, 5, 10, /*request*/ 1);
    m.isend(20, 1, 5, 20, 2);
    m.enter(kWaitall, 30);
    m.isend_complete(31, 2);  // completions reported out of order
    m.isend_complete(32, 1);
    m.leave(kWaitall, 33);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.irecv(5, 7);
    m.irecv(6, 8);
    m.irecv(7, 9);  // cancelled later: no message
    m.enter(kWaitall, 35);
    m.irecv_complete(40, 0, 5, 20, 8);  // the second posted completes first
    m.irecv_complete(41, 0, 5, 10, 7);
    m.leave(kWaitall, 42);
    m.enter(kTest, 50);
    m.cancelled(51, 9);
    m.leave(kTest, 52);
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 2u);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  EXPECT_EQ(m.cancelled, 1u);
  EXPECT_EQ(m.incomplete_receives, 0u);
  const Message& first = m.messages[0];
  EXPECT_EQ(first.bytes, 10u);
  EXPECT_EQ(first.recv_bytes, 10u);
  EXPECT_EQ(first.send_ns, 10);
  EXPECT_EQ(first.send_complete_ns, 32);
  EXPECT_EQ(first.recv_post_ns, 5);
  EXPECT_EQ(first.recv_ns, 41);
  EXPECT_TRUE(first.nonblocking_send);
  EXPECT_TRUE(first.nonblocking_recv);
  const Message& second = m.messages[1];
  EXPECT_EQ(second.bytes, 20u);
  EXPECT_EQ(second.recv_bytes, 20u);
  EXPECT_EQ(second.send_complete_ns, 31);
  EXPECT_EQ(second.recv_post_ns, 6);
  EXPECT_EQ(second.recv_ns, 40);

  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.messages.cancelled, 1u);
  EXPECT_EQ(s.messages.bytes, 30u);
}

TEST(Messages, PersistentRequestsPostAgainWithTheSameId) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    for (int i = 0; i < 3; ++i) m.send(10 + 10 * i, 11 + 10 * i, 1, 0, 8 * (i + 1));
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    for (int i = 0; i < 3; ++i) {
      m.irecv(5 + 10 * i, 77);  // MPI_Start of the same persistent request
      m.enter(kWait, 14 + 10 * i);
      m.irecv_complete(15 + 10 * i, 0, 0, 8 * (i + 1), 77);
      m.leave(kWait, 16 + 10 * i);
    }
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 3u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(m.messages[static_cast<size_t>(i)].bytes, static_cast<uint64_t>(8 * (i + 1)));
    EXPECT_EQ(m.messages[static_cast<size_t>(i)].recv_ns, 15 + 10 * i);
  }
}

TEST(Messages, AnySourceReceivesCarryTheActualSource) {
  MpiTrace trace;
  trace.add(base_spec(0, 3), [](Mpi& m) {
    m.recv(1, 20, /*src*/ 2, 0, 64);  // MPI_ANY_SOURCE, rank 2's message came first
    m.recv(21, 30, 1, 0, 32);
  });
  trace.add(base_spec(1, 3), [](Mpi& m) { m.send(25, 26, 0, 0, 32); });
  trace.add(base_spec(2, 3), [](Mpi& m) { m.send(10, 11, 0, 0, 64); });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 2u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  EXPECT_EQ(m.messages[0].src, 2);
  EXPECT_EQ(m.messages[0].recv_ns, 20);
  EXPECT_EQ(m.messages[1].src, 1);
  EXPECT_EQ(m.messages[1].recv_ns, 30);
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.matrix_bytes(), (std::vector<std::vector<uint64_t>>{{0, 0, 0}, {32, 0, 0}, {64, 0, 0}}));
}

TEST(Messages, CommunicatorsWithTheSameGroupButAnotherInstanceDoNotCrossMatch) {
  MpiTrace trace;
  // Rank 0: comm 1 is a dup of MPI_COMM_WORLD (instance 1).
  MpiProcessSpec r0 = base_spec(0, 2);
  r0.communicators.push_back({"dup", 0, 1, UINT32_MAX});
  trace.add(r0, [](Mpi& m) {
    m.send(10, 11, 1, 0, 8, /*comm*/ 1);
    m.send(20, 21, 1, 0, 16, /*comm*/ 0);
  });
  // Rank 1 numbers its communicators differently: 1 is MPI_COMM_SELF, 2 the dup.
  MpiProcessSpec r1 = base_spec(1, 2);
  r1.groups.push_back({1});
  r1.communicators.push_back({"MPI_COMM_SELF", 1, 0, UINT32_MAX});
  r1.communicators.push_back({"dup", 0, 1, UINT32_MAX});
  trace.add(r1, [](Mpi& m) {
    m.recv(5, 30, 0, 0, 16, /*comm*/ 0);  // received on world first
    m.recv(31, 40, 0, 0, 8, /*comm*/ 2);
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 2u);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  const CommunicatorTable& comms = m.communicators;
  EXPECT_EQ(comms.size(), 3u);  // world, dup, rank 1's self
  EXPECT_EQ(comms.index(0, 0), comms.index(1, 0));
  EXPECT_EQ(comms.index(0, 1), comms.index(1, 2));
  EXPECT_NE(comms.index(0, 0), comms.index(0, 1));
  const Message& dup = m.messages[0];
  EXPECT_EQ(dup.bytes, 8u);
  EXPECT_EQ(dup.recv_ns, 40);
  EXPECT_EQ(comms[dup.comm].name, "dup");
  EXPECT_EQ(comms[dup.comm].instance, 1u);
  EXPECT_EQ(m.messages[1].bytes, 16u);
  EXPECT_EQ(m.messages[1].recv_ns, 30);
  EXPECT_EQ(comms[m.messages[1].comm].name, "MPI_COMM_WORLD");
}

TEST(Messages, SplitCommunicatorsAreIdentifiedByTheirGroups) {
  // MPI_Comm_split of 4 ranks into evens {0, 2} and odds {1, 3}: every process
  // calls its part "split" with local id 1, but they are two communicators.
  MpiTrace trace;
  for (int32_t r = 0; r < 4; ++r) {
    MpiProcessSpec s = base_spec(r, 4);
    s.groups.push_back(r % 2 == 0 ? std::vector<int32_t>{0, 2} : std::vector<int32_t>{1, 3});
    s.communicators.push_back({"split", 1, 0, UINT32_MAX});
    trace.add(s, [r](Mpi& m) {
      m.collective(kAllreduce, 1, 5, CollectiveOp::Create, -1, 0, 0, /*comm*/ 1);
      if (r < 2) {
        m.send(10, 11, r + 2, 3, 100 + r, /*comm*/ 1);  // 0 -> 2 and 1 -> 3 on the split
        m.send(20, 21, r + 2, 3, 1000 + r, /*comm*/ 0);  // and the same on world
      } else {
        m.recv(10, 30, r - 2, 3, 1000 + r - 2, 0);
        m.recv(31, 40, r - 2, 3, 100 + r - 2, 1);
      }
    });
  }
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(m.matched, 4u);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  const CommunicatorTable& comms = m.communicators;
  ASSERT_EQ(comms.size(), 3u);
  uint32_t evens = comms.index(0, 1), odds = comms.index(1, 1);
  EXPECT_NE(evens, odds);
  EXPECT_EQ(comms.index(2, 1), evens);
  EXPECT_EQ(comms.index(3, 1), odds);
  EXPECT_EQ(comms[evens].world_ranks, (std::vector<int32_t>{0, 2}));
  EXPECT_EQ(comms[odds].size(), 2u);
  for (const Message& msg : m.messages) {
    bool on_split = msg.comm != comms.index(0, 0);
    EXPECT_EQ(msg.bytes, static_cast<uint64_t>((on_split ? 100 : 1000) + msg.src));
    if (on_split) {
      EXPECT_EQ(msg.comm, msg.src == 0 ? evens : odds);
    }
  }
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.matrix_bytes()[0][2], 1100u);
  EXPECT_EQ(s.matrix_bytes()[1][3], 1102u);
  EXPECT_EQ(s.matrix_count()[0][2], 2u);
  ASSERT_EQ(s.communicators.size(), 3u);
  EXPECT_EQ(s.communicators[evens].messages, 1u);
  EXPECT_EQ(s.communicators[evens].collectives, 2u);
  EXPECT_EQ(s.collectives.count, 4u);
  ASSERT_EQ(s.collective_ops.size(), 1u);
  EXPECT_EQ(s.collective_ops[0].name, "create");
}

TEST(Messages, IntercommunicatorSidesAgreeOnOneCommunicator) {
  MpiTrace trace;
  for (int32_t r = 0; r < 2; ++r) {
    MpiProcessSpec s = base_spec(r, 2);
    s.groups.push_back({r});
    s.groups.push_back({1 - r});
    s.communicators.push_back({"inter", 1, 0, 2});
    trace.add(s, [r](Mpi& m) {
      if (r == 0)
        m.send(10, 11, 1, 4, 48, 1);
      else
        m.recv(5, 20, 0, 4, 48, 1);
    });
  }
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 1u);
  EXPECT_EQ(m.communicators.index(0, 1), m.communicators.index(1, 1));
  EXPECT_TRUE(m.communicators[m.messages[0].comm].intercommunicator());
  EXPECT_EQ(m.communicators[m.messages[0].comm].size(), 2u);
}

// Enough messages for the message array (96 bytes each) to be filled beside a
// helper thread that provides its pages (over 8 MiB): with one thread or
// several, every message is the one the records make, in the same order.
TEST(Messages, ManyMessagesAreTheSameWithAndWithoutAHelperThread) {
  constexpr int kMessages = 120000;
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    for (int i = 0; i < kMessages; ++i) m.send(10 * i, 10 * i + 2, 1, i % 3, 8 + i % 5);
    m.send(10 * kMessages, 10 * kMessages + 2, 1, 7, 4);  // never received
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    for (int i = 0; i < kMessages; ++i) m.recv(10 * i + 1, 10 * i + 5, 0, i % 3, 8 + i % 5);
  });
  TraceReader reader = trace.read();
  rondo::analyzer::MpiScan scan = rondo::analyzer::scan_mpi(reader);
  MessageMatching one = rondo::analyzer::match_messages(scan, 1);
  MessageMatching two = rondo::analyzer::match_messages(scan, 2);
  ASSERT_EQ(one.messages.size(), kMessages + 1u);
  ASSERT_EQ(two.messages.size(), kMessages + 1u);
  EXPECT_EQ(one.matched, static_cast<uint64_t>(kMessages));
  EXPECT_EQ(two.matched, static_cast<uint64_t>(kMessages));
  EXPECT_EQ(two.unmatched_sends, 1u);
  for (int i = 0; i < kMessages; ++i) {
    const Message& a = one.messages[i];
    const Message& b = two.messages[i];
    ASSERT_EQ(a.send_ns, 10 * i) << i;
    ASSERT_EQ(a.recv_ns, 10 * i + 5) << i;
    ASSERT_EQ(a.tag, i % 3) << i;
    ASSERT_EQ(a.bytes, static_cast<uint64_t>(8 + i % 5)) << i;
    ASSERT_TRUE(a.matched()) << i;
    ASSERT_EQ(std::tie(a.src, a.dst, a.tag, a.comm, a.bytes, a.recv_bytes, a.send_ns, a.recv_post_ns, a.recv_ns,
                       a.send_record, a.recv_record),
              std::tie(b.src, b.dst, b.tag, b.comm, b.bytes, b.recv_bytes, b.send_ns, b.recv_post_ns, b.recv_ns,
                       b.send_record, b.recv_record))
        << i;
  }
  EXPECT_FALSE(two.messages.back().has_recv);
  EXPECT_EQ(two.messages.back().tag, 7);
}

TEST(Messages, UnmatchedSendsAndReceivesAreCounted) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.send(10, 11, 1, 0, 8);
    m.send(20, 21, 1, 0, 8);
    m.send(30, 31, 1, 0, 8);  // never received (job killed, or a receive lost)
    m.isend(40, 1, 0, 4, 1);  // posted, then cancelled: not a message at all
    m.cancelled(45, 1);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.recv(5, 12, 0, 0, 8);
    m.recv(13, 22, 0, 0, 8);
    m.recv(23, 50, 0, 9, 16);  // tag 9 was never sent
    m.irecv(60, 5);           // posted, never completed
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(m.matched, 2u);
  EXPECT_EQ(m.unmatched_sends, 1u);
  EXPECT_EQ(m.unmatched_receives, 1u);
  EXPECT_EQ(m.cancelled, 1u);
  EXPECT_EQ(m.incomplete_receives, 1u);
  ASSERT_EQ(m.messages.size(), 4u);
  EXPECT_TRUE(m.messages[2].has_send);
  EXPECT_FALSE(m.messages[2].has_recv);
  EXPECT_EQ(m.messages[2].send_ns, 30);
  EXPECT_FALSE(m.messages[3].has_send);
  EXPECT_TRUE(m.messages[3].has_recv);
  EXPECT_EQ(m.messages[3].tag, 9);
  EXPECT_EQ(m.messages[3].recv_ns, 50);

  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.messages.count, 2u);
  EXPECT_EQ(s.messages.bytes, 16u);
  EXPECT_EQ(s.messages.unmatched, 2u);
  EXPECT_EQ(s.matrix_bytes(), (std::vector<std::vector<uint64_t>>{{0, 16}, {0, 0}}));
}

TEST(Messages, DifferentSendAndReceiveSizesAreReported) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) { m.send(10, 11, 1, 0, 100); });
  trace.add(base_spec(1, 2), [](Mpi& m) { m.recv(5, 20, 0, 0, 64); });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 1u);
  EXPECT_EQ(m.bytes_mismatched, 1u);
  EXPECT_TRUE(m.messages[0].bytes_differ());
  EXPECT_EQ(m.messages[0].bytes, 100u);
  EXPECT_EQ(m.messages[0].recv_bytes, 64u);
}

TEST(Messages, SendrecvRingMatchesEveryNeighbour) {
  constexpr int kRanks = 5, kSteps = 20;
  MpiTrace trace;
  for (int32_t r = 0; r < kRanks; ++r) {
    trace.add(base_spec(r, kRanks), [r](Mpi& m) {
      for (int i = 0; i < kSteps; ++i) {
        uint64_t t = 100 + 100 * static_cast<uint64_t>(i);
        m.enter(kSendrecv, t);
        m.enter(kMain, t);  // not an MPI region: MPI time stays outermost-only
        m.leave(kMain, t);
        int right = (r + 1) % kRanks, left = (r + kRanks - 1) % kRanks;
        m.p2p(EventKind::MpiSend, t + 1, right, 0, 1024 * (i % 3 + 1));
        m.p2p(EventKind::MpiRecv, t + 50, left, 0, 1024 * (i % 3 + 1));
        m.leave(kSendrecv, t + 60);
      }
    });
  }
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(m.matched, static_cast<uint64_t>(kRanks * kSteps));
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  EXPECT_EQ(m.received_before_sent, 0u);
  for (const Message& msg : m.messages) EXPECT_EQ(msg.recv_ns - msg.send_ns, 49);
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  auto matrix = s.matrix_count();
  uint64_t per_step_bytes = 0;
  for (int i = 0; i < kSteps; ++i) per_step_bytes += static_cast<uint64_t>(1024 * (i % 3 + 1));
  for (int r = 0; r < kRanks; ++r)
    for (int d = 0; d < kRanks; ++d) {
      bool neighbour = d == (r + 1) % kRanks;
      EXPECT_EQ(matrix[static_cast<size_t>(r)][static_cast<size_t>(d)], neighbour ? uint64_t{kSteps} : 0u);
      EXPECT_EQ(s.matrix_bytes()[static_cast<size_t>(r)][static_cast<size_t>(d)], neighbour ? per_step_bytes : 0u);
    }
  ASSERT_EQ(s.calls.size(), 1u);
  EXPECT_EQ(s.calls[0].name, "MPI_Sendrecv");
  EXPECT_EQ(s.calls[0].calls, static_cast<uint64_t>(kRanks * kSteps));
  EXPECT_EQ(s.calls[0].inclusive_ns, 60 * kRanks * kSteps);
}

TEST(Messages, CollectiveCountsAndBytesAreSummedOverProcesses) {
  MpiTrace trace;
  for (int32_t r = 0; r < 3; ++r) {
    trace.add(base_spec(r, 3), [r](Mpi& m) {
      m.collective(kAllreduce, 10, 20, CollectiveOp::Allreduce, -1, 8, 8);
      m.collective(kBcast, 30, 40, CollectiveOp::Bcast, 0, r == 0 ? 100 : 0, r == 0 ? 0 : 100);
      m.collective(kAllreduce, 50, 55, CollectiveOp::Allreduce, -1, 8, 8);
    });
  }
  TraceReader reader = trace.read();
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_TRUE(s.has_mpi);
  EXPECT_EQ(s.messages.count, 0u);
  EXPECT_EQ(s.collectives.count, 9u);
  EXPECT_EQ(s.collectives.bytes, 3u * 2u * 8u + 100u);
  EXPECT_EQ(s.collectives.bytes_received, 3u * 2u * 8u + 200u);
  ASSERT_EQ(s.collective_ops.size(), 2u);
  EXPECT_EQ(s.collective_ops[0].name, "bcast");  // by operation number
  EXPECT_EQ(s.collective_ops[0].count, 3u);
  EXPECT_EQ(s.collective_ops[0].bytes_sent, 100u);
  EXPECT_EQ(s.collective_ops[0].bytes_received, 200u);
  EXPECT_EQ(s.collective_ops[0].time_ns, 30);
  EXPECT_EQ(s.collective_ops[1].name, "allreduce");
  EXPECT_EQ(s.collective_ops[1].count, 6u);
  EXPECT_EQ(s.collective_ops[1].bytes_sent, 48u);
  EXPECT_EQ(s.collective_ops[1].time_ns, 3 * 15);
  EXPECT_EQ(s.communicators[0].collectives, 9u);
}

TEST(Messages, TimeInMpiPerRankCountsOutermostCalls) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.send(10, 20, 1, 0, 4);                                                 // 10 ns
    m.collective(kAllreduce, 30, 45, CollectiveOp::Allreduce, -1, 8, 8);     // 15 ns
    m.enter(kWaitall, 50);                                                   // 20 ns, with
    m.enter(kTest, 52);                                                      // a nested MPI call
    m.leave(kTest, 55);                                                      // that counts once
    m.leave(kWaitall, 70);
    m.leave(kMain, 100);
  });
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.enter(kMain, 0);
    m.recv(5, 25, 0, 0, 4);                                               // 20 ns
    m.collective(kAllreduce, 30, 45, CollectiveOp::Allreduce, -1, 8, 8);  // 15 ns
    m.leave(kMain, 200);
  });
  TraceReader reader = trace.read();
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  ASSERT_EQ(s.time_per_rank.size(), 2u);
  EXPECT_EQ(s.time_per_rank[0].rank, 0);
  EXPECT_EQ(s.time_per_rank[0].mpi_ns, 45);
  EXPECT_EQ(s.time_per_rank[0].total_ns, 100);
  EXPECT_EQ(s.time_per_rank[0].mpi_calls, 3u);
  EXPECT_DOUBLE_EQ(s.time_per_rank[0].fraction(), 0.45);
  EXPECT_EQ(s.time_per_rank[1].rank, 1);
  EXPECT_EQ(s.time_per_rank[1].mpi_ns, 35);
  EXPECT_EQ(s.time_per_rank[1].total_ns, 200);

  std::map<std::string, rondo::analyzer::MpiCallRow> calls;
  for (auto& c : s.calls) calls[c.name] = c;
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls["MPI_Allreduce"].calls, 2u);
  EXPECT_EQ(calls["MPI_Allreduce"].inclusive_ns, 30);
  EXPECT_EQ(calls["MPI_Send"].inclusive_ns, 10);
  EXPECT_EQ(calls["MPI_Recv"].inclusive_ns, 20);
  EXPECT_EQ(calls["MPI_Waitall"].inclusive_ns, 20);
  EXPECT_EQ(calls["MPI_Test"].calls, 1u);
  EXPECT_EQ(calls["MPI_Test"].inclusive_ns, 3);
  EXPECT_EQ(calls["MPI_Test"].min_ns, 3);
  EXPECT_EQ(s.calls.front().name, "MPI_Allreduce");  // largest inclusive time first
}

TEST(Messages, ReceivedBeforeSentRevealsUnsynchronizedClocks) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) {
    m.send(1000, 1010, 1, 0, 8);
    m.send(2000, 2010, 1, 0, 8);
  });
  // Rank 1's clock runs behind and no offset was measured: its first receive
  // appears to complete before the send began.
  trace.add(base_spec(1, 2), [](Mpi& m) {
    m.recv(400, 500, 0, 0, 8);  // not possible on a common clock
    m.recv(2001, 2050, 0, 0, 8);
  });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 2u);
  EXPECT_EQ(m.received_before_sent, 1u);
  EXPECT_EQ(rondo::analyzer::mpi_stats(reader).received_before_sent, 1u);
}

TEST(Messages, ClockOffsetsApplyBeforeComparingSendAndReceiveTimes) {
  MpiTrace trace;
  trace.add(base_spec(0, 2), [](Mpi& m) { m.send(1000, 1010, 1, 0, 8); });
  MpiProcessSpec r1 = base_spec(1, 2);
  r1.clock_offset_ns = 5000;  // its ticks are 5000 ns behind rank 0's clock
  trace.add(r1, [](Mpi& m) { m.recv(0, 100, 0, 0, 8); });
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  ASSERT_EQ(m.matched, 1u);
  EXPECT_EQ(m.messages[0].recv_ns, 5100);
  EXPECT_EQ(m.received_before_sent, 0u);
}

TEST(Messages, UndefinedWorldCommunicatorStillMatches) {
  // Records that use communicator 0 without its definition (an older writer).
  MpiTrace trace;
  for (int32_t r = 0; r < 2; ++r) {
    MpiProcessSpec s = base_spec(r, 2);
    s.communicators.clear();
    s.groups.clear();
    trace.add(s, [r](Mpi& m) {
      if (r == 0)
        m.send(10, 11, 1, 0, 8);
      else
        m.recv(5, 20, 0, 0, 8);
    });
  }
  TraceReader reader = trace.read();
  MessageMatching m = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(m.matched, 1u);
  ASSERT_EQ(m.communicators.size(), 1u);
  EXPECT_EQ(m.communicators[0].name, "MPI_COMM_WORLD");
  EXPECT_EQ(m.communicators[0].size(), 2u);
}

TEST(Messages, TraceWithoutMpiHasNoMpiStatistics) {
  rondo::test::TempDir dir;
  rondo::test::write_process(dir.file("p0.rnd"), 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    w.enter(1, 5);
    w.leave(1, 10);
    w.leave(0, 20);
  });
  TraceReader reader(dir.str());
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_FALSE(s.has_mpi);
  EXPECT_EQ(s.messages.count, 0u);
  EXPECT_TRUE(s.time_per_rank.empty());
  EXPECT_TRUE(s.calls.empty());
  EXPECT_TRUE(rondo::analyzer::match_messages(reader).empty());
}

TEST(Messages, ManyRanksGiveTopPairs) {
  constexpr int kRanks = 24;
  MpiTrace trace;
  for (int32_t r = 0; r < kRanks; ++r) {
    trace.add(base_spec(r, kRanks), [r](Mpi& m) {
      int right = (r + 1) % kRanks, left = (r + kRanks - 1) % kRanks;
      m.send(10, 11, right, 0, 100 * (r + 1));
      m.recv(12, 30, left, 0, 100 * (left + 1));
    });
  }
  TraceReader reader = trace.read();
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.ranks, kRanks);
  EXPECT_EQ(s.pairs.size(), static_cast<size_t>(kRanks));
  auto top = s.top_pairs(3);
  ASSERT_EQ(top.size(), 3u);
  EXPECT_EQ(top[0].src, kRanks - 1);
  EXPECT_EQ(top[0].dst, 0);
  EXPECT_EQ(top[0].bytes, static_cast<uint64_t>(100 * kRanks));
  EXPECT_EQ(top[1].src, kRanks - 2);
}

TEST(Messages, CommunicatorIdsFromRecordsNeverSizeTables) {
  // MPI_Comm_free is recorded on MPI_COMM_NULL (-1); an id far beyond the
  // definitions (a communicator the writer never defined) is still matched.
  MpiTrace trace;
  constexpr int64_t kFar = 3000000000;
  for (int32_t r = 0; r < 2; ++r) {
    trace.add(base_spec(r, 2), [r](Mpi& m) {
      if (r == 0)
        m.send(10, 11, 1, 0, 8, kFar);
      else
        m.recv(5, 20, 0, 0, 8, kFar);
      m.collective(kAllreduce, 30, 31, CollectiveOp::Destroy, -1, 0, 0, -1);
    });
  }
  TraceReader reader = trace.read();
  MpiStats s = rondo::analyzer::mpi_stats(reader);
  EXPECT_EQ(s.messages.count, 1u);
  EXPECT_EQ(s.collectives.count, 2u);
  ASSERT_EQ(s.communicators.size(), 2u);  // world, and the undefined one
  EXPECT_EQ(s.communicators[1].messages, 1u);
  EXPECT_EQ(s.communicators[0].collectives, 0u);
}

}  // namespace
