// The "Wait states" dock: the analysed window's MPI wait states (Scalasca's
// patterns, analyzer/wait_states.h) with their call sites. A click on a call
// site zooms the timeline to the MPI call that waited longest there and marks
// the row(s) of the rank it waited for.
#pragma once

#include <QDockWidget>
#include <QTreeWidget>

#include "rondo/analyzer/analysis.h"
#include "timeline_view.h"

namespace rondo::viewer {

class WaitStatesPanel : public QDockWidget {
  Q_OBJECT
 public:
  WaitStatesPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);
  void show_report(const analyzer::StatsReport& report);
  // One top-level item per pattern with waiting, a child per call site.
  QTreeWidget* tree() const { return tree_; }
  // Zooms to the worst wait of the call site `item` stands for; false for a pattern row.
  bool zoom_to(QTreeWidgetItem* item);

 private:
  const TraceSession& session_;
  TimelineView* timeline_;
  QTreeWidget* tree_ = nullptr;
  std::vector<analyzer::WaitCallSite> sites_;  // indexed by the children's Qt::UserRole
};

}  // namespace rondo::viewer
