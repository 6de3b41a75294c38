// Counter sums per region and per call path (`rondo record --counters`).
//
// Every event of a thread recorded with counters carries one reading per
// counter (FORMAT.md 8.4). A call's inclusive count is the reading at its leave
// minus the reading at its enter; its exclusive count is the inclusive count
// minus the inclusive counts of the calls made directly inside it. Both are
// exact integer sums over calls, so for every thread the exclusive counts of
// all regions add up to the inclusive counts of its outermost calls.
//
// Computed by replaying each thread that has counters (counters are not in the
// thread summaries); threads without counters cost nothing.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct CounterSums {
  uint64_t inclusive = 0;
  uint64_t exclusive = 0;
};

struct CounterProfile {
  // Counter names (the metric names), in the order they first appear over the
  // trace's threads; every vector of sums below is indexed like this.
  std::vector<std::string> counters;
  // Per region name: calls and sums per counter, over all threads.
  struct Region {
    uint64_t calls = 0;
    std::vector<CounterSums> sums;
  };
  std::map<std::string, Region> regions;
  // Per call path ("main > solve > MPI_Send").
  std::map<std::string, Region> call_paths;
  // Per counter: over all threads, the count inside their outermost calls (=
  // the sum of the exclusive counts of all regions), and from each thread's
  // first event to its last.
  std::vector<uint64_t> in_regions, thread_totals;

  bool empty() const { return counters.empty(); }
  // Derived rates where both inputs exist (IPC: PAPI_TOT_INS / PAPI_TOT_CYC;
  // misses per 1,000 instructions: PAPI_*_?CM or PAPI_*_TCM / PAPI_TOT_INS),
  // from inclusive sums of a region; name -> value.
  std::map<std::string, double> rates(const Region& r) const;
};

CounterProfile counter_profile(const format::TraceReader& trace);

// `regions[].counters` entries of `rondo stats --json` (docs/stats-json.md):
// adds "counters": {NAME: {"inclusive": N, "exclusive": N}, ...} (and "rates"
// when any) to each region object whose "name" has counter sums, and returns
// the top-level "counters" section (names, totals, call paths).
nlohmann::ordered_json counters_json(const CounterProfile& profile, nlohmann::ordered_json& regions);

}  // namespace rondo::analyzer
