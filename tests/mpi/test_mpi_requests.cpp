// What the MPI module records about requests and communicators, read back with
// the trace reader: exact record counts of real Open MPI jobs, whatever the
// library does with handles (programs/two_isends.c, programs/comm_free.c), and
// the messages probes found (programs/probes.c), MPI calls the library makes
// from inside other MPI calls (programs/nested_calls.c), and what a completion's
// status says: cancelled, or the bytes received (programs/cancel.c).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <tuple>

#include "../common/mpi_job.h"
#include "../common/trace_check.h"
#include "../common/trace_counts.h"
#include "rondo/analyzer/messages.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using rondo::format::EventKind;

class MpiRecords : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun: MPI tests skipped";
    dir_ = fs::temp_directory_path() /
           ("rondo-mpi-requests-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  // Records the program on `ranks` ranks; returns the trace directory.
  std::string record(int ranks, const std::string& program, const std::string& args) {
    std::string trace = (dir_ / "trace").string();
    last_ = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, ranks,
                                        rondo::test::shell_quoted(program) + " " + args);
    return trace;
  }
  std::string mpirun_;
  fs::path dir_;
  rondo::test::CommandResult last_;
};

// Two MPI_Isends of one double and a MPI_Waitall share one handle in Open MPI
// 4.1; every send completion is there all the same, once, in every completion
// call; the send released by MPI_Request_free is the only one without.
TEST_F(MpiRecords, EveryIsendCompletesOnceWhateverTheHandles) {
  const int rounds = 5, per_round = 16;
  std::string trace = record(2, TWO_ISENDS, std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << last_.out;
  ASSERT_NE(last_.out.find("two_isends: 5 rounds"), std::string::npos) << last_.out;
  rondo::format::TraceReader reader(trace);
  auto counts = rondo::test::kinds_by_rank(reader);
  const uint64_t sends = rounds * per_round + 1;
  EXPECT_EQ(counts[0][EventKind::MpiIsend], sends);
  EXPECT_EQ(counts[0][EventKind::MpiIsendComplete], sends - 1);  // all but the freed one
  EXPECT_EQ(counts[0][EventKind::MpiRequestCancelled], 0u);
  EXPECT_EQ(counts[1][EventKind::MpiRecv], sends);

  // Each completion names a send of its own (no id completed twice), and the
  // analyzer pairs every send with its receive.
  auto scan = rondo::analyzer::scan_mpi(reader);
  auto matching = rondo::analyzer::match_messages(scan);
  EXPECT_EQ(matching.matched, sends);
  EXPECT_EQ(matching.unmatched_sends, 0u);
  EXPECT_EQ(matching.unmatched_receives, 0u);
  EXPECT_EQ(matching.incomplete_sends, 1u);  // the send released by MPI_Request_free
  uint64_t completed = 0;
  std::set<std::string> completing_calls;
  for (const auto& s : scan.sends) {
    if (s.complete_ns < 0) continue;
    ++completed;
    completing_calls.insert(std::string(scan.call_name(scan.call(s.completion))));
    EXPECT_GE(s.complete_ns, s.position.ns);
  }
  EXPECT_EQ(completed, sends - 1);
  EXPECT_EQ(completing_calls, (std::set<std::string>{"MPI_Waitall", "MPI_Wait", "MPI_Waitany", "MPI_Waitsome",
                                                      "MPI_Testall", "MPI_Testsome", "MPI_Testany"}));
}

// MPI_Comm_free records the communicator it frees (it was -1, "UNDEFINED").
TEST_F(MpiRecords, CommFreeNamesTheFreedCommunicator) {
  const int ranks = 4;
  std::string trace = record(ranks, COMM_FREE, "");
  ASSERT_EQ(last_.status, 0) << last_.out;
  rondo::format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(ranks));
  for (const auto& p : reader.processes()) {
    const auto& defs = p->defs();
    std::multiset<std::string> freed;
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e;
      while (cursor.next(e)) {
        if (e.kind() != EventKind::MpiCollectiveEnd ||
            e.def->key.ref != static_cast<uint32_t>(rondo::format::CollectiveOp::Destroy))
          continue;
        int64_t comm = e.def->key.params[0];
        ASSERT_GE(comm, 0) << "rank " << p->rank();
        ASSERT_LT(comm, static_cast<int64_t>(defs.communicators.size())) << "rank " << p->rank();
        freed.insert(defs.string(defs.communicators[static_cast<size_t>(comm)].name));
      }
    }
    EXPECT_EQ(freed, (std::multiset<std::string>{"MPI_Comm_dup", "MPI_Comm_split"})) << "rank " << p->rank();
  }
  // The analyzer counts each free as a collective on its communicator.
  auto scan = rondo::analyzer::scan_mpi(reader);
  size_t destroys = 0;
  for (const auto& c : scan.collectives)
    if (c.op == rondo::format::CollectiveOp::Destroy) {
      ++destroys;
      ASSERT_NE(c.comm, rondo::analyzer::CommunicatorTable::kNone);
      const auto& comm = scan.communicators[c.comm];
      EXPECT_EQ(comm.size(), comm.name == "MPI_Comm_dup" ? 4u : 2u) << comm.name;
    }
  EXPECT_EQ(destroys, 2u * ranks);
}

