// The viewer on real recorded traces: the level-of-detail model (viewer/model)
// against a full replay of the same trace, the widgets through Qt Test, and
// `rondo view --screenshot` as a user runs it. Nothing is compared with an image
// the viewer itself produced: rendered pixels are checked against the trace's
// own times.
#include <gtest/gtest.h>

#include <QApplication>
#include <QImage>
#include <QTest>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "viewer_fixture.h"
#include "main_window.h"
#include "model/pick.h"
#include "model/row_lod.h"
#include "model/trace_session.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;
namespace fs = std::filesystem;

namespace {

size_t row_of(const TraceSession& s, int32_t rank, size_t thread) {
  for (size_t i = 0; i < s.rows().size(); ++i)
    if (s.rows()[i].rank == rank && s.rows()[i].thread == thread) return i;
  return SIZE_MAX;
}

// Pixel columns lying entirely inside one of `calls` (matching `want`) or
// entirely outside all of them. Times are taken relative to the window's start
// before they become doubles, as the frame takes them: absolute nanoseconds
// (~1e13) would put a call ending exactly on a column's edge a rounding error
// inside or outside it, where the frame sees it end on the edge.
struct Columns {
  std::vector<int> inside, outside;
  std::vector<uint32_t> inside_region;
};
template <class Pred>
Columns classify(const std::vector<Call>& calls, Pred want, int64_t b, int64_t e, int pixels) {
  Columns out;
  double px = static_cast<double>(e - b) / pixels;
  for (int x = 0; x < pixels; ++x) {
    double lo = x * px, hi = (x + 1) * px;
    bool touched = false;
    for (const Call& c : calls) {
      if (!want(c)) continue;
      auto start = static_cast<double>(c.start_ns - b), end = static_cast<double>(c.end_ns - b);
      if (start <= lo && end >= hi) {
        out.inside.push_back(x);
        out.inside_region.push_back(c.region);
        touched = true;
        break;
      }
      if (start < hi && end > lo) touched = true;
    }
    if (!touched) out.outside.push_back(x);
  }
  return out;
}

}  // namespace

// The open calls a seek reports are those a replay from the start has open there.
TEST(ViewerModel, OpenCallsAfterASeekMatchAFullReplay) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  auto calls = replay_calls(p, 0);
  ASSERT_GT(calls.size(), 20000u);
  int64_t b = s.info().start_ns, span = s.info().end_ns - b;
  for (int k = 1; k < 40; ++k) {
    int64_t at = b + span * k / 40;
    format::EventCursor c(p.thread(0));
    c.seek_ticks(ticks_at(p, at));
    std::vector<uint32_t> open;
    c.open_calls(open);
    format::Event e;
    ASSERT_TRUE(c.next(e));
    int64_t first = p.to_ns(e.ticks);
    // Calls entered before the first event returned and not left before it.
    std::vector<std::pair<int, uint32_t>> expected;
    for (const Call& call : calls)
      if (call.start_ns < first && call.end_ns >= first) expected.emplace_back(call.depth, call.region);
    std::sort(expected.begin(), expected.end());
    ASSERT_EQ(open.size(), expected.size()) << "at " << at;
    for (size_t i = 0; i < open.size(); ++i) EXPECT_EQ(open[i], expected[i].second);
  }
}

