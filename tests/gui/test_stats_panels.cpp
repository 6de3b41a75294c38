// The side panels on a real 2-rank MPI ring: the statistics of a range selected
// on the timeline (Ctrl + rubber band) are exactly those `rondo stats --window
// T0:T1 --json` prints for that range (flat profile, time in MPI, messages,
// communication matrix), and a click on a loop's slowest iteration zooms the
// timeline to exactly that iteration.
#include <gtest/gtest.h>

#include <QApplication>
#include <QTest>
#include <cstdlib>
#include <set>
#include <nlohmann/json.hpp>

#include "main_window.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// `rondo stats --window` for [w.begin_ns, w.end_ns) of `s`, in ns relative to its start.
nlohmann::json cli_stats(const TraceSession& s, Window w) {
  int64_t origin = s.info().start_ns;
  std::string spec = std::to_string(w.begin_ns - origin) + "ns:" + std::to_string(w.end_ns - origin) + "ns";
  auto r = test::run_command(std::string(RONDO_CLI) + " stats --json --window " + spec + " " + s.path() +
                             " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  return nlohmann::json::parse(r.out);
}

// A main window on a trace, shown (so that its docks have their sizes).
struct Shown {
  TraceSession s;
  MainWindow w;
  explicit Shown(const std::string& trace) : s(trace), w(s) {
    w.show();
    QApplication::processEvents();
  }
};

// The panels analyse on a worker thread: waits until the last request is shown.
void wait_for_analysis(MainWindow& w) {
  ASSERT_TRUE(QTest::qWaitFor([&] { return !w.stats_panel()->analyzing(); }, 60000));
}

qlonglong value(QTreeWidgetItem* item, int column) {
  return item->data(column, WindowStatsPanel::kValueRole).toLongLong();
}

}  // namespace

