#include "interpose.h"

#include <dlfcn.h>
#include <link.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace rondo::interpose {

void* next_symbol(const char* name) { return dlsym(RTLD_NEXT, name); }

namespace {

struct Range {
  uintptr_t begin, end;
  bool runtime;
};

// A table is never changed once published and never freed (a reader may hold
// it): a rescan publishes a new one. Rescans are rare (back-off below), so the
// few leaked pages do not matter. mmap, not malloc: the memory module uses this.
struct Table {
  static constexpr int kMax = 1024;
  int count = 0;
  Range ranges[kMax];
};

std::atomic<Table*> g_table{nullptr};
std::atomic<bool> g_scanning{false};
std::atomic<uint64_t> g_unknown_callers{0};
std::atomic<uint64_t> g_next_rescan{1};
std::atomic<int> g_rescans{0};
constexpr int kMaxRescans = 64;

// Libraries whose internal calls are not the application's.
bool is_runtime_library(const char* path) {
  const char* base = std::strrchr(path, '/');
  base = base ? base + 1 : path;
  static const char* const kPrefixes[] = {
      "librondo",                                          // Rondo's own libraries
      "libgomp", "libomp", "libiomp",                     // OpenMP runtimes
      "libmpi", "libopen-pal", "libopen-rte", "libpmix",  // Open MPI, MPICH, PMIx
      "libevent", "libhwloc", "libucp", "libucs", "libuct", "libucm", "libfabric", "libpsm",
      "mca_", "libmca_",                                   // Open MPI components
  };
  for (const char* p : kPrefixes)
    if (std::strncmp(base, p, std::strlen(p)) == 0) return true;
  return false;
}

int collect(struct dl_phdr_info* info, size_t, void* data) {
  auto* t = static_cast<Table*>(data);
  bool runtime = info->dlpi_name && is_runtime_library(info->dlpi_name);
  for (int i = 0; i < info->dlpi_phnum && t->count < Table::kMax; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD || !(ph.p_flags & PF_X)) continue;
    uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    t->ranges[t->count++] = Range{begin, begin + ph.p_memsz, runtime};
  }
  return 0;
}

void scan() {
  if (g_scanning.exchange(true)) return;  // another thread is at it
  void* mem = mmap(nullptr, sizeof(Table), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem != MAP_FAILED) {
    auto* t = new (mem) Table;
    dl_iterate_phdr(collect, t);
    std::sort(t->ranges, t->ranges + t->count, [](const Range& a, const Range& b) { return a.begin < b.begin; });
    g_table.store(t, std::memory_order_release);
  }
  g_scanning.store(false);
}

bool lookup(uintptr_t a, bool& known) {
  known = false;
  const Table* t = g_table.load(std::memory_order_acquire);
  if (!t) return false;
  const Range* end = t->ranges + t->count;
  const Range* r = std::upper_bound(t->ranges, end, a, [](uintptr_t v, const Range& x) { return v < x.begin; });
  if (r == t->ranges || a >= (r - 1)->end) return false;
  known = true;
  return (r - 1)->runtime;
}

}  // namespace

void scan_loaded_objects() { scan(); }

bool is_runtime_caller(const void* return_address) {
  auto a = reinterpret_cast<uintptr_t>(return_address);
  bool known = false;
  bool runtime = lookup(a, known);
  if (known) return runtime;
  // In no object we know of: a library loaded since the last scan (or JIT code).
  uint64_t n = g_unknown_callers.fetch_add(1, std::memory_order_relaxed) + 1;
  if (n >= g_next_rescan.load(std::memory_order_relaxed) && g_rescans.load(std::memory_order_relaxed) < kMaxRescans) {
    g_next_rescan.store(n * 4, std::memory_order_relaxed);
    g_rescans.fetch_add(1, std::memory_order_relaxed);
    scan();
    return lookup(a, known);
  }
  return false;
}

}  // namespace rondo::interpose
