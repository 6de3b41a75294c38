#include "call_site_names.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <mutex>

#include "rondo/trace/call_sites.h"
#include "symbol_resolver.h"

namespace rondo::interpose {
namespace {

// libdw is opened (RTLD_LOCAL) only when names are wanted, at the end of a
// recording with call sites: a traced program never gets it, or its libelf,
// among its global symbols.
struct LineTables {
  decltype(&dwfl_begin) begin = nullptr;
  decltype(&dwfl_linux_proc_report) report_process = nullptr;
  decltype(&dwfl_report_end) report_end = nullptr;
  decltype(&dwfl_addrmodule) module_of = nullptr;
  decltype(&dwfl_module_getsrc) line_of = nullptr;
  decltype(&dwfl_lineinfo) line_info = nullptr;
  Dwfl_Callbacks callbacks{};
  Dwfl* dwfl = nullptr;

  LineTables() {
    void* lib = dlopen("libdw.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    auto find = [&](auto& fn, const char* name) { fn = reinterpret_cast<std::remove_reference_t<decltype(fn)>>(dlsym(lib, name)); };
    find(begin, "dwfl_begin");
    find(report_process, "dwfl_linux_proc_report");
    find(report_end, "dwfl_report_end");
    find(module_of, "dwfl_addrmodule");
    find(line_of, "dwfl_module_getsrc");
    find(line_info, "dwfl_lineinfo");
    callbacks.find_elf = reinterpret_cast<decltype(callbacks.find_elf)>(dlsym(lib, "dwfl_linux_proc_find_elf"));
    callbacks.find_debuginfo =
        reinterpret_cast<decltype(callbacks.find_debuginfo)>(dlsym(lib, "dwfl_standard_find_debuginfo"));
    if (!begin || !report_process || !report_end || !module_of || !line_of || !line_info || !callbacks.find_elf ||
        !callbacks.find_debuginfo)
      return;
    dwfl = begin(&callbacks);
    if (dwfl && (report_process(dwfl, getpid()) != 0 || report_end(dwfl, nullptr, nullptr) != 0)) dwfl = nullptr;
  }

  // File and line of the instruction at `address`, when debug information says.
  bool find(uintptr_t address, std::string& file, uint32_t& line) const {
    if (!dwfl) return false;
    Dwfl_Module* module = module_of(dwfl, address);
    Dwfl_Line* entry = module ? line_of(module, address) : nullptr;
    int number = 0;
    const char* name = entry ? line_info(entry, nullptr, &number, nullptr, nullptr, nullptr) : nullptr;
    if (!name) return false;
    file = name;
    line = static_cast<uint32_t>(number);
    return true;
  }
};

trace::ResolvedFrame resolve(uintptr_t address) {
  static compiler::SymbolResolver* symbols = new compiler::SymbolResolver;
  static LineTables* lines = new LineTables;
  // A return address follows the call instruction: the call is the byte before.
  uintptr_t call = address - 1;
  trace::ResolvedFrame out;
  compiler::SymbolResolver::Symbol s = symbols->resolve(reinterpret_cast<const void*>(call));
  if (s.name.rfind("0x", 0) != 0) out.function = s.name;  // "0x..." means unknown
  lines->find(call, out.file, out.line);
  return out;
}

}  // namespace

void register_call_site_names() { trace::set_call_site_resolver(resolve); }

}  // namespace rondo::interpose
