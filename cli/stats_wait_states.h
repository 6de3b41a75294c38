// The MPI wait states section of `rondo stats` (analyzer/wait_states.h): text
// and CSV. The JSON form is analyzer::wait_states_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/wait_states.h"

namespace rondo::cli {

// Tables of the patterns (with the late rank that caused most of each), the
// ranks that waited most (with the rank each waited for most, and the root
// cause of most of its waiting) and the call
// sites that waited most; "" for a trace without MPI.
std::string wait_states_text(const analyzer::WaitStates& w);

// Writes wait_states.csv (one row per pattern, then a "total" row),
// wait_states_ranks.csv (one row per pattern and rank),
// wait_states_call_sites.csv and wait_states_partners.csv (one row per pattern,
// waiting rank and the late rank it waited for) into `dir`; returns the file
// names written.
std::vector<std::string> write_wait_states_csv(const analyzer::WaitStates& w, const std::string& dir);

}  // namespace rondo::cli
