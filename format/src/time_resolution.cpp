#include "rondo/format/time_resolution.h"

#include <cmath>
#include <string>

namespace rondo::format {

std::optional<uint64_t> parse_time_resolution(std::string_view text) {
  std::string s(text);
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(s, &used);
  } catch (...) {
    return std::nullopt;
  }
  std::string_view suffix = text.substr(used);
  double scale = 0;
  if (suffix.empty() || suffix == "ns") scale = 1;
  else if (suffix == "us") scale = 1e3;
  else if (suffix == "ms") scale = 1e6;
  else return std::nullopt;
  double ns = value * scale;
  if (!(ns >= 0) || ns > 1e9) return std::nullopt;  // also rejects NaN
  return static_cast<uint64_t>(std::llround(ns));
}

uint64_t time_unit_ticks(uint64_t resolution_ns, uint64_t ticks_per_second) {
  if (resolution_ns == 0 || ticks_per_second == 0) return 1;
  double ticks = static_cast<double>(resolution_ns) * static_cast<double>(ticks_per_second) / 1e9;
  return ticks < 1.5 ? 1 : static_cast<uint64_t>(std::llround(ticks));
}

}  // namespace rondo::format
