// What every analysis of `rondo stats` (and the Python module) takes besides the
// trace: how to group the profile, the time window to restrict it to, how many
// threads to use and where to report progress.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>

#include "rondo/analyzer/sections.h"

namespace rondo::analyzer {

enum class GroupBy { None, Rank, Thread };

// A half-open interval [begin_ns, end_ns) on the trace's common time axis (the
// values of ProcessReader::to_ns). The default window is the whole trace.
//
// How statistics are restricted: a region call contributes the part of its
// duration inside the window (inclusive and exclusive times are clipped) and
// counts as a call when any part of it lies inside; a point record (message send
// or receive, collective end, I/O completion, loop iteration start) counts when
// its time lies inside. Each analysis documents which time it uses.
struct TimeWindow {
  int64_t begin_ns = std::numeric_limits<int64_t>::min();
  int64_t end_ns = std::numeric_limits<int64_t>::max();
  bool whole() const {
    return begin_ns == std::numeric_limits<int64_t>::min() && end_ns == std::numeric_limits<int64_t>::max();
  }
  bool contains(int64_t ns) const { return ns >= begin_ns && ns < end_ns; }
  // The part of the interval [a, b) inside the window, or -1 when they do not
  // overlap. A zero-length interval (a == b) is inside when `a` is.
  int64_t clip(int64_t a, int64_t b) const {
    if (a == b) return contains(a) ? 0 : -1;
    int64_t lo = a > begin_ns ? a : begin_ns, hi = b < end_ns ? b : end_ns;
    return lo < hi ? hi - lo : -1;
  }
};

// Called with (work items done, work items in total) as an analysis advances;
// from any of the analyzer's threads, one call at a time.
using ProgressFn = std::function<void(uint64_t done, uint64_t total)>;

struct AnalysisOptions {
  GroupBy by = GroupBy::None;
  TimeWindow window;
  unsigned threads = 0;  // 0: every core (std::thread::hardware_concurrency)
  ProgressFn progress;   // may be empty
  Sections sections = kAllSections;  // what to compute (sections.h); the rest of a report stays empty
};

}  // namespace rondo::analyzer
