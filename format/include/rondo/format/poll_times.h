// How the recorder writes runs of unsuccessful polls (FORMAT.md 7.2, "Folded
// polls"): `exact` (the default) times every poll, two clock reads each;
// `count` counts them without reading the clock, for programs that poll so
// often that the clock reads are most of what tracing costs them. Shared by
// `rondo record --poll-times` and the runtime that reads the variable.
#pragma once

#include <optional>
#include <string_view>

namespace rondo::format {

inline constexpr const char* kPollTimesVariable = "RONDO_POLL_TIMES";

// "exact" -> false, "count" -> true (polls counted), anything else -> nullopt.
inline std::optional<bool> parse_poll_times(std::string_view text) {
  if (text == "exact") return false;
  if (text == "count") return true;
  return std::nullopt;
}

}  // namespace rondo::format
