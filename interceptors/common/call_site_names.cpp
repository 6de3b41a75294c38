#include "call_site_names.h"

#include <dlfcn.h>
#include <elfutils/libdwfl.h>
#include <link.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>

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

// "module+0xOFFSET" for code without a symbol (a stripped program, a static
// function): the offset is the ELF virtual address within the module, what
// `addr2line -e MODULE` takes, and it is the same in every rank of a job,
// where the run-time address differs from process to process (ASLR), so the
// same site of every rank is one call site.
std::string module_offset(uintptr_t address) {
  Dl_info info{};
  link_map* module = nullptr;
  if (!dladdr1(reinterpret_cast<void*>(address), &info, reinterpret_cast<void**>(&module), RTLD_DL_LINKMAP) ||
      !module)
    return "";
  std::string path = module->l_name ? module->l_name : "";
  if (path.empty()) {  // the program itself
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    path.assign(exe, n > 0 ? static_cast<size_t>(n) : 0);
  }
  const char* name = std::strrchr(path.c_str(), '/');
  char offset[32];
  std::snprintf(offset, sizeof offset, "+0x%llx", static_cast<unsigned long long>(address - module->l_addr));
  return std::string(name ? name + 1 : path.c_str()) + offset;
}

trace::ResolvedFrame resolve(uintptr_t address) {
  static compiler::SymbolResolver* symbols = new compiler::SymbolResolver;
  static LineTables* lines = new LineTables;
  // A return address follows the call instruction: the call is the byte before.
  uintptr_t call = address - 1;
  trace::ResolvedFrame out;
  compiler::SymbolResolver::Symbol s = symbols->resolve(reinterpret_cast<const void*>(call));
  if (s.name.rfind("0x", 0) != 0) out.function = s.name;  // "0x..." means unknown
  else out.function = module_offset(call);
  lines->find(call, out.file, out.line);
  return out;
}

}  // namespace

void register_call_site_names() { trace::set_call_site_resolver(resolve); }

}  // namespace rondo::interpose
