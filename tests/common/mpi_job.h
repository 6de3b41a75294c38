// Recording real MPI jobs from tests: finds mpirun and runs
//   rondo record -o TRACE -- mpirun [--allow-run-as-root] --oversubscribe -np N PROGRAM ARGS
// under a time limit, so that a hung job fails the test instead of ctest's timeout.
#pragma once

#include <unistd.h>

#include <string>

#include "run_command.h"

namespace rondo::test {

inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// `configured` (the mpirun found by CMake) when it exists, else the first
// mpirun or mpiexec in PATH; "" when none.
inline std::string find_mpirun(const std::string& configured) {
  if (!configured.empty() && access(configured.c_str(), X_OK) == 0) return configured;
  for (const char* name : {"mpirun", "mpiexec"}) {
    auto r = run_command(std::string("command -v ") + name);
    if (r.status == 0 && !r.out.empty()) return r.out.substr(0, r.out.find('\n'));
  }
  return "";
}

// Records `program_and_args` (already quoted) on `ranks` ranks into `trace`,
// from directory `cwd`; `env` (e.g. "OMP_NUM_THREADS=2 ") prefixes the command.
inline CommandResult record_mpi_job(const std::string& rondo, const std::string& mpirun, const std::string& cwd,
                                    const std::string& trace, int ranks, const std::string& program_and_args,
                                    const std::string& env = "") {
  std::string cmd = "cd " + shell_quoted(cwd) + " && " + env + "timeout -k 10 120 " + shell_quoted(rondo) +
                    " record -o " + shell_quoted(trace) + " -- " + shell_quoted(mpirun) +
                    (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np " + std::to_string(ranks) +
                    " " + program_and_args;
  CommandResult r = run_command(cmd);
  r.out = cmd + "\n" + r.out;
  return r;
}

}  // namespace rondo::test
