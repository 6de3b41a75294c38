#include "time_axis.h"

#include <QPainter>
#include <cmath>

#include "model/trace_session.h"
#include "timeline_view.h"

namespace rondo::viewer {

namespace {

// 1, 2 or 5 times a power of ten, the smallest such step of at least `min_ns`.
double nice_step(double min_ns) {
  double p = std::pow(10.0, std::floor(std::log10(std::max(min_ns, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (m * p >= min_ns) return m * p;
  return 10 * p;
}

}  // namespace

std::vector<AxisTick> axis_ticks(int64_t begin_ns, int64_t end_ns, int64_t origin_ns, int pixels,
                                 const std::function<int(int64_t)>& x_of, double* step_ns) {
  double span = static_cast<double>(end_ns - begin_ns);
  double step = nice_step(span / std::max(pixels, 1) * 90);  // a label every 90 px or more
  if (step_ns) *step_ns = step;
  double origin = static_cast<double>(origin_ns);
  std::vector<AxisTick> ticks;
  double first = std::ceil((static_cast<double>(begin_ns) - origin) / step) * step;
  for (double t = first; origin + t < static_cast<double>(end_ns); t += step)
    ticks.push_back(AxisTick{x_of(static_cast<int64_t>(std::llround(origin + t))), t});
  return ticks;
}

void draw_time_axis(QPainter& p, int width, int height, int label_width, int64_t span_ns,
                    const std::vector<AxisTick>& ticks, double step_ns, const QString& note) {
  p.fillRect(0, 0, width, height, QColor(240, 240, 240));
  p.setPen(QColor(30, 30, 30));
  for (const AxisTick& t : ticks) {
    p.drawLine(t.x, height - 6, t.x, height);
    p.drawText(t.x + 3, height - 8, QString::fromStdString(format_tick(t.since_origin_ns, step_ns)));
  }
  QString label = QString::fromStdString("window " + format_duration(static_cast<double>(span_ns)));
  if (!note.isEmpty()) label += "\n" + note;
  QFont small = p.font();
  if (!note.isEmpty()) small.setPointSizeF(small.pointSizeF() * 0.8);
  p.save();
  p.setFont(small);
  p.fillRect(0, 0, label_width, height, QColor(240, 240, 240));
  p.drawText(QRect(4, 0, label_width - 8, height), Qt::AlignVCenter, label);
  p.restore();
}

TimeAxisStrip::TimeAxisStrip(const TimelineView* follow, int64_t origin_ns, QWidget* parent)
    : QWidget(parent), follow_(follow), origin_(origin_ns) {
  setFixedHeight(TimelineView::kAxisHeight + 8);
  connect(follow, &TimelineView::window_changed, this, [this] { update(); });
}

void TimeAxisStrip::set_origin(int64_t origin_ns, const QString& note) {
  origin_ = origin_ns;
  note_ = note;
  update();
}

std::vector<AxisTick> TimeAxisStrip::ticks(double* step_ns) const {
  Window w = follow_->window();
  return axis_ticks(w.begin_ns, w.end_ns, origin_, follow_->timeline_pixels(),
                    [this](int64_t ns) { return follow_->x_of(ns); }, step_ns);
}

void TimeAxisStrip::paintEvent(QPaintEvent*) {
  QPainter p(this);
  Window w = follow_->window();
  double step = 0;
  auto t = ticks(&step);
  draw_time_axis(p, width(), height(), TimelineView::kLabelWidth, w.end_ns - w.begin_ns, t, step, note_);
}

}  // namespace rondo::viewer