// A rank's row has the MPI color exactly where its MPI calls were, in the model
// and in the pixels of the rendered widget.
TEST(ViewerWidgets, RankRowHasTheMpiColorExactlyWhereItsMpiCallsWere) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(ring_trace());
  ASSERT_EQ(s.rows().size() >= 2, true);
  size_t row = row_of(s, 1, 0);
  ASSERT_NE(row, SIZE_MAX);
  const Row& r = s.rows()[row];
  auto calls = replay_calls(s.process(r), r.thread);
  auto is_mpi = [&](const Call& c) { return s.group(r.process, c.region) == RegionGroup::Mpi; };
  size_t mpi_calls = std::count_if(calls.begin(), calls.end(), is_mpi);
  ASSERT_GT(mpi_calls, 600u);  // 300 sends and receives, init, finalize

  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 900, 400);
  view.set_show_messages(false);  // the arrows between the ranks would cover the row's pixels
  // The whole run, then a window around the widest gap between two MPI calls
  // (after MPI_Init), where single calls and the gap are many pixels wide.
  std::vector<Call> mpi;
  std::copy_if(calls.begin(), calls.end(), std::back_inserter(mpi), is_mpi);
  size_t gap = 1;
  for (size_t i = 1; i + 2 < mpi.size(); ++i)
    if (mpi[i + 1].start_ns - mpi[i].end_ns > mpi[gap + 1].start_ns - mpi[gap].end_ns) gap = i;
  int64_t g0 = mpi[gap].end_ns, g1 = mpi[gap + 1].start_ns, width = std::max<int64_t>(g1 - g0, 100);
  std::vector<Window> windows = {view.window(), Window{g0 - 2 * width, g1 + 2 * width}};
  for (size_t k = 0; k < windows.size(); ++k) {
    Window w = windows[k];
    view.set_window(w);
    const RowFrame& f = view.frame(row);
    ASSERT_EQ(f.pixels, view.timeline_pixels());
    Columns cols = classify(calls, is_mpi, w.begin_ns, w.end_ns, f.pixels);
    ASSERT_FALSE(cols.inside.empty());
    if (k == 1) {
      ASSERT_GT(cols.outside.size(), 100u);
    }
    QImage image = view.grab().toImage();
    int y = view.row_top(row, 0) + TimelineView::kDepthPx - 2;  // bars grow up from the band's bottom
    ASSERT_GE(y, 0);
    for (size_t i = 0; i < cols.inside.size(); ++i) {
      int x = cols.inside[i];
      EXPECT_EQ(f.at(0, x).region, cols.inside_region[i]) << "pixel " << x;
      EXPECT_GE(f.at(0, x).busy, 0.9999f) << "pixel " << x;
      QRgb c = image.pixel(TimelineView::kLabelWidth + x, y);
      EXPECT_EQ(group_of_color(Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)),
                                   static_cast<uint8_t>(qBlue(c))}),
                RegionGroup::Mpi)
          << "pixel " << x;
    }
    size_t checked = 0;
    for (int x : cols.outside) {
      // A pixel that summarised a loop's iterations (its note says so) spreads
      // them evenly over the loop's time: where one iteration was descheduled
      // (a loaded machine), such a pixel shows the loop's MPI calls in the gap.
      // Zoomed in (k == 1), nothing is summarised: every column is exact.
      if (f.notes[static_cast<size_t>(x)].summarised > 0) {
        EXPECT_EQ(k, 0u) << "pixel " << x;
        continue;
      }
      ++checked;
      for (int d = 0; d < f.depths; ++d) {
        if (f.at(d, x).region != kNoRegion) {
          EXPECT_NE(s.group(r.process, f.at(d, x).region), RegionGroup::Mpi);
        }
      }
      QRgb c = image.pixel(TimelineView::kLabelWidth + x, y);
      EXPECT_NE(group_of_color(Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)),
                                   static_cast<uint8_t>(qBlue(c))}),
                RegionGroup::Mpi)
          << "pixel " << x << " of window " << k;
    }
    if (k == 1) {
      EXPECT_EQ(checked, cols.outside.size());
    }
  }
}

