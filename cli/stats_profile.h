// The profile sections of `rondo stats`: flat profile, call tree and the load
// imbalance of regions across ranks, as text tables and CSV files.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/profile.h"

namespace rondo::cli {

std::string profile_text(const analyzer::Profile& p, analyzer::GroupBy by);
// Writes regions.csv, call_tree.csv and imbalance.csv into `dir`; returns the names.
std::vector<std::string> write_profile_csv(const analyzer::Profile& p, analyzer::GroupBy by, const std::string& dir);

}  // namespace rondo::cli
