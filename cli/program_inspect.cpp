#include "program_inspect.h"

#include <elf.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>

namespace rondo::cli {

bool ProgramInfo::imports(const std::string& symbol) const {
  return std::find(undefined.begin(), undefined.end(), symbol) != undefined.end();
}

const LinkedLibrary* ProgramInfo::library(const std::string& prefix) const {
  for (const LinkedLibrary& l : libraries)
    if (l.name.rfind(prefix, 0) == 0) return &l;
  return nullptr;
}

std::string find_program(const std::string& program) {
  if (program.empty()) return "";
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

namespace {

// The dynamic section of one ELF object, as far as the loader's search needs it.
struct ElfObject {
  bool ok = false;
  uint16_t machine = 0;
  std::vector<std::string> needed, undefined, rpath, runpath;
  bool cuda_inside = false;  // see ProgramInfo::cuda_inside
};

// What marks an object that carries CUDA in itself rather than through libcudart:
// nvcc's fat binary section (device code) and the CUDA runtime's own entry
// points defined in it (nvcc links libcudart_static.a by default).
bool is_cuda_section(const std::string& name) { return name == ".nv_fatbin" || name == "__nv_relfatbin"; }
bool is_cuda_runtime_symbol(const std::string& name) {
  return name == "__cudaRegisterFatBinary" || name == "cudaLaunchKernel";
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

ElfObject read_elf(const std::string& path) {
  ElfObject obj;
  std::ifstream in(path, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
  auto in_bounds = [&](uint64_t off, uint64_t len) { return off <= bytes.size() && len <= bytes.size() - off; };
  if (!in_bounds(0, sizeof(Elf64_Ehdr)) || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0 ||
      bytes[EI_CLASS] != ELFCLASS64)
    return obj;
  Elf64_Ehdr eh;
  std::memcpy(&eh, bytes.data(), sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || !in_bounds(eh.e_shoff, uint64_t{eh.e_shnum} * sizeof(Elf64_Shdr)))
    return obj;
  obj.ok = true;
  obj.machine = eh.e_machine;
  std::vector<Elf64_Shdr> sections(eh.e_shnum);
  std::memcpy(sections.data(), bytes.data() + eh.e_shoff, sections.size() * sizeof(Elf64_Shdr));
  auto cstr = [&](const Elf64_Shdr& strtab, uint64_t off) -> std::string {
    if (off >= strtab.sh_size || !in_bounds(strtab.sh_offset, strtab.sh_size)) return "";
    const char* s = bytes.data() + strtab.sh_offset + off;
    return std::string(s, strnlen(s, strtab.sh_size - off));
  };
  if (eh.e_shstrndx < sections.size())
    for (const Elf64_Shdr& sh : sections)
      if (is_cuda_section(cstr(sections[eh.e_shstrndx], sh.sh_name))) obj.cuda_inside = true;
  for (const Elf64_Shdr& sh : sections) {
    if (sh.sh_link >= sections.size()) continue;
    const Elf64_Shdr& strtab = sections[sh.sh_link];
    if ((sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) && in_bounds(sh.sh_offset, sh.sh_size)) {
      for (uint64_t off = sh.sh_offset; off + sizeof(Elf64_Sym) <= sh.sh_offset + sh.sh_size; off += sizeof(Elf64_Sym)) {
        Elf64_Sym sym;
        std::memcpy(&sym, bytes.data() + off, sizeof sym);
        if (!sym.st_name) continue;
        if (sym.st_shndx == SHN_UNDEF) {
          if (sh.sh_type == SHT_DYNSYM) obj.undefined.push_back(cstr(strtab, sym.st_name));
        } else if (!obj.cuda_inside && is_cuda_runtime_symbol(cstr(strtab, sym.st_name))) {
          obj.cuda_inside = true;
        }
      }
    } else if (sh.sh_type == SHT_DYNAMIC && in_bounds(sh.sh_offset, sh.sh_size)) {
      for (uint64_t off = sh.sh_offset; off + sizeof(Elf64_Dyn) <= sh.sh_offset + sh.sh_size; off += sizeof(Elf64_Dyn)) {
        Elf64_Dyn dyn;
        std::memcpy(&dyn, bytes.data() + off, sizeof dyn);
        if (dyn.d_tag == DT_NEEDED) obj.needed.push_back(cstr(strtab, dyn.d_un.d_val));
        if (dyn.d_tag == DT_RPATH) obj.rpath = split(cstr(strtab, dyn.d_un.d_val), ':');
        if (dyn.d_tag == DT_RUNPATH) obj.runpath = split(cstr(strtab, dyn.d_un.d_val), ':');
      }
    }
  }
  return obj;
}

// /etc/ld.so.cache (glibc's "glibc-ld.so.cache1.1" layout, possibly after the old
// "ld.so-1.7.0" one): library name -> paths, in the cache's order. String
// offsets count from the start of the new-format header.
std::vector<std::pair<std::string, std::string>> read_ld_so_cache() {
  std::vector<std::pair<std::string, std::string>> out;
  std::ifstream in("/etc/ld.so.cache", std::ios::binary);
  std::string bytes{std::istreambuf_iterator<char>(in), {}};
  static const std::string kMagic = "glibc-ld.so.cache1.1";
  size_t base = bytes.find(kMagic);
  constexpr size_t kHeader = 48, kEntry = 24;
  if (base == std::string::npos || bytes.size() < base + kHeader) return out;
  uint32_t count = 0;
  std::memcpy(&count, bytes.data() + base + 20, 4);
  auto str = [&](uint32_t off) -> std::string {
    if (base + off >= bytes.size()) return "";
    const char* s = bytes.data() + base + off;
    return std::string(s, strnlen(s, bytes.size() - base - off));
  };
  for (uint32_t i = 0; i < count && base + kHeader + (i + 1) * kEntry <= bytes.size(); ++i) {
    uint32_t key = 0, value = 0;
    std::memcpy(&key, bytes.data() + base + kHeader + i * kEntry + 4, 4);
    std::memcpy(&value, bytes.data() + base + kHeader + i * kEntry + 8, 4);
    out.emplace_back(str(key), str(value));
  }
  return out;
}

std::string directory_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
}

// $ORIGIN (and ${ORIGIN}) stand for the directory of the object naming the path.
std::string expand_origin(std::string dir, const std::string& origin) {
  for (const std::string token : {"${ORIGIN}", "$ORIGIN"})
    for (size_t at; (at = dir.find(token)) != std::string::npos;) dir.replace(at, token.size(), origin);
  return dir;
}

// Resolves a program's DT_NEEDED libraries transitively, in the dynamic loader's
// search order: DT_RPATH of the requesting object and of the objects that loaded
// it (when the requesting object has no DT_RUNPATH), LD_LIBRARY_PATH, its
// DT_RUNPATH, /etc/ld.so.cache, then the default directories. A library of the
// wrong architecture is skipped, as the loader does.
class ClosureResolver {
 public:
  explicit ClosureResolver(uint16_t machine) : machine_(machine) {
    if (const char* l = std::getenv("LD_LIBRARY_PATH")) library_path_ = split(l, ':');
  }

  // Path and whether it was found through the program's own search paths.
  std::pair<std::string, bool> find(const std::string& name, const std::vector<const ElfObject*>& chain,
                                    const std::vector<std::string>& origins) {
    if (name.find('/') != std::string::npos) return {usable(name) ? name : "", true};
    const ElfObject& requester = *chain.back();
    if (requester.runpath.empty())
      for (size_t i = chain.size(); i-- > 0;)
        for (const std::string& dir : chain[i]->rpath)
          if (std::string p = expand_origin(dir, origins[i]) + "/" + name; usable(p)) return {p, true};
    for (const std::string& dir : library_path_)
      if (std::string p = dir + "/" + name; usable(p)) return {p, true};
    for (const std::string& dir : requester.runpath)
      if (std::string p = expand_origin(dir, origins.back()) + "/" + name; usable(p)) return {p, true};
    if (!cache_loaded_) {
      cache_ = read_ld_so_cache();
      cache_loaded_ = true;
    }
    for (const auto& [key, path] : cache_)
      if (key == name && usable(path)) return {path, false};
    for (const char* dir : {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                            "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib"})
      if (std::string p = std::string(dir) + "/" + name; usable(p)) return {p, false};
    return {"", false};
  }

  const ElfObject& object(const std::string& path) {
    auto it = objects_.find(path);
    if (it == objects_.end()) it = objects_.emplace(path, read_elf(path)).first;
    return it->second;
  }

 private:
  bool usable(const std::string& path) {
    if (access(path.c_str(), R_OK) != 0) return false;
    const ElfObject& o = object(path);
    return o.ok && o.machine == machine_;
  }
  uint16_t machine_;
  std::vector<std::string> library_path_;
  std::vector<std::pair<std::string, std::string>> cache_;
  bool cache_loaded_ = false;
  std::map<std::string, ElfObject> objects_;
};

}  // namespace

ProgramInfo inspect_program(const std::string& path) {
  ProgramInfo info;
  info.path = path;
  ElfObject exe = read_elf(path);
  if (!exe.ok) return info;
  info.is_elf = true;
  info.needed = exe.needed;
  info.undefined = exe.undefined;
  info.cuda_inside = exe.cuda_inside;

  // Breadth first, as the loader orders its search list; each name loads once.
  struct Pending {
    std::string name;
    std::vector<const ElfObject*> chain;  // the objects that led here, the requester last
    std::vector<std::string> origins;     // their directories, for $ORIGIN
    std::string via;
  };
  ClosureResolver resolver(exe.machine);
  std::deque<Pending> queue;
  for (const std::string& n : exe.needed) queue.push_back({n, {&exe}, {directory_of(path)}, ""});
  std::set<std::string> seen;
  while (!queue.empty()) {
    Pending p = std::move(queue.front());
    queue.pop_front();
    if (!seen.insert(p.name).second) continue;
    auto [found, own] = resolver.find(p.name, p.chain, p.origins);
    info.libraries.push_back({p.name, found, p.via, own && !found.empty()});
    if (found.empty()) continue;
    const ElfObject& lib = resolver.object(found);
    // A library that is part of the program (not of the system) calls I/O and
    // thread functions on the program's behalf.
    if (info.libraries.back().own) {
      info.undefined.insert(info.undefined.end(), lib.undefined.begin(), lib.undefined.end());
      info.cuda_inside = info.cuda_inside || lib.cuda_inside;
    }
    for (const std::string& n : lib.needed) {
      Pending next{n, p.chain, p.origins, p.via.empty() ? p.name : p.via};
      next.chain.push_back(&lib);
      next.origins.push_back(directory_of(found));
      queue.push_back(std::move(next));
    }
  }
  return info;
}

namespace {

// Words of one shell line, split at blanks and at ; & | ( ) outside quotes;
// quotes are removed. Enough to find command names, not a shell parser.
std::vector<std::vector<std::string>> simple_commands(const std::string& line) {
  std::vector<std::vector<std::string>> out(1);
  std::string word;
  bool in_word = false;
  char quote = 0;
  auto end_word = [&] {
    if (in_word) out.back().push_back(word);
    word.clear();
    in_word = false;
  };
  for (char c : line) {
    if (quote) {
      if (c == quote) quote = 0;
      else word += c;
      continue;
    }
    if (c == '#' && !in_word) break;
    if (c == '\'' || c == '"') {
      quote = c;
      in_word = true;
    } else if (c == ' ' || c == '\t') {
      end_word();
    } else if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`') {
      end_word();
      if (!out.back().empty()) out.emplace_back();
    } else {
      word += c;
      in_word = true;
    }
  }
  end_word();
  if (out.back().empty()) out.pop_back();
  return out;
}

bool is_shell_word(const std::string& w) {
  static const std::set<std::string> kWords = {
      "if", "then", "else", "elif", "fi", "for", "while", "until", "do", "done", "case", "esac", "in", "function",
      "{", "}", "!", "[", "[[", "]]", "test", "echo", "printf", "cd", "export", "set", "unset", "shift", "read",
      "source", ".", "true", "false", "exit", "return", "local", "declare", "eval", "wait", "trap", "ulimit",
      "umask", "alias", "let", "break", "continue", ":", "pushd", "popd", "getopts", "readonly", "type", "command"};
  return kWords.count(w) > 0;
}

}  // namespace

std::vector<std::vector<std::string>> script_commands(const std::string& path) {
  std::vector<std::vector<std::string>> out;
  std::ifstream in(path);
  std::string line;
  if (!std::getline(in, line) || line.rfind("#!", 0) != 0) return out;
  // The interpreter counts unless it is a shell: a shell only reads the script
  // and runs the programs named in it (`#!/usr/bin/env python3` names python3).
  std::istringstream shebang(line.substr(2));
  std::vector<std::string> interpreter{std::istream_iterator<std::string>(shebang), {}};
  if (!interpreter.empty() && interpreter[0].substr(interpreter[0].rfind('/') + 1) == "env")
    interpreter.erase(interpreter.begin());
  static const std::set<std::string> kShells = {"sh", "bash", "dash", "zsh", "ksh", "csh", "tcsh", "ash", "busybox"};
  if (!interpreter.empty() && !kShells.count(interpreter[0].substr(interpreter[0].rfind('/') + 1)))
    out.push_back(interpreter);
  while (std::getline(in, line))
    for (std::vector<std::string> words : simple_commands(line)) {
      size_t first = 0;
      while (first < words.size() &&
             (words[first].find('=') != std::string::npos || words[first] == "exec" || words[first] == "env" ||
              words[first] == "time" || words[first] == "nohup"))
        ++first;
      if (first == words.size() || is_shell_word(words[first]) || words[first].find('$') != std::string::npos) continue;
      out.emplace_back(words.begin() + static_cast<long>(first), words.end());
    }
  return out;
}

}  // namespace rondo::cli
