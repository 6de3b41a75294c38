// Panning by whole pixels (viewer/model/row_pan.h) on a real nested_loops
// trace: the frame made of the previous one's shared columns and the newly
// uncovered ones equals a frame computed afresh for the new window in nearly
// every column (a column by a seam may summarise a loop differently), while
// it replays only the uncovered columns' events.
#include <gtest/gtest.h>

#include <QApplication>
#include <QTest>

#include "model/row_pan.h"
#include "model/trace_session.h"
#include "timeline_view.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// Pans an 800-pixel window of `px_ns` a pixel (whole ns, so that a move by
// whole pixels is exact) starting at `b` by `shift` pixels both ways and
// compares with fresh frames; returns the most differing columns seen.
int pan_both_ways(const TraceSession& s, int64_t b, int64_t px_ns, int shift, uint64_t& fresh_events,
                  uint64_t& pan_events) {
  const int pixels = 800;
  const int64_t width_ns = px_ns * pixels;
  const Row& r = s.rows()[0];
  const auto& p = s.process(r);
  RowFrame before = compute_row(p, r.thread, b, b + width_ns, pixels);
  int worst = 0;
  for (int k : {shift, -shift}) {
    int64_t moved = b + k * px_ns;
    EXPECT_EQ(whole_pixel_shift(before, moved, moved + width_ns, pixels), k);
    RowFrame panned = pan_row(before, k, p, r.thread, moved, moved + width_ns);
    RowFrame fresh = compute_row(p, r.thread, moved, moved + width_ns, pixels);
    EXPECT_EQ(panned.begin_ns, fresh.begin_ns);
    EXPECT_EQ(panned.pixels, fresh.pixels);
    worst = std::max(worst, differing_columns(panned, fresh));
    fresh_events += fresh.events_replayed;
    pan_events += panned.events_replayed;
  }
  return worst;
}

// Where calls are (a loaded machine may leave gaps in a run, so a fraction of
// the run may fall between events): the start of the call `share` of the way
// through the first row's calls.
int64_t call_start(const TraceSession& s, double share) {
  std::vector<Call> calls = replay_calls(s.process(s.rows()[0]), s.rows()[0].thread);
  if (calls.empty()) return s.info().start_ns;
  return calls[static_cast<size_t>(static_cast<double>(calls.size() - 1) * share)].start_ns;
}

// The width of a pixel, in whole ns and at least `least`, for an 800-pixel
// window from the call `share` of the way through the first row's calls that
// holds a tenth of them. Sized by calls, not by the run's time: a machine
// loaded while the trace was recorded may pause the program for most of the
// run, and a tenth of the run's time may then hold a few hundred events.
int64_t tenth_of_the_calls_px(const TraceSession& s, double share, int64_t least) {
  return std::max<int64_t>((call_start(s, share + 0.1) - call_start(s, share)) / 800, least);
}

// A call start, among those at a few places in the run, whose 800-pixel window
// of `px_ns` a pixel holds the most events: on a machine loaded while the
// trace was recorded, a narrow window may fall in a pause of the program and
// hold too few events for the replay counts below to mean anything.
int64_t dense_call_start(const TraceSession& s, int64_t px_ns) {
  const Row& r = s.rows()[0];
  int64_t best = call_start(s, 0.5);
  uint64_t most = 0;
  for (double share : {0.5, 0.3, 0.7, 0.1, 0.9}) {
    const int64_t b = call_start(s, share);
    const uint64_t events = compute_row(s.process(r), r.thread, b, b + 800 * px_ns, 800).events_replayed;
    if (events > most) {
      most = events;
      best = b;
    }
  }
  return best;
}

}  // namespace

TEST(ViewerPan, PanningNearMatchesAFreshFrame) {
  TraceSession s(loops_trace());
  uint64_t fresh = 0, panned = 0;
  int64_t b = dense_call_start(s, 50);
  EXPECT_LE(pan_both_ways(s, b, 50, 40, fresh, panned), 2);  // 50 ns a pixel: calls span pixels
  EXPECT_GT(fresh, 0u);
  EXPECT_LT(panned * 5, fresh);  // 40 of 800 columns replayed, not all of them
}

TEST(ViewerPan, PanningFarMatchesAFreshFrameInNearlyEveryColumn) {
  TraceSession s(loops_trace());
  // 1/10 of the calls on 800 pixels: loop iterations narrower than a pixel.
  int64_t px = tenth_of_the_calls_px(s, 0.3, 1);
  uint64_t fresh = 0, panned = 0;
  // A column next to a seam may summarise a loop differently (a skip shares
  // its time over a few pixels): at most a handful of the 800.
  int64_t b = call_start(s, 0.3);
  EXPECT_LE(pan_both_ways(s, b, px, 25, fresh, panned), 8);
  EXPECT_GT(fresh, 0u);
  EXPECT_LT(panned * 5, fresh);
}

// Not a whole pixel, another zoom, or nothing shared: computed afresh.
TEST(ViewerPan, OnlyWholePixelMovesAtTheSameZoomArePans) {
  RowFrame f;
  f.begin_ns = 1000;
  f.end_ns = 1000 + 8000;
  f.pixels = 800;  // 10 ns a pixel
  f.cells.assign(static_cast<size_t>(RowFrame::kMaxDepth) * 800, Cell{});
  EXPECT_EQ(whole_pixel_shift(f, 1030, 9030, 800), 3);
  EXPECT_EQ(whole_pixel_shift(f, 970, 8970, 800), -3);
  EXPECT_EQ(whole_pixel_shift(f, 1035, 9035, 800), 0);   // half a pixel
  EXPECT_EQ(whole_pixel_shift(f, 1030, 9040, 800), 0);   // another zoom
  EXPECT_EQ(whole_pixel_shift(f, 1030, 9030, 400), 0);   // another width
  EXPECT_EQ(whole_pixel_shift(f, 9000, 17000, 800), 0);  // no column shared
  EXPECT_EQ(whole_pixel_shift(f, 1000, 9000, 800), 0);   // not moved
}

// A drag on the timeline takes the pan path: after dragging 16 px at 1/10 of
// the calls, the row's frame has replayed only the uncovered columns' events,
// and shows what a fresh frame of the new window shows.
TEST(ViewerPan, DragOnTheTimelinePansTheFrame) {
  TraceSession s(loops_trace());
  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 800, 300);
  const int pixels = view.timeline_pixels();
  ASSERT_EQ(pixels, 800);
  int64_t px = tenth_of_the_calls_px(s, 0.5, 100);
  int64_t b = call_start(s, 0.5);
  view.set_window(Window{b, b + px * pixels});
  const uint64_t whole = view.frame(0).events_replayed;
  const int y = view.row_top(0, 0) + 2, x = TimelineView::kLabelWidth + 400;
  QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(x, y));
  QTest::mouseMove(&view, QPoint(x - 16, y));  // drag left: the window moves later
  QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(x - 16, y));
  const Window moved = view.window();
  ASSERT_NE(moved, (Window{b, b + px * pixels}));
  const RowFrame& panned = view.frame(0);
  RowFrame fresh = compute_row(s.process(s.rows()[0]), s.rows()[0].thread, moved.begin_ns, moved.end_ns, pixels);
  EXPECT_GT(whole, 0u);
  EXPECT_LT(panned.events_replayed * 5, whole);
  EXPECT_LE(differing_columns(panned, fresh), 8);
}
