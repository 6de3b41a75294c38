// Call-site capture (call_sites.h).
//
// libunwind is opened with dlopen(RTLD_LOCAL) only when call sites are on: it
// also defines _Unwind_* and backtrace(), which must not replace the C++
// runtime's own for the traced program.
#include "rondo/trace/call_sites.h"

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "rondo/format/definitions.h"
#include "rondo/trace/runtime.h"

namespace rondo::trace {

int g_callstack_depth = 0;

namespace {

using BacktraceFn = int (*)(void** buffer, int size);
BacktraceFn g_backtrace = nullptr;
std::atomic<CallSiteResolver> g_resolver{nullptr};

// Code of Rondo's own libraries (librondo*.so, all loaded before start():
// preloaded), whose frames are never part of a call site.
struct CodeRange {
  uintptr_t begin, end;
};
constexpr int kMaxRondoRanges = 32;
CodeRange g_rondo_code[kMaxRondoRanges];
int g_rondo_ranges = 0;

int collect_rondo_code(struct dl_phdr_info* info, size_t, void*) {
  const char* path = info->dlpi_name ? info->dlpi_name : "";
  const char* base = std::strrchr(path, '/');
  base = base ? base + 1 : path;
  if (std::strncmp(base, "librondo", 8) != 0) return 0;
  for (int i = 0; i < info->dlpi_phnum && g_rondo_ranges < kMaxRondoRanges; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
    uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    g_rondo_code[g_rondo_ranges++] = CodeRange{begin, begin + ph.p_memsz};
  }
  return 0;
}

bool in_rondo(uintptr_t address) {
  for (int i = 0; i < g_rondo_ranges; ++i)
    if (address >= g_rondo_code[i].begin && address < g_rondo_code[i].end) return true;
  return false;
}

uint64_t hash_frames(const uintptr_t* frames, int n) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(n);
  for (int i = 0; i < n; ++i) {
    h ^= frames[i];
    h *= 0xFF51AFD7ED558CCDull;
    h ^= h >> 32;
  }
  return h ? h : 1;  // 0 marks an empty cache slot
}

// Every distinct stack of the process, by hash (a 64-bit hash of the return
// addresses: two stacks of one process sharing one is not a practical concern).
struct Registry {
  std::mutex mutex;
  std::unordered_map<uint64_t, uint32_t> ids;
  std::vector<std::vector<uintptr_t>> frames;  // by call-site id
};
Registry& registry() {
  static auto* r = new Registry;  // never destroyed: used until the last exit handler
  return *r;
}

uint32_t register_site(uint64_t hash, const uintptr_t* frames, int n) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  auto [it, inserted] = r.ids.try_emplace(hash, static_cast<uint32_t>(r.frames.size()));
  if (inserted) {
    r.frames.emplace_back(frames, frames + n);
    format::CallSiteDef def;
    for (int i = 0; i < n; ++i) def.frames.push_back({frames[i], 0, 0, 0});
    define_call_site(it->second, def);
  }
  return it->second;
}

// Per-thread cache: stack hash -> call-site id + 1, open addressing. A full
// table stops caching (every new lookup takes the registry's lock).
struct SiteCache {
  static constexpr uint32_t kSlots = 1024;
  uint64_t hash[kSlots] = {};
  uint32_t site[kSlots] = {};
  uint32_t used = 0;
};
thread_local std::unique_ptr<SiteCache> t_cache;
// Rondo frames above the application seen on this thread (the margin asked of
// the unwinder beyond the call-site depth).
thread_local int t_rondo_frames = 3;

}  // namespace