TEST(ViewerStatsPanels, RangeStatisticsEqualRondoStatsWindow) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  Shown opened(ring_trace());
  TraceSession& s = opened.s;
  MainWindow& w = opened.w;
  w.resize(1600, 700);
  QApplication::processEvents();
  TimelineView* view = w.timeline();
  // The ring itself (MPI_Init and MPI_Finalize take most of the run): from
  // rank 0's first MPI_Send to its last.
  std::vector<Call> sends;
  for (const Call& c : replay_calls(s.process(s.rows()[0]), s.rows()[0].thread))
    if (s.region_name(s.rows()[0].process, c.region) == "MPI_Send") sends.push_back(c);
  ASSERT_EQ(sends.size(), 300u);
  // The range drawn below (from 1/4 to 3/5 of the view) covers rank 0's sends
  // 100 to 200 wherever they fall in time (a loaded machine stalls the ring
  // unevenly, so a fixed share of the run may hold few messages).
  const int64_t first = sends[100].start_ns, last = sends[200].end_ns, length = (last - first) * 3;
  view->set_window(Window{first - length / 4 - length / 100, first - length / 4 - length / 100 + length});
  view->grab();
  // A range over the middle of the ring, drawn with Ctrl + right button: the
  // view must stay where it is and the panel analyse that range.
  const Window before = view->window();
  const int x0 = TimelineView::kLabelWidth + view->timeline_pixels() / 4,
            x1 = TimelineView::kLabelWidth + view->timeline_pixels() * 3 / 5, y = view->row_top(0, 0) + 2;
  // The times under those pixels now: once the panel shows its numbers the
  // docks may take another width, and the same pixels other times.
  const Window drawn{view->ns_of(x0), view->ns_of(x1)};
  QTest::mousePress(view, Qt::RightButton, Qt::ControlModifier, QPoint(x0, y));
  QTest::mouseMove(view, QPoint(x1, y));
  QTest::mouseRelease(view, Qt::RightButton, Qt::ControlModifier, QPoint(x1, y));
  EXPECT_EQ(view->window(), before);
  wait_for_analysis(w);
  const Window range = w.stats_panel()->analyzed_window();
  ASSERT_EQ(range, drawn);
  ASSERT_GT(range.end_ns, range.begin_ns);

  nlohmann::json cli = cli_stats(s, range);
  // Flat profile: every row, in the same order, with the same exact numbers.
  QTreeWidget* profile = w.stats_panel()->profile();
  const auto& regions = cli.at("regions");
  ASSERT_EQ(static_cast<size_t>(profile->topLevelItemCount()), regions.size());
  ASSERT_GE(regions.size(), 2u);
  for (int i = 0; i < profile->topLevelItemCount(); ++i) {
    QTreeWidgetItem* item = profile->topLevelItem(i);
    const auto& r = regions[static_cast<size_t>(i)];
    EXPECT_EQ(item->text(0).toStdString(), r.at("name").get<std::string>());
    EXPECT_EQ(value(item, 1), r.at("calls").get<qlonglong>()) << i;
    EXPECT_EQ(value(item, 2), r.at("inclusive_ns").get<qlonglong>()) << i;
    EXPECT_EQ(value(item, 3), r.at("exclusive_ns").get<qlonglong>()) << i;
  }
  // Time in MPI per rank.
  QTreeWidget* mpi = w.stats_panel()->mpi();
  const auto& per_rank = cli.at("mpi").at("time_per_rank");
  ASSERT_EQ(static_cast<size_t>(mpi->topLevelItemCount()), per_rank.size());
  ASSERT_EQ(per_rank.size(), 2u);
  for (int i = 0; i < mpi->topLevelItemCount(); ++i) {
    EXPECT_EQ(mpi->topLevelItem(i)->text(0).toStdString(), std::to_string(per_rank[static_cast<size_t>(i)].at("rank").get<int>()));
    EXPECT_EQ(value(mpi->topLevelItem(i), 1), per_rank[static_cast<size_t>(i)].at("mpi_ns").get<qlonglong>());
    EXPECT_EQ(value(mpi->topLevelItem(i), 2), per_rank[static_cast<size_t>(i)].at("total_ns").get<qlonglong>());
    EXPECT_EQ(value(mpi->topLevelItem(i), 3), per_rank[static_cast<size_t>(i)].at("mpi_calls").get<qlonglong>());
  }
  // Messages: rank 0's 100 sends and the receives between them.
  const auto& messages = cli.at("mpi").at("messages");
  EXPECT_GT(messages.at("count").get<uint64_t>(), 50u);
  EXPECT_EQ(w.stats_panel()->messages()->text().toStdString(),
            std::to_string(messages.at("count").get<uint64_t>()) + " matched messages, " +
                std::to_string(messages.at("bytes").get<uint64_t>()) + " bytes; " +
                std::to_string(cli.at("mpi").at("collectives").at("count").get<uint64_t>()) + " collectives");
  // The communication matrix: cell [src][dst] holds matrix_bytes[src][dst].
  QTableWidget* matrix = w.matrix_panel()->table();
  const auto& bytes = cli.at("mpi").at("matrix_bytes");
  ASSERT_EQ(static_cast<size_t>(matrix->rowCount()), bytes.size());
  uint64_t nonzero = 0;
  for (int src = 0; src < matrix->rowCount(); ++src)
    for (int dst = 0; dst < matrix->columnCount(); ++dst) {
      uint64_t expected = bytes[static_cast<size_t>(src)][static_cast<size_t>(dst)].get<uint64_t>();
      EXPECT_EQ(matrix->item(src, dst)->data(Qt::UserRole).toULongLong(), expected) << src << "->" << dst;
      nonzero += expected > 0;
    }
  EXPECT_EQ(nonzero, 2u);  // 0 -> 1 and 1 -> 0
}

