// Frames computed in strips on several threads (viewer/model/row_strips.h) on
// a real nested_loops trace: an exact replay in strips is the whole frame, a
// sampled one differs only by its seams, and sharing the cursor checkpoints
// between the strips' threads changes nothing.
#include <gtest/gtest.h>

#include "model/row_strips.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

constexpr int kPixels = 800;
constexpr unsigned kStrips = 4;
constexpr uint64_t kSmallStrips = 1000;  // events a strip needs: the test trace is cut into kStrips

// When event `index` of the process's first thread happened.
int64_t event_ns(const format::ProcessReader& p, uint64_t index) {
  format::EventCursor c(p.thread(0));
  format::Event e;
  while (c.next(e))
    if (e.index == index) return p.to_ns(e.ticks);
  ADD_FAILURE() << "no event " << index;
  return 0;
}

}  // namespace

// The estimate of a window's events is exact for the whole thread, and the
// strips are as many as asked for only when the window holds enough events.
TEST(RowStrips, StripCountFollowsTheEventsOfTheWindow) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const uint64_t events = p.thread(0).event_count();
  EXPECT_EQ(estimated_events(p.thread(0), 0, UINT64_MAX), events);
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  EXPECT_EQ(strip_count(p, 0, b, e, kPixels, kStrips, kSmallStrips), kStrips);
  EXPECT_EQ(strip_count(p, 0, b, e, kPixels, kStrips, events + 1), 1u);      // fewer events than one strip needs
  EXPECT_EQ(strip_count(p, 0, b, e, kPixels, kStrips, (events - 10) / 2), 2u);  // (the end is estimated within an event)
  EXPECT_EQ(strip_count(p, 0, b, e, 100, kStrips, kSmallStrips), 1u);         // 64 pixels a strip at least
  EXPECT_EQ(strip_count(p, 0, b, b + (e - b) / 1000, kPixels, kStrips, kSmallStrips), 1u);  // ~184 events
}

// Replaying every event, strips give the whole frame: the same region in every
// cell, the same busy share, every event replayed once.
TEST(RowStrips, ExactReplayInStripsIsTheWholeFrame) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  LodOptions exact{64, false};
  RowFrame whole = compute_row(p, 0, b, e, kPixels, exact);
  RowFrame cut = compute_row_in_strips(p, 0, b, e, kPixels, exact, nullptr, kStrips, kSmallStrips);
  EXPECT_EQ(cut.events_replayed, whole.events_replayed);
  // The window [start, end) leaves out the last event, which is at its end.
  EXPECT_EQ(cut.events_replayed + 1, p.thread(0).event_count());
  expect_same_cells(cut, whole, 1e-6);
}

// Wherever the strips are cut (pixel widths that are not whole nanoseconds,
// strips of unequal widths), each column is the whole frame's: the strips are
// computed on the whole frame's pixel grid, so a call ending near a strip's
// edge falls in the same column, and each event is counted in the column the
// whole frame counts it in.
TEST(RowStrips, ExactReplayInStripsIsTheWholeFrameWhereverItIsCut) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  LodOptions exact{64, false};
  // The whole trace, and a window placed by events (from a third of them, a
  // seventh of them long: 26,000 events, enough for 7 strips), not by shares
  // of the run's time, which a machine under load stretches anywhere.
  const uint64_t n = p.thread(0).event_count();
  const std::pair<int64_t, int64_t> windows[] = {{b, e}, {event_ns(p, n / 3), event_ns(p, n / 3 + n / 7)}};
  for (auto [w0, w1] : windows)
    for (int pixels : {800, 797})
      for (unsigned strips : {2u, 3u, 7u}) {
        SCOPED_TRACE(testing::Message() << "window " << w0 - b << ".." << w1 - b << " ns, " << pixels
                                        << " pixels, " << strips << " strips");
        RowFrame whole = compute_row(p, 0, w0, w1, pixels, exact);
        ASSERT_EQ(strip_count(p, 0, w0, w1, pixels, strips, kSmallStrips), strips);
        RowFrame cut = compute_row_in_strips(p, 0, w0, w1, pixels, exact, nullptr, strips, kSmallStrips);
        EXPECT_EQ(cut.events_replayed, whole.events_replayed);
        int notes_differ = 0;
        for (int px = 0; px < pixels; ++px) notes_differ += cut.notes[px].replayed != whole.notes[px].replayed;
        EXPECT_EQ(notes_differ, 0);
        expect_same_cells(cut, whole, 1e-6);
      }
}

// Sampled, the strips differ from the whole frame only next to their three
// seams; with the cursor checkpoints shared by the strips' threads the frame
// is exactly the one without them, again and again.
TEST(RowStrips, SampledStripsDifferOnlyAtTheSeams) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  RowFrame whole = compute_row(p, 0, b, e, kPixels);
  RowFrame plain = compute_row_in_strips(p, 0, b, e, kPixels, {}, nullptr, kStrips, kSmallStrips);
  EXPECT_GT(plain.events_summarised, 0u);
  EXPECT_LE(differing_columns(plain, whole), 2 * static_cast<int>(kStrips - 1));
  CursorCheckpoints checkpoints;
  for (int round = 0; round < 5; ++round) {
    RowFrame shared = compute_row_in_strips(p, 0, b, e, kPixels, {}, &checkpoints, kStrips, kSmallStrips);
    EXPECT_EQ(differing_columns(shared, plain), 0) << "round " << round;
    EXPECT_EQ(shared.events_replayed, plain.events_replayed) << "round " << round;
    // A window in the middle, drawn from the checkpoints the full views left.
    int64_t w0 = b + (e - b) / 3, w1 = w0 + (e - b) / 4;
    RowFrame mid = compute_row_in_strips(p, 0, w0, w1, kPixels, {}, &checkpoints, kStrips, kSmallStrips);
    RowFrame mid_plain = compute_row_in_strips(p, 0, w0, w1, kPixels, {}, nullptr, kStrips, kSmallStrips);
    EXPECT_EQ(differing_columns(mid, mid_plain), 0) << "round " << round;
  }
  EXPECT_GT(checkpoints.count(), 0u);
}
