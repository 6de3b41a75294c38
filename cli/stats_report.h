// Printing a whole `rondo stats` report (or a comparison of two) as text
// tables, JSON or CSV files. Shared by `rondo stats` and the distributed
// analyzer (rondo-stats-mpi), so both print exactly the same.
#pragma once

#include <string>

#include "rondo/analyzer/analysis.h"

namespace rondo::cli {

struct StatsOutput {
  std::string trace;          // as named by the user (text header)
  std::string compare_trace;  // --compare: the second trace, "after"
  bool json = false;
  std::string csv_dir;        // --csv DIR
};

// Makes the --csv directory `dir` (and its parents) unless it exists; returns
// "" or, when that fails (a file of that name, no permission), one sentence
// that names `dir` and says what to do.
std::string make_csv_dir(const std::string& dir);

// With `after`, prints the comparison of `report` (before) with it. Returns the exit status.
int print_stats(const StatsOutput& o, const analyzer::StatsReport& report, const analyzer::StatsReport* after = nullptr);

}  // namespace rondo::cli