// At far zoom the step loop is summarised (and the pixels say so); zoomed in on
// a few iterations, it is drawn call by call, exactly like a full replay.
TEST(ViewerModel, CollapsedLoopAtFarZoomBecomesItsIterationsWhenZoomedIn) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  uint64_t events = p.thread(0).event_count();
  ASSERT_GT(events, 100000u);
  RowFrame far = compute_row(p, 0, s.info().start_ns, s.info().end_ns, 800);
  // (How many are replayed depends on the run's timing: an iteration that was
  // slow, e.g. descheduled, is wider than its pixel and is drawn call by call.)
  EXPECT_GT(far.events_summarised, events / 2);
  EXPECT_LT(far.events_replayed, far.events_summarised);
  EXPECT_EQ(far.events_replayed + far.events_summarised <= events + far.seeks, true);
  int described = 0;
  for (const PixelNote& n : far.notes)
    if (describe_note(n).find("iterations of loop L") != std::string::npos) ++described;
  EXPECT_GT(described, 0);
  // Every pixel of the far view still shows `main` (depth 0) and calls below it.
  for (int x = 1; x < 799; ++x) EXPECT_NE(far.at(0, x).region, kNoRegion) << "pixel " << x;

  // Zoomed in on steps 10000..10003: nothing is summarised, and each cell is
  // what a full replay gives.
  auto calls = replay_calls(p, 0);
  std::vector<Call> steps;
  for (const Call& c : calls)
    if (c.depth == 1) steps.push_back(c);
  ASSERT_EQ(steps.size(), 20000u);
  int64_t b = steps[10000].start_ns, e = steps[10003].end_ns;
  RowFrame near = compute_row(p, 0, b, e, 800);
  RowFrame exact = compute_row(p, 0, b, e, 800, LodOptions{64, false});
  EXPECT_EQ(near.events_summarised, 0u);
  ASSERT_EQ(near.depths, exact.depths);
  ASSERT_GE(near.depths, 3);  // main > step > relax/exchange
  for (int d = 0; d < near.depths; ++d)
    for (int x = 0; x < 800; ++x) {
      EXPECT_EQ(near.at(d, x).region, exact.at(d, x).region);
      EXPECT_NEAR(near.at(d, x).busy, exact.at(d, x).busy, 1e-4);
    }
  // The four steps are there, one by one, at depth 1.
  Columns cols = classify(steps, [](const Call&) { return true; }, b, e, 800);
  ASSERT_GT(cols.inside.size(), 100u);
  for (size_t i = 0; i < cols.inside.size(); ++i) EXPECT_EQ(near.at(1, cols.inside[i]).region, cols.inside_region[i]);
}

// A click at a pixel selects the call that is there, with its exact times.
TEST(ViewerWidgets, ClickAtAPixelSelectsTheCallThere) {
  TraceSession s(loops_trace());
  const auto& p = *s.trace().processes()[0];
  auto calls = replay_calls(p, 0);
  std::vector<Call> steps;
  for (const Call& c : calls)
    if (c.depth == 1) steps.push_back(c);
  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 800, 300);
  view.set_window(Window{steps[500].start_ns, steps[503].end_ns});
  view.show();
  QApplication::processEvents();
  view.frame(0);
  for (int k = 500; k <= 503; ++k) {
    const Call& target = steps[static_cast<size_t>(k)];
    int x = (view.x_of(target.start_ns) + view.x_of(target.end_ns)) / 2;
    int y = view.row_top(0, 1) + 3;
    QTest::mouseClick(&view, Qt::LeftButton, {}, QPoint(x, y));
    const PickedCall& sel = view.selection();
    ASSERT_TRUE(sel.found) << "step " << k;
    EXPECT_EQ(sel.depth, 1);
    EXPECT_EQ(sel.region, target.region);
    EXPECT_EQ(sel.start_ns, target.start_ns) << "step " << k;
    EXPECT_EQ(sel.end_ns, target.end_ns) << "step " << k;
    EXPECT_EQ(s.region_name(0, sel.path.front()), "main");
  }
}

// A truncated trace opens with a visible warning, not a crash.
TEST(ViewerWidgets, TruncatedTraceOpensWithAVisibleWarning) {
  std::string trace = work_dir() + "/cut.rondo";
  fs::remove_all(trace);
  fs::copy(loops_trace(), trace);
  std::string file;
  for (auto& e : fs::directory_iterator(trace))
    if (e.path().extension() == ".rnd") file = e.path().string();
  ASSERT_FALSE(file.empty());
  fs::resize_file(file, fs::file_size(file) * 2 / 3);
  TraceSession s(trace);
  MainWindow w(s);
  w.resize(1000, 500);
  w.show();
  QApplication::processEvents();
  EXPECT_TRUE(w.warning()->isVisible());
  EXPECT_TRUE(w.warning()->text().contains("truncated"));
  QImage image = w.render_content();  // draws every row of what is left
  EXPECT_FALSE(image.isNull());
  // What is left is drawn: sampled, or from the row's summary once it is built.
  const RowFrame& f = w.timeline()->frame(0);
  EXPECT_GT(f.events_replayed + f.events_summarised, 0u);
  EXPECT_TRUE(f.truncated);
}

