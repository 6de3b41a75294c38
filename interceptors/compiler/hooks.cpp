// -finstrument-functions hooks: every instrumented function's entry and exit.
//
// The hooks get a code address. Addresses are turned into regions once (symbol
// lookup, demangling, the RONDO_FILTER include/exclude rules) and remembered in a
// small per-thread cache in front of a process-wide lock-free table, so the
// steady-state cost is one cache probe plus the recording itself. Built without
// -finstrument-functions, like all of Rondo.
//
// Naming a function allocates and takes locks (the resolver's, the runtime's
// definitions lock), which a signal handler must not do: the code it interrupted
// may hold them, on this very thread. A function first met inside a handler
// (signal_context.h) gets a region id reserved lock-free in the table and is
// recorded under it at once; its name is defined later, outside any handler: at
// the next first call of a function that is not in a handler, or when the trace
// is flushed (exit, fatal signal, MPI_Finalize). With RONDO_FILTER, whose rules
// need the name, such calls are left out until the name is known.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <unistd.h>
#include <unordered_map>

#include "name_filter.h"
#include "region_table.h"
#include "rondo/trace/extra_locations.h"
#include "rondo/trace/runtime.h"
#include "signal_context.h"
#include "symbol_resolver.h"

namespace {

using rondo::compiler::EntryState;
using rondo::compiler::Lookup;
using rondo::compiler::region_table;
using rondo::trace::g_recording;

constexpr uint32_t kExcluded = UINT32_MAX;
// Not recorded this time and not cached: asked again at the next call.
constexpr uint32_t kNotNow = UINT32_MAX - 1;

struct Resolver {
  std::mutex mutex;
  rondo::compiler::SymbolResolver symbols;
  rondo::compiler::NameFilter filter;
  bool filtering = false;
  // Functions beyond the lock-free table's capacity.
  std::unordered_map<const void*, uint32_t> overflow;
};

Resolver* g_resolver = nullptr;

// Caller holds r->mutex. Defines `fn`'s region (with id `reserved` when one was
// reserved for it in a handler); returns whether the filter keeps it.
bool name_function(Resolver* r, const void* fn, uint32_t reserved, uint32_t& region) {
  auto symbol = r->symbols.resolve(fn);
  bool keep = r->filter.accepts(symbol.name);
  if (reserved != kExcluded) {
    // Defined even when excluded: the id exists, and its definition costs nothing.
    rondo::trace::define_reserved_region(reserved, symbol.name, rondo::format::RegionRole::Function, symbol.file,
                                         symbol.line);
    region = reserved;
  } else {
    region = keep ? rondo::trace::define_region(symbol.name, rondo::format::RegionRole::Function, symbol.file,
                                                symbol.line)
                  : kExcluded;
  }
  return keep;
}

// Caller holds r->mutex: names the functions first met in handlers.
void name_reserved_locked(Resolver* r) {
  region_table().name_reserved(
      [](const void* fn, uint32_t reserved, void* context) {
        uint32_t region;
        return name_function(static_cast<Resolver*>(context), fn, reserved, region);
      },
      r);
}

// Flush hook (exit, fatal signal from the flusher thread, MPI_Finalize): the
// names of regions recorded so far must reach the trace. After a fatal signal
// the crashed thread may hold the resolver's lock: then they stay unnamed.
void name_reserved_at_flush() {
  Resolver* r = g_resolver;
  if (!r || !region_table().has_reserved()) return;
  rondo::trace::RecordGuard busy;  // nothing this does is the application's
  std::unique_lock<std::mutex> lock(r->mutex, std::try_to_lock);
  for (int i = 0; i < 100 && !lock.owns_lock(); ++i) {
    usleep(1000);
    lock.try_lock();
  }
  if (lock.owns_lock()) name_reserved_locked(r);
}

__attribute__((constructor)) void rondo_compiler_init() {
  if (!rondo::trace::start()) return;
  auto* r = new Resolver;  // never freed: hooks may run during exit
  if (const char* spec = std::getenv("RONDO_FILTER"); spec && *spec) {
    try {
      r->filter = rondo::compiler::NameFilter::parse(spec);
      r->filtering = true;
    } catch (const std::exception& e) {
      rondo::trace::inform(std::string("RONDO_FILTER ignored: ") + e.what(), true);
    }
  }
  rondo::trace::add_flush_hook(name_reserved_at_flush);
  g_resolver = r;
}

uint32_t recorded_region(const Lookup& l, bool filtering) {
  switch (l.state) {
    case EntryState::Named: return l.region;
    case EntryState::Excluded: return kExcluded;
    case EntryState::Reserved: return filtering ? kNotNow : l.region;
    case EntryState::Claimed: break;
  }
  return kNotNow;
}

// Outside signal handlers: may allocate and lock.
uint32_t resolve_slow(const void* fn) {
  Resolver* r = g_resolver;
  std::lock_guard<std::mutex> lock(r->mutex);
  name_reserved_locked(r);
  Lookup found;
  if (region_table().find(fn, found) && found.state != EntryState::Claimed)
    return recorded_region(found, r->filtering);
  if (auto it = r->overflow.find(fn); it != r->overflow.end()) return it->second;
  uint32_t region;
  bool keep = name_function(r, fn, kExcluded, region);
  if (!region_table().insert(fn, keep ? EntryState::Named : EntryState::Excluded, region, found)) {
    r->overflow.emplace(fn, region);
    return region;
  }
  if (found.state == EntryState::Reserved) {  // a handler reserved it meanwhile: name that one
    name_reserved_locked(r);
    region_table().find(fn, found);
  }
  return recorded_region(found, r->filtering);
}

// Inside a signal handler: async-signal-safe (no allocation, no lock).
uint32_t resolve_in_handler(const void* fn) {
  Lookup found;
  if (!region_table().find_or_reserve(fn, found)) return kNotNow;
  return recorded_region(found, g_resolver->filtering);
}

// Direct-mapped per-thread cache: address -> region.
struct CacheEntry {
  const void* fn;
  uint32_t region;
};
constexpr size_t kCacheSize = 4096;
thread_local CacheEntry t_cache[kCacheSize] __attribute__((tls_model("initial-exec")));

inline CacheEntry& cache_entry(const void* fn) {
  return t_cache[(reinterpret_cast<uintptr_t>(fn) >> 4) & (kCacheSize - 1)];
}

// The region of an address this thread's cache does not hold (kNotNow: none
// now, kExcluded: never), which it then holds. A cached address needs no check
// whether the process is recorded: the recording path tests that once per
// event. Resolving a new one does.
__attribute__((noinline)) uint32_t region_of_uncached(const void* fn) {
  CacheEntry& e = cache_entry(fn);
  if (!g_resolver) return kExcluded;
  uint32_t region;
  {
    // Recording must not start inside symbol lookup (it allocates and takes
    // locks); and when this thread is inside the recorder or a wrapped call
    // already (a handler interrupted it there), this call is not recorded.
    rondo::trace::RecordGuard busy;
    if (!busy.ok() && !rondo::trace::handler_recorder()) return kNotNow;
    // A function already named (a miss of this thread's small cache: another
    // thread named it, or two addresses share a cache slot) needs neither the
    // resolver's lock nor to know whether a handler runs (a system call).
    Lookup known;
    if (region_table().find(fn, known) &&
        (known.state == EntryState::Named || known.state == EntryState::Excluded))
      region = recorded_region(known, false);
    else
      region = rondo::compiler::in_signal_handler() ? resolve_in_handler(fn) : resolve_slow(fn);
  }
  if (region == kNotNow) return region;
  // A handler on this thread may read the entry between two of these stores:
  // it must never see `fn` with another function's region.
  e.fn = nullptr;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  e.region = region;
  std::atomic_signal_fence(std::memory_order_seq_cst);
  e.fn = fn;
  return region;
}

inline bool recorded(uint32_t region) { return region < kNotNow; }

// The hooks' paths for an address the cache does not hold (out of line, so the
// hooks' fast path makes no call but in tail position).
__attribute__((noinline)) void enter_uncached(const void* fn, uintptr_t stack) {
  uint32_t region = region_of_uncached(fn);
  if (recorded(region)) rondo::trace::record_enter_from(region, stack);
}
__attribute__((noinline)) void exit_uncached(const void* fn) {
  uint32_t region = region_of_uncached(fn);
  if (recorded(region)) rondo::trace::record_leave(region);
}

}  // namespace

extern "C" {

void __cyg_profile_func_enter(void* fn, void* call_site) __attribute__((no_instrument_function));
void __cyg_profile_func_exit(void* fn, void* call_site) __attribute__((no_instrument_function));

void __cyg_profile_func_enter(void* fn, void*) {
  // The instrumented function called us: its stack pointer is our frame's CFA.
  // A longjmp or a caught exception that lands above it ends this call.
  const auto stack = reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa());
  const CacheEntry& e = cache_entry(fn);
  if (__builtin_expect(e.fn != fn, 0)) return enter_uncached(fn, stack);
  if (recorded(e.region)) rondo::trace::record_enter_hook(e.region, stack);
}

void __cyg_profile_func_exit(void* fn, void*) {
  const CacheEntry& e = cache_entry(fn);
  if (__builtin_expect(e.fn != fn, 0)) return exit_uncached(fn);
  if (recorded(e.region)) rondo::trace::record_leave_hook(e.region);
}

}  // extern "C"
