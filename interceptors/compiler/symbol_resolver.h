// Address -> function name resolution for the -finstrument-functions interceptor.
//
// __cyg_profile_func_enter(fn, call_site) only hands us a code address. SymbolResolver maps it back to the
// (demangled) name of the function by reading the symbol table of whichever ELF module (main executable or
// shared library) contains the address. It runs inside an LD_PRELOAD library while the traced program runs,
// so it never throws and treats every file it reads as untrusted: anything it cannot make sense of yields the
// "0x<hex>" form of the address instead of a name.
//
// This code must itself be compiled WITHOUT -finstrument-functions: resolve() holds a non-recursive mutex, so
// an instrumented resolver would re-enter itself from its own hooks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace rondo::compiler {

class SymbolResolver {
 public:
  struct Symbol {
    std::string name;  // demangled where the symbol is a mangled C++ name; "0x<hex address>" if unknown
    std::string file;  // source file; always empty for now (no DWARF reading, by design)
    uint32_t line = 0;
  };

  SymbolResolver();
  ~SymbolResolver();
  SymbolResolver(const SymbolResolver&) = delete;
  SymbolResolver& operator=(const SymbolResolver&) = delete;

  // Resolve a code address to the function containing it. Works for the main executable (PIE or not) and
  // every loaded shared library, including ones dlopen()ed after earlier calls (dlclose()d ones are dropped),
  // and for static functions when the module still has its .symtab. A module's file is read on the first
  // address that falls into it. Thread-safe (serialised by a mutex: callers are expected to cache results per
  // address). Never throws.
  Symbol resolve(const void* address);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

namespace detail {

// The function symbols (STT_FUNC, STT_GNU_IFUNC) of one ELF file, sorted by link-time address. Uses .symtab
// when it has any function symbol, else .dynsym. The file stays mmap()ed for the table's lifetime so names
// are read in place instead of copied. Only ELF files of the host's class and byte order are read; any other
// or malformed file gives an empty table. Exposed for tests; SymbolResolver is the public interface.
class ElfFunctionTable {
 public:
  explicit ElfFunctionTable(const char* path) noexcept;
  ~ElfFunctionTable();
  ElfFunctionTable(const ElfFunctionTable&) = delete;
  ElfFunctionTable& operator=(const ElfFunctionTable&) = delete;

  // Raw (possibly mangled) name of the function whose [start, start + size) range holds `link_address`
  // (an address as written in the file, i.e. runtime address minus load bias), or nullptr.
  const char* find(uintptr_t link_address) const noexcept;

  size_t size() const noexcept { return entries_.size(); }

 private:
  struct Entry {
    uintptr_t address;
    uintptr_t size;
    const char* name;  // points into the mapping
    uint8_t rank;      // preference among aliases at one address; lower wins
  };

  void load(const char* path);
  void unmap() noexcept;

  void* map_ = nullptr;
  size_t map_size_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace detail
}  // namespace rondo::compiler
