// The "Loops" dock: the grammar's loops of the analysed window (analyzer loop
// statistics) with their slowest iterations under each. A click on a slowest
// iteration zooms the timeline to exactly that iteration's span
// (analyzer::loop_iteration_span) and marks its thread's row.
#pragma once

#include "jump_list_panel.h"

namespace rondo::viewer {

class LoopsPanel : public JumpListPanel {
  Q_OBJECT
 public:
  LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);
  // One top-level item per loop row, a child per slowest iteration.
  void show_report(const analyzer::StatsReport& report) override;

 protected:
  bool place(int index, Window& window, std::set<size_t>& marked) override;

 private:
  std::vector<analyzer::SlowIteration> slowest_;
};

}  // namespace rondo::viewer
