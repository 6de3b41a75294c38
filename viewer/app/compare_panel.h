// The "Compare" dock of `rondo view A B`: the `rondo stats A --compare B` table
// of the visible window. Each trace is analysed over its own part of the view
// (A's window, and B's window shifted by the alignment) exactly as
// `rondo stats --window` does, and the two reports are compared by
// analyzer::compare, so at the default alignment (starts) the numbers are those
// of `rondo stats A --window T0:T1 --compare B`.
#pragma once

#include <QDockWidget>
#include <QFutureWatcher>
#include <QLabel>
#include <QTreeWidget>
#include <optional>

#include "rondo/analyzer/compare.h"
#include "latest_request.h"
#include "timeline_view.h"

namespace rondo::viewer {

class ComparePanel : public QDockWidget {
  Q_OBJECT
 public:
  ComparePanel(const TraceSession& a, const TraceSession& b, QWidget* parent = nullptr);
  ~ComparePanel() override;
  // Analyses `wa` of trace A and `wb` of trace B (absolute times of each) on a
  // worker thread and shows their comparison; a request made while one runs
  // replaces any request waiting, and runs when the current one ends.
  void analyze(Window wa, Window wb);
  bool analyzing() const { return requests_.busy(); }
  const analyzer::Comparison& comparison() const { return comparison_; }
  // One top-level item per total (duration, time in MPI, messages) and per
  // section (regions, MPI calls, wait states, loops) with a child per row.
  // Columns: name, count before, count after, before, after, change; the exact
  // integers are in Qt::UserRole of columns 1..4.
  QTreeWidget* table() const { return table_; }
  static constexpr int kValueRole = Qt::UserRole;

 signals:
  void compared(const analyzer::Comparison& c);

 private:
  struct Request {
    Window a, b;
  };
  struct Result {
    analyzer::Comparison comparison;
    std::string error;
  };
  void start(Request r);
  void show_result();
  const TraceSession& a_;
  const TraceSession& b_;
  QFutureWatcher<Result> worker_;
  LatestRequest<Request> requests_;
  analyzer::Comparison comparison_;
  QLabel* title_ = nullptr;
  QTreeWidget* table_ = nullptr;
};

}  // namespace rondo::viewer
