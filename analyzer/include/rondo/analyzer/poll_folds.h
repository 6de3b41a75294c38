// Folded polls (FORMAT.md 7.2, kind 5 POLLS) as statistics see them: a run of n
// unsuccessful polls of one call counts as n calls of that call's region, with
// the exact time spent inside the polls (not the span from the first to the
// last). The durations of the single polls of a run are not stored: where
// per-call minimum, maximum or spread are computed by replay, each poll of a run
// counts with the run's mean duration (the thread summaries keep them exact).
#pragma once

#include <cstdint>

#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"
#include "rondo/format/thread_data.h"

namespace rondo::analyzer {

// The polls of one run that lie in a window: all of them when the run lies
// inside it; otherwise the share of the run's span that the window covers.
struct FoldedCalls {
  uint64_t calls = 0;
  uint64_t ticks = 0;  // time inside those polls
};

// Follows a thread's POLLS records during a replay: feed every event to
// `take`; it returns true at the record that ends a run, with the run's polls
// in the window in `out`.
class PollFoldReader {
 public:
  bool take(const format::Event& e, const TickWindow& w, FoldedCalls& out);
  // The first tick of the run ended by the last take() that returned true.
  uint64_t first_ticks() const { return first_; }

 private:
  uint64_t first_ = 0;
  bool open_ = false;
};

// Adds folded polls to a region's statistics (see above for min, max and spread).
void add_folded_calls(format::RegionStats& stats, const FoldedCalls& polls);
void add_folded_calls(format::DurationStats& stats, const FoldedCalls& polls);

}  // namespace rondo::analyzer