// Every probe that found a message records it once (MpiProbe: source as a
// world rank, tag, communicator, bytes), whatever the probe call and whether
// the program ignored the status; an MPI_Iprobe that found nothing records
// nothing. Probes are neither receives nor messages: each message is still
// matched once, to its receive.
TEST_F(MpiRecords, ProbesRecordTheMessageTheyFound) {
  const int rounds = 3;
  std::string trace = record(3, PROBES, std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << last_.out;
  ASSERT_NE(last_.out.find("probes: 3 rounds ok"), std::string::npos) << last_.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  rondo::format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), 3u);

  using Probe = std::tuple<int64_t, int64_t, int64_t>;  // source, tag, bytes
  std::multiset<Probe> probes;
  std::set<std::string> probing_calls;
  int64_t rev_comm = -1;
  for (const auto& p : reader.processes()) {
    const auto& defs = p->defs();
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e;
      std::string call;  // the MPI call the event is in
      while (cursor.next(e)) {
        const auto& k = e.def->key;
        if (e.kind() == EventKind::Enter) call = defs.region_name(k.ref);
        if (e.kind() != EventKind::MpiProbe) continue;
        ASSERT_EQ(p->rank(), 0);
        probes.insert({k.params[0], k.params[1], rondo::format::transfer_bytes(*e.def, e.data).bytes});
        probing_calls.insert(call);
        if (k.params[1] == 31) {
          rev_comm = k.params[2];
        } else {
          EXPECT_EQ(k.params[2], 0) << "tag " << k.params[1];  // MPI_COMM_WORLD
        }
      }
    }
  }
  std::multiset<Probe> expected;
  for (int r = 0; r < rounds; ++r)
    for (Probe p : {Probe{1, 11, 100}, Probe{2, 21, 400}, Probe{1, 12, 200}, Probe{2, 22, 500},
                    Probe{1, 13, 300}, Probe{2, 31, 600}})
      expected.insert(p);
  EXPECT_EQ(probes, expected);
  EXPECT_EQ(probing_calls, (std::set<std::string>{"MPI_Probe", "MPI_Iprobe", "MPI_Mprobe", "MPI_Improbe"}));
  EXPECT_GT(rev_comm, 0);  // the reversed communicator, not MPI_COMM_WORLD

  auto counts = rondo::test::kinds_by_rank(reader);
  EXPECT_EQ(counts[0][EventKind::MpiProbe], 6u * rounds);
  EXPECT_EQ(counts[0][EventKind::MpiRecv], 6u * rounds);
  EXPECT_EQ(counts[1][EventKind::MpiSend] + counts[2][EventKind::MpiSend], 6u * rounds);
  auto scan = rondo::analyzer::scan_mpi(reader);
  auto matching = rondo::analyzer::match_messages(scan);
  EXPECT_EQ(matching.matched, 6u * rounds);
  EXPECT_EQ(matching.unmatched_sends, 0u);
  EXPECT_EQ(matching.unmatched_receives, 0u);
  EXPECT_EQ(scan.recvs.size(), 6u * rounds);

  // `rondo print` names the source, tag and size.
  auto printed = rondo::test::run_command(rondo::test::shell_quoted(RONDO_CLI) + " print --thread 0:0 " +
                                          rondo::test::shell_quoted(trace));
  ASSERT_EQ(printed.status, 0) << printed.out;
  EXPECT_NE(printed.out.find("MPI_PROBE source=2 tag=22 comm=0 bytes=500"), std::string::npos) << printed.out;
  EXPECT_NE(printed.out.find("MPI_PROBE source=2 tag=31 comm=" + std::to_string(rev_comm) + " bytes=600"),
            std::string::npos)
      << printed.out;
}

