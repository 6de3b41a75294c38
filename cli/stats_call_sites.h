// The MPI call sites section of `rondo stats` (analyzer/call_sites.h, traces
// recorded with --callstack): text and CSV. The JSON form is
// analyzer::call_sites_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/call_sites.h"

namespace rondo::cli {

// "MPI_Waitall from exchange_halo (halo.c:42): 61.0% of MPI time" lines, largest
// first; "" when there are no call sites.
std::string call_sites_text(const std::vector<analyzer::MpiCallSite>& sites);

// Writes mpi_call_sites.csv into `dir` when there are call sites; returns the
// file names written.
std::vector<std::string> write_call_sites_csv(const std::vector<analyzer::MpiCallSite>& sites, const std::string& dir);

}  // namespace rondo::cli
