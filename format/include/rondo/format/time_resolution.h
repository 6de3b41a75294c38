// The opt-in time resolution of a recording (`rondo record --time-resolution`,
// RONDO_TIME_RESOLUTION): timestamps rounded to a coarser unit make smaller
// traces (FORMAT.md 8.2.2). Shared by the CLI, which checks the option, and the
// runtime, which reads the variable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace rondo::format {

// Name of the environment variable the runtime reads.
inline constexpr const char* kTimeResolutionVariable = "RONDO_TIME_RESOLUTION";

// Parses a duration such as "100ns", "1us", "2.5us" or "1ms" (a bare number is
// nanoseconds) into whole nanoseconds; "0" and "0ns" mean lossless. nullopt when
// the text is not such a duration or exceeds one second.
std::optional<uint64_t> parse_time_resolution(std::string_view text);

// Ticks per stored timestamp step for a resolution of `resolution_ns` on a clock
// of `ticks_per_second`: at least 1 (1 is lossless).
uint64_t time_unit_ticks(uint64_t resolution_ns, uint64_t ticks_per_second);

}  // namespace rondo::format
