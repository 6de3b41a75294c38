// The viewer's window: a warning bar for damaged traces, the overview strip,
// the timeline, a details panel for the selected call or message, a tool bar
// (search a region by name, flame / innermost call) and a list of the rows to
// hide or show threads.
#pragma once

#include <QAction>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QTextEdit>
#include <QToolBar>

#include "loops_panel.h"
#include "matrix_panel.h"
#include "overview_strip.h"
#include "timeline_view.h"
#include "wait_states_panel.h"
#include "window_stats_panel.h"

namespace rondo::viewer {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const TraceSession& session, QWidget* parent = nullptr);
  TimelineView* timeline() const { return timeline_; }
  QLabel* warning() const { return warning_; }
  QTextEdit* details() const { return details_; }
  QLineEdit* search() const { return search_; }          // highlights the calls of matching regions
  QAction* innermost() const { return innermost_; }      // flame / innermost call
  QListWidget* row_list() const { return row_list_; }    // a checkbox per row: shown or hidden
  // Side panels fed by one analysis of a window (Ctrl + rubber band, or S for
  // the visible window): statistics, communication matrix, loops, wait states.
  WindowStatsPanel* stats_panel() const { return stats_panel_; }
  MatrixPanel* matrix_panel() const { return matrix_panel_; }
  LoopsPanel* loops_panel() const { return loops_panel_; }
  WaitStatesPanel* waits_panel() const { return waits_panel_; }
  QAction* analyze_visible() const { return analyze_visible_; }
  QAction* follow_view() const { return follow_view_; }  // re-analyse the visible window as it changes
  // The window's content (warning, overview, timeline, legend) as an image.
  QImage render_content();

 private:
  void show_call(size_t row, const PickedCall& call);
  void show_message(const MessageShape& shape);
  const TraceSession& session_;
  QWidget* content_ = nullptr;
  QLabel* warning_ = nullptr;
  TimelineView* timeline_ = nullptr;
  QTextEdit* details_ = nullptr;
  QLineEdit* search_ = nullptr;
  QLabel* search_result_ = nullptr;
  QAction* innermost_ = nullptr;
  QListWidget* row_list_ = nullptr;
  void add_stats_panels(QToolBar* tools);
  WindowStatsPanel* stats_panel_ = nullptr;
  MatrixPanel* matrix_panel_ = nullptr;
  LoopsPanel* loops_panel_ = nullptr;
  WaitStatesPanel* waits_panel_ = nullptr;
  QAction* analyze_visible_ = nullptr;
  QAction* follow_view_ = nullptr;
};

}  // namespace rondo::viewer