// `rondo view --screenshot`: the PNG has the asked size and shows the MPI calls
// of every rank, the axis and the legend.
TEST(ViewerScreenshot, SizeAndContent) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  std::string png = work_dir() + "/ring.png";
  auto r = test::run_command(std::string(RONDO_CLI) + " view --screenshot " + png + " --size 1000x420 " + ring_trace());
  ASSERT_EQ(r.status, 0) << r.out;
  QImage image(QString::fromStdString(png));
  ASSERT_FALSE(image.isNull());
  EXPECT_EQ(image.width(), 1000);
  EXPECT_EQ(image.height(), 420);
  std::map<RegionGroup, int> pixels;
  for (int y = 0; y < image.height(); ++y)
    for (int x = TimelineView::kLabelWidth; x < image.width(); ++x) {
      QRgb c = image.pixel(x, y);
      ++pixels[group_of_color(Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)),
                                  static_cast<uint8_t>(qBlue(c))})];
    }
  EXPECT_GT(pixels[RegionGroup::Mpi], 2000);  // both ranks' rows
  // The legend (bottom strip) shows every group's color.
  std::map<RegionGroup, int> legend;
  for (int y = image.height() - TimelineView::kLegendHeight; y < image.height(); ++y)
    for (int x = 0; x < image.width(); ++x) {
      QRgb c = image.pixel(x, y);
      ++legend[group_of_color(Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)),
                                  static_cast<uint8_t>(qBlue(c))})];
    }
  for (RegionGroup g : {RegionGroup::User, RegionGroup::Mpi, RegionGroup::OpenMp, RegionGroup::Threads, RegionGroup::Io,
                        RegionGroup::Gpu})
    EXPECT_GT(legend[g], 50) << group_name(g);

  // An OTF2 archive (the export of the same run) opens directly, imported on the fly.
  std::string otf2 = work_dir() + "/ring.otf2";
  auto exported = test::run_command(std::string(RONDO_CLI) + " export --format otf2 -o " + otf2 + " " + ring_trace());
  ASSERT_EQ(exported.status, 0) << exported.out;
  auto from_otf2 =
      test::run_command(std::string(RONDO_CLI) + " view --screenshot " + png + " --size 1000x420 " + otf2 + "/traces.otf2");
  ASSERT_EQ(from_otf2.status, 0) << from_otf2.out;
  QImage imported(QString::fromStdString(png));
  int mpi_pixels = 0;
  for (int y = 0; y < imported.height() - TimelineView::kLegendHeight; ++y)
    for (int x = TimelineView::kLabelWidth; x < imported.width(); ++x) {
      QRgb c = imported.pixel(x, y);
      mpi_pixels += group_of_color(Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)),
                                       static_cast<uint8_t>(qBlue(c))}) == RegionGroup::Mpi;
    }
  EXPECT_GT(mpi_pixels, 2000);

  // A window, and the errors a user can make.
  auto windowed = test::run_command(std::string(RONDO_CLI) + " view --screenshot " + png + " --size 640x300 --window 0:1ms " +
                                    ring_trace());
  EXPECT_EQ(windowed.status, 0) << windowed.out;
  EXPECT_EQ(QImage(QString::fromStdString(png)).size(), QSize(640, 300));
  auto bad = test::run_command(std::string(RONDO_CLI) + " view --screenshot " + png + " --size 12 " + ring_trace());
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.out.rfind("rondo: ", 0), 0u) << bad.out;
  auto missing = test::run_command(std::string(RONDO_CLI) + " view --screenshot " + png + " " + work_dir() + "/nothing");
  EXPECT_NE(missing.status, 0);
  EXPECT_EQ(missing.out.rfind("rondo: ", 0), 0u) << missing.out;
}

int main(int argc, char** argv) {
  if (!std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);
  QApplication app(argc, argv);
  ::testing::InitGoogleTest(&argc, argv);
  int status = RUN_ALL_TESTS();
  std::error_code ec;
  fs::remove_all(work_dir(), ec);
  return status;
}
