// The profile sections of `rondo stats`: flat profile, call tree and the load
// imbalance of regions across ranks, as text tables and CSV files.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/profile.h"

namespace rondo::cli {

// The flat profile, call tree and imbalance tables, those of `sections` only.
std::string profile_text(const analyzer::Profile& p, analyzer::GroupBy by,
                         analyzer::Sections sections = analyzer::kAllSections);
// Writes regions.csv, call_tree.csv and imbalance.csv (those of `sections`) into
// `dir`; returns the names written.
std::vector<std::string> write_profile_csv(const analyzer::Profile& p, analyzer::GroupBy by, const std::string& dir,
                                           analyzer::Sections sections = analyzer::kAllSections);

}  // namespace rondo::cli
