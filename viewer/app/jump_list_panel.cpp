#include "jump_list_panel.h"

#include <algorithm>

namespace rondo::viewer {

JumpListPanel::JumpListPanel(const QString& title, const QStringList& headers, const TraceSession& session,
                             TimelineView* timeline, QWidget* parent)
    : QDockWidget(title, parent), session_(session), timeline_(timeline) {
  tree_ = new QTreeWidget(this);
  tree_->setHeaderLabels(headers);
  connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) { zoom_to(item); });
  setWidget(tree_);
}

QTreeWidgetItem* JumpListPanel::jump_item(const QStringList& text, int index, const QString& tip) {
  auto* item = new QTreeWidgetItem(text);
  item->setData(0, Qt::UserRole, index);
  if (!tip.isEmpty()) item->setToolTip(0, tip);
  return item;
}

bool JumpListPanel::zoom_to(QTreeWidgetItem* item) {
  int index = item ? item->data(0, Qt::UserRole).toInt() : -1;
  Window w;
  std::set<size_t> marked;
  if (index < 0 || !place(index, w, marked)) return false;
  // A zero-length window cannot be drawn: a place without duration gets 1 ns.
  timeline_->set_window(Window{w.begin_ns, std::max(w.end_ns, w.begin_ns + 1)});
  timeline_->set_marked_rows(std::move(marked));
  return true;
}

}  // namespace rondo::viewer
