// Folded polls (FORMAT.md 7.2, kind 5 POLLS) as statistics see them: a run of n
// unsuccessful polls of one call counts as n calls of that call's region, with
// the exact time spent inside the polls (not the span from the first to the
// last). The durations of the single polls of a run are not stored: where
// per-call minimum, maximum or spread are computed by replay, each poll of a run
// counts with the run's mean duration (the thread summaries keep them exact).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

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

// The first records of a thread's POLLS pairs whose last record is still to
// come: a run that polls several functions interleaves their pairs (FORMAT.md
// 7.2), so they are kept by region.
class OpenPolls {
 public:
  void open(uint32_t region, uint64_t ticks);
  // The first record's ticks of `region`'s pair, removed; `fallback` when there
  // is none (a first record lost to damaged data).
  uint64_t close(uint32_t region, uint64_t fallback);
  bool empty() const { return open_.empty(); }

 private:
  std::vector<std::pair<uint32_t, uint64_t>> open_;
};

// Follows a thread's POLLS records during a replay: feed every event to
// `take`; it returns true at the record that ends a function's part of a run,
// with its polls in the window in `out`.
class PollFoldReader {
 public:
  // (Inline: every event of a replay comes here, and all but POLLS records
  // leave at the first test.)
  bool take(const format::Event& e, const TickWindow& w, FoldedCalls& out) {
    return e.kind() == format::EventKind::Polls && take_polls(e, w, out);
  }

 private:
  bool take_polls(const format::Event& e, const TickWindow& w, FoldedCalls& out);
  OpenPolls open_;
};

// Adds folded polls to a region's statistics (see above for min, max and spread).
void add_folded_calls(format::RegionStats& stats, const FoldedCalls& polls);
void add_folded_calls(format::DurationStats& stats, const FoldedCalls& polls);

}  // namespace rondo::analyzer
