// `rondo view A B` on two real recordings of nested_loops (20000 and 10000
// steps): both traces' rows are shown one above the other with windows that
// move together, aligning at an iteration of a common loop shifts B by exactly
// the difference of that iteration's start times (analyzer::loop_iteration_span
// on the loop `rondo stats` names), and the Compare dock's numbers equal
// `rondo stats A --window T0:T1 --compare B --json` for the visible window.
// One time axis over both traces counts from the alignment point; the loops
// both traces run are found on a worker after the window opens.
#include <gtest/gtest.h>

#include <algorithm>

#include <QApplication>
#include <QTest>
#include <nlohmann/json.hpp>

#include "compare_window.h"
#include "rondo/analyzer/loop_stats.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// nested_loops with half the steps of loops_trace(): the same program, shorter.
const std::string& short_loops_trace() {
  static std::string trace = record_loops("loops_short.rondo", 10000);
  return trace;
}

struct Compared {
  TraceSession a, b;
  CompareWindow w;
  Compared() : a(loops_trace()), b(short_loops_trace()), w(a, b) {
    w.resize(1400, 800);
    w.show();
    QApplication::processEvents();
    EXPECT_TRUE(QTest::qWaitFor([&] { return w.loops_ready(); }, 60000));
  }
};

// The start of iteration k of the first occurrence of the loop `name` on the
// trace's first thread, found independently of the viewer's model: the loop id
// from the analyzer's loop partial of that thread, the time from
// loop_iteration_span.
int64_t iteration_start_ns(const TraceSession& s, const std::string& name, uint32_t k) {
  const Row& r = s.rows()[0];
  auto partial = analyzer::loop_thread_partial(s.process(r), static_cast<uint32_t>(r.process),
                                               static_cast<uint32_t>(r.thread), analyzer::TimeWindow{});
  for (const analyzer::ThreadLoop& l : partial.loops) {
    analyzer::LoopRow row;
    row.label = l.label;
    row.parents = l.parents;
    if (row.name() != name) continue;
    auto span = analyzer::loop_iteration_span(s.process(r), static_cast<uint32_t>(r.thread), l.loop, 0, k);
    EXPECT_TRUE(span.found) << name << " iteration " << k;
    return span.begin_ns;
  }
  ADD_FAILURE() << "no loop " << name << " on the first thread";
  return 0;
}

// `command` with its stderr (notes such as "the window ends after the trace")
// dropped: run_command adds 2>&1 after it.
std::string stdout_only(const std::string& command) { return "(" + command + " 2>/dev/null)"; }

qlonglong value(QTreeWidgetItem* item, int column) {
  return item->data(column, ComparePanel::kValueRole).toLongLong();
}

QTreeWidgetItem* top_item(QTreeWidget* t, const QString& name) {
  for (int i = 0; i < t->topLevelItemCount(); ++i)
    if (t->topLevelItem(i)->text(0) == name) return t->topLevelItem(i);
  ADD_FAILURE() << "no item " << name.toStdString();
  return nullptr;
}

// Each row of a json array of ChangeRows against the children of `section`, in order.
void expect_rows(QTreeWidgetItem* section, const nlohmann::json& rows) {
  ASSERT_NE(section, nullptr);
  ASSERT_EQ(static_cast<size_t>(section->childCount()), rows.size()) << section->text(0).toStdString();
  for (size_t i = 0; i < rows.size(); ++i) {
    QTreeWidgetItem* item = section->child(static_cast<int>(i));
    const nlohmann::json& row = rows[i];
    EXPECT_EQ(item->text(0).toStdString(), row["name"].get<std::string>());
    EXPECT_EQ(value(item, 1), row["count_before"].get<qlonglong>()) << row["name"];
    EXPECT_EQ(value(item, 2), row["count_after"].get<qlonglong>()) << row["name"];
    EXPECT_EQ(value(item, 3), row["before_ns"].get<qlonglong>()) << row["name"];
    EXPECT_EQ(value(item, 4), row["after_ns"].get<qlonglong>()) << row["name"];
  }
}

}  // namespace

