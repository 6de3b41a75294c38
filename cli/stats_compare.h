// The text of `rondo stats BEFORE --compare AFTER`.
#pragma once

#include <string>

#include "rondo/analyzer/compare.h"

namespace rondo::cli {

std::string comparison_text(const analyzer::Comparison& c, const std::string& before, const std::string& after);
// Writes compare_regions.csv, compare_mpi_calls.csv, compare_wait_states.csv, compare_loops.csv.
std::vector<std::string> write_comparison_csv(const analyzer::Comparison& c, const std::string& dir);

}  // namespace rondo::cli
