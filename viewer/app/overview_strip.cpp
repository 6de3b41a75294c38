#include "overview_strip.h"

#include <QMouseEvent>
#include <QPainter>

namespace rondo::viewer {

OverviewStrip::OverviewStrip(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : QWidget(parent), session_(session), timeline_(timeline) {
  setFixedHeight(36);
  connect(timeline, &TimelineView::window_changed, this, [this](Window) { update(); });
}

void OverviewStrip::render_image() {
  int w = std::max(1, width() - TimelineView::kLabelWidth);
  int rows = static_cast<int>(session_.rows().size());
  image_ = QImage(w, height() - 4, QImage::Format_RGB32);
  image_.fill(QColor(235, 235, 235));
  int band = std::max(1, image_.height() / std::max(rows, 1));
  const auto& info = session_.info();
  for (int i = 0; i < rows && i * band < image_.height(); ++i) {
    const Row& r = session_.rows()[static_cast<size_t>(i)];
    const Window whole{info.start_ns, std::max(info.end_ns, info.start_ns + 1)};
    // When the timeline shows the whole run on as many columns (as it does when
    // the trace opens), its frame is this row's: computed once for both.
    RowFrame own;
    const RowFrame* f = &own;
    if (timeline_->window() == whole && timeline_->timeline_pixels() == w) {
      f = &timeline_->frame(static_cast<size_t>(i));
    } else {
      LodOptions options;
      options.summary = session_.summary(static_cast<size_t>(i));
      own = compute_row_in_strips(session_.process(r), r.thread, whole.begin_ns, whole.end_ns, w, options,
                                  &session_.checkpoints());
    }
    for (int px = 0; px < w; ++px) {
      // The deepest depth busy for most of the pixel says what the thread did.
      uint32_t region = kNoRegion;
      for (int d = 0; d < f->depths; ++d)
        if (f->at(d, px).region != kNoRegion && f->at(d, px).busy >= 0.5f) region = f->at(d, px).region;
      if (region == kNoRegion) continue;
      Rgb c = session_.color(r.process, region);
      for (int y = i * band; y < std::min((i + 1) * band, image_.height()); ++y) image_.setPixel(px, y, qRgb(c.r, c.g, c.b));
    }
  }
}

void OverviewStrip::paintEvent(QPaintEvent*) {
  if (image_.width() != std::max(1, width() - TimelineView::kLabelWidth) || image_.height() != height() - 4) render_image();
  QPainter p(this);
  p.fillRect(rect(), QColor(250, 250, 250));
  p.drawText(QRect(4, 0, TimelineView::kLabelWidth - 8, height()), Qt::AlignVCenter, "overview");
  p.drawImage(TimelineView::kLabelWidth, 2, image_);
  const auto& info = session_.info();
  double span = static_cast<double>(std::max<int64_t>(info.end_ns - info.start_ns, 1));
  Window w = timeline_->window();
  auto x = [&](int64_t ns) {
    return TimelineView::kLabelWidth + static_cast<int>(static_cast<double>(ns - info.start_ns) / span * image_.width());
  };
  int x0 = std::max(x(w.begin_ns), TimelineView::kLabelWidth), x1 = std::min(x(w.end_ns), width() - 1);
  p.setPen(QPen(QColor(20, 40, 160), 2));
  p.setBrush(QColor(20, 40, 160, 40));
  p.drawRect(QRect(x0, 1, std::max(x1 - x0, 2), height() - 3));
}

void OverviewStrip::center_on(int x) {
  const auto& info = session_.info();
  double span = static_cast<double>(std::max<int64_t>(info.end_ns - info.start_ns, 1));
  auto center = info.start_ns + static_cast<int64_t>(static_cast<double>(x - TimelineView::kLabelWidth) /
                                                     std::max(image_.width(), 1) * span);
  Window w = timeline_->window();
  int64_t half = (w.end_ns - w.begin_ns) / 2;
  timeline_->set_window(Window{center - half, center - half + (w.end_ns - w.begin_ns)});
}

void OverviewStrip::mousePressEvent(QMouseEvent* e) { center_on(e->pos().x()); }
void OverviewStrip::mouseMoveEvent(QMouseEvent* e) {
  if (e->buttons() & Qt::LeftButton) center_on(e->pos().x());
}

}  // namespace rondo::viewer