// A user reduction operation and an error handler run inside MPI_Allreduce and
// MPI_Send, and call MPI_Comm_rank there: those calls are the library's, inside
// a recorded call, and are not recorded (nor do they disturb the outer call's
// records); the program's own MPI_Comm_rank is, once per rank.
TEST_F(MpiRecords, CallsMadeInsideMpiCallsAreNotRecorded) {
  const int rounds = 6;
  std::string trace = record(2, NESTED_CALLS, std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << last_.out;
  std::regex line(R"(nested_calls: rank (\d) rounds 6 sum 2 failed 6 op_calls (\d+) handler_calls (\d+))");
  int callbacks = 0, ranks_seen = 0;
  for (std::sregex_iterator it(last_.out.begin(), last_.out.end(), line), end; it != end; ++it) {
    ++ranks_seen;
    EXPECT_EQ(std::stoi((*it)[3]), rounds) << "rank " << (*it)[1];  // the handler ran in every failed send
    callbacks += std::stoi((*it)[2]) + std::stoi((*it)[3]);
  }
  ASSERT_EQ(ranks_seen, 2) << last_.out;
  ASSERT_GT(callbacks, 0);  // else this test could not fail

  rondo::format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), 2u);
  for (const auto& p : reader.processes()) {
    std::map<std::string, uint64_t> enters, leaves;
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e;
      while (cursor.next(e)) {
        if (e.kind() == EventKind::Enter) ++enters[p->defs().region_name(e.def->key.ref)];
        if (e.kind() == EventKind::Leave) ++leaves[p->defs().region_name(e.def->key.ref)];
      }
    }
    EXPECT_EQ(enters["MPI_Comm_rank"], 1u) << "rank " << p->rank();
    EXPECT_EQ(enters["MPI_Allreduce"], static_cast<uint64_t>(rounds)) << "rank " << p->rank();
    EXPECT_EQ(enters["MPI_Send"], static_cast<uint64_t>(rounds)) << "rank " << p->rank();
    EXPECT_EQ(enters, leaves) << "rank " << p->rank();
  }
  auto counts = rondo::test::kinds_by_rank(reader);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(counts[r][EventKind::MpiCollectiveBegin], static_cast<uint64_t>(rounds)) << "rank " << r;
    EXPECT_EQ(counts[r][EventKind::MpiCollectiveEnd], static_cast<uint64_t>(rounds)) << "rank " << r;
    EXPECT_EQ(counts[r][EventKind::MpiSend], static_cast<uint64_t>(rounds)) << "rank " << r;
  }
}

// A cancelled receive is recorded as cancelled by whichever call completes it
// (MPI_Wait, MPI_Test, MPI_Waitall); a completed one with the bytes it received.
TEST_F(MpiRecords, CancelledAndCompletedReceivesReadTheirStatus) {
  const int rounds = 6;
  std::string trace = record(2, CANCEL, std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << last_.out;
  ASSERT_NE(last_.out.find("cancel: rank 0 cancelled 6 of 6"), std::string::npos) << last_.out;
  ASSERT_NE(last_.out.find("cancel: rank 1 cancelled 6 of 6"), std::string::npos) << last_.out;
  rondo::format::TraceReader reader(trace);
  auto counts = rondo::test::kinds_by_rank(reader);
  for (int r = 0; r < 2; ++r) {
    EXPECT_EQ(counts[r][EventKind::MpiIrecvRequest], 2u * rounds) << "rank " << r;
    EXPECT_EQ(counts[r][EventKind::MpiRequestCancelled], static_cast<uint64_t>(rounds)) << "rank " << r;
    EXPECT_EQ(counts[r][EventKind::MpiIrecv], static_cast<uint64_t>(rounds)) << "rank " << r;
  }
  std::multiset<int64_t> sizes;
  for (const auto& p : reader.processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e;
      while (cursor.next(e))
        if (e.kind() == EventKind::MpiIrecv) sizes.insert(rondo::format::transfer_bytes(*e.def, e.data).bytes);
    }
  std::multiset<int64_t> expected;
  for (int rank = 0; rank < 2; ++rank)
    for (int r = 0; r < rounds; ++r) expected.insert(1000 + r);
  EXPECT_EQ(sizes, expected);
}

}  // namespace
