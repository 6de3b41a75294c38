// `rondo view A B`: two traces one above the other on a shared time axis. Each
// trace has its own timeline (rows grouped by rank, as in the one-trace view)
// under a header naming it; the two views always show windows of the same
// length, B's shifted by the alignment (model/trace_alignment.h), so zooming or
// panning either moves both and a time of A and the aligned time of B are at
// the same x. The tool bar chooses the alignment: the traces' starts, or
// iteration k of a loop both traces run. The "Compare" dock shows
// `rondo stats --compare` of the visible window (compare_panel.h).
#pragma once

#include <QAction>
#include <QComboBox>
#include <QLabel>
#include <QMainWindow>
#include <QSpinBox>

#include "compare_panel.h"
#include "model/trace_alignment.h"
#include "timeline_view.h"

namespace rondo::viewer {

class CompareWindow : public QMainWindow {
  Q_OBJECT
 public:
  CompareWindow(const TraceSession& a, const TraceSession& b, QWidget* parent = nullptr);
  TimelineView* timeline_a() const { return timeline_a_; }
  TimelineView* timeline_b() const { return timeline_b_; }
  QLabel* header_a() const { return header_a_; }
  QLabel* header_b() const { return header_b_; }
  // Item 0: the traces' starts; item i > 0: common_loops()[i - 1].
  QComboBox* align_at() const { return align_at_; }
  QSpinBox* iteration() const { return iteration_; }  // k, from 0
  const std::vector<CommonLoop>& loops() const { return loops_; }
  // B's window = A's window + shift (ns).
  int64_t shift() const { return shift_; }
  ComparePanel* compare_panel() const { return compare_panel_; }
  QAction* compare_visible() const { return compare_visible_; }
  QAction* follow_view() const { return follow_view_; }

 private:
  void realign();  // from the tool bar's choice
  void set_shift(int64_t shift);
  void compare_now();
  const TraceSession& a_;
  const TraceSession& b_;
  std::vector<CommonLoop> loops_;
  int64_t shift_ = 0;
  TimelineView* timeline_a_ = nullptr;
  TimelineView* timeline_b_ = nullptr;
  QLabel* header_a_ = nullptr;
  QLabel* header_b_ = nullptr;
  QString b_title_;  // header_b_'s text before the alignment's note
  QComboBox* align_at_ = nullptr;
  QSpinBox* iteration_ = nullptr;
  ComparePanel* compare_panel_ = nullptr;
  QAction* compare_visible_ = nullptr;
  QAction* follow_view_ = nullptr;
};

}  // namespace rondo::viewer
