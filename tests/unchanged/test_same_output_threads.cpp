// Tracing changes nothing in threaded programs: the OpenMP tour built by gcc
// (libgomp) and by clang (LLVM's libomp), and the thread and I/O examples,
// print the same bytes and end with the same status under `rondo record` as
// without it, with the modules chosen from the program and with
// -t openmp,memory,io,pthread. Label openmp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/trace_check.h"
#include "same_output.h"

namespace rondo::test {
namespace {

struct Program {
  const char* name;
  std::string path;  // "" when not built here (no working clang -fopenmp)
  std::string args;
};

void PrintTo(const Program& p, std::ostream* os) { *os << p.name; }

const std::vector<Program>& programs() {
  static const std::vector<Program> list = {
      {"omp_tour_gcc", OMP_TOUR_GCC, "4 3"},
      {"omp_tour_clang", OMP_TOUR_CLANG, "4 3"},
      {"producer_consumer", PRODUCER_CONSUMER, "2 2 2000"},
      // Its total once varied from run to run (the program lost updates between
      // threads), and -t memory hung at its first RONDO_SCOPE.
      {"worker_threads", WORKER_THREADS, "4 500"},
      {"file_io", FILE_IO, ". 4096 64"},
  };
  return list;
}

class SameOutputThreads : public SameOutput,
                          public ::testing::WithParamInterface<std::tuple<Program, std::string>> {};

TEST_P(SameOutputThreads, StdoutAndExitStatusAreTheUntracedOnes) {
  const auto& [program, modules] = GetParam();
  if (program.path.empty()) GTEST_SKIP() << program.name << " is not built here";
  ProgramRun traced = expect_same_output(shell_quoted(program.path) + " " + program.args, modules);
  EXPECT_EQ(traced.status, 0) << traced.err;
  EXPECT_TRUE(trace_valid(trace()));
}

INSTANTIATE_TEST_SUITE_P(Examples, SameOutputThreads,
                         ::testing::Combine(::testing::ValuesIn(programs()),
                                            ::testing::Values(std::string(), std::string("openmp,memory,io,pthread"))),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).name) +
                                  (std::get<1>(info.param).empty() ? "_ModulesChosen" : "_EveryModule");
                         });

}  // namespace
}  // namespace rondo::test
