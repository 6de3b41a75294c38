#include "symbol_resolver.h"

#include <cxxabi.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>

namespace rondo::compiler {
namespace detail {
namespace {

// ElfW(...) from <link.h> names the ELF types of the host's class, so a 64-bit build reads 64-bit files and a
// 32-bit build 32-bit ones. Files of the other class or byte order are rejected rather than converted.
using Ehdr = ElfW(Ehdr);
using Shdr = ElfW(Shdr);
using Sym = ElfW(Sym);

#if __ELF_NATIVE_CLASS == 64
constexpr unsigned char kHostClass = ELFCLASS64;
#else
constexpr unsigned char kHostClass = ELFCLASS32;
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
constexpr unsigned char kHostData = ELFDATA2LSB;
#else
constexpr unsigned char kHostData = ELFDATA2MSB;
#endif

// True if [offset, offset + length) lies within `size` bytes; written so that garbage values cannot overflow.
bool in_bounds(uint64_t offset, uint64_t length, uint64_t size) {
  return offset <= size && length <= size - offset;
}

// A table of `count` records of type T at `offset`: in bounds and aligned, so it can be read in place.
template <typename T>
bool table_fits(uint64_t offset, uint64_t count, uint64_t file_size) {
  return offset % alignof(T) == 0 && count <= file_size / sizeof(T) &&
         in_bounds(offset, count * sizeof(T), file_size);
}

bool is_defined_function(const Sym& s) {
  const unsigned type = ELF64_ST_TYPE(s.st_info);  // same encoding in ELF32
  return (type == STT_FUNC || type == STT_GNU_IFUNC) && s.st_shndx != SHN_UNDEF && s.st_value != 0;
}

// Several names often share one address (C++ constructor variants, libc's getpid/__getpid, ...). Prefer the
// one with a size (so interior addresses resolve), then an exported name over a file-local one.
uint8_t alias_rank(const Sym& s) {
  const unsigned bind = ELF64_ST_BIND(s.st_info);
  const uint8_t binding_rank = bind == STB_GLOBAL ? 0 : bind == STB_WEAK ? 1 : 2;
  return static_cast<uint8_t>((s.st_size == 0 ? 4 : 0) + binding_rank);
}

}  // namespace

ElfFunctionTable::ElfFunctionTable(const char* path) noexcept {
  try {
    load(path);
  } catch (...) {  // only bad_alloc can get here; an empty table just means "unknown"
    entries_.clear();
  }
  if (entries_.empty()) unmap();  // nothing points into the mapping: do not keep it
}

ElfFunctionTable::~ElfFunctionTable() { unmap(); }

void ElfFunctionTable::unmap() noexcept {
  if (map_ != nullptr) ::munmap(map_, map_size_);
  map_ = nullptr;
  map_size_ = 0;
}

void ElfFunctionTable::load(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < static_cast<off_t>(sizeof(Ehdr))) {
    ::close(fd);
    return;
  }
  // Kept mapped (not copied) because symbol names are read in place. The loader maps the same file for the
  // code itself, so a file truncated underneath us would already break the traced program.
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (map == MAP_FAILED) return;
  map_ = map;
  map_size_ = static_cast<size_t>(st.st_size);

  const auto* bytes = static_cast<const unsigned char*>(map_);
  const uint64_t file_size = map_size_;
  const auto* eh = reinterpret_cast<const Ehdr*>(bytes);
  if (std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != kHostClass ||
      eh->e_ident[EI_DATA] != kHostData || eh->e_shoff == 0 || eh->e_shentsize != sizeof(Shdr) ||
      !table_fits<Shdr>(eh->e_shoff, 1, file_size)) {
    return;
  }
  const auto* sections = reinterpret_cast<const Shdr*>(bytes + eh->e_shoff);
  // With 0xff00 or more sections e_shnum is 0 and the real count sits in the first section header.
  const uint64_t section_count = eh->e_shnum != 0 ? eh->e_shnum : sections[0].sh_size;
  if (!table_fits<Shdr>(eh->e_shoff, section_count, file_size)) return;

