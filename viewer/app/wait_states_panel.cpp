#include "wait_states_panel.h"

namespace rondo::viewer {

WaitStatesPanel::WaitStatesPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : JumpListPanel("Wait states", {"pattern / call site", "instances", "waiting", "worst"}, session, timeline,
                    parent) {
  setObjectName("wait_states");
}

void WaitStatesPanel::show_report(const analyzer::StatsReport& report) {
  tree_->clear();
  sites_.clear();
  auto duration = [](int64_t ns) { return QString::fromStdString(format_duration(static_cast<double>(ns))); };
  for (const analyzer::WaitPatternStats& p : report.wait_states.patterns) {
    if (p.instances == 0) continue;
    QTreeWidgetItem* pattern =
        jump_item({QString::fromStdString(std::string(analyzer::wait_pattern_title(p.pattern))),
                   QString::number(p.instances), duration(p.waiting_ns), ""},
                  -1, QString());
    for (const analyzer::WaitCallSite& site : p.call_sites) {
      pattern->addChild(jump_item({QString::fromStdString(site.call + " in " + site.caller),
                                   QString::number(site.instances), duration(site.waiting_ns),
                                   QString("rank %1: %2").arg(site.worst_rank).arg(duration(site.worst_ns))},
                                  static_cast<int>(sites_.size()),
                                  "Click: zoom the timeline to the longest wait here and mark the rank it waited for"));
      sites_.push_back(site);
    }
    tree_->addTopLevelItem(pattern);
  }
  tree_->expandAll();
}

bool WaitStatesPanel::place(int index, Window& window, std::set<size_t>& marked) {
  const analyzer::WaitCallSite& site = sites_[static_cast<size_t>(index)];
  window = Window{site.worst_enter_ns, site.worst_exit_ns};
  for (size_t r = 0; r < session_.rows().size(); ++r)
    if (site.worst_partner >= 0 && session_.rows()[r].rank == site.worst_partner) marked.insert(r);
  return true;
}

}  // namespace rondo::viewer
