// The "Loops" dock: the grammar's loops of the analysed window (analyzer loop
// statistics) with their slowest iterations under each. A click on a slowest
// iteration zooms the timeline to exactly that iteration's span
// (analyzer::loop_iteration_span) and marks its thread's row.
#pragma once

#include <QDockWidget>
#include <QTreeWidget>

#include "rondo/analyzer/analysis.h"
#include "timeline_view.h"

namespace rondo::viewer {

class LoopsPanel : public QDockWidget {
  Q_OBJECT
 public:
  LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);
  void show_report(const analyzer::StatsReport& report);
  // One top-level item per loop row, a child per slowest iteration.
  QTreeWidget* tree() const { return tree_; }
  // Zooms to the slowest iteration `item` stands for; false for a loop row or
  // an iteration that cannot be found.
  bool zoom_to(QTreeWidgetItem* item);

 private:
  const TraceSession& session_;
  TimelineView* timeline_;
  QTreeWidget* tree_ = nullptr;
  std::vector<analyzer::SlowIteration> slowest_;  // indexed by the children's Qt::UserRole
};

}  // namespace rondo::viewer
