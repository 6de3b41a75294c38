// The counters section of `rondo stats` (analyzer/counters.h): text and CSV.
// The JSON form is analyzer::counters_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/counters.h"

namespace rondo::cli {

// Per region: inclusive and exclusive sums of each counter, and the derived
// rates; "" for a trace without counters.
std::string counters_text(const analyzer::CounterProfile& p);

// Writes counters.csv (one row per region and counter) and
// counters_call_paths.csv into `dir`; returns the file names written (none
// without counters).
std::vector<std::string> write_counters_csv(const analyzer::CounterProfile& p, const std::string& dir);

}  // namespace rondo::cli
