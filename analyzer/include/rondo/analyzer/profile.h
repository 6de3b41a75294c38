// Region profiles: the flat profile (per region: calls, inclusive and exclusive
// time, min, max, mean, standard deviation), the call-path profile (the call
// tree merged over threads) and the load imbalance of each region across ranks.
//
// Computed in two steps so that many threads, or many MPI processes, give exactly
// the result of one: a per-thread partial (`profile_thread`), then a reduction
// over the partials in location order (`reduce_profile`). Partials are plain data
// (to_json / from_json for shipping them between processes).
//
// Without a time window the flat profile comes from each thread's summary,
// without replaying events; threads without a summary (killed job), threads
// that ended with calls still open, and the call tree are replayed. With a
// window every call is clipped to it (options.h).
//
// A call still open where its thread's data ends (the program crashed, was
// killed, or exited from inside it) counts as a call that ends at the thread's
// last recorded time; `cut_short` counts such calls.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

// One row of a flat profile. Times in nanoseconds: each thread's exact integer
// tick sums are converted once, then added.
struct RegionRow {
  std::string name;
  int32_t rank = -1;    // with --by rank/thread
  int32_t thread = -1;  // with --by thread
  uint64_t calls = 0;
  uint64_t cut_short = 0;  // of `calls`: still open where the thread's data ends
  int64_t inclusive_ns = 0, exclusive_ns = 0, min_ns = 0, max_ns = 0;
  double stddev_ns = 0;  // of the inclusive time of a call (population standard deviation)
  double mean_ns() const { return calls ? static_cast<double>(inclusive_ns) / static_cast<double>(calls) : 0; }
};

// One node of the call tree: a region reached through one chain of callers.
// Rows come in depth-first order, children by inclusive time, largest first.
// The tree is as deep as the program's stack was (a recursion 100,000 calls
// deep gives 100,000 levels): `parent` links rows, and no code walks the tree
// recursively.
struct CallPathRow {
  // Caller names joined by " > ", this region last. Chains deeper than
  // kCallPathFullDepth keep their first and last kCallPathEndLevels names with
  // " > …" between them (follow `parent` for the whole chain).
  std::string path;
  std::string name;
  uint32_t depth = 0;  // 0 for calls made outside any region
  int64_t parent = -1;  // index of the caller's row in the same list; -1 at depth 0
  uint64_t calls = 0;
  uint64_t cut_short = 0;  // of `calls`: still open where the thread's data ends
  int64_t inclusive_ns = 0, exclusive_ns = 0, min_ns = 0, max_ns = 0;
  double mean_ns() const { return calls ? static_cast<double>(inclusive_ns) / static_cast<double>(calls) : 0; }
};

// How unevenly one region's time is spread over the processes (ranks) of the
// trace: inclusive time per rank, summed over its threads; ranks that never
// called it count as 0.
struct RegionImbalance {
  std::string name;
  int64_t max_ns = 0;
  double mean_ns = 0;
  int32_t max_rank = -1;  // the rank with max_ns (the lowest such rank)
  int64_t min_ns = 0;
  int32_t min_rank = -1;
  double ratio() const { return mean_ns > 0 ? static_cast<double>(max_ns) / mean_ns : 0; }  // 1: balanced
  // Time the other ranks would wait for the slowest one, per rank on average.
  double excess_ns() const { return static_cast<double>(max_ns) - mean_ns; }
};

constexpr size_t kCallPathFullDepth = 64;  // levels of a path shown in full
constexpr size_t kCallPathEndLevels = 16;  // levels kept at each end of a longer path

struct Profile {
  std::vector<RegionRow> regions;          // by exclusive time, largest first
  std::vector<CallPathRow> call_tree;      // depth-first
  std::vector<RegionImbalance> imbalance;  // processes > 1 only: by excess_ns, largest first
};

// ---------------------------------------------------------------------------
// Per-thread partial. Regions are process-local ids; the reduction names them.

struct RegionPartial {
  uint32_t region = 0;
  uint64_t calls = 0;
  int64_t inclusive_ns = 0, exclusive_ns = 0, min_ns = 0, max_ns = 0;
  // For the standard deviation: the unrounded mean inclusive time and the sum of
  // squared deviations from it (ns²), from the thread's exact tick sums.
  double mean_ns = 0, m2_ns2 = 0;
  uint64_t cut_short = 0;
};

struct CallNodePartial {
  uint32_t parent = UINT32_MAX;  // index in the same thread's node list; UINT32_MAX: top level
  uint32_t region = 0;
  uint64_t calls = 0;
  int64_t inclusive_ns = 0, exclusive_ns = 0, min_ns = 0, max_ns = 0;
  uint64_t cut_short = 0;
};

struct ProfilePartial {
  uint32_t process = 0, thread = 0;  // positions in the trace
  std::vector<RegionPartial> regions;    // regions with calls, by id
  std::vector<CallNodePartial> call_tree;  // parents before children
};

void to_json(nlohmann::json& j, const ProfilePartial& p);
void from_json(const nlohmann::json& j, ProfilePartial& p);

ProfilePartial profile_thread(const format::ProcessReader& process, uint32_t process_index, uint32_t thread_index,
                              const TimeWindow& window, bool with_call_tree = true);
// `partials` in location order (process, then thread), as produced for every
// thread of the trace.
Profile reduce_profile(const format::TraceReader& trace, const std::vector<ProfilePartial>& partials, GroupBy by);

// Both steps, threads in parallel (options.threads, options.progress).
Profile profile(const format::TraceReader& trace, const AnalysisOptions& options, bool with_call_tree = true);

// The flat profile alone, from summaries (no replay for threads that ended).
std::vector<RegionRow> flat_profile(const format::TraceReader& trace, GroupBy by = GroupBy::None);

// Every thread of the trace, in location order (process, then thread): the
// order partials are produced and reduced in.
struct Location {
  uint32_t process = 0, thread = 0;
};
std::vector<Location> all_locations(const format::TraceReader& trace);

// Helpers for other analyses: the range of raw ticks of `process` whose time
// lies in `window` ([lo, hi), ProcessReader::to_ns being monotonic), searched
// between `first` and `last` ticks (a thread's).
struct TickWindow {
  uint64_t lo = 0, hi = UINT64_MAX;
  bool contains(uint64_t t) const { return t >= lo && t < hi; }
  // As TimeWindow::clip, in ticks.
  int64_t clip(uint64_t a, uint64_t b) const {
    if (a == b) return contains(a) ? 0 : -1;
    uint64_t l = a > lo ? a : lo, h = b < hi ? b : hi;
    return l < h ? static_cast<int64_t>(h - l) : -1;
  }
};
TickWindow tick_window(const format::ProcessReader& process, const TimeWindow& window, uint64_t first, uint64_t last);

}  // namespace rondo::analyzer
