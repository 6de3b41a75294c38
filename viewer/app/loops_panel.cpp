#include "loops_panel.h"

#include <algorithm>

namespace rondo::viewer {

LoopsPanel::LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : QDockWidget("Loops (slowest iterations)", parent), session_(session), timeline_(timeline) {
  setObjectName("loops");
  tree_ = new QTreeWidget(this);
  tree_->setHeaderLabels({"loop / iteration", "iterations", "total", "mean / duration"});
  connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) { zoom_to(item); });
  setWidget(tree_);
}

void LoopsPanel::show_report(const analyzer::StatsReport& report) {
  tree_->clear();
  slowest_.clear();
  for (const analyzer::LoopRow& r : report.loops.rows) {
    auto* loop = new QTreeWidgetItem({QString::fromStdString(r.name()), QString::number(r.iterations),
                                      QString::fromStdString(format_duration(static_cast<double>(r.total_ns))),
                                      QString::fromStdString(format_duration(r.mean_ns))});
    loop->setData(0, Qt::UserRole, -1);
    for (const analyzer::SlowIteration& s : r.slowest) {
      auto* it = new QTreeWidgetItem({QString("rank %1 / thread %2: occurrence %3, iteration %4")
                                          .arg(s.rank)
                                          .arg(s.thread)
                                          .arg(s.occurrence)
                                          .arg(s.iteration),
                                      "", "", QString::fromStdString(format_duration(static_cast<double>(s.ns)))});
      it->setData(0, Qt::UserRole, static_cast<int>(slowest_.size()));
      it->setToolTip(0, "Click: zoom the timeline to this iteration");
      slowest_.push_back(s);
      loop->addChild(it);
    }
    tree_->addTopLevelItem(loop);
  }
  tree_->expandAll();
}

bool LoopsPanel::zoom_to(QTreeWidgetItem* item) {
  int index = item ? item->data(0, Qt::UserRole).toInt() : -1;
  if (index < 0) return false;
  const analyzer::SlowIteration& s = slowest_[static_cast<size_t>(index)];
  const auto& rows = session_.rows();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].rank != s.rank || rows[r].thread != s.thread) continue;
    analyzer::IterationSpan span = analyzer::loop_iteration_span(session_.process(rows[r]), s.thread, s.loop_id,
                                                                 s.occurrence, s.iteration);
    if (!span.found) return false;
    // A zero-length window cannot be drawn: an iteration without duration gets 1 ns.
    timeline_->set_window(Window{span.begin_ns, std::max(span.end_ns, span.begin_ns + 1)});
    timeline_->set_marked_rows({r});
    return true;
  }
  return false;
}

}  // namespace rondo::viewer
