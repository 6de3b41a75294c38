#include "timeline_view.h"

#include "time_axis.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>
#include <cmath>

namespace rondo::viewer {

namespace {

QColor qcolor(Rgb c) { return QColor(c.r, c.g, c.b); }

}  // namespace

TimelineView::TimelineView(const TraceSession& session, QWidget* parent)
    : QWidget(parent), session_(session) {
  // The analyzer reads the trace with its own cursors; the session's thread
  // loading is thread-safe, and the checkpoints are not used by it.
  messages_ = std::async(std::launch::async, [&session] {
                return std::shared_ptr<const MessageArrows>(std::make_shared<MessageArrows>(session));
              }).share();
  messages_poll_ = new QTimer(this);
  messages_poll_->setInterval(100);
  connect(messages_poll_, &QTimer::timeout, this, [this] {
    if (!messages_ready()) return;
    messages_poll_->stop();
    shapes_width_ = -1;  // recompute the shapes with the messages
    if (!messages().not_drawn().empty()) emit messages_not_drawn(QString::fromStdString(messages().not_drawn()));
    update();
  });
  messages_poll_->start();
  // Rows drawn afresh once their summaries are ready (model/row_summary.h):
  // the far zooms then read no event.
  summaries_poll_ = new QTimer(this);
  summaries_poll_->setInterval(200);
  connect(summaries_poll_, &QTimer::timeout, this, [this] {
    size_t ready = session_.summaries_ready();
    if (ready == summaries_seen_) return;
    summaries_seen_ = ready;
    if (ready == session_.summaries_planned()) summaries_poll_->stop();
    frame_valid_.assign(frames_.size(), false);
    update();
  });
  setMouseTracking(true);
  setFocusPolicy(Qt::StrongFocus);
  setMinimumSize(kLabelWidth + 50, kAxisHeight + kLegendHeight + 20);
  frames_.resize(session.rows().size());
  frame_valid_.assign(session.rows().size(), false);
  window_ = Window{session.info().start_ns, std::max(session.info().end_ns, session.info().start_ns + 1)};
  history_.push_back(window_);
}

void TimelineView::set_window(Window w, bool record) {
  int64_t min_span = 10;  // ns: below this, pixels would be finer than the clock
  if (w.end_ns - w.begin_ns < min_span) w.end_ns = w.begin_ns + min_span;
  if (w == window_) return;
  window_ = w;
  if (record) {
    history_.resize(history_pos_ + 1);
    history_.push_back(w);
    history_pos_ = history_.size() - 1;
  }
  update();
  emit window_changed(w);
}

void TimelineView::fit_all() {
  set_window(Window{session_.info().start_ns, std::max(session_.info().end_ns, session_.info().start_ns + 1)});
}

void TimelineView::back() {
  if (history_pos_ == 0) return;
  set_window(history_[--history_pos_], false);
}

void TimelineView::forward() {
  if (history_pos_ + 1 >= history_.size()) return;
  set_window(history_[++history_pos_], false);
}

void TimelineView::zoom(double factor, double anchor_x) {
  double anchor = static_cast<double>(ns_of(anchor_x));
  double b = anchor - (anchor - static_cast<double>(window_.begin_ns)) / factor;
  double e = anchor + (static_cast<double>(window_.end_ns) - anchor) / factor;
  set_window(Window{static_cast<int64_t>(std::llround(b)), static_cast<int64_t>(std::llround(e))});
}

void TimelineView::set_collapsed(int32_t rank, bool collapsed) {
  if (collapsed)
    collapsed_.insert(rank);
  else
    collapsed_.erase(rank);
  update();
}

void TimelineView::set_marked_rows(std::set<size_t> rows) {
  marked_rows_ = std::move(rows);
  update();
}

void TimelineView::set_row_hidden(size_t row, bool hidden) {
  if (hidden)
    hidden_rows_.insert(row);
  else
    hidden_rows_.erase(row);
  update();
}

void TimelineView::set_show_messages(bool on) {
  show_messages_ = on;
  selected_message_ = -1;
  update();
}

void TimelineView::set_depth_mode(DepthMode mode) {
  depth_mode_ = mode;
  update();
}

size_t TimelineView::highlight(const std::string& text) {
  highlight_ = find_regions(session_, text);
  update();
  return highlight_.regions;
}

QColor TimelineView::cell_color(size_t row, uint32_t region) const {
  size_t process = session_.rows()[row].process;
  QColor c = qcolor(session_.color(process, region));
  if (!highlight_.active() || highlight_.matches(process, region)) return c;
  // Pale: three quarters of the background mixed in.
  return QColor((c.red() + 3 * 250) / 4, (c.green() + 3 * 250) / 4, (c.blue() + 3 * 250) / 4);
}

int TimelineView::shown_depths(size_t row) {
  return depth_mode_ == DepthMode::Innermost ? 1 : std::clamp(frame(row).depths, 1, kMaxShownDepth);
}

int TimelineView::x_of(int64_t ns) const {
  double span = static_cast<double>(window_.end_ns - window_.begin_ns);
  return kLabelWidth +
         static_cast<int>(std::floor(static_cast<double>(ns - window_.begin_ns) / span * timeline_pixels()));
}

int64_t TimelineView::ns_of(double x) const {
  double span = static_cast<double>(window_.end_ns - window_.begin_ns);
  return window_.begin_ns + static_cast<int64_t>(std::llround((x - kLabelWidth) / timeline_pixels() * span));
}

const RowFrame& TimelineView::frame(size_t row) {
  if (frames_window_ != window_ || frames_width_ != timeline_pixels()) {
    frame_valid_.assign(frames_.size(), false);
    frames_window_ = window_;
    frames_width_ = timeline_pixels();
  }
  if (!frame_valid_[row]) {
    const Row& r = session_.rows()[row];
    LodOptions options;
    options.summary = session_.summary(row);
    // A pan by whole pixels keeps the columns both windows show (model/row_pan.h).
    int shift = whole_pixel_shift(frames_[row], window_.begin_ns, window_.end_ns, timeline_pixels());
    if (shift != 0)
      frames_[row] = pan_row(frames_[row], shift, session_.process(r), r.thread, window_.begin_ns, window_.end_ns,
                             options, &session_.checkpoints());
    else
      frames_[row] = compute_row_in_strips(session_.process(r), r.thread, window_.begin_ns, window_.end_ns,
                                           timeline_pixels(), options, &session_.checkpoints());
    frame_valid_[row] = true;
  }
  return frames_[row];
}

const MessageArrows& TimelineView::messages() { return *messages_.get(); }

bool TimelineView::messages_ready() const {
  return messages_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

const std::vector<MessageShape>& TimelineView::message_shapes() {
  if (shapes_window_ != window_ || shapes_width_ != timeline_pixels()) {
    shapes_ = messages().shapes(window_.begin_ns, window_.end_ns, timeline_pixels());
    shapes_window_ = window_;
    shapes_width_ = timeline_pixels();
    selected_message_ = -1;
  }
  return shapes_;
}

LayerGeometry TimelineView::message_geometry() const {
  LayerGeometry g;
  g.row_y = [this](size_t row) {
    if (row < row_y_.size() && row_y_[row] >= 0) return row_y_[row] + kDepthPx / 2;
    return row < header_of_row_.size() ? header_of_row_[row] + kHeaderHeight / 2 : 0;
  };
  g.x0 = kLabelWidth;
  g.pixels = timeline_pixels();
  g.begin_ns = window_.begin_ns;
  g.end_ns = window_.end_ns;
  return g;
}

void TimelineView::layout_rows() {
  row_y_.assign(session_.rows().size(), -1);
  header_of_row_.assign(session_.rows().size(), 0);
  headers_.clear();
  int y = axis_height();
  int32_t group = INT32_MIN;
  size_t group_process = SIZE_MAX;
  for (size_t i = 0; i < session_.rows().size(); ++i) {
    const Row& r = session_.rows()[i];
    if (r.process != group_process) {
      group_process = r.process;
      group = r.rank;
      headers_.emplace_back(group, y);
      y += kHeaderHeight;
    }
    header_of_row_[i] = headers_.back().second;
    if (collapsed_.count(group) || hidden_rows_.count(i)) continue;
    row_y_[i] = y;
    y += shown_depths(i) * kDepthPx + 4;
  }
}

int TimelineView::row_top(size_t row, int depth) const {
  if (row >= row_y_.size() || row_y_[row] < 0) return -1;
  return row_y_[row] + depth * kDepthPx;
}

void TimelineView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), QColor(250, 250, 250));
  layout_rows();
  const int width_px = timeline_pixels();
  // Group headers.
  p.setPen(QColor(40, 40, 40));
  for (auto& [rank, y] : headers_) {
    p.fillRect(0, y, width(), kHeaderHeight, QColor(228, 228, 232));
    bool closed = collapsed_.count(rank) > 0;
    p.drawText(QRect(4, y, kLabelWidth, kHeaderHeight), Qt::AlignVCenter,
               QString("%1 %2").arg(closed ? "▸" : "▾").arg(QString::fromStdString(
                                                        session_.trace().processes()[0]->rank() >= 0 ? "rank " : "process ") +
                                                    QString::number(rank)));
  }
  for (size_t i = 0; i < session_.rows().size(); ++i) {
    if (row_y_[i] < 0) continue;
    const Row& r = session_.rows()[i];
    const RowFrame& f = frame(i);
    int y0 = row_y_[i];
    if (marked_rows_.count(i)) p.fillRect(QRect(0, y0, kLabelWidth, kDepthPx * 2), QColor(255, 214, 80));
    p.setPen(QColor(60, 60, 60));
    p.drawText(QRect(12, y0, kLabelWidth - 14, kDepthPx * 2), Qt::AlignVCenter,
               QString::fromStdString(r.name));
    bool innermost = depth_mode_ == DepthMode::Innermost;
    int depths = innermost ? 1 : std::min(f.depths, kMaxShownDepth);
    for (int d = 0; d < depths; ++d) {
      int top = y0 + d * kDepthPx;
      // Runs of pixels with the same region and bar height: one rectangle each.
      // Innermost: the innermost call's region, as tall as the thread is busy.
      int run_start = 0;
      auto key = [&](int px) {
        int deepest = innermost ? f.innermost_depth(px) : d;
        if (deepest < 0) return std::pair<uint32_t, int>(kNoRegion, 0);
        const Cell& c = f.at(deepest, px);
        float busy = innermost ? f.at(0, px).busy : c.busy;
        int h = c.region == kNoRegion ? 0 : std::max(1, static_cast<int>(std::lround(busy * (kDepthPx - 1))));
        return std::pair<uint32_t, int>(c.region, h);
      };
      auto run_key = key(0);
      for (int px = 1; px <= width_px; ++px) {
        auto k = px < width_px ? key(px) : std::pair<uint32_t, int>(kNoRegion, -1);
        if (k == run_key) continue;
        if (run_key.first != kNoRegion)
          p.fillRect(kLabelWidth + run_start, top + (kDepthPx - 1 - run_key.second), px - run_start, run_key.second,
                     cell_color(i, run_key.first));
        run_start = px;
        run_key = k;
      }
    }
    if (i == selected_row_ && selection_.found) {
      int x0 = x_of(selection_.start_ns), x1 = std::max(x_of(selection_.end_ns), x0 + 1);
      p.setPen(QPen(Qt::black, 2));
      p.setBrush(Qt::NoBrush);
      int top = y0 + (innermost ? 0 : selection_.depth) * kDepthPx;
      p.drawRect(QRect(std::max(x0, kLabelWidth), top, x1 - std::max(x0, kLabelWidth), kDepthPx - 1));
    }
  }
  LayerGeometry geometry = message_geometry();
  p.setClipRect(kLabelWidth, axis_height(), width_px, height() - axis_height() - legend_height());
  if (show_messages_ && messages_ready()) {
    draw_collectives(p, messages(), messages().collectives_in_window(window_.begin_ns, window_.end_ns), geometry);
    draw_messages(p, message_shapes(), geometry);
  }
  if (show_messages_ && selected_message_ >= 0) {
    const MessageShape& m = shapes_[static_cast<size_t>(selected_message_)];
    p.setPen(QPen(QColor(230, 120, 0), 3));
    p.drawLine(QPointF(kLabelWidth + m.send_px + 0.5, geometry.row_y(m.send_row)),
               QPointF(kLabelWidth + m.recv_px + 0.5, geometry.row_y(m.recv_row)));
  }
  p.setClipping(false);
  if (rubber_) {
    p.fillRect(QRect(QPoint(std::min(rubber_x0_, rubber_x1_), axis_height()),
                     QPoint(std::max(rubber_x0_, rubber_x1_), height() - legend_height())),
               QColor(60, 90, 200, 60));
  }
  if (axis_height()) draw_axis(p);
  if (legend_height()) draw_legend(p);
  emit frame_painted(window_);
  // The first frame is on screen: the rows' summaries may take the processor now.
  if (!summaries_started_) {
    summaries_started_ = true;
    session_.start_summaries();
    if (session_.summaries_planned() > 0) summaries_poll_->start();
  }
}

