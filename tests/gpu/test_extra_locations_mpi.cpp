// Flush hooks at MPI_Finalize (libtrace/extra_locations.h; the cuda module's
// CUPTI buffers are handed over through one): on every rank of a real Open MPI
// job the hook runs inside MPI_Finalize, before PMPI_Finalize, and again at exit.
#include <gtest/gtest.h>

#include <vector>

#include "../common/mpi_job.h"
#include "../common/trace_check.h"
#include "../unit/trace_fixture.h"
#include "rondo/format/reader.h"

using namespace rondo;

TEST(ExtraLocationsMpi, FlushHookRunsAtMpiFinalizeOnEveryRankAndAgainAtExit) {
  std::string mpirun = rondo::test::find_mpirun(RONDO_TEST_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun";
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  auto r = rondo::test::record_mpi_job(RONDO_CLI, mpirun, dir.str(), trace, 2, MPI_PROGRAM);
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(rondo::test::trace_valid(trace));
  format::TraceReader t(trace);
  ASSERT_EQ(t.processes().size(), 2u);
  for (const auto& p : t.processes()) {
    SCOPED_TRACE("rank " + std::to_string(p->rank()));
    std::vector<int64_t> finalized;
    for (size_t i = 0; i < p->thread_count(); ++i)
      for (const format::Event& e : rondo::test::replay(p->thread(i)))
        if (e.kind() == format::EventKind::GpuApiCall) finalized.push_back(e.data[0]);
    // First at MPI_Finalize (MPI not yet finalized), then at exit.
    EXPECT_EQ(finalized, (std::vector<int64_t>{0, 1}));
  }
}
