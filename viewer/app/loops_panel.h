// The "Loops" dock: the grammar's loops of the analysed window (analyzer loop
// statistics) with their slowest iterations under each. A click on a slowest
// iteration zooms the timeline to exactly that iteration's span
// (analyzer::loop_iteration_span) and marks its thread's row, then, once a
// worker has analysed the wait states of that iteration, the rows of the rank
// it waited for most (its partner: what made the iteration slow).
#pragma once

#include <QFutureWatcher>

#include "jump_list_panel.h"

namespace rondo::viewer {

class LoopsPanel : public JumpListPanel {
  Q_OBJECT
 public:
  LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);
  // One top-level item per loop row, a child per slowest iteration.
  void show_report(const analyzer::StatsReport& report) override;
  ~LoopsPanel() override;
  // True while the partner rank of the last clicked iteration is being found.
  bool finding_partner() const { return partner_pending_; }

 protected:
  bool place(int index, Window& window, std::set<size_t>& marked) override;

 private:
  // The rank `rank` waited for most in `window` (analyzer wait states, every
  // pattern), or -1 when it did not wait.
  static int32_t most_waited_for(const format::TraceReader& trace, int32_t rank, Window window);
  void mark_partner();
  std::vector<analyzer::SlowIteration> slowest_;
  QFutureWatcher<int32_t> partner_;
  Window partner_window_;     // the iteration whose partner is being found
  size_t partner_of_row_ = 0;  // its row
  bool partner_pending_ = false;
};

}  // namespace rondo::viewer