TEST(ViewerStatsPanels, VisibleWindowActionAnalysesTheView) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  Shown opened(ring_trace());
  TraceSession& s = opened.s;
  MainWindow& w = opened.w;
  const Window all = w.timeline()->window();
  Window half{all.begin_ns + (all.end_ns - all.begin_ns) / 2, all.end_ns};
  w.timeline()->set_window(half);
  w.analyze_visible()->trigger();
  wait_for_analysis(w);
  EXPECT_EQ(w.stats_panel()->analyzed_window(), half);
  nlohmann::json cli = cli_stats(s, half);
  QTreeWidget* tree = w.stats_panel()->call_tree();
  // The call tree's top level: the call_tree rows of depth 0, in order.
  std::vector<nlohmann::json> top;
  for (const auto& r : cli.at("call_tree"))
    if (r.at("depth").get<int>() == 0) top.push_back(r);
  ASSERT_EQ(static_cast<size_t>(tree->topLevelItemCount()), top.size());
  for (size_t i = 0; i < top.size(); ++i) {
    EXPECT_EQ(tree->topLevelItem(static_cast<int>(i))->text(0).toStdString(), top[i].at("name").get<std::string>());
    EXPECT_EQ(value(tree->topLevelItem(static_cast<int>(i)), 2), top[i].at("inclusive_ns").get<qlonglong>());
  }
}

TEST(ViewerStatsPanels, FollowingTheViewAnalysesEachWindowItRestsAt) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  Shown opened(ring_trace());
  TraceSession& s = opened.s;
  MainWindow& w = opened.w;
  const Window all = w.timeline()->window();
  const Window before = w.stats_panel()->analyzed_window();
  Window left{all.begin_ns, all.begin_ns + (all.end_ns - all.begin_ns) / 3};
  w.timeline()->set_window(left);  // not following yet: nothing is analysed
  QTest::qWait(600);
  EXPECT_EQ(w.stats_panel()->analyzed_window(), before);
  w.follow_view()->setChecked(true);
  EXPECT_TRUE(QTest::qWaitFor([&] { return w.stats_panel()->analyzed_window() == left; }, 10000));
  // Two quick steps: the window it rests at is analysed.
  w.timeline()->set_window(Window{left.end_ns, left.end_ns + 1000000});
  Window right{left.end_ns, all.end_ns};
  w.timeline()->set_window(right);
  EXPECT_TRUE(QTest::qWaitFor([&] { return w.stats_panel()->analyzed_window() == right; }, 10000));
  nlohmann::json cli = cli_stats(s, right);
  EXPECT_EQ(w.stats_panel()->profile()->topLevelItemCount(), static_cast<int>(cli.at("regions").size()));
}

