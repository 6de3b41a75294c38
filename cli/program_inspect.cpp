#include "program_inspect.h"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace rondo::cli {

bool ProgramInfo::imports(const std::string& symbol) const {
  return std::find(undefined.begin(), undefined.end(), symbol) != undefined.end();
}

bool ProgramInfo::links(const std::string& prefix) const {
  return std::any_of(needed.begin(), needed.end(), [&](const std::string& n) { return n.rfind(prefix, 0) == 0; });
}

std::string find_program(const std::string& program) {
  if (program.find('/') != std::string::npos) return access(program.c_str(), X_OK) == 0 ? program : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

ProgramInfo inspect_program(const std::string& path) {
  ProgramInfo info;
  info.path = path;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  auto in_bounds = [&](uint64_t off, uint64_t len) { return off <= bytes.size() && len <= bytes.size() - off; };
  if (!in_bounds(0, sizeof(Elf64_Ehdr)) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0 ||
      bytes[EI_CLASS] != ELFCLASS64)
    return info;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || !in_bounds(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr)))
    return info;
  info.is_elf = true;
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  std::memcpy(sections.data(), bytes.data() + eh.e_shoff, sections.size() * sizeof(Elf64_Shdr));
  auto cstr = [&](const Elf64_Shdr& strtab, uint64_t off) -> std::string {
    if (off >= strtab.sh_size || !in_bounds(strtab.sh_offset, strtab.sh_size)) return "";
    const char* s = bytes.data() + strtab.sh_offset + off;
    return std::string(s, strnlen(s, strtab.sh_size - off));
  };
  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    if (sh.sh_type == SHT_DYNSYM && in_bounds(sh.sh_offset, sh.sh_size)) {
      for (uint64_t off = sh.sh_offset; off + sizeof(Elf64_Sym) <= sh.sh_offset + sh.sh_size; off += sizeof(Elf64_Sym)) {
        Elf64_Sym sym;
        std::memcpy(&sym, bytes.data() + off, sizeof sym);
        if (sym.st_shndx == SHN_UNDEF && sym.st_name) info.undefined.push_back(cstr(strtab, sym.st_name));
      }
    } else if (sh.sh_type == SHT_DYNAMIC && in_bounds(sh.sh_offset, sh.sh_size)) {
      for (uint64_t off = sh.sh_offset; off + sizeof(Elf64_Dyn) <= sh.sh_offset + sh.sh_size; off += sizeof(Elf64_Dyn)) {
        Elf64_Dyn dyn;
        std::memcpy(&dyn, bytes.data() + off, sizeof dyn);
        if (dyn.d_tag == DT_NEEDED) info.needed.push_back(cstr(strtab, dyn.d_un.d_val));
      }
    }
  }
  return info;
}

}  // namespace rondo::cli
