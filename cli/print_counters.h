// `rondo print`: the counter readings of an event (rondo record --counters).
#pragma once

#include <cstdint>
#include <string>

#include "rondo/format/reader.h"

namespace rondo::cli {

// "  [perf::TASK-CLOCK=1234 perf::PAGE-FAULTS=5]" for an enter or leave of a
// thread with counters (each counter named with its reading), else "".
std::string counters_suffix(const format::ThreadTrace& t, const format::Event& e);

}  // namespace rondo::cli
