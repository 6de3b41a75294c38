// Comparing two reports (`rondo stats BEFORE --compare AFTER`): what got faster
// or slower, region by region, in MPI, in wait states and in loops.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/analysis.h"

namespace rondo::analyzer {

// One quantity in both traces. A row present in only one trace has 0 on the
// other side.
struct ChangeRow {
  std::string name;
  uint64_t count_before = 0, count_after = 0;  // calls, messages, instances, iterations
  int64_t before_ns = 0, after_ns = 0;
  int64_t delta_ns() const { return after_ns - before_ns; }
  // after / before; 0 when before is 0.
  double ratio() const { return before_ns ? static_cast<double>(after_ns) / static_cast<double>(before_ns) : 0; }
};

// How many region names the two traces share. Two runs of one program share
// nearly all; traces of unrelated programs share few, and their time ratios
// mean nothing. Rule: comparable when at least half of the distinct region
// names of both traces together appear in both.
struct RegionOverlap {
  size_t before = 0, after = 0, common = 0;  // distinct region names
  size_t either() const { return before + after - common; }
  bool comparable() const { return 2 * common >= either(); }
};

struct Comparison {
  RegionOverlap overlap;
  ChangeRow duration;                // the traces' durations (or windows)
  std::vector<ChangeRow> regions;    // exclusive time per region (per rank/thread with --by); by |delta|, largest first
  ChangeRow mpi_time;                // time in MPI, summed over ranks
  std::vector<ChangeRow> mpi_calls;  // inclusive time per MPI function; by |delta|
  uint64_t messages_before = 0, messages_after = 0, bytes_before = 0, bytes_after = 0;
  std::vector<ChangeRow> wait_states;  // per pattern, in pattern order
  std::vector<ChangeRow> loops;        // total time per loop row name (count: iterations); by |delta|
};

Comparison compare(const StatsReport& before, const StatsReport& after);

nlohmann::ordered_json comparison_json(const Comparison& c);

}  // namespace rondo::analyzer
