// Panning reuses a row's frame: when the window moves by a whole number of
// pixels at the same zoom, the columns both windows show are kept and only
// the newly uncovered ones are computed (compute_columns), so a drag
// costs what the pixels it uncovers cost, not a whole frame. A kept column is
// what compute_row gave it in the previous frame; a fresh frame of the new
// window may differ from it only where a column's summary depended on the
// columns before it (a loop skip spread over a few pixels near a seam).
#pragma once

#include "row_lod.h"

namespace rondo::viewer {

// The number of pixels the window [begin_ns, end_ns) on `pixels` columns is
// `previous` moved by (positive: later), when it is the same zoom moved by a
// whole number of pixels (within 1 % of one) that leaves some columns shared;
// else 0.
int whole_pixel_shift(const RowFrame& previous, int64_t begin_ns, int64_t end_ns, int pixels);

// The frame of [begin_ns, end_ns) made of `previous` moved by `shift` pixels
// (whole_pixel_shift) and the |shift| columns it uncovers, computed like
// compute_row. Its event counts are those of the new columns alone.
RowFrame pan_row(const RowFrame& previous, int shift, const format::ProcessReader& process, size_t thread_pos,
                 int64_t begin_ns, int64_t end_ns, const LodOptions& options = {},
                 CursorCheckpoints* checkpoints = nullptr);

}  // namespace rondo::viewer
