// Recording modules (`rondo record -t`, `rondo avail`): each is an LD_PRELOAD
// library found next to the rondo executable (build tree or install prefix).
#pragma once

#include <string>
#include <vector>

#include "program_inspect.h"

namespace rondo::cli {

struct Module {
  std::string name;         // as given to -t
  std::string library;      // file name of its preload library
  std::string description;
};

const std::vector<Module>& all_modules();
const Module* find_module(const std::string& name);
// Path of the module's library, or empty when it is not built/installed here.
std::string module_library_path(const Module& m);
// A module chosen without -t, and what in the program asked for it.
struct ModuleChoice {
  std::string module;  // e.g. "openmp"
  std::string reason;  // e.g. "libgomp.so.1 via libgromacs.so.7", "open, read, write"
  bool mpich = false;  // mpi: the program links MPICH (its own variant of the module)
};
// Modules worth enabling when -t is not given, for the programs that will run
// (one, or those a launcher or script starts). A reason names the program
// (" in app") when it is not `command_name`, the program on the command line.
std::vector<ModuleChoice> choose_modules(const std::vector<ProgramInfo>& programs, const std::string& command_name);
// "mpi (libmpi.so.40), openmp (libgomp.so.1 via libgromacs.so.7), io (open, read)"
std::string describe(const std::vector<ModuleChoice>& choices);
// The directory holding librondo.so (for LD_LIBRARY_PATH of the recorded program).
std::string runtime_library_dir();

}  // namespace rondo::cli
