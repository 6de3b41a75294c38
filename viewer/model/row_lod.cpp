#include "row_lod.h"

#include <algorithm>
#include <cmath>

#include "row_summary.h"
#include "trace_session.h"

namespace rondo::viewer {

using namespace rondo::format;

namespace {

using Acc = TopRegions<double>;

struct OpenCall {
  uint32_t region;
  int64_t start_ns;
};

// A call completed inside the loop iteration being tracked: what a skipped
// iteration is assumed to look like.
struct Piece {
  int depth;
  uint32_t region;
  int64_t ns;
};

// The pixel grid of a whole frame, of which a RowBuilder fills the columns
// [first, first + count): every pixel edge is computed from the frame's start
// and pixel width, so that columns computed apart are the frame's columns.
struct PixelGrid {
  int64_t begin_ns = 0, end_ns = 0;  // the whole frame's window
  double px_ns = 1;                  // the whole frame's pixel width
  int pixels = 1;                    // the whole frame's columns
  int first = 0, count = 1;          // the columns built
  bool last() const { return first + count == pixels; }
};

class RowBuilder {
 public:
  RowBuilder(const PixelGrid& g, RowFrame& f) : g_(g), f_(f) {
    acc_.resize(static_cast<size_t>(RowFrame::kMaxDepth) * f.pixels);
    lo_ = g.first * g.px_ns;
    hi_ = g.last() ? rel(g.end_ns) : (g.first + g.count) * g.px_ns;
  }
  double px_ns() const { return g_.px_ns; }
  // Times are made relative to the frame's start before they become doubles:
  // absolute nanoseconds (~1e13) would lose the last digits of a pixel's share.
  double rel(int64_t ns) const { return static_cast<double>(ns - g_.begin_ns); }
  // The column of the whole frame that `ns` falls in, before clamping.
  double frame_px(int64_t ns) const { return std::floor(rel(ns) / g_.px_ns); }
  // An event before the built columns (it belongs to the column before them).
  bool before(int64_t ns) const { return g_.first > 0 && frame_px(ns) < g_.first; }
  // An event past the built columns: the window's end for the frame's last
  // column, else the next column's start.
  bool past(int64_t ns) const { return g_.last() ? ns >= g_.end_ns : frame_px(ns) >= g_.first + g_.count; }
  int px_of(int64_t ns) const { return px_of_rel(rel(ns)); }
  int px_of_rel(double x_ns) const {
    double x = std::clamp(std::floor(x_ns / g_.px_ns), 0.0, static_cast<double>(g_.pixels - 1)) - g_.first;
    return static_cast<int>(std::clamp(x, 0.0, static_cast<double>(g_.count - 1)));
  }
  double px_start_rel(int px) const { return (g_.first + px) * g_.px_ns; }
  int64_t px_start_ns(int px) const { return g_.begin_ns + static_cast<int64_t>(std::ceil(px_start_rel(px))); }

  // Time [a_ns, b_ns) in `region` at `depth`, times `weight`, clipped to the built columns.
  void add(int depth, uint32_t region, int64_t a_ns, int64_t b_ns, double weight = 1.0) {
    if (depth >= RowFrame::kMaxDepth) return;
    double a = std::max(rel(a_ns), lo_), b = std::min(rel(b_ns), hi_);
    if (b <= a) return;
    used_depth_ = std::max(used_depth_, depth + 1);
    for (int px = px_of_rel(a), last = px_of_rel(std::nextafter(b, a)); px <= last; ++px) {
      double lo = std::max(a, px_start_rel(px)), hi = std::min(b, px_start_rel(px + 1));
      if (hi > lo) cell(depth, px).add(region, (hi - lo) * weight);
    }
  }
  Acc& cell(int depth, int px) { return acc_[static_cast<size_t>(depth) * f_.pixels + px]; }

  void finish() {
    f_.depths = used_depth_;
    f_.cells.assign(acc_.size(), Cell{});
    for (size_t i = 0; i < acc_.size(); ++i) {
      const Acc& a = acc_[i];
      if (a.total > 0) f_.cells[i] = Cell{a.dominant(), static_cast<float>(std::min(1.0, a.total / g_.px_ns))};
    }
  }

