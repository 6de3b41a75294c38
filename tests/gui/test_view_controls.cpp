// The timeline's controls on real traces: searching a region by name
// highlights its calls (the pixels of its calls keep their color, every other
// call turns pale), the innermost-call mode shows one band per thread with the
// innermost call of each pixel, and rows can be hidden and shown again. The
// expected pixels come from a plain replay of the trace (viewer_fixture.h).
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QTest>

#include "main_window.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

uint32_t region_named(const TraceSession& s, size_t process, const std::string& name) {
  const auto& defs = s.trace().processes()[process]->defs();
  for (uint32_t r = 0; r < defs.regions.size(); ++r)
    if (s.region_name(process, r) == name) return r;
  return UINT32_MAX;
}

// A window around a call of `region` followed by a call of `other` (both a
// good many pixels wide at 1000 pixels), and those two calls.
struct Scene {
  Call a, b;
  Window w;
};
Scene scene(const std::vector<Call>& calls, uint32_t region, uint32_t other) {
  for (size_t i = calls.size() / 2; i + 1 < calls.size(); ++i)
    if (calls[i].region == region)
      for (size_t j = i + 1; j < i + 8 && j < calls.size(); ++j)
        if (calls[j].region == other) {
          int64_t lo = calls[i].start_ns, hi = calls[j].end_ns, pad = (hi - lo) / 4 + 1;
          return Scene{calls[i], calls[j], Window{lo - pad, hi + pad}};
        }
  return Scene{};
}

QColor pixel(TimelineView& view, size_t row, int depth, int64_t ns) {
  QImage image = view.grab().toImage();
  // The middle of the band: inside a full bar, clear of a selection's outline.
  int x = view.x_of(ns), y = view.row_top(row, depth) + TimelineView::kDepthPx / 2;
  return QColor(image.pixel(x, y));
}

QColor session_rgb(const TraceSession& s, uint32_t region) {
  Rgb c = s.color(0, region);
  return QColor(c.r, c.g, c.b);
}

// Shows the window at a fixed size and returns its timeline.
TimelineView& shown(MainWindow& w) {
  w.resize(1400, 500);
  w.show();
  QApplication::processEvents();
  return *w.timeline();
}

int64_t middle(const Call& c) { return c.start_ns + (c.end_ns - c.start_ns) / 2; }

}  // namespace

TEST(ViewerControls, SearchHighlightsTheCallsOfTheRegionFound) {
  TraceSession s(loops_trace());
  uint32_t relax = region_named(s, 0, "relax"), exchange = region_named(s, 0, "exchange");
  ASSERT_NE(relax, UINT32_MAX);
  ASSERT_NE(exchange, UINT32_MAX);
  Scene sc = scene(replay_calls(s.process(s.rows()[0]), 0), relax, exchange);
  ASSERT_GT(sc.w.end_ns, sc.w.begin_ns);
  MainWindow w(s);
  TimelineView& view = shown(w);
  view.set_window(sc.w);
  QColor relax_color = session_rgb(s, relax), exchange_color = session_rgb(s, exchange);
  // Before a search both are drawn in their own colors.
  EXPECT_EQ(pixel(view, 0, sc.a.depth, middle(sc.a)), relax_color);
  EXPECT_EQ(pixel(view, 0, sc.b.depth, middle(sc.b)), exchange_color);

  QTest::keyClicks(w.search(), "RELAX");  // case does not matter
  EXPECT_EQ(view.highlighted().regions, 1u);
  EXPECT_TRUE(view.highlighted().matches(0, relax));
  EXPECT_FALSE(view.highlighted().matches(0, exchange));
  EXPECT_EQ(pixel(view, 0, sc.a.depth, middle(sc.a)), relax_color);
  QColor pale = pixel(view, 0, sc.b.depth, middle(sc.b));
  EXPECT_NE(pale, exchange_color);
  EXPECT_EQ(pale, view.cell_color(0, exchange));
  EXPECT_GT(pale.lightness(), exchange_color.lightness());

  w.search()->clear();
  EXPECT_FALSE(view.highlighted().active());
  EXPECT_EQ(pixel(view, 0, sc.b.depth, middle(sc.b)), exchange_color);
  QTest::keyClicks(w.search(), "no such function");
  EXPECT_EQ(view.highlighted().regions, 0u);
}

TEST(ViewerControls, InnermostModeShowsTheInnermostCallOfEachPixel) {
  TraceSession s(loops_trace());
  uint32_t relax = region_named(s, 0, "relax"), exchange = region_named(s, 0, "exchange");
  auto calls = replay_calls(s.process(s.rows()[0]), 0);
  Scene sc = scene(calls, relax, exchange);
  ASSERT_GT(sc.a.depth, 0);  // relax runs inside step: not the outermost call
  MainWindow w(s);
  TimelineView& view = shown(w);
  view.set_window(sc.w);
  view.grab();
  int flame_bands = std::min(view.frame(0).depths, TimelineView::kMaxShownDepth);
  ASSERT_GT(flame_bands, 1);
  w.innermost()->trigger();
  EXPECT_EQ(view.depth_mode(), TimelineView::DepthMode::Innermost);
  // One band: the innermost calls, relax then exchange, both in band 0.
  EXPECT_EQ(pixel(view, 0, 0, middle(sc.a)), session_rgb(s, relax));
  EXPECT_EQ(pixel(view, 0, 0, middle(sc.b)), session_rgb(s, exchange));
  // A click on band 0 selects the innermost call there, with its exact times.
  QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(view.x_of(middle(sc.a)), view.row_top(0, 0) + 2));
  ASSERT_TRUE(view.selection().found);
  EXPECT_EQ(view.selection().region, relax);
  EXPECT_EQ(view.selection().start_ns, sc.a.start_ns);
  EXPECT_EQ(view.selection().end_ns, sc.a.end_ns);
  w.innermost()->trigger();
  EXPECT_EQ(view.depth_mode(), TimelineView::DepthMode::Flame);
  EXPECT_EQ(pixel(view, 0, sc.a.depth, middle(sc.a)), session_rgb(s, relax));
}

TEST(ViewerControls, RowsCanBeHiddenAndShownAgain) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(ring_trace());
  ASSERT_GE(s.rows().size(), 2u);
  MainWindow w(s);
  TimelineView& view = shown(w);
  view.grab();
  int second_top = view.row_top(1, 0);
  ASSERT_GT(view.row_top(0, 0), 0);
  ASSERT_EQ(w.row_list()->count(), static_cast<int>(s.rows().size()));
  w.row_list()->item(0)->setCheckState(Qt::Unchecked);
  view.grab();
  EXPECT_TRUE(view.row_hidden(0));
  EXPECT_EQ(view.row_top(0, 0), -1);
  EXPECT_GT(view.row_top(1, 0), 0);
  EXPECT_LT(view.row_top(1, 0), second_top);  // the rows below move up
  w.row_list()->item(0)->setCheckState(Qt::Checked);
  view.grab();
  EXPECT_FALSE(view.row_hidden(0));
  EXPECT_EQ(view.row_top(1, 0), second_top);
}
