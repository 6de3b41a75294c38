// Row summaries (model/row_summary.h): far frames drawn from them agree with a
// full replay of the same window, and the timeline switches to them once the
// session has built them.
#include <QApplication>
#include <QTest>
#include <chrono>
#include <cmath>

#include "main_window.h"
#include "model/row_summary.h"
#include "model/trace_session.h"
#include "timeline_view.h"
#include "viewer_fixture.h"

using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// How far a frame drawn from a summary is from the full replay of its window.
struct Agreement {
  int cells = 0;           // cells where the replay shows a region
  int same_region = 0;     // ... and the summary shows the same one
  double max_busy_error = 0, mean_busy_error = 0;
};

Agreement compare(const RowFrame& drawn, const RowFrame& exact) {
  Agreement a;
  int n = 0;
  for (int d = 0; d < std::max(drawn.depths, exact.depths); ++d)
    for (int x = 0; x < exact.pixels; ++x) {
      const Cell &s = drawn.at(d, x), &e = exact.at(d, x);
      double err = std::fabs(s.busy - e.busy);
      a.max_busy_error = std::max(a.max_busy_error, err);
      a.mean_busy_error += err;
      ++n;
      if (e.region == kNoRegion) continue;
      ++a.cells;
      if (s.region == e.region) ++a.same_region;
    }
  a.mean_busy_error /= std::max(n, 1);
  return a;
}

}  // namespace

// The whole run and a quarter of it, drawn from a summary of 8,192 buckets,
// against a replay of every event: each pixel's busy share is off by at most
// what its two edge buckets (at most 1/8 of the pixel each) can hold, and the
// dominant regions agree almost everywhere.
TEST(RowSummary, FarFramesAgreeWithAFullReplay) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const uint64_t events = p.thread(0).event_count();
  const int64_t b = s.info().start_ns, e = s.info().end_ns, span = e - b;
  auto summary = RowSummary::build(p, 0, b, e, 8192);
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->events(), events);
  EXPECT_EQ(summary->finest_buckets(), 8192u);
  EXPECT_GE(summary->depths(), 3);  // main > step > relax/exchange

  // The second window spans the calls of the second quarter (by count: on a
  // loaded machine the recorded program may have been descheduled for a
  // quarter of its run).
  auto calls = replay_calls(p, 0);
  ASSERT_GT(calls.size(), 1000u);
  int64_t q1 = calls[calls.size() / 4].start_ns, q2 = calls[calls.size() / 2].start_ns;
  // As many pixels (up to 200) as are 8 buckets wide.
  const int quarter_px = static_cast<int>(std::min<int64_t>(200, (q2 - q1) * 8192 / (span * 8)));
  ASSERT_GE(quarter_px, 20);
  struct Case {
    int64_t begin, end;
    int pixels;
  } cases[] = {{b, e, 800}, {q1, q2, quarter_px}, {b, e, 1000}};
  for (const Case& c : cases) {
    ASSERT_TRUE(summary->covers(c.begin, c.end, c.pixels));
    LodOptions with;
    with.summary = summary.get();
    RowFrame drawn = compute_row(p, 0, c.begin, c.end, c.pixels, with);
    RowFrame exact = compute_row(p, 0, c.begin, c.end, c.pixels, LodOptions{64, false});
    EXPECT_EQ(drawn.events_replayed, 0u);
    // Every event of the window is accounted for (each pixel rounds its share).
    uint64_t in_window = exact.events_replayed;
    EXPECT_LE(std::llabs(static_cast<long long>(drawn.events_summarised) - static_cast<long long>(in_window)),
              c.pixels);
    Agreement a = compare(drawn, exact);
    EXPECT_LE(a.max_busy_error, 0.25 + 1e-3);
    EXPECT_LT(a.mean_busy_error, 0.01);
    EXPECT_GT(a.cells, c.pixels);  // main in every pixel, and calls below it
    EXPECT_GE(a.same_region, a.cells * 95 / 100) << a.same_region << " of " << a.cells;
    // main runs the whole time: depth 0 is main, fully busy, in every inner pixel.
    for (int x = 1; x + 1 < c.pixels; ++x) {
      EXPECT_EQ(s.region_name(0, drawn.at(0, x).region), "main") << "pixel " << x;
      EXPECT_GT(drawn.at(0, x).busy, 0.999f) << "pixel " << x;
    }
    // Every pixel says it was summarised; one that stands for a few steps'
    // events (a step is about nine) says which loop's iterations it holds. (A
    // pixel inside a slow, descheduled call may hold no event at all.) How
    // many depends on where the buckets' edges fall: each bucket keeps the
    // loop it saw most iterations of, the inner relax loop or the step loop,
    // and a pixel's edge buckets count in proportion, so a pixel of a few
    // steps may name one iteration of the inner loop.
    int busy_pixels = 0;
    for (const PixelNote& n : drawn.notes) {
      EXPECT_EQ(n.replayed, 0u);
      if (n.summarised < 30) continue;
      ++busy_pixels;
      EXPECT_GE(n.iterations, 1u) << describe_note(n);
      EXPECT_NE(describe_note(n).find(" of loop L"), std::string::npos) << describe_note(n);
    }
    EXPECT_GE(busy_pixels, c.pixels / 10);  // (fewer when the recorded program was descheduled)
  }
  // The whole run: the pixels' events add up to the thread's.
  LodOptions with;
  with.summary = summary.get();
  RowFrame whole = compute_row(p, 0, b, e, 800, with);
  EXPECT_LE(std::llabs(static_cast<long long>(whole.events_summarised) - static_cast<long long>(events)), 800);
}

