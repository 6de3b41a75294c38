// Ctrl-C of a real MPI job: every rank's trace is flushed and ended, whichever
// rank gets the signal first. Open MPI's mpirun answers SIGINT by sending SIGTERM
// to every rank and SIGKILL to all remaining ones as soon as the first dies: a
// rank that flushed fast must not die before the others have flushed too.
#include <signal.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "expectations.h"
#include "harness.h"

namespace rondo::runtime_test {
namespace {

// The pids of the process files in `dir` ("host.pid.rnd").
std::vector<pid_t> file_pids(const std::string& dir) {
  std::vector<pid_t> pids;
  for (const auto& name : process_files(dir)) {
    std::string stem = name.substr(0, name.size() - 4);
    pids.push_back(static_cast<pid_t>(std::atol(stem.substr(stem.rfind('.') + 1).c_str())));
  }
  return pids;
}

struct Case {
  int ranks;
  bool ranks_too;  // SIGINT also sent to every rank directly (so it gets two signals)
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.ranks << (c.ranks_too ? " ranks too" : ""); }

class MpiSigint : public ::testing::TestWithParam<Case> {};

TEST_P(MpiSigint, EveryRankEndsItsFile) {
  if (access(RONDO_TEST_MPIEXEC, X_OK) != 0) GTEST_SKIP() << "no " << RONDO_TEST_MPIEXEC;
  const Case c = GetParam();
  for (int round = 0; round < 3; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    // As `rondo record -- mpirun ...` runs it: the ranks get the variables
    // through -x. A ring of 256 KiB messages runs until it is interrupted:
    // each lap copies the token twice, so it takes tens of microseconds and
    // the 2 million laps would take minutes. mpirun answers SIGINT only after
    // it has been scheduled and has signalled every rank, over a second on a
    // loaded machine, when a ring of 8-byte tokens could finish first (and a
    // ring long enough for that would leave hundreds of millions of events to
    // read); large tokens keep the trace small however late the signal lands.
    constexpr uint64_t kLaps = 2'000'000;
    constexpr const char* kTokenBytes = "262144";
    Launch launch(RONDO_TEST_MPIEXEC, {"--allow-run-as-root", "--oversubscribe", "-np", std::to_string(c.ranks), "-x",
                                       std::string("LD_PRELOAD=") + RONDO_TEST_MPI_PRELOAD, "-x", "RONDO_TRACE_DIR",
                                       RONDO_TEST_MPI_RING, std::to_string(kLaps), kTokenBytes});
    launch.traced(dir.path()).in_own_session().timeout(120);
    // Every rank has a file once it recorded its first event; signalled when
    // each has written a block of events (past MPI_Init, in the ring).
    launch.signal_when(SIGINT, [&] {
      auto files = process_files(dir.path());
      if (static_cast<int>(files.size()) < c.ranks) return false;
      for (const auto& f : files)
        if (std::filesystem::file_size(dir.path() + "/" + f) < 8192) return false;
      if (c.ranks_too)
        for (pid_t pid : file_pids(dir.path())) kill(pid, SIGINT);
      return true;
    });
    Outcome o = run(launch);
    ASSERT_FALSE(o.timed_out) << "the job did not end after SIGINT";
    auto trace = read_trace(dir.path());
    ASSERT_EQ(trace.size(), static_cast<size_t>(c.ranks));
    for (const auto& p : trace) {
      expect_clean(p);  // ended: the flush completed on every rank
      ASSERT_EQ(p.threads.size(), 1u) << p.path;
      expect_complete(p, p.threads[0]);
      EXPECT_GT(p.threads[0].count("MPI_Send"), 0u) << p.path;
      EXPECT_LT(p.threads[0].count("MPI_Send"), kLaps) << p.path << ": the ring ended before the signal";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Jobs, MpiSigint,
                         ::testing::Values(Case{2, false}, Case{4, false}, Case{2, true}, Case{4, true}),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::to_string(info.param.ranks) + "Ranks" + (info.param.ranks_too ? "AndEachRank" : "");
                         });

}  // namespace
}  // namespace rondo::runtime_test