std::vector<AxisTick> TimelineView::axis_ticks(double* step_ns) const {
  return viewer::axis_ticks(window_.begin_ns, window_.end_ns, session_.info().start_ns, timeline_pixels(),
                            [this](int64_t ns) { return x_of(ns); }, step_ns);
}

void TimelineView::draw_axis(QPainter& p) {
  double step = 0;
  auto ticks = axis_ticks(&step);
  draw_time_axis(p, width(), kAxisHeight, kLabelWidth, window_.end_ns - window_.begin_ns, ticks, step);
}

void TimelineView::set_parts(bool axis, bool legend) {
  show_axis_ = axis;
  show_legend_ = legend;
  update();
}

void TimelineView::draw_legend(QPainter& p) {
  int y = height() - kLegendHeight;
  p.fillRect(0, y, width(), kLegendHeight, QColor(240, 240, 240));
  int x = 8;
  for (int g = 0; g < kRegionGroups; ++g) {
    auto group = static_cast<RegionGroup>(g);
    p.fillRect(x, y + 6, 14, 12, qcolor(group_color(group)));
    p.setPen(QColor(30, 30, 30));
    QString name = QString::fromStdString(std::string(group_name(group)));
    p.drawText(x + 18, y + 16, name);
    x += 26 + p.fontMetrics().horizontalAdvance(name);
  }
}