 private:
  PixelGrid g_;
  RowFrame& f_;
  double lo_ = 0, hi_ = 0;  // the built columns' time, relative to the frame's start
  std::vector<Acc> acc_;
  int used_depth_ = 0;
};

}  // namespace

RowFrame compute_row(const ProcessReader& process, size_t thread_pos, int64_t begin_ns, int64_t end_ns, int pixels,
                     const LodOptions& options, CursorCheckpoints* checkpoints) {
  if (options.summarise && options.summary && options.summary->covers(begin_ns, end_ns, pixels))
    return options.summary->draw(begin_ns, end_ns, pixels);
  return compute_columns(process, thread_pos, begin_ns, end_ns, pixels, 0, pixels, options, checkpoints);
}

RowFrame compute_columns(const ProcessReader& process, size_t thread_pos, int64_t frame_begin_ns,
                         int64_t frame_end_ns, int frame_pixels, int first_px, int count, const LodOptions& options,
                         CursorCheckpoints* checkpoints) {
  PixelGrid grid;
  grid.begin_ns = frame_begin_ns;
  grid.end_ns = std::max(frame_end_ns, frame_begin_ns + 1);
  grid.pixels = std::max(frame_pixels, 1);
  grid.first = std::clamp(first_px, 0, grid.pixels - 1);
  grid.count = std::clamp(count, 1, grid.pixels - grid.first);
  grid.px_ns = static_cast<double>(grid.end_ns - grid.begin_ns) / grid.pixels;
  // The columns' own window: from the first column's start (rounded down, so
  // that the seek lands before it) to the end of the last (rounded up).
  const double columns_end = (grid.first + grid.count) * grid.px_ns;
  const int64_t begin_ns = grid.begin_ns + static_cast<int64_t>(std::floor(grid.first * grid.px_ns));
  RowFrame f;
  f.begin_ns = begin_ns;
  f.end_ns = grid.last() ? grid.end_ns : grid.begin_ns + static_cast<int64_t>(std::ceil(columns_end));
  f.pixels = grid.count;
  f.notes.assign(f.pixels, PixelNote{});
  const ThreadTrace& thread = process.thread(thread_pos);
  f.truncated = thread.truncated();
  RowBuilder rb(grid, f);
  const double px_ns = rb.px_ns();

  // Seeks by time, from the nearest checkpoint when there are checkpoints.
  auto seek = [&](EventCursor& c, int64_t at) {
    if (checkpoints)
      c = checkpoints->seek(thread, ticks_at(process, at));
    else
      c.seek_ticks(ticks_at(process, at));
  };
  auto advance = [&](EventCursor& c, int64_t at) {
    if (checkpoints)
      checkpoints->advance(c, thread, ticks_at(process, at));
    else
      c.advance_to_ticks(ticks_at(process, at));
  };
  EventCursor cursor(thread);
  seek(cursor, begin_ns);
  std::vector<uint32_t> open;
  cursor.open_calls(open);
  std::vector<OpenCall> stack;
  for (uint32_t r : open) stack.push_back(OpenCall{r, begin_ns});

  // The innermost loop iteration being replayed, and the calls completed in it.
  struct {
    bool valid = false;
    uint32_t loop = 0, occurrence = 0, iteration = 0;
    int64_t start_ns = 0;
    size_t depth = 0;  // stack depth when it began
    std::vector<Piece> pieces;
    bool pieces_ok = true;
  } iter;
  constexpr size_t kMaxPieces = 32;
  std::vector<LoopFrame> frames, frames_before;
  uint64_t generation = cursor.loop_generation();

  auto close_to = [&](size_t depth, int64_t at) {
    while (stack.size() > depth) {
      const OpenCall& c = stack.back();
      int d = static_cast<int>(stack.size() - 1);
      rb.add(d, c.region, c.start_ns, at);
      if (iter.valid && stack.size() - 1 >= iter.depth) {
        if (iter.pieces.size() < kMaxPieces)
          iter.pieces.push_back(Piece{d, c.region, at - c.start_ns});
        else
          iter.pieces_ok = false;
      }
      stack.pop_back();
    }
  };

  // An enter or a leave at `ns` on the stack of open calls.
  auto apply = [&](const Event& e, int64_t ns) {
    EventKind kind = e.kind();
    if (kind == EventKind::Enter) {
      stack.push_back(OpenCall{e.def->key.ref, std::max(ns, begin_ns)});
    } else if (kind == EventKind::Leave) {
      size_t k = stack.size();
      while (k > 0 && stack[k - 1].region != e.def->key.ref) --k;
      if (k > 0) close_to(k - 1, ns);  // a leave with no open call (damaged data) is ignored
    }
  };

  // Moves the cursor to the first event at or after `at` and makes the stack the
  // calls open there: those open before and after keep their start, those that
  // ended in between are closed at `closed_at` (the last time seen), the others
  // start at `at`. Returns the depth up to which calls were kept.
  auto seek_to = [&](int64_t at, int64_t closed_at, bool backward = false) {
    if (backward)
      seek(cursor, at);
    else
      advance(cursor, at);
    ++f.seeks;
    // Loop iterations are tracked from the next one that starts (the seek may
    // land inside one): a cursor copied from a checkpoint also counts its own
    // generations, so the count is taken afresh.
    generation = cursor.loop_generation();
    cursor.open_calls(open);
    size_t keep = 0;
    while (keep < stack.size() && keep < open.size() && stack[keep].region == open[keep]) ++keep;
    iter.valid = false;
    close_to(keep, closed_at);
    for (size_t k = keep; k < open.size(); ++k) stack.push_back(OpenCall{open[k], at});
    return keep;
  };
  // A loop occurrence whose skip turned out wider than estimated is replayed instead.
  bool replaying = false;
  uint32_t replay_loop = 0, replay_occurrence = 0;

  Event ev;
  bool have = cursor.next(ev);
  int64_t last_ns = begin_ns;
  bool ended_in_window = true;  // the thread's data ended before end_ns
  while (have) {
    int64_t ns = process.to_ns(ev.ticks);
    if (rb.past(ns)) {
      ended_in_window = false;
      break;
    }
    last_ns = std::max(ns, begin_ns);
    if (rb.before(ns)) {
      // An event of the column before these, reached by the seek: it opens or
      // closes calls, and the column it belongs to counts it.
      apply(ev, ns);
      have = cursor.next(ev);
      continue;
    }
    int px = rb.px_of(ns);

    if (options.summarise && cursor.loop_generation() != generation) {
      generation = cursor.loop_generation();
      cursor.loop_frames(frames);
      if (frames.empty()) {
        iter.valid = false;
      } else {
        const LoopFrame& lf = frames.back();
        bool next_iteration = iter.valid && iter.loop == lf.loop && iter.occurrence == lf.occurrence &&
                              lf.iteration == iter.iteration + 1 && stack.size() == iter.depth;
        bool replay_this = replaying && replay_loop == lf.loop && replay_occurrence == lf.occurrence;
        if (next_iteration && iter.pieces_ok && !replay_this) {
          double d = static_cast<double>(ns - iter.start_ns);
          uint64_t rest = lf.iterations - lf.iteration;  // the current iteration and those after it
          if (d * 2 < px_ns && rest >= 2 && d * static_cast<double>(rest) <= 2 * px_ns) {
            // The rest of this occurrence fits in about two pixels: skip it in one
            // step and share its time out like the iteration just replayed.
            uint64_t skipped = cursor.skip_loop();
            have = cursor.next(ev);
            int64_t after = have ? process.to_ns(ev.ticks) : process.to_ns(thread.last_ticks());
            if (static_cast<double>(after - ns) > 4 * px_ns) {
              // The iterations were not alike (one of them was slow): go back and
              // replay this occurrence, so that what is wide enough to see is seen.
              replaying = true;
              replay_loop = lf.loop;
              replay_occurrence = lf.occurrence;
              seek_to(ns, ns, true);
              have = cursor.next(ev);
              continue;
            }
            ++f.loop_skips;
            if (after > ns && d > 0)
              for (const Piece& pc : iter.pieces)
                rb.add(pc.depth, pc.region, ns, after, static_cast<double>(pc.ns) / d);
            int last_px = rb.px_of(std::max(after, ns + 1) - 1);
            f.notes[px].summarised += skipped;
            f.notes[px].replayed += 1;
            f.events_summarised += skipped;
            ++f.events_replayed;
            for (int q = px; q <= last_px; ++q) {
              f.notes[q].loop = lf.loop;
              f.notes[q].iterations = rest;
            }
            iter.valid = false;  // the next event's loop frames are read at the top
            continue;
          }
        }
        iter.valid = true;
        iter.loop = lf.loop;
        iter.occurrence = lf.occurrence;
        iter.iteration = lf.iteration;
        iter.start_ns = ns;
        iter.depth = stack.size();
        iter.pieces.clear();
        iter.pieces_ok = true;
      }
    }

    ++f.notes[px].replayed;
    ++f.events_replayed;
    apply(ev, ns);

    // A pixel that has seen enough: skip to the next one with a seek by time.
    if (options.summarise && f.notes[px].replayed >= options.sample_events && px + 1 < f.pixels) {
      int64_t next_start = rb.px_start_ns(px + 1);
      uint64_t before = cursor.position();
      cursor.loop_frames(frames_before);
      // Calls that ended in the skipped part are known up to the last event seen;
      // the pixel's deeper cells stand for all of it, so scale them to its width.
      size_t keep = seek_to(next_start, last_ns);
      double seen = rb.rel(last_ns) - rb.px_start_rel(px);
      if (seen > 0)
        for (int d = static_cast<int>(keep); d < RowFrame::kMaxDepth; ++d) {
          Acc& a = rb.cell(d, px);
          double scale = px_ns / seen;
          for (double& v : a.ns) v *= scale;
          a.total *= scale;
        }
      have = cursor.next(ev);
      uint64_t landed = have ? ev.index : cursor.position();
      uint64_t skipped = landed > before ? landed - before : 0;
      f.notes[px].summarised += skipped;
      f.events_summarised += skipped;
      cursor.loop_frames(frames);
      if (!frames.empty() && !frames_before.empty() && frames.back().loop == frames_before.back().loop &&
          frames.back().occurrence == frames_before.back().occurrence &&
          frames.back().iteration > frames_before.back().iteration) {
        f.notes[px].loop = frames.back().loop;
        f.notes[px].iterations = frames.back().iteration - frames_before.back().iteration;
      }
      continue;
    }
    have = cursor.next(ev);
  }
  // Calls still open run to the window's end, or to the thread's last event.
  close_to(0, ended_in_window ? last_ns : f.end_ns);
  rb.finish();
  return f;
}

void copy_columns(const RowFrame& from, int from_px, int count, RowFrame& into, int at_px) {
  for (int d = 0; d < RowFrame::kMaxDepth; ++d) {
    auto src = from.cells.begin() + static_cast<ptrdiff_t>(d) * from.pixels + from_px;
    std::copy(src, src + count, into.cells.begin() + static_cast<ptrdiff_t>(d) * into.pixels + at_px);
  }
  std::copy(from.notes.begin() + from_px, from.notes.begin() + from_px + count, into.notes.begin() + at_px);
}

std::string with_commas(uint64_t n) {
  std::string s = std::to_string(n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

std::string describe_note(const PixelNote& note) {
  if (note.summarised == 0 && note.loop == kNoRegion) return "";
  std::string text;
  if (note.loop != kNoRegion)
    text = with_commas(note.iterations) + (note.iterations == 1 ? " iteration" : " iterations") + " of loop L" +
           std::to_string(note.loop) + " summarised";
  else
    text = "summarised";
  if (note.summarised) text += " (" + with_commas(note.summarised) + " events)";
  return text;
}

}  // namespace rondo::viewer
