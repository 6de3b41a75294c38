// The time axis over a timeline: ticks at 1, 2 or 5 times a power of ten of the
// time since an origin, labelled with units. A TimelineView draws its own axis;
// `rondo view A B` draws one TimeAxisStrip over both traces instead (their
// windows always have the same length, so one axis reads for both).
#pragma once

#include <QWidget>
#include <cstdint>
#include <functional>
#include <vector>

namespace rondo::viewer {

class TimelineView;

struct AxisTick {
  int x = 0;                   // widget column
  double since_origin_ns = 0;  // the label's time
};

// The ticks of window [begin_ns, end_ns) drawn `pixels` wide, times counted from
// `origin_ns`, `x_of` mapping a time to its column; `step_ns` receives the step.
std::vector<AxisTick> axis_ticks(int64_t begin_ns, int64_t end_ns, int64_t origin_ns, int pixels,
                                 const std::function<int(int64_t)>& x_of, double* step_ns = nullptr);
// Draws the axis band [0, width) x [0, height): the ticks and, left of
// `label_width`, the window's length and `note`.
void draw_time_axis(class QPainter& p, int width, int height, int label_width, int64_t span_ns,
                    const std::vector<AxisTick>& ticks, double step_ns, const QString& note = {});

// An axis widget following a timeline's window and columns (it must be laid out
// at the same x and width as the timeline), counting time from an origin.
class TimeAxisStrip : public QWidget {
  Q_OBJECT
 public:
  TimeAxisStrip(const TimelineView* follow, int64_t origin_ns, QWidget* parent = nullptr);
  void set_origin(int64_t origin_ns, const QString& note);
  int64_t origin() const { return origin_; }
  std::vector<AxisTick> ticks(double* step_ns = nullptr) const;  // those drawn now

 protected:
  void paintEvent(QPaintEvent*) override;

 private:
  const TimelineView* follow_;
  int64_t origin_;
  QString note_;
};

}  // namespace rondo::viewer
