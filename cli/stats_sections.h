// The MPI and threads sections of `rondo stats`: text tables and CSV files.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/thread_stats.h"

namespace rondo::cli {

std::string mpi_text(const analyzer::MpiStats& s);
// Writes matrix_bytes.csv, matrix_count.csv, mpi_time.csv, mpi_calls.csv, mpi_collectives.csv; returns the names.
std::vector<std::string> write_mpi_csv(const analyzer::MpiStats& s, const std::string& dir);

std::string threads_text(const analyzer::ThreadStats& s);
// Writes threads.csv, parallel_regions.csv, io_files.csv; returns the names.
std::vector<std::string> write_threads_csv(const analyzer::ThreadStats& s, const std::string& dir);

}  // namespace rondo::cli
