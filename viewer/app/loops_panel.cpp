#include "loops_panel.h"

namespace rondo::viewer {

LoopsPanel::LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : JumpListPanel("Loops (slowest iterations)", {"loop / iteration", "iterations", "total", "mean / duration"},
                    session, timeline, parent) {
  setObjectName("loops");
}

void LoopsPanel::show_report(const analyzer::StatsReport& report) {
  tree_->clear();
  slowest_.clear();
  for (const analyzer::LoopRow& r : report.loops.rows) {
    QTreeWidgetItem* loop = jump_item({QString::fromStdString(r.name()), QString::number(r.iterations),
                                       QString::fromStdString(format_duration(static_cast<double>(r.total_ns))),
                                       QString::fromStdString(format_duration(r.mean_ns))},
                                      -1, QString());
    for (const analyzer::SlowIteration& s : r.slowest) {
      loop->addChild(jump_item({QString("rank %1 / thread %2: occurrence %3, iteration %4")
                                    .arg(s.rank)
                                    .arg(s.thread)
                                    .arg(s.occurrence)
                                    .arg(s.iteration),
                                "", "", QString::fromStdString(format_duration(static_cast<double>(s.ns)))},
                               static_cast<int>(slowest_.size()), "Click: zoom the timeline to this iteration"));
      slowest_.push_back(s);
    }
    tree_->addTopLevelItem(loop);
  }
  tree_->expandAll();
}

bool LoopsPanel::place(int index, Window& window, std::set<size_t>& marked) {
  const analyzer::SlowIteration& s = slowest_[static_cast<size_t>(index)];
  const auto& rows = session_.rows();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].rank != s.rank || rows[r].thread != s.thread) continue;
    analyzer::IterationSpan span = analyzer::loop_iteration_span(session_.process(rows[r]), s.thread, s.loop_id,
                                                                 s.occurrence, s.iteration);
    window = Window{span.begin_ns, span.end_ns};
    marked = {r};
    return span.found;
  }
  return false;
}

}  // namespace rondo::viewer