TEST(ViewerCompare, BothTracesRowsOneAboveTheOther) {
  Compared c;
  CompareWindow& w = c.w;
  EXPECT_EQ(w.header_a()->text().toStdString(), "A: " + loops_trace());
  EXPECT_EQ(w.header_b()->text().toStdString(), "B: " + short_loops_trace());
  // Each timeline draws its own trace's rows ("process 0 / thread 0"), B's under A's.
  ASSERT_EQ(c.a.rows().size(), 1u);
  ASSERT_EQ(c.b.rows().size(), 1u);
  EXPECT_EQ(c.a.rows()[0].label, "process 0 / thread 0");
  EXPECT_EQ(c.b.rows()[0].label, "process 0 / thread 0");
  EXPECT_GE(w.timeline_a()->row_top(0, 0), 0);
  EXPECT_GE(w.timeline_b()->row_top(0, 0), 0);
  QWidget* content = w.centralWidget();
  int a_bottom = w.timeline_a()->mapTo(content, QPoint(0, w.timeline_a()->height())).y();
  int b_header = w.header_b()->mapTo(content, QPoint(0, 0)).y();
  int b_top = w.timeline_b()->mapTo(content, QPoint(0, 0)).y();
  EXPECT_LE(a_bottom, b_header);
  EXPECT_LT(b_header, b_top);
  // One time axis: both views have the same width, and B shows A's window
  // shifted by the difference of the starts, whichever view is moved.
  EXPECT_EQ(w.timeline_a()->timeline_pixels(), w.timeline_b()->timeline_pixels());
  const int64_t starts = c.b.info().start_ns - c.a.info().start_ns;
  EXPECT_EQ(w.shift(), starts);
  Window wa = w.timeline_a()->window();
  EXPECT_EQ(w.timeline_b()->window(), (Window{wa.begin_ns + starts, wa.end_ns + starts}));
  w.timeline_a()->zoom(4, TimelineView::kLabelWidth + 100);
  wa = w.timeline_a()->window();
  EXPECT_EQ(w.timeline_b()->window(), (Window{wa.begin_ns + starts, wa.end_ns + starts}));
  Window wb{c.b.info().start_ns + 1000, c.b.info().start_ns + 501000};
  w.timeline_b()->set_window(wb);
  EXPECT_EQ(w.timeline_a()->window(), (Window{wb.begin_ns - starts, wb.end_ns - starts}));
}

TEST(ViewerCompare, TheLoopsBothRunAreFoundOnAWorkerNotBeforeTheWindowOpens) {
  TraceSession a(loops_trace()), b(short_loops_trace());
  CompareWindow w(a, b);
  // The constructor returned without the loops: only "the start of each trace"
  // is offered until the worker's result arrives through the event loop.
  EXPECT_FALSE(w.loops_ready());
  EXPECT_EQ(w.align_at()->count(), 1);
  ASSERT_TRUE(QTest::qWaitFor([&] { return w.loops_ready(); }, 60000));
  EXPECT_EQ(w.loops().size(), common_loops(a, b).size());
  ASSERT_FALSE(w.loops().empty());
  EXPECT_EQ(w.align_at()->count(), static_cast<int>(w.loops().size()) + 1);
}

TEST(ViewerCompare, OneTimeAxisOverBothTraces) {
  Compared c;
  CompareWindow& w = c.w;
  // Neither timeline draws an axis of its own; one strip above both does, and
  // one legend below both (B's).
  EXPECT_EQ(w.timeline_a()->axis_height(), 0);
  EXPECT_EQ(w.timeline_b()->axis_height(), 0);
  EXPECT_EQ(w.timeline_a()->legend_height(), 0);
  EXPECT_EQ(w.timeline_b()->legend_height(), TimelineView::kLegendHeight);
  QWidget* content = w.centralWidget();
  EXPECT_LT(w.time_axis()->mapTo(content, QPoint(0, 0)).y(), w.header_a()->mapTo(content, QPoint(0, 0)).y());
  // Aligned at the starts, a tick at time t since the start is at the x of t in
  // A and of t in B.
  w.timeline_a()->set_window(Window{c.a.info().start_ns + 100000, c.a.info().start_ns + 900000});
  auto ticks = w.time_axis()->ticks();
  ASSERT_GE(ticks.size(), 3u);
  for (const AxisTick& t : ticks) {
    auto since = static_cast<int64_t>(t.since_origin_ns);
    EXPECT_EQ(t.x, w.timeline_a()->x_of(c.a.info().start_ns + since));
    EXPECT_EQ(t.x, w.timeline_b()->x_of(c.b.info().start_ns + since));
  }
  // Aligned at iteration 7 of the time-step loop, the axis counts from that
  // iteration: its 0 is where the iteration starts in both traces.
  size_t pick = 0;
  for (size_t i = 0; i < w.loops().size(); ++i)
    if (w.loops()[i].name.find(" > ") == std::string::npos && w.loops()[i].iterations > 7) pick = i;
  const std::string name = w.loops()[pick].name;
  w.align_at()->setCurrentIndex(static_cast<int>(pick) + 1);
  w.iteration()->setValue(7);
  const int64_t ta = iteration_start_ns(c.a, name, 7), tb = iteration_start_ns(c.b, name, 7);
  EXPECT_EQ(w.time_axis()->origin(), ta);
  w.timeline_a()->set_window(Window{ta - 20000, ta + 80000});
  ticks = w.time_axis()->ticks();
  auto zero = std::find_if(ticks.begin(), ticks.end(), [](const AxisTick& t) { return t.since_origin_ns == 0; });
  ASSERT_NE(zero, ticks.end());
  EXPECT_EQ(zero->x, w.timeline_a()->x_of(ta));
  EXPECT_EQ(zero->x, w.timeline_b()->x_of(tb));
  for (const AxisTick& t : ticks) EXPECT_EQ(t.x, w.timeline_b()->x_of(tb + static_cast<int64_t>(t.since_origin_ns)));
}