// A frame whose pixels are narrower than eight buckets is not drawn from the
// summary: compute_row gives exactly what it gives without one.
TEST(RowSummary, NearFramesAreNotDrawnFromIt) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns, span = e - b;
  auto summary = RowSummary::build(p, 0, b, e, 8192);
  ASSERT_TRUE(summary);
  auto calls = replay_calls(p, 0);
  const int64_t w0 = calls[calls.size() / 2].start_ns, w1 = w0 + span / 1000;  // at a call: there are events
  EXPECT_FALSE(summary->covers(w0, w1, 800));
  EXPECT_FALSE(summary->covers(b, e, 8192 / RowSummary::kBucketsPerPixel + 1));
  EXPECT_TRUE(summary->covers(b, e, 8192 / RowSummary::kBucketsPerPixel));
  LodOptions with;
  with.summary = summary.get();
  RowFrame near = compute_row(p, 0, w0, w1, 800, with), plain = compute_row(p, 0, w0, w1, 800);
  EXPECT_GT(near.events_replayed, 0u);
  EXPECT_EQ(near.events_replayed, plain.events_replayed);
  ASSERT_EQ(near.cells.size(), plain.cells.size());
  for (size_t i = 0; i < near.cells.size(); ++i) {
    EXPECT_EQ(near.cells[i].region, plain.cells[i].region);
    EXPECT_EQ(near.cells[i].busy, plain.cells[i].busy);
  }
}

// The coarser levels are the finer ones merged: dropping the finest level
// leaves the same totals (events, busy time) in a frame both can draw.
TEST(RowSummary, CoarserLevelsKeepTheTotals) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  auto summary = RowSummary::build(p, 0, b, e, 16384);
  ASSERT_TRUE(summary);
  RowFrame fine = summary->draw(b, e, 64);
  size_t bytes = summary->bytes();
  summary->drop_finest_level();
  EXPECT_EQ(summary->finest_buckets(), 8192u);
  EXPECT_LT(summary->bytes(), bytes);
  RowFrame coarse = summary->draw(b, e, 64);
  // 64 pixels of 256 and of 128 buckets: the same level is chosen (the
  // coarsest one that is fine enough), so the frames are identical.
  EXPECT_EQ(fine.events_summarised, coarse.events_summarised);
  for (int d = 0; d < fine.depths; ++d)
    for (int x = 0; x < 64; ++x) {
      EXPECT_EQ(fine.at(d, x).region, coarse.at(d, x).region);
      EXPECT_FLOAT_EQ(fine.at(d, x).busy, coarse.at(d, x).busy);
    }
  // Busy time summed over the pixels is the same at 1,024 pixels (from the
  // 8,192-bucket level) as at 64 (from a level 16 times coarser).
  RowFrame wide = summary->draw(b, e, 1024);
  for (int d = 0; d < fine.depths; ++d) {
    double narrow_sum = 0, wide_sum = 0;
    for (int x = 0; x < 64; ++x) narrow_sum += fine.at(d, x).busy * (1.0 / 64);
    for (int x = 0; x < 1024; ++x) wide_sum += wide.at(d, x).busy * (1.0 / 1024);
    EXPECT_NEAR(narrow_sum, wide_sum, 1e-4) << "depth " << d;
  }
}