TimelineView::Hit TimelineView::hit_at(QPoint pt) {
  Hit h;
  for (auto& [rank, y] : headers_)
    if (pt.y() >= y && pt.y() < y + kHeaderHeight) h.header_rank = rank;
  for (size_t i = 0; i < row_y_.size(); ++i) {
    if (row_y_[i] < 0) continue;
    if (pt.y() >= row_y_[i] && pt.y() < row_y_[i] + shown_depths(i) * kDepthPx) {
      h.row = i;
      h.depth = (pt.y() - row_y_[i]) / kDepthPx;
      // Innermost: the band stands for the innermost call of the pixel.
      int px = pt.x() - kLabelWidth;
      if (depth_mode_ == DepthMode::Innermost && px >= 0 && px < timeline_pixels())
        h.depth = std::max(frame(i).innermost_depth(px), 0);
    }
  }
  return h;
}

void TimelineView::wheelEvent(QWheelEvent* e) {
  double steps = e->angleDelta().y() / 120.0;
  if (steps != 0) zoom(std::pow(1.25, steps), e->position().x());
}

void TimelineView::mousePressEvent(QMouseEvent* e) {
  press_pos_ = e->pos();
  press_window_ = window_;
  rubber_ = e->button() == Qt::RightButton || (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier));
  dragging_ = !rubber_ && e->button() == Qt::LeftButton;
  rubber_x0_ = rubber_x1_ = e->pos().x();
}

