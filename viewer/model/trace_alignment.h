// Aligning two traces on one time axis (`rondo view A B`). Trace B is drawn
// shifted: the time t of B is shown at the x of time t - shift of A. Aligned at
// their starts, shift = start(B) - start(A). Aligned at an iteration of a loop,
// shift = start of that iteration in B - its start in A, so both start at the
// same x.
//
// Which iteration: a loop is named as `rondo stats` names its rows
// (analyzer::LoopRow::name(), "step > relax"); in each trace it is taken on the
// first row (lowest rank, then thread) that runs a loop of that name (the loop
// with the lowest id there), and iteration k is iteration k of that loop's
// first occurrence, started at its first event (analyzer::loop_iteration_span).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "trace_session.h"

namespace rondo::viewer {

// A loop of one trace, where it first runs.
struct LoopPlace {
  std::string name;        // analyzer::LoopRow::name()
  size_t row = 0;          // in TraceSession::rows()
  uint32_t loop_id = 0;    // in that thread's grammar
  uint32_t min_trip = 0;   // fewest iterations of its occurrences on that thread
};

// Every loop name of `s` once, with its first place, in the order of the rows
// (from the grammar and count columns: no timestamp is read).
std::vector<LoopPlace> loop_places(const TraceSession& s);

// A loop both traces run, and how many iterations of its first occurrence can
// be aligned at (iterations 0 .. iterations-1 exist in both).
struct CommonLoop {
  std::string name;
  uint32_t iterations = 0;
  LoopPlace a, b;
};
// Loops with the same name in `a` and `b` and at least one iteration in both,
// in the order of `a`'s rows.
std::vector<CommonLoop> common_loops(const TraceSession& a, const TraceSession& b);

// The start (ns, the trace's time axis) of iteration `k` of the first
// occurrence of the loop at `place`; nullopt when it has no such iteration.
std::optional<int64_t> iteration_start(const TraceSession& s, const LoopPlace& place, uint32_t k);

// shift (see above) aligning the starts of the traces.
int64_t start_shift(const TraceSession& a, const TraceSession& b);
// shift aligning iteration `k` of `loop`; nullopt when either trace lacks it.
std::optional<int64_t> iteration_shift(const TraceSession& a, const TraceSession& b, const CommonLoop& loop,
                                       uint32_t k);

}  // namespace rondo::viewer