void init_call_sites() {
  const char* value = std::getenv("RONDO_CALLSTACK");
  int depth = value ? std::atoi(value) : 0;
  if (depth <= 0) return;
  depth = std::min(depth, kMaxCallStackDepth);
  void* lib = dlopen("libunwind.so.8", RTLD_NOW | RTLD_LOCAL);
  if (!lib) lib = dlopen("libunwind.so", RTLD_NOW | RTLD_LOCAL);
  if (lib) g_backtrace = reinterpret_cast<BacktraceFn>(dlsym(lib, "unw_backtrace"));
  if (!g_backtrace) {
    inform("RONDO_CALLSTACK: libunwind (libunwind.so.8) cannot be loaded; install libunwind8 to record call sites. "
           "Recording goes on without them",
           true);
    return;
  }
  dl_iterate_phdr(collect_rondo_code, nullptr);
  g_callstack_depth = depth;
}

uint32_t capture_call_site() {
  int depth = g_callstack_depth;
  if (depth == 0) return 0;
  // What libunwind and the registry call is not the application's. The caller is
  // a wrapper that records its call (runtime.h, call_site()); an MPI wrapper
  // holds the thread's intercepted call already (InterceptState::inside).
  RecordGuard guard{RecordGuard::OwnCall{}};
  if (!guard.ok()) return 0;
  // Rondo's frames come first: the wrapper, its helpers, this function. Every
  // frame unwound costs (~100 instructions), so ask for as many of them as
  // this thread has seen so far (t_rondo_frames), not for a fixed margin;
  // when a wrapper has more, the stack comes back short of `depth` frames of
  // the application although there were more: unwind again with the margin
  // that wrapper needs (once per new maximum).
  constexpr int kMaxRondoFrames = 16;
  void* raw[kMaxCallStackDepth + kMaxRondoFrames];
  int n = 0, first = 0;
  for (;;) {
    const int asked = depth + t_rondo_frames;
    n = g_backtrace(raw, asked);
    first = 0;
    while (first < n && in_rondo(reinterpret_cast<uintptr_t>(raw[first]))) ++first;
    if (n < asked || first <= t_rondo_frames || t_rondo_frames == kMaxRondoFrames) break;
    t_rondo_frames = std::min(first, kMaxRondoFrames);
  }
  int count = std::min(n - first, depth);
  if (count <= 0) return 0;
  const auto* frames = reinterpret_cast<const uintptr_t*>(raw + first);
  uint64_t h = hash_frames(frames, count);
  SiteCache* cache = t_cache.get();
  if (__builtin_expect(cache == nullptr, 0)) {
    t_cache = std::make_unique<SiteCache>();
    cache = t_cache.get();
  }
  uint32_t slot = static_cast<uint32_t>(h) & (SiteCache::kSlots - 1);
  for (uint32_t probe = 0; probe < SiteCache::kSlots; ++probe, slot = (slot + 1) & (SiteCache::kSlots - 1)) {
    if (cache->hash[slot] == h) return cache->site[slot];
    if (cache->hash[slot] == 0) break;
  }
  uint32_t site = register_site(h, frames, count) + 1;
  if (cache->hash[slot] == 0 && cache->used < SiteCache::kSlots * 3 / 4) {
    cache->hash[slot] = h;
    cache->site[slot] = site;
    ++cache->used;
  }
  return site;
}

void set_call_site_resolver(CallSiteResolver resolver) {
  CallSiteResolver none = nullptr;
  g_resolver.compare_exchange_strong(none, resolver);
}

void resolve_call_sites() {
  CallSiteResolver resolve = g_resolver.load();
  if (!resolve || g_callstack_depth == 0) return;
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  std::unordered_map<uintptr_t, format::CallSiteFrame> known;  // one resolution per address
  for (size_t id = 0; id < r.frames.size(); ++id) {
    format::CallSiteDef def;
    for (uintptr_t address : r.frames[id]) {
      auto [it, inserted] = known.try_emplace(address);
      if (inserted) {
        ResolvedFrame f = resolve(address);
        it->second = {address, f.function.empty() ? 0 : define_string(f.function),
                      f.file.empty() ? 0 : define_string(f.file), f.line};
      }
      def.frames.push_back(it->second);
    }
    define_call_site(static_cast<uint32_t>(id), def);
  }
}

}  // namespace rondo::trace
