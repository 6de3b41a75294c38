// What a program to be recorded links and imports, read from its ELF dynamic
// section: used to choose recording modules when `rondo record` has no -t.
#pragma once

#include <string>
#include <vector>

namespace rondo::cli {

struct ProgramInfo {
  std::string path;                      // resolved through PATH
  bool is_elf = false;
  std::vector<std::string> needed;       // DT_NEEDED libraries
  std::vector<std::string> undefined;    // undefined dynamic symbols
  bool imports(const std::string& symbol) const;
  bool links(const std::string& library_prefix) const;  // e.g. "libmpi"
};

// Finds `program` (a path, or a name searched in PATH). Empty when not found.
std::string find_program(const std::string& program);
// Reads the dynamic symbols and libraries; a script or unreadable file gives is_elf == false.
ProgramInfo inspect_program(const std::string& path);

}  // namespace rondo::cli