TEST(ViewerCompare, AligningAtAnIterationShiftsTheSecondTrace) {
  Compared c;
  CompareWindow& w = c.w;
  ASSERT_FALSE(w.loops().empty());
  ASSERT_EQ(w.align_at()->count(), static_cast<int>(w.loops().size()) + 1);
  // The loops offered are those both traces' `rondo stats` list.
  auto loop_names = [](const std::string& trace) {
    auto r = test::run_command(stdout_only(std::string(RONDO_CLI) + " stats --json " + trace));
    EXPECT_EQ(r.status, 0) << r.out;
    std::set<std::string> names;
    nlohmann::json stats = nlohmann::json::parse(r.out);
    for (const auto& l : stats["loops"]) names.insert(l["name"].get<std::string>());
    return names;
  };
  std::set<std::string> in_a = loop_names(loops_trace()), in_b = loop_names(short_loops_trace());
  for (const CommonLoop& l : w.loops()) {
    EXPECT_TRUE(in_a.count(l.name) && in_b.count(l.name)) << l.name;
  }
  // The outermost loop of the program (the time steps): iteration 7.
  size_t pick = 0;
  for (size_t i = 0; i < w.loops().size(); ++i)
    if (w.loops()[i].name.find(" > ") == std::string::npos && w.loops()[i].iterations > 7) pick = i;
  ASSERT_GT(w.loops()[pick].iterations, 7u) << w.loops()[pick].name;
  const std::string name = w.loops()[pick].name;
  w.align_at()->setCurrentIndex(static_cast<int>(pick) + 1);
  w.iteration()->setValue(7);
  const int64_t ta = iteration_start_ns(c.a, name, 7), tb = iteration_start_ns(c.b, name, 7);
  EXPECT_EQ(w.shift(), tb - ta) << name;
  // (Two runs never reach an iteration after exactly the same time since their start.)
  EXPECT_NE(tb - ta, c.b.info().start_ns - c.a.info().start_ns);
  // Zoomed in around that iteration of A: it starts at the same x in both views.
  w.timeline_a()->set_window(Window{ta - 20000, ta + 80000});
  EXPECT_EQ(w.timeline_b()->window(), (Window{tb - 20000, tb + 80000}));
  EXPECT_EQ(w.timeline_a()->x_of(ta), w.timeline_b()->x_of(tb));
  // Another iteration, then back to the starts.
  w.iteration()->setValue(2);
  EXPECT_EQ(w.shift(), iteration_start_ns(c.b, name, 2) - iteration_start_ns(c.a, name, 2));
  w.align_at()->setCurrentIndex(0);
  EXPECT_EQ(w.shift(), c.b.info().start_ns - c.a.info().start_ns);
  Window wa = w.timeline_a()->window();
  EXPECT_EQ(w.timeline_b()->window(), (Window{wa.begin_ns + w.shift(), wa.end_ns + w.shift()}));
}

TEST(ViewerCompare, CompareDockEqualsRondoStatsCompareOfTheWindow) {
  Compared c;
  CompareWindow& w = c.w;
  // The middle half of the shorter run, relative to each start.
  const int64_t length = std::min(c.a.info().end_ns - c.a.info().start_ns, c.b.info().end_ns - c.b.info().start_ns);
  const int64_t t0 = length / 4, t1 = length * 3 / 4;
  w.timeline_a()->set_window(Window{c.a.info().start_ns + t0, c.a.info().start_ns + t1});
  w.compare_visible()->trigger();
  ASSERT_TRUE(QTest::qWaitFor([&] { return !w.compare_panel()->analyzing(); }, 60000));
  auto r = test::run_command(stdout_only(std::string(RONDO_CLI) + " stats --json --window " + std::to_string(t0) +
                                         "ns:" + std::to_string(t1) + "ns " + loops_trace() + " --compare " +
                                         short_loops_trace()));
  ASSERT_EQ(r.status, 0) << r.out;
  nlohmann::json cli = nlohmann::json::parse(r.out);
  QTreeWidget* t = w.compare_panel()->table();
  QTreeWidgetItem* duration = top_item(t, "duration");
  ASSERT_NE(duration, nullptr);
  EXPECT_EQ(value(duration, 3), cli["duration"]["before_ns"].get<qlonglong>());
  EXPECT_EQ(value(duration, 4), cli["duration"]["after_ns"].get<qlonglong>());
  EXPECT_EQ(value(duration, 3), t1 - t0);
  QTreeWidgetItem* mpi = top_item(t, "time in MPI");
  ASSERT_NE(mpi, nullptr);
  EXPECT_EQ(value(mpi, 3), cli["mpi"]["time"]["before_ns"].get<qlonglong>());
  EXPECT_EQ(value(mpi, 4), cli["mpi"]["time"]["after_ns"].get<qlonglong>());
  ASSERT_FALSE(cli["regions"].empty());
  ASSERT_FALSE(cli["loops"].empty());
  expect_rows(top_item(t, "regions (exclusive time)"), cli["regions"]);
  expect_rows(top_item(t, "MPI calls (inclusive time)"), cli["mpi"]["calls"]);
  expect_rows(top_item(t, "wait states"), cli["wait_states"]);
  expect_rows(top_item(t, "loops (total time)"), cli["loops"]);
}
