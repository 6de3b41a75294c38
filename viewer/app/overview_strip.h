// The whole run in a thin strip above the timeline: each thread's busiest call
// depth per pixel, and the visible window as a frame that a click or drag moves.
#pragma once

#include <QImage>
#include <QWidget>

#include "timeline_view.h"

namespace rondo::viewer {

class OverviewStrip : public QWidget {
  Q_OBJECT
 public:
  OverviewStrip(const TraceSession& session, TimelineView* timeline, QWidget* parent = nullptr);

 protected:
  void paintEvent(QPaintEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;

 private:
  void render_image();
  void center_on(int x);
  const TraceSession& session_;
  TimelineView* timeline_;
  QImage image_;  // the whole run, rendered once per width
};

}  // namespace rondo::viewer
