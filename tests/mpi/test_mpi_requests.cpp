// What the MPI module records about requests and communicators, read back with
// the trace reader: exact record counts of real Open MPI jobs, whatever the
// library does with handles (programs/two_isends.c, programs/comm_free.c).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <set>
#include <string>

#include "../common/mpi_job.h"
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
    completing_calls.insert(std::string(s.completion.name));
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

}  // namespace
