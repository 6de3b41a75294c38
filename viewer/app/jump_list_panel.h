// What the Loops and Wait states docks share: a tree of rows from a report,
// where clicking a row that stands for a place in the run (an item whose
// column 0 holds an index >= 0 in Qt::UserRole) zooms the timeline there and
// marks rows.
#pragma once

#include <QDockWidget>
#include <QTreeWidget>
#include <set>

#include "rondo/analyzer/analysis.h"
#include "timeline_view.h"

namespace rondo::viewer {

class JumpListPanel : public QDockWidget {
  Q_OBJECT
 public:
  JumpListPanel(const QString& title, const QStringList& headers, const TraceSession& session,
                TimelineView* timeline, QWidget* parent);
  virtual void show_report(const analyzer::StatsReport& report) = 0;
  QTreeWidget* tree() const { return tree_; }
  // Zooms to what `item` stands for; false for a heading row or a place that
  // cannot be found.
  bool zoom_to(QTreeWidgetItem* item);

 protected:
  // The place of entry `index` (the item's Qt::UserRole): false when not found.
  virtual bool place(int index, Window& window, std::set<size_t>& marked) = 0;
  // A clickable item for entry `index`.
  static QTreeWidgetItem* jump_item(const QStringList& text, int index, const QString& tip);
  const TraceSession& session_;
  TimelineView* timeline_;
  QTreeWidget* tree_ = nullptr;
};

}  // namespace rondo::viewer
