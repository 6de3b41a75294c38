// Runs a shell command and collects its exit status and output: how the
// end-to-end tests drive the `rondo` command and the programs they record.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include "private_mpi_session.h"

namespace rondo::test {

struct CommandResult {
  int status = -1;  // exit code; 128 + signal when the command was killed
  std::string out;  // stdout and stderr together
};

inline CommandResult run_command(const std::string& command) {
  CommandResult r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

}  // namespace rondo::test
