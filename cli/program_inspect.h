// What a program to be recorded links and imports, read from its ELF dynamic
// section and those of every library it loads (resolved as the dynamic loader
// would, without running anything): used to choose recording modules when
// `rondo record` has no -t.
#pragma once

#include <string>
#include <vector>

namespace rondo::cli {

// One library of a program's dependency closure.
struct LinkedLibrary {
  std::string name;  // as named by DT_NEEDED, e.g. "libgomp.so.1"
  std::string path;  // where the loader would find it; empty when not found
  std::string via;   // the program's direct dependency through which it is reached; empty when direct
  bool own = false;  // found through the program's RPATH/RUNPATH or LD_LIBRARY_PATH: part of the program, not of the system
};

struct ProgramInfo {
  std::string path;                      // resolved through PATH
  bool is_elf = false;
  std::vector<std::string> needed;       // the executable's own DT_NEEDED libraries
  std::vector<std::string> undefined;    // undefined dynamic symbols of the executable and of its own libraries
  std::vector<LinkedLibrary> libraries;  // the whole dependency closure, breadth first
  // The executable or one of its own libraries holds CUDA device code (an
  // `.nv_fatbin` section) or defines the CUDA runtime's entry points
  // (cudaLaunchKernel, __cudaRegisterFatBinary): nvcc links libcudart
  // statically by default, so such a program names no libcudart in DT_NEEDED.
  bool cuda_inside = false;
  bool imports(const std::string& symbol) const;
  // The first library of the closure whose name starts with `prefix` (e.g. "libmpi."), or null.
  const LinkedLibrary* library(const std::string& prefix) const;
  bool links(const std::string& prefix) const { return library(prefix) != nullptr; }
};

// Finds `program` (a path, or a name searched in PATH). Empty when not found.
std::string find_program(const std::string& program);
// Reads the dynamic symbols and the dependency closure; a script or unreadable
// file gives is_elf == false.
ProgramInfo inspect_program(const std::string& path);

// The commands a script runs, each as its words: the #! interpreter first
// (unless it is a shell, which only runs what the script names), then every
// simple command with leading variable assignments and
// `exec`, `env`, `time`, `nohup` removed; shell keywords, builtins and lines
// using variables in command position are left out. Empty when `path` is not a
// script (no #! line).
std::vector<std::vector<std::string>> script_commands(const std::string& path);

}  // namespace rondo::cli
