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
// Modules worth enabling for `program` when -t is not given.
std::vector<std::string> default_modules(const ProgramInfo& program);
// The directory holding librondo.so (for LD_LIBRARY_PATH of the recorded program).
std::string runtime_library_dir();

}  // namespace rondo::cli
