// The MPI wait states section of `rondo stats` (analyzer/wait_states.h): text
// and CSV. The JSON form is analyzer::wait_states_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/wait_states.h"

namespace rondo::cli {

// Tables of the patterns, the ranks that waited most and the call sites that
// waited most; "" for a trace without MPI.
std::string wait_states_text(const analyzer::WaitStates& w);

// Writes wait_states.csv (one row per pattern, then a "total" row),
// wait_states_ranks.csv (one row per pattern and rank) and
// wait_states_call_sites.csv into `dir`; returns the file names written.
std::vector<std::string> write_wait_states_csv(const analyzer::WaitStates& w, const std::string& dir);

}  // namespace rondo::cli
