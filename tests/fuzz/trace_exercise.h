// What the fuzz targets do with a trace directory their input became: open it,
// decode and replay every thread (cursor, loop frames, seek, skip), then compute
// what `rondo stats` and `rondo check` compute. Read errors (FormatError) are the
// expected outcome of bad input; anything else escapes to the fuzzer.
#pragma once

#include <string>

namespace rondo::fuzz {

void exercise_trace(const std::string& dir);

}  // namespace rondo::fuzz
