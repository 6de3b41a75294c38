// MPI launchers (mpirun, mpiexec, ...) on a `rondo record` command line: which
// one it is, how it passes variables to its ranks, and which program it starts.
#pragma once

#include <string>
#include <vector>

namespace rondo::cli {

// Open MPI's pass variables to the ranks with `-x NAME=VALUE`, MPICH's Hydra
// with `-genv NAME VALUE`.
enum class Launcher { None, OpenMpi, Hydra };

// Recognised by the binary `program` (a resolved path) leads to: /usr/bin/mpirun
// is an alternatives link.
Launcher launcher_kind(const std::string& program);

// What a launcher command line starts.
struct LaunchedProgram {
  std::string word;  // as written on the command line, e.g. "./app"; empty: none found
  std::string path;  // resolved through PATH; empty when `word` names no executable
  bool unknown = false;  // the command line names its programs elsewhere (--app, -configfile)
};

// The program of `command` (command[0] is the launcher): the first word that is
// neither an option nor the value of an option known to take one.
LaunchedProgram launched_program(const std::vector<std::string>& command);

// Where each application context of an MPMD command line (`mpirun -np 3 a : -np 1
// b`) begins: index 1, and the index after every ":" argument. Open MPI applies
// `-x` only to the context it is written in (4.1: the options before the first
// program belong to the first context), so what must reach every rank is
// written at each of these places.
std::vector<size_t> app_context_starts(const std::vector<std::string>& command);

}  // namespace rondo::cli
