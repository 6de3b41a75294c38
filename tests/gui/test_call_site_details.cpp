// The details panel names the call site of a selected call: the MPI ring
// example recorded with `--callstack 8` (RONDO_CALLSTACK) is opened in the main
// window, an MPI_Send of rank 0 is clicked in the timeline, and the panel says
// "called from main (ring.c:LINE)", LINE being the line of that call in the
// example's source. A trace recorded without call sites shows no such line.
#include <gtest/gtest.h>

#include <QApplication>
#include <QTest>
#include <fstream>
#include <string>

#include "../common/mpi_job.h"
#include "main_window.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// The line of rank 0's MPI_Send in the ring (the first send in the source
// after `rank == 0`).
uint32_t rank0_send_line() {
  std::ifstream in(MPI_RING_SOURCE);
  std::string line;
  bool rank0 = false;
  for (uint32_t n = 1; std::getline(in, line); ++n) {
    if (line.find("rank == 0") != std::string::npos) rank0 = true;
    if (rank0 && line.find("MPI_Send(") != std::string::npos) return n;
  }
  return 0;
}

std::string ring_with_call_sites() {
  static std::string trace = [] {
    std::string t = work_dir() + "/ring-callstack.rondo", mpirun = test::find_mpirun(MPIEXEC);
    if (std::string(MPI_RING).empty() || mpirun.empty()) return std::string();
    auto r = test::record_mpi_job(RONDO_CLI, mpirun, work_dir(), t, 2, std::string(MPI_RING) + " 50 64",
                                  "RONDO_CALLSTACK=8 ");
    EXPECT_EQ(r.status, 0) << r.out;
    return t;
  }();
  return trace;
}

// Clicks the 10th MPI_Send of rank 0's first thread; returns the details text.
std::string details_of_a_send(const std::string& trace) {
  TraceSession s(trace);
  size_t row = SIZE_MAX;
  for (size_t i = 0; i < s.rows().size(); ++i)
    if (s.rows()[i].rank == 0 && s.rows()[i].thread == 0) row = i;
  EXPECT_NE(row, SIZE_MAX);
  if (row == SIZE_MAX) return "";
  const auto& p = s.process(s.rows()[row]);
  std::vector<Call> sends;
  for (const Call& c : replay_calls(p, s.rows()[row].thread))
    if (p.defs().region_name(c.region) == "MPI_Send") sends.push_back(c);
  EXPECT_GT(sends.size(), 10u);
  if (sends.size() <= 10) return "";
  const Call& target = sends[10];
  MainWindow w(s);
  w.resize(1400, 500);
  w.show();
  QApplication::processEvents();
  TimelineView* view = w.timeline();
  view->set_show_messages(false);  // the click is for the call, not for the arrow over it
  int64_t width = std::max<int64_t>(target.end_ns - target.start_ns, 1000);
  view->set_window(Window{target.start_ns - width, target.end_ns + width});
  view->grab();  // lays the rows out
  QPoint at((view->x_of(target.start_ns) + view->x_of(target.end_ns)) / 2, view->row_top(row, target.depth) + 3);
  QTest::mouseClick(view, Qt::LeftButton, {}, at);
  EXPECT_TRUE(view->selection().found);
  EXPECT_EQ(view->selection().start_ns, target.start_ns);
  return w.details()->toPlainText().toStdString();
}

TEST(ViewerDetails, SelectedMpiCallShowsItsCallSite) {
  std::string trace = ring_with_call_sites();
  if (trace.empty()) GTEST_SKIP() << "no MPI";
  std::string text = details_of_a_send(trace);
  uint32_t line = rank0_send_line();
  ASSERT_GT(line, 0u);
  EXPECT_EQ(text.rfind("MPI_Send\n", 0), 0u) << text;
  EXPECT_NE(text.find("\ncalled from main (ring.c:" + std::to_string(line) + ")\n"), std::string::npos) << text;
}

TEST(ViewerDetails, WithoutCallSitesNoCallSiteLine) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  std::string text = details_of_a_send(ring_trace());
  EXPECT_EQ(text.rfind("MPI_Send\n", 0), 0u) << text;
  EXPECT_EQ(text.find("called from"), std::string::npos) << text;
}

}  // namespace