  auto collect = [&](const Shdr& symtab) {
    if (symtab.sh_entsize != sizeof(Sym) || symtab.sh_link >= section_count) return;
    const uint64_t symbol_count = symtab.sh_size / sizeof(Sym);
    if (!table_fits<Sym>(symtab.sh_offset, symbol_count, file_size)) return;
    const Shdr& strtab = sections[symtab.sh_link];
    // A string table ending in NUL guarantees that every in-range name is terminated inside the file.
    if (strtab.sh_type != SHT_STRTAB || strtab.sh_size == 0 ||
        !in_bounds(strtab.sh_offset, strtab.sh_size, file_size) ||
        bytes[strtab.sh_offset + strtab.sh_size - 1] != '\0') {
      return;
    }
    const auto* symbols = reinterpret_cast<const Sym*>(bytes + symtab.sh_offset);
    const auto* names = reinterpret_cast<const char*>(bytes + strtab.sh_offset);
    for (uint64_t i = 0; i < symbol_count; ++i) {
      const Sym& s = symbols[i];
      if (!is_defined_function(s) || s.st_name == 0 || s.st_name >= strtab.sh_size) continue;
      entries_.push_back({static_cast<uintptr_t>(s.st_value), static_cast<uintptr_t>(s.st_size),
                          names + s.st_name, alias_rank(s)});
    }
  };
  // .symtab is a superset of .dynsym and also has static functions; stripped files only have .dynsym.
  for (const uint32_t wanted : {SHT_SYMTAB, SHT_DYNSYM}) {
    for (uint64_t i = 0; i < section_count; ++i) {
      if (sections[i].sh_type == wanted) collect(sections[i]);
    }
    if (!entries_.empty()) break;
  }

  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    return a.address != b.address ? a.address < b.address : a.rank < b.rank;
  });
  // Keep only the preferred alias per address, so a lookup only ever needs to look at one candidate.
  entries_.erase(std::unique(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.address == b.address; }),
                 entries_.end());
  entries_.shrink_to_fit();
}

const char* ElfFunctionTable::find(uintptr_t link_address) const noexcept {
  auto it = std::upper_bound(entries_.begin(), entries_.end(), link_address,
                             [](uintptr_t address, const Entry& e) { return address < e.address; });
  if (it == entries_.begin()) return nullptr;
  --it;
  // A symbol without size (some hand-written assembly) only claims its exact start address.
  const uintptr_t extent = it->size != 0 ? it->size : 1;
  return link_address - it->address < extent ? it->name : nullptr;
}

}  // namespace detail

namespace {

// One loaded ELF object as reported by dl_iterate_phdr. Its symbol table is read on first use only: most
// libraries of a process never show up in an instrumented trace.
struct Module {
  std::string path;    // file to read; empty if there is none (e.g. the vDSO)
  uintptr_t bias = 0;  // runtime address = link-time address + bias
  std::vector<std::pair<uintptr_t, uintptr_t>> segments;  // runtime [begin, end) of each PT_LOAD
  std::unique_ptr<detail::ElfFunctionTable> table;

  bool contains(uintptr_t address) const {
    for (const auto& [begin, end] : segments) {
      if (address >= begin && address < end) return true;
    }
    return false;
  }
  bool same_object(const Module& other) const {
    return path == other.path && bias == other.bias && segments == other.segments;
  }
};

int collect_module(dl_phdr_info* info, size_t, void* data) {
  auto& modules = *static_cast<std::vector<Module>*>(data);
  try {  // an exception must not unwind through the C library's iteration
    Module m;
    // The main program is reported first, with an empty name; /proc/self/exe reaches its file even if it was
    // deleted or renamed since.
    if (info->dlpi_name != nullptr && info->dlpi_name[0] != '\0') {
      m.path = info->dlpi_name;
    } else if (modules.empty()) {
      m.path = "/proc/self/exe";
    }
    m.bias = info->dlpi_addr;
    for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
      const ElfW(Phdr)& ph = info->dlpi_phdr[i];
      if (ph.p_type == PT_LOAD && ph.p_memsz != 0) {
        const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
        m.segments.emplace_back(begin, begin + ph.p_memsz);
      }
    }
    modules.push_back(std::move(m));
  } catch (...) {
    return 1;  // stop iterating; the modules gathered so far are still usable
  }
  return 0;
}

// glibc's running counts of objects ever loaded and unloaded (from the first dl_iterate_phdr record, which is
// cheap to reach); any change means the module list may be stale. nullopt if the C library lacks the fields.
using LoadCounters = std::pair<unsigned long long, unsigned long long>;