// Built in three parts on three threads (each from a seek, the parts meeting
// in one bucket), a summary is the one built in a single replay: the same
// events in every pixel, the same regions, the same busy time.
TEST(RowSummary, BuiltInPartsEqualsBuiltWhole) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  const int64_t b = s.info().start_ns, e = s.info().end_ns;
  auto whole = RowSummary::build(p, 0, b, e, 8192);
  auto parted = RowSummary::build(p, 0, b, e, 8192, nullptr, 3);
  ASSERT_TRUE(whole && parted);
  EXPECT_EQ(parted->events(), whole->events());
  for (int pixels : {1000, 64}) {
    RowFrame a = whole->draw(b, e, pixels), c = parted->draw(b, e, pixels);
    EXPECT_EQ(c.events_summarised, a.events_summarised);
    for (int x = 0; x < pixels; ++x) EXPECT_EQ(c.notes[x].summarised, a.notes[x].summarised) << "pixel " << x;
    expect_same_cells(c, a, 1e-3);
  }
}

// A build asked to stop returns nothing.
TEST(RowSummary, StopsWhenAsked) {
  TraceSession s(loops_trace());
  std::atomic<bool> stop{true};
  for (unsigned parts : {1u, 2u})
    EXPECT_EQ(RowSummary::build(*s.trace().processes()[0], 0, s.info().start_ns, s.info().end_ns, 4096, &stop, parts),
              nullptr);
}

// The session summarises rows of at least kSummaryMinEvents events within its
// budget, and a shown timeline draws its full view from the summary once it is
// ready: no event is replayed for it any more.
TEST(RowSummary, TimelineSwitchesToTheSummaryWhenItIsReady) {
  TraceSession s(loops_trace());
  ASSERT_GE(s.thread(s.rows()[0]).event_count(), TraceSession::kSummaryMinEvents);
  EXPECT_EQ(s.summaries_planned(), 1u);
  EXPECT_EQ(s.summary(0), nullptr);  // nothing is built before the first frame
  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 800, 300);
  view.show();
  QApplication::processEvents();
  EXPECT_GT(view.frame(0).events_replayed, 0u);  // the first frame samples
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (view.frame(0).events_replayed > 0 && std::chrono::steady_clock::now() < deadline) QTest::qWait(50);
  ASSERT_NE(s.summary(0), nullptr);
  EXPECT_EQ(s.summaries_ready(), 1u);
  EXPECT_LE(s.summaries_bytes(), TraceSession::kSummaryBudget);
  const RowFrame& f = view.frame(0);
  EXPECT_EQ(f.events_replayed, 0u);
  EXPECT_LE(std::llabs(static_cast<long long>(f.events_summarised) -
                       static_cast<long long>(s.thread(s.rows()[0]).event_count())),
            800);
  // Zoomed in past the summary's buckets (at a call, so that there are events
  // to see), the view replays events again.
  auto calls = replay_calls(*s.trace().processes()[0], 0);
  ASSERT_GT(calls.size(), 1000u);
  int64_t at = calls[calls.size() / 2].start_ns;
  view.set_window(Window{at, at + (s.info().end_ns - s.info().start_ns) / 1000});
  ASSERT_FALSE(s.summary(0)->covers(view.window().begin_ns, view.window().end_ns, view.timeline_pixels()));
  EXPECT_GT(view.frame(0).events_replayed, 0u);
}

// A truncated row is summarised up to where its data ends, and says it is truncated.
TEST(RowSummary, TruncatedRowIsSummarisedUpToItsEnd) {
  std::string trace = work_dir() + "/cut_summary.rondo";
  fs::remove_all(trace);
  fs::copy(loops_trace(), trace);
  for (auto& e : fs::directory_iterator(trace))
    if (e.path().extension() == ".rnd") fs::resize_file(e.path(), fs::file_size(e.path()) * 2 / 3);
  TraceSession s(trace);
  const auto& p = *s.trace().processes()[0];
  auto summary = RowSummary::build(p, 0, s.info().start_ns, s.info().end_ns, 4096);
  ASSERT_TRUE(summary);
  RowFrame f = summary->draw(s.info().start_ns, s.info().end_ns, 400);
  EXPECT_TRUE(f.truncated);
  EXPECT_EQ(summary->events(), p.thread(0).event_count());
  EXPECT_GT(summary->events(), 0u);
}
