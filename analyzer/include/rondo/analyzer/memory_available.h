// How much memory this process can still take: the least of the kernel's
// estimate of available memory (/proc/meminfo MemAvailable), what the address
// space limit (ulimit -v) leaves, and what the process's memory cgroup limit
// (v2 memory.max or v1 memory.limit_in_bytes, as batch systems and containers
// set it) leaves, its inactive page cache not counted. For warning
// before an analysis that would not fit; an estimate, not a promise.
#pragma once

#include <cstdint>
#include <optional>

namespace rondo::analyzer {

// Bytes; nullopt when none of the three can be read.
std::optional<uint64_t> memory_available();

}  // namespace rondo::analyzer
