// The loops section of `rondo stats` (analyzer/loop_stats.h): text and CSV. The
// JSON form is analyzer::loops_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/loop_stats.h"

namespace rondo::cli {

// The loops by total time (the first kLoopRowsShown), then the slowest
// iterations of the first few; "" for a trace without loops.
std::string loops_text(const analyzer::LoopStats& s);

// Writes loops.csv (one row per loop row) and loops_slowest.csv (the slowest
// iterations of every row) into `dir`; returns the file names written.
std::vector<std::string> write_loops_csv(const analyzer::LoopStats& s, const std::string& dir);

}  // namespace rondo::cli
