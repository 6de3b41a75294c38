// A row's frame computed in strips of columns on several threads.
//
// compute_row's columns depend on each other only through a loop skip that
// spreads over the next pixel or two, so a window can be cut into strips of
// whole pixels, each computed by compute_columns on the whole frame's pixel
// grid (as a pan computes the columns it uncovers, model/row_pan.h) and placed
// side by side. A strip starts with its own seek by time; the cursor
// checkpoints are shared (they are locked). The strips run on a small pool of threads that lives as long as the
// process, so that what each thread caches (decoded loop counts, zstd
// contexts) survives from one frame to the next.
//
// A frame is cut only when its window holds enough events to pay for it,
// estimated from the timestamp chunk index without reading any event; a frame
// drawn from the row's summary (model/row_summary.h) is never cut.
#pragma once

#include "row_lod.h"

namespace rondo::viewer {

// Events a strip should have, at least, for a frame to be cut.
constexpr uint64_t kEventsPerStrip = 200'000;

// The events of `thread` between the times `begin_ticks` and `end_ticks`,
// estimated from its timestamp chunks (each chunk's events spread evenly over
// its time range).
uint64_t estimated_events(const format::ThreadTrace& thread, uint64_t begin_ticks, uint64_t end_ticks);

// How many strips the frame [begin_ns, end_ns) of the thread is cut into: one
// per kEventsPerStrip events in it, at most `max_strips` and at most one per
// 64 pixels.
unsigned strip_count(const format::ProcessReader& process, size_t thread_pos, int64_t begin_ns, int64_t end_ns,
                     int pixels, unsigned max_strips, uint64_t events_per_strip = kEventsPerStrip);

// compute_row of the same arguments, in strip_count(..., max_strips,
// events_per_strip) strips (max_strips 0: one per core). Replaying every event
// (options.summarise false) the frame is the one compute_row gives; sampled, a
// column next to a strip boundary may differ from it where a loop skip would
// have spread across the boundary.
RowFrame compute_row_in_strips(const format::ProcessReader& process, size_t thread_pos, int64_t begin_ns,
                               int64_t end_ns, int pixels, const LodOptions& options = {},
                               CursorCheckpoints* checkpoints = nullptr, unsigned max_strips = 0,
                               uint64_t events_per_strip = kEventsPerStrip);

}  // namespace rondo::viewer
