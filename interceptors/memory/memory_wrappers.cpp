// The memory module (librondo-memory.so, opt-in: `rondo record -t memory`):
// malloc, calloc, realloc, free, posix_memalign, aligned_alloc and memalign, as
// regions named after the function.
//
// Sizes: every call also records a METRIC sample: "heap bytes requested" (the
// size asked for; realloc: the new size) or "heap bytes freed" (the usable size
// of the block given back).
//
// Finding the real functions calls dlsym, which may itself allocate: until they
// are known, allocations are served from a static buffer (never given back), and
// free() ignores pointers into it.
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "module.h"
#include "rondo/format/records.h"
#include "rondo/trace/runtime.h"

namespace {

namespace trace = rondo::trace;
using rondo::format::EventKey;
using rondo::format::EventKind;

// ---------------------------------------------------------------------------
// The real allocator, and the bootstrap buffer used while looking it up

using MallocFn = void* (*)(size_t);
using CallocFn = void* (*)(size_t, size_t);
using ReallocFn = void* (*)(void*, size_t);
using FreeFn = void (*)(void*);
using PosixMemalignFn = int (*)(void**, size_t, size_t);
using AlignedAllocFn = void* (*)(size_t, size_t);
using UsableSizeFn = size_t (*)(void*);

std::atomic<MallocFn> g_malloc{nullptr};
std::atomic<CallocFn> g_calloc{nullptr};
std::atomic<ReallocFn> g_realloc{nullptr};
std::atomic<FreeFn> g_free{nullptr};
std::atomic<PosixMemalignFn> g_posix_memalign{nullptr};
std::atomic<AlignedAllocFn> g_aligned_alloc{nullptr};
std::atomic<AlignedAllocFn> g_memalign{nullptr};
std::atomic<UsableSizeFn> g_usable_size{nullptr};

constexpr size_t kBootSize = 256 * 1024;
alignas(64) char g_boot[kBootSize];
std::atomic<size_t> g_boot_used{0};

// Each block is preceded by its size (for realloc).
void* boot_alloc(size_t n, size_t align = 16) {
  if (align < 16) align = 16;
  size_t used = g_boot_used.load(std::memory_order_relaxed);
  for (;;) {
    size_t start = (used + sizeof(size_t) + align - 1) & ~(align - 1);
    if (start + n > kBootSize) return nullptr;
    if (g_boot_used.compare_exchange_weak(used, start + n, std::memory_order_relaxed)) {
      std::memcpy(g_boot + start - sizeof(size_t), &n, sizeof n);
      return g_boot + start;
    }
  }
}

size_t boot_size(const void* p) {
  size_t n;
  std::memcpy(&n, static_cast<const char*>(p) - sizeof(size_t), sizeof n);
  return n;
}

inline bool in_boot(const void* p) {
  auto a = reinterpret_cast<uintptr_t>(p);
  auto b = reinterpret_cast<uintptr_t>(g_boot);
  return a >= b && a < b + kBootSize;
}

thread_local bool t_resolving __attribute__((tls_model("initial-exec"))) = false;

// Looks the real functions up (once per thread that gets here first). Returns
// false while this thread is inside the lookup: use the bootstrap buffer.
bool resolve() {
  if (__builtin_expect(g_free.load(std::memory_order_acquire) != nullptr, 1)) return true;
  if (t_resolving) return false;
  t_resolving = true;
  auto look = [](const char* name) { return rondo::interpose::next_symbol(name); };
  g_malloc.store(reinterpret_cast<MallocFn>(look("malloc")));
  g_calloc.store(reinterpret_cast<CallocFn>(look("calloc")));
  g_realloc.store(reinterpret_cast<ReallocFn>(look("realloc")));
  g_posix_memalign.store(reinterpret_cast<PosixMemalignFn>(look("posix_memalign")));
  g_aligned_alloc.store(reinterpret_cast<AlignedAllocFn>(look("aligned_alloc")));
  g_memalign.store(reinterpret_cast<AlignedAllocFn>(look("memalign")));
  g_usable_size.store(reinterpret_cast<UsableSizeFn>(look("malloc_usable_size")));
  g_free.store(reinterpret_cast<FreeFn>(look("free")), std::memory_order_release);
  t_resolving = false;
  return g_free.load() != nullptr;
}

// ---------------------------------------------------------------------------
// Recording

enum RegionIndex : int { kMalloc, kCalloc, kRealloc, kFree, kPosixMemalign, kAlignedAlloc, kMemalign, kRegionCount };
const char* const kRegionNames[kRegionCount] = {"malloc", "calloc", "realloc", "free", "posix_memalign",
                                                "aligned_alloc", "memalign"};
rondo::interpose::Module<kRegionCount> g_module(kRegionNames, rondo::format::RegionRole::Memory);
uint32_t g_requested_metric = 0, g_freed_metric = 0;
bool g_have_metrics = false;

inline bool active(const void* caller) { return g_module.active(caller); }

void sample(uint32_t metric, int64_t value) {
  if (!g_have_metrics) return;
  EventKey key{EventKind::MetricSample, metric, {}};
  trace::record_event(key, &value);
}

using Region = rondo::interpose::ModuleRegion<g_module>;

__attribute__((constructor)) void rondo_memory_init() {
  resolve();
  g_module.start([] {
    g_requested_metric = trace::define_metric("heap bytes requested", "bytes", 2);
    g_freed_metric = trace::define_metric("heap bytes freed", "bytes", 2);
    g_have_metrics = true;
  });
}

// ---------------------------------------------------------------------------
// Threads a runtime library starts for itself
//
// An MPI library starts threads of its own inside MPI_Init (Open MPI's PMIx and
// libevent progress threads); what they allocate is the library's, but their
// calls come through libc (strdup, getaddrinfo) as often as from the library
// itself, so the caller's address cannot tell. A thread created from inside an
// intercepted call (trace::t_intercept.inside) is the library's: it runs
// with that raised for its whole life, and nothing it does is recorded, as
// the pthread module does with such threads when it is loaded. Threads the
// application creates (or an OpenMP runtime creates for the program's
// parallel regions, outside any intercepted call) start unchanged.

struct LibraryThread {
  void* (*routine)(void*);
  void* arg;
};

void* start_library_thread(void* p) {
  LibraryThread start = *static_cast<LibraryThread*>(p);
  g_free.load()(p);
  ++trace::t_intercept.inside;  // for the whole life of this thread
  return start.routine(start.arg);
}

// Whether `caller` lies in one of Rondo's libraries: the pthread module's
// wrapper calls the real pthread_create inside its own guard, and marks the
// threads that are not the application's itself.
bool rondo_caller(const void* caller) {
  Dl_info info;
  return dladdr(caller, &info) && info.dli_fname && std::strstr(info.dli_fname, "librondo");
}

using CreateFn = int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*);
rondo::interpose::Real<CreateFn> g_create("pthread_create");

}  // namespace

extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  CreateFn real = g_create.get();
  if (!real) return EAGAIN;
  if (trace::t_intercept.inside == 0 || !resolve() || rondo_caller(CALLER)) return real(thread, attr, routine, arg);
  auto* start = static_cast<LibraryThread*>(g_malloc.load()(sizeof(LibraryThread)));
  if (!start) return real(thread, attr, routine, arg);
  *start = LibraryThread{routine, arg};
  int rc = real(thread, attr, start_library_thread, start);
  if (rc != 0) g_free.load()(start);
  return rc;
}

void* malloc(size_t n) {
  if (!resolve()) return boot_alloc(n);
  MallocFn real = g_malloc.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(n);
  Region r(kMalloc);
  sample(g_requested_metric, static_cast<int64_t>(n));
  trace::InsideCall call;
  return real(n);
}

void* calloc(size_t count, size_t size) {
  if (!resolve()) {
    if (size && count > SIZE_MAX / size) return nullptr;
    void* p = boot_alloc(count * size);  // static storage: already zero
    return p;
  }
  CallocFn real = g_calloc.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(count, size);
  Region r(kCalloc);
  sample(g_requested_metric, static_cast<int64_t>(count * size));
  trace::InsideCall call;
  return real(count, size);
}

void* realloc(void* p, size_t n) {
  if (in_boot(p)) {
    // A block of the bootstrap buffer moves to the real heap (or within the
    // buffer, while the real functions are still unknown).
    void* q = resolve() ? g_malloc.load()(n) : boot_alloc(n);
    if (q) {
      size_t old = boot_size(p);
      std::memcpy(q, p, old < n ? old : n);
    }
    return q;
  }
  if (!resolve()) return boot_alloc(n);
  ReallocFn real = g_realloc.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(p, n);
  Region r(kRealloc);
  sample(g_requested_metric, static_cast<int64_t>(n));
  trace::InsideCall call;
  return real(p, n);
}

void free(void* p) {
  if (!p || in_boot(p)) return;
  if (!resolve()) return;  // cannot happen: p came from the real allocator
  FreeFn real = g_free.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(p);
  Region r(kFree);
  if (g_have_metrics) {
    UsableSizeFn usable = g_usable_size.load(std::memory_order_relaxed);
    if (usable) sample(g_freed_metric, static_cast<int64_t>(usable(p)));
  }
  trace::InsideCall call;
  real(p);
}

int posix_memalign(void** out, size_t align, size_t n) {
  if (!resolve()) {
    void* p = boot_alloc(n, align);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
  }
  PosixMemalignFn real = g_posix_memalign.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(out, align, n);
  Region r(kPosixMemalign);
  sample(g_requested_metric, static_cast<int64_t>(n));
  trace::InsideCall call;
  return real(out, align, n);
}

void* aligned_alloc(size_t align, size_t n) {
  if (!resolve()) return boot_alloc(n, align);
  AlignedAllocFn real = g_aligned_alloc.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(align, n);
  Region r(kAlignedAlloc);
  sample(g_requested_metric, static_cast<int64_t>(n));
  trace::InsideCall call;
  return real(align, n);
}

void* memalign(size_t align, size_t n) {
  if (!resolve()) return boot_alloc(n, align);
  AlignedAllocFn real = g_memalign.load(std::memory_order_relaxed);
  if (!active(CALLER)) return real(align, n);
  Region r(kMemalign);
  sample(g_requested_metric, static_cast<int64_t>(n));
  trace::InsideCall call;
  return real(align, n);
}

}  // extern "C"
