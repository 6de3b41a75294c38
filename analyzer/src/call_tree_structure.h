// A thread's call tree from its grammar and its recorder's summary, without
// decoding an event or a timestamp.
//
// The summary (FORMAT.md 8.3, 12) keeps for every sequence, i.e. every distinct
// behaviour of a call, the count, sum, minimum and maximum of its calls'
// durations. When each call sequence the thread ran is reached from one call
// path only, a path's statistics are exactly the merged statistics of its
// sequences, and its exclusive time is its inclusive time less its children's.
// The walk over the grammar follows the replay's order (loop counts from their
// columns) so that paths come in the order a replay creates them, and stops
// expanding what can add no new path: its cost grows with the grammar and the
// loop occurrences that can still reach a new path, not with the events.
//
// The result is only returned when it accounts for every call of the summary:
// per region, the calls, inclusive and exclusive sums of its paths must equal
// the summary's region statistics. Anything else (a sequence reached from two
// paths, calls streamed to the top level, folded polls, a loop count missing)
// gives no result, and the caller replays the thread.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct StructureCallNode {
  uint32_t parent;  // index in the same list; UINT32_MAX for calls outside any region
  uint32_t region;
  format::RegionStats stats;  // no sums of squares: the call tree does not report them
};

// The nodes in the order a replay of the thread creates them (the first call of
// each path), or nothing when the structure cannot give the exact tree.
std::optional<std::vector<StructureCallNode>> call_tree_from_structure(const format::ThreadTrace& t,
                                                                     const format::ThreadSummary& summary);

}  // namespace rondo::analyzer
