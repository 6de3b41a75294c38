#include "row_pan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace rondo::viewer {

int whole_pixel_shift(const RowFrame& previous, int64_t begin_ns, int64_t end_ns, int pixels) {
  if (previous.pixels != pixels || pixels <= 1 || previous.end_ns - previous.begin_ns != end_ns - begin_ns ||
      previous.cells.size() != static_cast<size_t>(RowFrame::kMaxDepth) * static_cast<size_t>(pixels))
    return 0;
  double px_ns = static_cast<double>(end_ns - begin_ns) / pixels;
  double s = static_cast<double>(begin_ns - previous.begin_ns) / px_ns;
  double k = std::round(s);
  if (std::abs(s - k) > 0.01 || k == 0 || std::abs(k) >= pixels) return 0;
  return static_cast<int>(k);
}

RowFrame pan_row(const RowFrame& previous, int shift, const format::ProcessReader& process, size_t thread_pos,
                 int64_t begin_ns, int64_t end_ns, const LodOptions& options, CursorCheckpoints* checkpoints) {
  const int pixels = previous.pixels, fresh = std::abs(shift), kept = pixels - fresh;
  // The uncovered columns, on the new window's pixel grid: at the end when the
  // window moved later, else at the start.
  const int fresh_at = shift > 0 ? kept : 0;
  RowFrame strip = compute_columns(process, thread_pos, begin_ns, end_ns, pixels, fresh_at, fresh, options, checkpoints);

  RowFrame f;
  f.begin_ns = begin_ns;
  f.end_ns = end_ns;
  f.pixels = pixels;
  f.depths = std::max(previous.depths, strip.depths);
  f.truncated = strip.truncated;
  f.events_replayed = strip.events_replayed;
  f.events_summarised = strip.events_summarised;
  f.seeks = strip.seeks;
  f.loop_skips = strip.loop_skips;
  f.cells.assign(previous.cells.size(), Cell{});
  f.notes.assign(static_cast<size_t>(pixels), PixelNote{});
  // Column px of the new frame was column px + shift of the previous one.
  const int kept_at = shift > 0 ? 0 : fresh;
  copy_columns(previous, kept_at + shift, kept, f, kept_at);
  copy_columns(strip, 0, fresh, f, fresh_at);
  return f;
}

}  // namespace rondo::viewer
