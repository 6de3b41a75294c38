// Tracing changes nothing in MPI jobs: every MPI example prints the same bytes
// and ends with the same status under `rondo record -- mpirun ...` as without
// it, with the modules chosen from the program and with every module that can
// apply turned on (-t mpi,openmp,memory,io,pthread). Label mpi.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/trace_check.h"
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
