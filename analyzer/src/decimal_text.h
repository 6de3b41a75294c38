// A 128-bit unsigned integer (sums of squared durations) in decimal: the JSON
// of loop partials keeps it as a string, and `rondo check` prints it.
#pragma once

#include <string>

#include "rondo/format/thread_data.h"

namespace rondo::analyzer {

inline std::string decimal_text(format::uint128 v) {
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  return digits;
}

}  // namespace rondo::analyzer
