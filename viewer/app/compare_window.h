// `rondo view A B`: two traces one above the other on one time axis. Each
// trace has its own rows (grouped by rank, as in the one-trace view) under a
// header naming it; the two views always show windows of the same length, B's
// shifted by the alignment (model/trace_alignment.h), so zooming or panning
// either moves both and a time of A and the aligned time of B are at the same
// x. One axis above both counts time from the alignment point (the starts, or
// the start of the chosen iteration in each trace), so it reads the same for
// both; one legend below both. The tool bar chooses the alignment: the traces'
// starts, or iteration k of a loop both traces run; the loops both run are
// found on a worker thread (the list fills when they are known). The "Compare"
// dock shows `rondo stats --compare` of the visible window (compare_panel.h).
#pragma once

#include <QAction>
#include <QComboBox>
#include <QFutureWatcher>
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
  ~CompareWindow() override;  // waits for the loop search
  TimelineView* timeline_a() const { return timeline_a_; }
  TimelineView* timeline_b() const { return timeline_b_; }
  QLabel* header_a() const { return header_a_; }
  QLabel* header_b() const { return header_b_; }
  // Item 0: the traces' starts; item i > 0: loops()[i - 1], once known.
  QComboBox* align_at() const { return align_at_; }
  bool loops_ready() const { return loops_ready_; }
  TimeAxisStrip* time_axis() const { return axis_; }
  QSpinBox* iteration() const { return iteration_; }  // k, from 0
  const std::vector<CommonLoop>& loops() const { return loops_; }
  // B's window = A's window + shift (ns).
  int64_t shift() const { return shift_; }
  ComparePanel* compare_panel() const { return compare_panel_; }
  QAction* compare_visible() const { return compare_visible_; }
  QAction* follow_view() const { return follow_view_; }

 private:
  void realign();  // from the tool bar's choice
  void show_loops();  // the worker found them
  // B's shift, and the time of A the axis counts from (A's start or A's iteration start).
  void set_shift(int64_t shift, int64_t origin_a);
  void compare_now();
  const TraceSession& a_;
  const TraceSession& b_;
  std::vector<CommonLoop> loops_;
  bool loops_ready_ = false;
  QFutureWatcher<std::vector<CommonLoop>> loops_worker_;
  TimeAxisStrip* axis_ = nullptr;
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
