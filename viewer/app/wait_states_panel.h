// The "Wait states" dock: the analysed window's MPI wait states (Scalasca's
// patterns, analyzer/wait_states.h) with their call sites. A click on a call
// site zooms the timeline to the MPI call that waited longest there and marks
// the row(s) of the rank it waited for.
#pragma once

#include "jump_list_panel.h"

namespace rondo::viewer {

class WaitStatesPanel : public JumpListPanel {
  Q_OBJECT
 public:
  WaitStatesPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);
  // One top-level item per pattern with waiting, a child per call site.
  void show_report(const analyzer::StatsReport& report) override;

 protected:
  bool place(int index, Window& window, std::set<size_t>& marked) override;

 private:
  std::vector<analyzer::WaitCallSite> sites_;
};

}  // namespace rondo::viewer