void TimelineView::mouseMoveEvent(QMouseEvent* e) {
  if (rubber_) {
    rubber_x1_ = e->pos().x();
    update();
  } else if (dragging_ && (e->pos() - press_pos_).manhattanLength() > 3) {
    double dx = e->pos().x() - press_pos_.x();
    auto shift = static_cast<int64_t>(dx / timeline_pixels() * static_cast<double>(press_window_.end_ns - press_window_.begin_ns));
    set_window(Window{press_window_.begin_ns - shift, press_window_.end_ns - shift}, false);
  }
}

void TimelineView::mouseReleaseEvent(QMouseEvent* e) {
  bool moved = (e->pos() - press_pos_).manhattanLength() > 3;
  if (rubber_) {
    rubber_ = false;
    rubber_x1_ = e->pos().x();
    int a = std::min(rubber_x0_, rubber_x1_), b = std::max(rubber_x0_, rubber_x1_);
    // With Ctrl the band selects a range to analyse instead of zooming to it.
    if (b - a > 3 && (e->modifiers() & Qt::ControlModifier))
      emit range_selected(Window{ns_of(a), ns_of(b)});
    else if (b - a > 3)
      set_window(Window{ns_of(a), ns_of(b)});
    update();
    return;
  }
  if (dragging_ && moved) {
    dragging_ = false;
    // One history entry per drag.
    Window w = window_;
    window_ = press_window_;
    set_window(w);
    return;
  }
  dragging_ = false;
  // A message drawn over the rows and headers is picked before what lies under it.
  int shape = e->pos().x() < kLabelWidth || !show_messages_ || !messages_ready()
                  ? -1
                  : message_at(e->pos(), message_shapes(), message_geometry());
  if (shape >= 0) {
    selected_message_ = shape;
    update();
    emit message_selected(shapes_[static_cast<size_t>(shape)]);
    return;
  }
  selected_message_ = -1;
  Hit h = hit_at(e->pos());
  if (h.header_rank != INT32_MIN) {
    set_collapsed(h.header_rank, !collapsed_.count(h.header_rank));
    return;
  }
  if (e->pos().x() < kLabelWidth) return;
  if (h.row == SIZE_MAX) return;
  const Row& r = session_.rows()[h.row];
  // The middle of the clicked pixel.
  int64_t ns = ns_of(e->pos().x() + 0.5);
  selection_ = pick_call(session_.process(r), r.thread, ns, h.depth, &session_.checkpoints());
  selected_row_ = h.row;
  update();
  emit call_selected(h.row, selection_);
}