// Clicks the first slowest iteration of each loop row of `trace` (the whole
// run analysed) and checks the timeline then shows exactly that iteration and
// marks the right rows; `marked_partner`: some iteration had a partner rank.
void check_slowest_iteration_zoom(const std::string& trace, bool& marked_partner) {
  Shown opened(trace);
  TraceSession& s = opened.s;
  MainWindow& w = opened.w;
  w.analyze_visible()->trigger();  // the whole run
  wait_for_analysis(w);
  const analyzer::StatsReport& report = w.stats_panel()->report();
  ASSERT_FALSE(report.loops.rows.empty());
  w.loops_panel()->raise();  // it shares a tab with the wait states
  QApplication::processEvents();
  QTreeWidget* tree = w.loops_panel()->tree();
  ASSERT_EQ(static_cast<size_t>(tree->topLevelItemCount()), report.loops.rows.size());
  marked_partner = false;
  for (size_t l = 0; l < report.loops.rows.size(); ++l) {
    const analyzer::LoopRow& loop = report.loops.rows[l];
    ASSERT_FALSE(loop.slowest.empty()) << loop.name();
    const analyzer::SlowIteration& slowest = loop.slowest[0];
    QTreeWidgetItem* item = tree->topLevelItem(static_cast<int>(l))->child(0);
    ASSERT_NE(item, nullptr);
    tree->scrollToItem(item);
    QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(item).center());

    // The window is that iteration's span: found independently by replaying its
    // thread with the cursor's loop frames (an iteration runs from its first
    // event to the next iteration's first event, or the occurrence's last event).
    size_t row = SIZE_MAX;
    for (size_t r = 0; r < s.rows().size(); ++r)
      if (s.rows()[r].rank == slowest.rank && s.rows()[r].thread == slowest.thread) row = r;
    ASSERT_NE(row, SIZE_MAX);
    const format::ProcessReader& p = s.process(s.rows()[row]);
    format::EventCursor c(p.thread(slowest.thread));
    format::Event e;
    std::vector<format::LoopFrame> frames;
    int64_t begin = -1, end = -1, previous = 0;
    uint64_t generation = UINT64_MAX;
    bool inside = false;
    while (c.next(e)) {
      if (c.loop_generation() != generation) {
        generation = c.loop_generation();
        c.loop_frames(frames);
        bool now = false;
        for (const auto& f : frames)
          now |= f.loop == slowest.loop_id && f.occurrence == slowest.occurrence && f.iteration == slowest.iteration;
        if (inside && !now) {
          bool next = false;  // the next iteration of the same occurrence starts here
          for (const auto& f : frames) next |= f.loop == slowest.loop_id && f.occurrence == slowest.occurrence;
          end = next ? p.to_ns(e.ticks) : previous;
          break;
        }
        if (now && !inside) begin = p.to_ns(e.ticks);
        inside = now;
      }
      previous = p.to_ns(e.ticks);
    }
    if (inside && end < 0) end = previous;
    ASSERT_GE(begin, 0) << loop.name();
    EXPECT_EQ(w.timeline()->window(), (Window{begin, std::max(end, begin + 1)})) << loop.name();
    // Its duration is the one the analyzer reports for that iteration (within a
    // nanosecond of rounding: the analyzer converts the tick difference).
    EXPECT_LE(std::llabs((end - begin) - slowest.ns), 1) << loop.name();
    // Marked: its own row, and, once the worker has analysed the iteration's
    // wait states, the rows of the rank it waited for most, which is what
    // `rondo stats --window` of that iteration says (none without MPI).
    ASSERT_TRUE(QTest::qWaitFor([&] { return !w.loops_panel()->finding_partner(); }, 60000));
    std::set<size_t> expected{row};
    const nlohmann::json cli = cli_stats(s, Window{begin, std::max(end, begin + 1)});
    for (const auto& r : cli.at("wait_states").at("per_rank"))
      if (r.at("rank").get<int32_t>() == slowest.rank && !r.at("by_late_rank").empty()) {
        int32_t partner = r.at("by_late_rank")[0].at("rank").get<int32_t>();
        for (size_t q = 0; q < s.rows().size(); ++q)
          if (s.rows()[q].rank == partner) expected.insert(q);
      }
    EXPECT_EQ(w.timeline()->marked_rows(), expected) << loop.name();
    marked_partner |= expected.size() > 1;
  }
}

TEST(ViewerStatsPanels, ClickOnSlowestIterationZoomsToItOnMpiRing) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  bool marked_partner = false;
  check_slowest_iteration_zoom(ring_trace(), marked_partner);
}

// Rank 0's slowest lap is the one where it waited 200 ms for rank 1's token:
// the click marks rank 0's row and rank 1's.
TEST(ViewerStatsPanels, ClickOnSlowestIterationMarksThePartnerRank) {
  if (late_lap_trace().empty()) GTEST_SKIP() << "no MPI";
  bool marked_partner = false;
  check_slowest_iteration_zoom(late_lap_trace(), marked_partner);
  EXPECT_TRUE(marked_partner);
}

// nested_loops: iterations of inner loops, nested in outer ones.
TEST(ViewerStatsPanels, ClickOnSlowestIterationZoomsToItInNestedLoops) {
  bool marked_partner = true;
  check_slowest_iteration_zoom(loops_trace(), marked_partner);
  EXPECT_FALSE(marked_partner);  // no MPI, no partner
}

