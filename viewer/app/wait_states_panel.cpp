#include "wait_states_panel.h"

#include <algorithm>

namespace rondo::viewer {

WaitStatesPanel::WaitStatesPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : QDockWidget("Wait states", parent), session_(session), timeline_(timeline) {
  setObjectName("wait_states");
  tree_ = new QTreeWidget(this);
  tree_->setHeaderLabels({"pattern / call site", "instances", "waiting", "worst"});
  connect(tree_, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem* item) { zoom_to(item); });
  setWidget(tree_);
}

void WaitStatesPanel::show_report(const analyzer::StatsReport& report) {
  tree_->clear();
  sites_.clear();
  auto duration = [](int64_t ns) { return QString::fromStdString(format_duration(static_cast<double>(ns))); };
  for (const analyzer::WaitPatternStats& p : report.wait_states.patterns) {
    if (p.instances == 0) continue;
    auto* pattern = new QTreeWidgetItem({QString::fromStdString(std::string(analyzer::wait_pattern_title(p.pattern))),
                                         QString::number(p.instances), duration(p.waiting_ns), ""});
    pattern->setData(0, Qt::UserRole, -1);
    for (const analyzer::WaitCallSite& site : p.call_sites) {
      auto* it = new QTreeWidgetItem({QString::fromStdString(site.call + " in " + site.caller),
                                      QString::number(site.instances), duration(site.waiting_ns),
                                      QString("rank %1: %2").arg(site.worst_rank).arg(duration(site.worst_ns))});
      it->setData(0, Qt::UserRole, static_cast<int>(sites_.size()));
      it->setToolTip(0, "Click: zoom the timeline to the longest wait here and mark the rank it waited for");
      sites_.push_back(site);
      pattern->addChild(it);
    }
    tree_->addTopLevelItem(pattern);
  }
  tree_->expandAll();
}

bool WaitStatesPanel::zoom_to(QTreeWidgetItem* item) {
  int index = item ? item->data(0, Qt::UserRole).toInt() : -1;
  if (index < 0) return false;
  const analyzer::WaitCallSite& site = sites_[static_cast<size_t>(index)];
  timeline_->set_window(Window{site.worst_enter_ns, std::max(site.worst_exit_ns, site.worst_enter_ns + 1)});
  std::set<size_t> partner;
  for (size_t r = 0; r < session_.rows().size(); ++r)
    if (site.worst_partner >= 0 && session_.rows()[r].rank == site.worst_partner) partner.insert(r);
  timeline_->set_marked_rows(partner);
  return true;
}

}  // namespace rondo::viewer
