// Level of detail of one timeline row: what each pixel column of a thread shows
// at each call depth, for a time window drawn on a given number of pixels.
//
// The cost grows with the pixels drawn, not with the events in the window:
//  * the row starts with a seek by time (the per-thread timestamp index, from
//    the nearest cursor checkpoint) and the calls open there
//    (EventCursor::open_calls), never a replay from the start;
//  * at the start of a loop iteration narrower than half a pixel, when the rest
//    of the loop occurrence fits in a couple of pixels, the rest is skipped in
//    one step (EventCursor::skip_loop) and its time is shared out like the
//    iteration just replayed ("1,024 iterations of loop L3");
//  * a pixel that has already replayed kSampleEvents events skips to the next
//    pixel with a seek by time; what it saw stands for the rest of it.
// Nothing is dropped silently: every pixel says how many events it replayed and
// how many it summarised, and which loop iterations were skipped.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cell_accumulator.h"
#include "cursor_checkpoints.h"
#include "rondo/format/reader.h"

namespace rondo::viewer {

// One pixel column at one call depth (0: outermost calls).
struct Cell {
  uint32_t region = kNoRegion;  // the region with the most time in this pixel at this depth
  float busy = 0;               // share of the pixel's time spent in calls at this depth (0..1)
};

// What one pixel column summarised.
struct PixelNote {
  uint64_t replayed = 0;    // events read one by one in this pixel
  uint64_t summarised = 0;  // events skipped (loop skip or seek) and estimated
  uint32_t loop = kNoRegion;  // the loop whose iterations were skipped here, if any
  uint64_t iterations = 0;  // how many of its iterations
};

struct RowFrame {
  int64_t begin_ns = 0, end_ns = 0;
  int pixels = 0;
  int depths = 0;            // rows of cells actually used
  std::vector<Cell> cells;   // kMaxDepth x pixels, depth-major
  std::vector<PixelNote> notes;  // per pixel
  uint64_t events_replayed = 0, events_summarised = 0, seeks = 0, loop_skips = 0;
  bool truncated = false;  // the thread's data ends early
  static constexpr int kMaxDepth = 24;
  const Cell& at(int depth, int px) const { return cells[static_cast<size_t>(depth) * pixels + px]; }
  // The depth of the innermost call seen in pixel `px` (-1: no call there):
  // what the timeline's "innermost call" mode draws instead of the flame.
  int innermost_depth(int px) const {
    for (int d = depths - 1; d >= 0; --d)
      if (at(d, px).region != kNoRegion) return d;
    return -1;
  }
};

class RowSummary;

struct LodOptions {
  uint64_t sample_events = 64;  // events a pixel replays before the rest of it is skipped
  bool summarise = true;        // false: replay every event (the reference the tests compare against)
  // The row's summary (model/row_summary.h), if it has one: a frame whose pixels
  // are wide enough is drawn from it, reading no event.
  const RowSummary* summary = nullptr;
};

// Computes the row of thread `thread_pos` of `process` for [begin_ns, end_ns) on `pixels` columns
// (from `options.summary` when it covers them).
// With `checkpoints`, its seeks start from the nearest checkpoint before them
// and leave new ones (the result is the same, the walk shorter).
RowFrame compute_row(const format::ProcessReader& process, size_t thread_pos, int64_t begin_ns, int64_t end_ns,
                     int pixels, const LodOptions& options = {}, CursorCheckpoints* checkpoints = nullptr);

// Columns [first_px, first_px + count) of the frame compute_row(process,
// thread_pos, frame_begin_ns, frame_end_ns, frame_pixels, options,
// checkpoints) computes, on that frame's pixel grid (never from the row's
// summary): a frame whose `pixels` is `count`, whose window runs from the first
// column's start to the last one's end. Replaying every event
// (options.summarise false), they are the frame's columns and the frame's
// events of those columns, so that columns computed apart (on several threads,
// or those a pan uncovers) are placed side by side without a seam.
RowFrame compute_columns(const format::ProcessReader& process, size_t thread_pos, int64_t frame_begin_ns,
                         int64_t frame_end_ns, int frame_pixels, int first_px, int count,
                         const LodOptions& options = {}, CursorCheckpoints* checkpoints = nullptr);

// Copies `count` columns of `from` starting at `from_px` (cells of every depth
// and their notes) into `into` at `at_px`; `into` has its cells and notes sized.
void copy_columns(const RowFrame& from, int from_px, int count, RowFrame& into, int at_px);

// What a pixel's tooltip says it summarised, e.g. "1,024 iterations of loop L3
// summarised (6,144 events)"; empty when the pixel was replayed in full.
std::string describe_note(const PixelNote& note);

// 1234567 -> "1,234,567".
std::string with_commas(uint64_t n);

}  // namespace rondo::viewer