std::optional<LoadCounters> load_counters() {
  std::optional<LoadCounters> counters;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t size, void* data) {
        if (size >= offsetof(dl_phdr_info, dlpi_subs) + sizeof(info->dlpi_subs)) {
          *static_cast<std::optional<LoadCounters>*>(data) = LoadCounters{info->dlpi_adds, info->dlpi_subs};
        }
        return 1;  // one record is enough
      },
      &counters);
  return counters;
}

// LTO renames a file-local symbol "f" to "f.lto_priv.N" only to keep it unique across the link; the code is
// still the original function, so report its source name and keep trace names independent of -flto. Suffixes
// of real clones (.isra, .constprop, .part, .cold) are kept: the demangler shows them as "[clone ...]".
std::string_view strip_lto_suffix(std::string_view raw) {
  constexpr std::string_view kSuffix = ".lto_priv.";
  const size_t pos = raw.rfind(kSuffix);
  if (pos == std::string_view::npos || pos == 0) return raw;
  const std::string_view number = raw.substr(pos + kSuffix.size());
  if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) return raw;
  return raw.substr(0, pos);
}

// Mangled C++ names are demangled; anything else (C names, failed demangling) is returned as is.
std::string demangle(const char* raw) {
  const std::string name(strip_lto_suffix(raw));
  if (name.size() > 2 && name[0] == '_' && name[1] == 'Z') {
    int status = 0;
    std::unique_ptr<char, decltype(&std::free)> demangled(
        abi::__cxa_demangle(name.c_str(), nullptr, nullptr, &status), &std::free);
    if (status == 0 && demangled) return demangled.get();
  }
  return name;
}

std::string hex_address(uintptr_t address) {
  char buffer[2 + 2 * sizeof(uintptr_t)] = {'0', 'x'};
  const auto result = std::to_chars(buffer + 2, buffer + sizeof(buffer), address, 16);
  return std::string(buffer, result.ptr);
}

}  // namespace

struct SymbolResolver::Impl {
  std::mutex mutex;
  std::vector<Module> modules;
  std::optional<LoadCounters> counters;  // as of the last rescan

  Module* find(uintptr_t address) {
    for (Module& m : modules) {
      if (m.contains(address)) return &m;
    }
    return nullptr;
  }

  // Re-read the list of loaded objects, picking up dlopen()ed libraries and dropping dlclose()d ones. Objects
  // still loaded keep their already-read symbol table.
  void rescan() {
    std::vector<Module> fresh;
    dl_iterate_phdr(collect_module, &fresh);
    for (Module& m : fresh) {
      for (Module& old : modules) {
        if (old.table && m.same_object(old)) {
          m.table = std::move(old.table);
          break;
        }
      }
    }
    modules = std::move(fresh);
  }
};

SymbolResolver::SymbolResolver() : impl_(std::make_unique<Impl>()) {}

SymbolResolver::~SymbolResolver() = default;

SymbolResolver::Symbol SymbolResolver::resolve(const void* address) {
  const auto addr = reinterpret_cast<uintptr_t>(address);
  try {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    // Rescan after any dlopen/dlclose. Without this, an address inside a library that was unloaded (and maybe
    // replaced by another one at the same place) would still be looked up in the old library's symbols.
    const std::optional<LoadCounters> counters = load_counters();
    if (counters && counters != impl_->counters) {
      impl_->rescan();
      impl_->counters = counters;
    }
    Module* module = impl_->find(addr);
    if (module == nullptr && !counters) {  // no counters to tell: the address may be in a new library
      impl_->rescan();
      module = impl_->find(addr);
    }
    if (module != nullptr) {
      if (!module->table) module->table = std::make_unique<detail::ElfFunctionTable>(module->path.c_str());
      if (const char* raw = module->table->find(addr - module->bias)) return Symbol{demangle(raw), {}, 0};
    }
  } catch (...) {  // allocation failure or a broken mutex: fall back to the address, never propagate
  }
  try {
    return Symbol{hex_address(addr), {}, 0};
  } catch (...) {
    return Symbol{};  // out of memory even for the hex form; empty strings do not allocate
  }
}

}  // namespace rondo::compiler
