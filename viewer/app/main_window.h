// The viewer's window: a warning bar for damaged traces, the overview strip,
// the timeline and a details panel for the selected call.
#pragma once

#include <QLabel>
#include <QMainWindow>
#include <QTextEdit>

#include "overview_strip.h"
#include "timeline_view.h"

namespace rondo::viewer {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(const TraceSession& session, QWidget* parent = nullptr);
  TimelineView* timeline() const { return timeline_; }
  QLabel* warning() const { return warning_; }
  QTextEdit* details() const { return details_; }
  // The window's content (warning, overview, timeline, legend) as an image.
  QImage render_content();

 private:
  void show_call(size_t row, const PickedCall& call);
  const TraceSession& session_;
  QWidget* content_ = nullptr;
  QLabel* warning_ = nullptr;
  TimelineView* timeline_ = nullptr;
  QTextEdit* details_ = nullptr;
};

}  // namespace rondo::viewer
