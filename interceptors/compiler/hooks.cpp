// -finstrument-functions hooks: every instrumented function's entry and exit.
//
// The hooks get a code address. Addresses are turned into regions once (symbol
// lookup, demangling, the RONDO_FILTER include/exclude rules) and remembered in a
// small per-thread table, so the steady-state cost is one table probe plus the
// recording itself. Built without -finstrument-functions, like all of Rondo.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unordered_map>

#include "name_filter.h"
#include "rondo/trace/runtime.h"
#include "symbol_resolver.h"

namespace {

using rondo::trace::g_recording;

constexpr uint32_t kExcluded = UINT32_MAX;

struct Resolver {
  std::mutex mutex;
  rondo::compiler::SymbolResolver symbols;
  rondo::compiler::NameFilter filter;
  std::unordered_map<const void*, uint32_t> regions;
};

Resolver* g_resolver = nullptr;

__attribute__((constructor)) void rondo_compiler_init() {
  if (!rondo::trace::start()) return;
  auto* r = new Resolver;  // never freed: hooks may run during exit
  if (const char* spec = std::getenv("RONDO_FILTER"); spec && *spec) {
    try {
      r->filter = rondo::compiler::NameFilter::parse(spec);
    } catch (const std::exception& e) {
      rondo::trace::inform(std::string("RONDO_FILTER ignored: ") + e.what(), true);
    }
  }
  g_resolver = r;
}

uint32_t resolve_slow(const void* fn) {
  Resolver* r = g_resolver;
  std::lock_guard<std::mutex> lock(r->mutex);
  auto it = r->regions.find(fn);
  if (it != r->regions.end()) return it->second;
  auto symbol = r->symbols.resolve(fn);
  uint32_t region = r->filter.accepts(symbol.name)
                        ? rondo::trace::define_region(symbol.name, rondo::format::RegionRole::Function, symbol.file,
                                                      symbol.line)
                        : kExcluded;
  r->regions.emplace(fn, region);
  return region;
}

// Direct-mapped per-thread cache: address -> region.
struct CacheEntry {
  const void* fn;
  uint32_t region;
};
constexpr size_t kCacheSize = 4096;
thread_local CacheEntry t_cache[kCacheSize] __attribute__((tls_model("initial-exec")));

// A cached address needs no check here: RecordGuard tests whether the process
// is recorded, once per event. Resolving a new one does.
inline uint32_t region_of(const void* fn) {
  auto slot = (reinterpret_cast<uintptr_t>(fn) >> 4) & (kCacheSize - 1);
  CacheEntry& e = t_cache[slot];
  if (__builtin_expect(e.fn == fn, 1)) return e.region;
  if (!g_recording.load(std::memory_order_relaxed) || !g_resolver) return kExcluded;
  // Recording must not start inside symbol lookup (it allocates and takes locks).
  rondo::trace::RecordGuard busy;
  uint32_t region = resolve_slow(fn);
  e = CacheEntry{fn, region};
  return region;
}

}  // namespace

extern "C" {

void __cyg_profile_func_enter(void* fn, void* call_site) __attribute__((no_instrument_function));
void __cyg_profile_func_exit(void* fn, void* call_site) __attribute__((no_instrument_function));

void __cyg_profile_func_enter(void* fn, void*) {
  uint32_t region = region_of(fn);
  // The instrumented function called us: its stack pointer is our frame's CFA.
  // A longjmp or a caught exception that lands above it ends this call.
  if (region != kExcluded)
    rondo::trace::record_enter_from(region, reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa()));
}

void __cyg_profile_func_exit(void* fn, void*) {
  uint32_t region = region_of(fn);
  if (region != kExcluded) rondo::trace::record_leave(region);
}

}  // extern "C"
