// The "Statistics" dock: the statistics of one time window of the trace (a
// range selected with Ctrl + rubber band, or the visible window), computed by
// analyzer::analyze exactly as `rondo stats --window T0:T1` computes them: the
// flat profile, the call tree, time in MPI per rank and the messages. The
// other side panels (matrix, loops, wait states) show the same report.
#pragma once

#include <QDockWidget>
#include <QFutureWatcher>
#include <QLabel>
#include <QTreeWidget>
#include <optional>

#include "rondo/analyzer/analysis.h"
#include "latest_request.h"
#include "timeline_view.h"

namespace rondo::viewer {

class WindowStatsPanel : public QDockWidget {
  Q_OBJECT
 public:
  explicit WindowStatsPanel(const TraceSession& session, QWidget* parent = nullptr);
  ~WindowStatsPanel() override;
  // Analyses [w.begin_ns, w.end_ns) (absolute times, as TimelineView::Window)
  // and shows it; emits analyzed() when done. The analysis (a replay of the
  // window's threads, as `rondo stats --window` does) runs on a worker thread,
  // so the timeline keeps drawing meanwhile; a request made while one runs
  // replaces any request still waiting, and runs when the current one ends.
  void analyze(Window w);
  // True from analyze() until the last request's report is shown.
  bool analyzing() const { return requests_.busy(); }
  // The report shown, and the window it is of (the last analysis finished).
  const analyzer::StatsReport& report() const { return report_; }
  Window analyzed_window() const { return window_; }
  // The numbers shown, one item per row; column values as text, and exact
  // integers in Qt::UserRole of each numeric column.
  QTreeWidget* profile() const { return profile_; }    // name, calls, inclusive_ns, exclusive_ns
  QTreeWidget* call_tree() const { return tree_; }     // nested like the calls
  QTreeWidget* mpi() const { return mpi_; }            // per rank: mpi_ns, total_ns, mpi_calls
  QLabel* messages() const { return messages_; }       // matched messages and bytes
  static constexpr int kValueRole = Qt::UserRole;

 signals:
  void analyzed(const analyzer::StatsReport& report);

 private:
  void start(Window w);
  void show_result();
  const TraceSession& session_;
  struct Result {
    analyzer::StatsReport report;
    std::string error;  // the analyzer's message when it failed
  };
  QFutureWatcher<Result> worker_;
  LatestRequest<Window> requests_;
  analyzer::StatsReport report_;
  Window window_;
  QLabel* title_ = nullptr;
  QTreeWidget* profile_ = nullptr;
  QTreeWidget* tree_ = nullptr;
  QTreeWidget* mpi_ = nullptr;
  QLabel* messages_ = nullptr;
};

// A tree item with text columns; numbers get their exact value in kValueRole
// and a readable text (durations with format_duration).
QTreeWidgetItem* stats_item(const QStringList& text, const std::vector<std::pair<int, qlonglong>>& values);

}  // namespace rondo::viewer