TEST(ViewerStatsPanels, ClickOnWaitCallSiteZoomsToItsLongestWait) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  Shown opened(ring_trace());
  TraceSession& s = opened.s;
  MainWindow& w = opened.w;
  w.analyze_visible()->trigger();
  wait_for_analysis(w);
  nlohmann::json cli = cli_stats(s, w.stats_panel()->analyzed_window());
  // The ring's token: each rank waits in its receive for the other (late sender).
  w.waits_panel()->raise();
  QApplication::processEvents();
  QTreeWidget* tree = w.waits_panel()->tree();
  ASSERT_GE(tree->topLevelItemCount(), 1);
  QTreeWidgetItem* pattern = tree->topLevelItem(0);
  ASSERT_EQ(pattern->text(0).toStdString(), "Late Sender");
  ASSERT_GE(pattern->childCount(), 1);
  const auto& late_sender = cli.at("wait_states").at("patterns")[0];
  ASSERT_EQ(late_sender.at("name"), "late_sender");
  const auto& site = late_sender.at("call_sites")[0];
  EXPECT_EQ(pattern->text(1).toStdString(), std::to_string(late_sender.at("instances").get<uint64_t>()));
  EXPECT_EQ(pattern->child(0)->text(0).toStdString(),
            site.at("call").get<std::string>() + " in " + site.at("caller").get<std::string>());
  const int32_t worst_rank = site.at("worst_rank").get<int32_t>();
  const int64_t worst_ns = site.at("worst_ns").get<int64_t>();

  QTest::mouseClick(tree->viewport(), Qt::LeftButton, {}, tree->visualItemRect(pattern->child(0)).center());
  // The window is one call of that MPI function on the waiting rank, found by
  // a plain replay of its thread, which lasted at least the waiting reported.
  const Window shown = w.timeline()->window();
  size_t waiting_row = SIZE_MAX;
  std::set<size_t> partner_rows;
  for (size_t r = 0; r < s.rows().size(); ++r) {
    if (s.rows()[r].rank == worst_rank) waiting_row = r;
    else partner_rows.insert(r);  // two ranks: the one it waited for is the other
  }
  ASSERT_NE(waiting_row, SIZE_MAX);
  const format::ProcessReader& p = s.process(s.rows()[waiting_row]);
  bool found = false;
  for (const Call& c : replay_calls(p, s.rows()[waiting_row].thread))
    if (c.start_ns == shown.begin_ns && c.end_ns == shown.end_ns &&
        s.region_name(s.rows()[waiting_row].process, c.region) == site.at("call").get<std::string>()) {
      found = true;
      EXPECT_GE(c.end_ns - c.start_ns, worst_ns);
    }
  EXPECT_TRUE(found) << shown.begin_ns << ".." << shown.end_ns;
  EXPECT_EQ(w.timeline()->marked_rows(), partner_rows);
}

// The analysis runs on a worker: while the panel analyses the whole run, the
// timeline paints a frame of a new window, and only afterwards do the panels
// show the report (with the analysis on the GUI thread, analyzed() came first,
// from inside the request, before any frame could be painted).
TEST(ViewerStatsPanels, TimelinePaintsWhileThePanelsAnalyse) {
  Shown opened(loops_trace());
  MainWindow& w = opened.w;
  std::vector<std::string> order;
  QObject::connect(w.timeline(), &TimelineView::frame_painted, [&](Window) {
    if (order.empty() || order.back() != "frame") order.push_back("frame");
  });
  QObject::connect(w.stats_panel(), &WindowStatsPanel::analyzed,
                   [&](const analyzer::StatsReport&) { order.push_back("analyzed"); });
  const Window all = w.timeline()->window();
  w.analyze_visible()->trigger();  // the whole run, on the worker
  EXPECT_TRUE(w.stats_panel()->analyzing());
  // The user zooms in meanwhile: the frame is painted at once.
  const Window half{all.begin_ns, all.begin_ns + (all.end_ns - all.begin_ns) / 2};
  w.timeline()->set_window(half);
  w.timeline()->repaint();
  ASSERT_EQ(order, std::vector<std::string>{"frame"});
  wait_for_analysis(w);
  ASSERT_GE(order.size(), 2u);  // frames painted later (timers) may follow
  EXPECT_EQ(order[1], "analyzed");
  // The report is the whole run's, not the window the view moved to.
  EXPECT_EQ(w.stats_panel()->analyzed_window(), all);
  EXPECT_GT(w.stats_panel()->profile()->topLevelItemCount(), 0);
}