void TimelineView::keyPressEvent(QKeyEvent* e) {
  double mid = kLabelWidth + timeline_pixels() / 2.0;
  auto span = window_.end_ns - window_.begin_ns;
  bool alt = e->modifiers() & Qt::AltModifier;
  switch (e->key()) {
    case Qt::Key_Plus: case Qt::Key_Equal: zoom(2, mid); break;
    case Qt::Key_Minus: zoom(0.5, mid); break;
    case Qt::Key_Left:
      if (alt) back();
      else set_window(Window{window_.begin_ns - span / 4, window_.end_ns - span / 4});
      break;
    case Qt::Key_Right:
      if (alt) forward();
      else set_window(Window{window_.begin_ns + span / 4, window_.end_ns + span / 4});
      break;
    case Qt::Key_Home: case Qt::Key_F: fit_all(); break;
    case Qt::Key_Backspace: back(); break;
    default: QWidget::keyPressEvent(e);
  }
}

bool TimelineView::event(QEvent* e) {
  if (e->type() != QEvent::ToolTip) return QWidget::event(e);
  auto* help = static_cast<QHelpEvent*>(e);
  Hit h = hit_at(help->pos());
  int px = help->pos().x() - kLabelWidth;
  if (h.row == SIZE_MAX || px < 0 || px >= timeline_pixels()) {
    QToolTip::hideText();
    return true;
  }
  const Row& r = session_.rows()[h.row];
  const RowFrame& f = frame(h.row);
  QString text = QString::fromStdString(r.label + " at " +
                                        format_duration(static_cast<double>(ns_of(help->pos().x()) - session_.info().start_ns)));
  if (h.depth < f.depths) {
    const Cell& c = f.at(h.depth, px);
    if (c.region != kNoRegion)
      text += QString::fromStdString("\n" + session_.region_name(r.process, c.region) + " (" +
                                     std::string(group_name(session_.group(r.process, c.region))) + "), busy " +
                                     std::to_string(static_cast<int>(std::lround(c.busy * 100))) + "% of this pixel");
  }
  std::string note = describe_note(f.notes[static_cast<size_t>(px)]);
  if (!note.empty()) text += QString::fromStdString("\n" + note);
  QToolTip::showText(help->globalPos(), text, this);
  return true;
}

}  // namespace rondo::viewer
