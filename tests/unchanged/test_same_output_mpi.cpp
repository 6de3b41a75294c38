// Tracing changes nothing in MPI jobs: every MPI example prints the same bytes
// and ends with the same status under `rondo record -- mpirun ...` as without
// it, with the modules chosen from the program and with every module that can
// apply turned on (-t mpi,openmp,memory,io,pthread). Label mpi.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "../common/trace_check.h"
#include "rondo/format/reader.h"
#include "same_output.h"

namespace rondo::test {
namespace {

struct MpiProgram {
  const char* name;
  std::string path;  // "" when not built here (the Fortran example)
  int ranks;
  std::string args;
  std::string env;
};

void PrintTo(const MpiProgram& p, std::ostream* os) { *os << p.name; }

// Small sizes: seconds each on 2 shared cores. Every program prints only
// results (no times), from rank 0.
const std::vector<MpiProgram>& programs() {
  static const std::vector<MpiProgram> list = {
      {"ring", MPI_RING, 4, "20 256", ""},
      {"halo2d", MPI_HALO2D, 4, "50 64 10", ""},
      {"collectives", MPI_COLLECTIVES, 3, "64 3", ""},
      {"heat1d", MPI_HEAT1D, 2, "20 4096 1", "OMP_NUM_THREADS=2 "},
      {"hybrid_stencil", HYBRID_STENCIL, 2, "2048 10 2", ""},
      {"halo_f90", MPI_HALO_F90, 2, "", ""},
  };
  return list;
}

class SameOutputMpi : public SameOutput, public ::testing::WithParamInterface<std::tuple<MpiProgram, std::string>> {};

TEST_P(SameOutputMpi, StdoutAndExitStatusAreTheUntracedOnes) {
  const auto& [program, modules] = GetParam();
  if (program.path.empty()) GTEST_SKIP() << program.name << " is not built here";
  std::string mpirun = find_mpirun(RONDO_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun";
  std::string command = shell_quoted(mpirun) + (geteuid() == 0 ? " --allow-run-as-root" : "") +
                        " --oversubscribe -np " + std::to_string(program.ranks) + " " + shell_quoted(program.path) +
                        " " + program.args;
  ProgramRun traced = expect_same_output(command, modules, program.env);
  EXPECT_EQ(traced.status, 0) << traced.err;
  EXPECT_TRUE(trace_valid(trace()));
}

// Calls entered per rank and region name, replaying every thread.
std::map<int, std::map<std::string, uint64_t>> enters_by_rank(const std::string& dir) {
  std::map<int, std::map<std::string, uint64_t>> out;
  format::TraceReader trace(dir);
  for (const auto& p : trace.processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      format::EventCursor cursor(p->thread(t));
      format::Event e;
      while (cursor.next(e))
        if (e.kind() == format::EventKind::Enter) ++out[p->rank()][p->defs().region_name(e.def->key.ref)];
    }
  return out;
}

// -t memory in an MPI job records the program's allocations, not Rondo's: the
// ring calls calloc and free once per rank (its token). Rondo's MPI module
// allocates in MPI_Init and around every call; those were once recorded (12
// frees on 2 ranks where the ring makes 2), after MPI_Init's leave: time went back.
// With `pthread`, which knows Open MPI's own threads (started inside MPI_Init)
// and keeps them out: without it their libc allocations are still recorded.
TEST_F(SameOutput, MemoryModuleInAnMpiJobRecordsOnlyTheProgramsAllocations) {
  std::string mpirun = find_mpirun(RONDO_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun";
  const int ranks = 3, laps = 20;
  std::string command = shell_quoted(mpirun) + (geteuid() == 0 ? " --allow-run-as-root" : "") +
                        " --oversubscribe -np " + std::to_string(ranks) + " " + shell_quoted(MPI_RING) + " " +
                        std::to_string(laps) + " 256";
  ProgramRun traced = expect_same_output(command, "mpi,memory,pthread");
  ASSERT_EQ(traced.status, 0) << traced.err;
  EXPECT_TRUE(trace_valid(trace()));
  auto enters = enters_by_rank(trace());
  ASSERT_EQ(enters.size(), static_cast<size_t>(ranks));
  for (int rank = 0; rank < ranks; ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    EXPECT_EQ(enters[rank]["calloc"], 1u);
    EXPECT_EQ(enters[rank]["free"], 1u);
    EXPECT_EQ(enters[rank]["MPI_Send"], static_cast<uint64_t>(laps));
    EXPECT_EQ(enters[rank]["MPI_Recv"], static_cast<uint64_t>(laps));
    EXPECT_EQ(enters[rank]["MPI_Init"], 1u);
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, SameOutputMpi,
                         ::testing::Combine(::testing::ValuesIn(programs()),
                                            // With `memory`: it once hung in Open MPI's start-up (the
                                            // runtime's definitions lock re-entered through malloc).
                                            ::testing::Values(std::string(), std::string("mpi,openmp,memory,io,pthread"))),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) +
                                  (std::get<1>(info.param).empty() ? "_ModulesChosen" : "_EveryModule");
                         });

}  // namespace
}  // namespace rondo::test
