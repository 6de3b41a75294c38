#include "rondo/analyzer/memory_available.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <string>

namespace rondo::analyzer {

namespace {

void take_least(std::optional<uint64_t>& least, uint64_t bytes) { least = least ? std::min(*least, bytes) : bytes; }

std::optional<uint64_t> meminfo_available() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib >> unit)
    if (key == "MemAvailable:") return kib * 1024;
  return std::nullopt;
}

// The address space the process has mapped (/proc/self/statm, in pages).
std::optional<uint64_t> address_space_used() {
  std::ifstream in("/proc/self/statm");
  uint64_t pages = 0;
  if (!(in >> pages)) return std::nullopt;
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// A number from the first line of a file ("max", unreadable: nullopt).
std::optional<uint64_t> number_in(const std::string& path) {
  std::ifstream in(path);
  uint64_t n = 0;
  if (!(in >> n)) return std::nullopt;
  return n;
}

// The value of `key` in a memory.stat file (0 when absent).
uint64_t stat_value(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string k;
  uint64_t v = 0;
  while (in >> k >> v)
    if (k == key) return v;
  return 0;
}

// What the process's memory cgroup leaves: its limit less what it uses, not
// counting the page cache it could drop (inactive file pages), as container
// runtimes count a working set. cgroup v2 ("0::PATH": memory.max,
// memory.current) or v1 ("N:memory:PATH": memory.limit_in_bytes,
// memory.usage_in_bytes); nullopt without a limit.
std::optional<uint64_t> cgroup_left() {
  std::ifstream cgroup("/proc/self/cgroup");
  std::string line;
  while (std::getline(cgroup, line)) {
    std::string dir, limit_file, usage_file, cache_key;
    if (line.rfind("0::", 0) == 0) {
      dir = "/sys/fs/cgroup" + line.substr(3);
      limit_file = "memory.max", usage_file = "memory.current", cache_key = "inactive_file";
    } else if (auto at = line.find(":memory:"); at != std::string::npos) {
      dir = "/sys/fs/cgroup/memory" + line.substr(at + 8);
      limit_file = "memory.limit_in_bytes", usage_file = "memory.usage_in_bytes", cache_key = "total_inactive_file";
    } else {
      continue;
    }
    const std::optional<uint64_t> limit = number_in(dir + "/" + limit_file), usage = number_in(dir + "/" + usage_file);
    if (!limit || !usage || *limit >= (uint64_t{1} << 60)) continue;  // no limit here ("max", or v1's huge number)
    const uint64_t cache = stat_value(dir + "/memory.stat", cache_key);
    const uint64_t used = *usage > cache ? *usage - cache : 0;
    return *limit > used ? *limit - used : 0;
  }
  return std::nullopt;
}

}  // namespace

std::optional<uint64_t> memory_available() {
  std::optional<uint64_t> least;
  if (auto m = meminfo_available()) take_least(least, *m);
  struct rlimit as {};
  if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    const uint64_t used = address_space_used().value_or(0);
    take_least(least, as.rlim_cur > used ? as.rlim_cur - used : 0);
  }
  if (auto c = cgroup_left()) take_least(least, *c);
  return least;
}

}  // namespace rondo::analyzer
