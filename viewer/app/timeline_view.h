// The timeline: one row per thread, grouped by process/rank (a click on a
// group's header collapses it), flame-style call depth within a row, a time axis
// with units and a legend of the region groups. Each row is drawn from a
// RowFrame (model/row_lod.h), so a frame costs what its pixels cost. Matched
// messages are drawn over the rows as arrows (bundles where they cannot be told
// apart) and collectives as lines across their ranks; a click on one shows it.
//
// Zoom: mouse wheel (around the pointer), + and - keys, rubber band (right
// button, or Shift + left button; with Ctrl held the band selects a range to
// analyse instead). Pan: drag with the left button, Left/Right
// keys. Fit all: Home or F. History: Backspace / Alt+Left back, Alt+Right forward.
// The window's tool bar switches flame / innermost call (key I).
#pragma once

#include <QTimer>
#include <QWidget>
#include <future>
#include <memory>
#include <set>
#include <vector>

#include "message_layer.h"
#include "time_axis.h"
#include "model/message_arrows.h"
#include "model/pick.h"
#include "model/region_search.h"
#include "model/row_pan.h"
#include "model/row_lod.h"
#include "model/row_strips.h"
#include "model/trace_session.h"

namespace rondo::viewer {

struct Window {
  int64_t begin_ns = 0, end_ns = 0;
  bool operator==(const Window&) const = default;
};

class TimelineView : public QWidget {
  Q_OBJECT
 public:
  explicit TimelineView(const TraceSession& session, QWidget* parent = nullptr);

  static constexpr int kLabelWidth = 150, kAxisHeight = 26, kLegendHeight = 24, kHeaderHeight = 18, kDepthPx = 9,
                       kMaxShownDepth = 10;

  Window window() const { return window_; }
  // Shows [begin, end) and records it in the history (unless it is the current window).
  void set_window(Window w, bool record = true);
  void fit_all();
  void back();
  void forward();
  void zoom(double factor, double anchor_x);
  void set_collapsed(int32_t rank, bool collapsed);
  // Hides or shows one row (a thread); hidden rows take no space.
  void set_row_hidden(size_t row, bool hidden);
  bool row_hidden(size_t row) const { return hidden_rows_.count(row) > 0; }
  // Rows whose label is drawn highlighted (the side panels mark the rank an
  // iteration or a wait belongs to and the partner it waited for).
  void set_marked_rows(std::set<size_t> rows);
  const std::set<size_t>& marked_rows() const { return marked_rows_; }
  // Draws the messages and collectives over the rows, or not.
  void set_show_messages(bool on);
  bool show_messages() const { return show_messages_; }
  // Flame: every call depth its own band. Innermost: one band per row showing
  // the innermost call of each pixel.
  enum class DepthMode { Flame, Innermost };
  void set_depth_mode(DepthMode mode);
  DepthMode depth_mode() const { return depth_mode_; }
  // Highlights the calls of the regions whose name contains `text` (ignoring
  // case; empty clears it), drawing every other call pale. Returns the number of
  // region names matched.
  size_t highlight(const std::string& text);
  const RegionMatch& highlighted() const { return highlight_; }
  // The color a cell of `row` is drawn with, as the current highlight makes it.
  QColor cell_color(size_t row, uint32_t region) const;

  // Geometry, for tests and the overview: the pixel column of a time and back,
  // and the top of a row's depth band (-1 when the row is hidden).
  int x_of(int64_t ns) const;
  int64_t ns_of(double x) const;
  int row_top(size_t row, int depth) const;
  int timeline_pixels() const { return std::max(1, width() - kLabelWidth); }

  // Whether the view draws its own time axis (top) and legend (bottom); the
  // compare window draws one axis over two views and one legend under them.
  void set_parts(bool axis, bool legend);
  int axis_height() const { return show_axis_ ? kAxisHeight : 0; }
  int legend_height() const { return show_legend_ ? kLegendHeight : 0; }
  // The ticks of the view's own axis: time since the trace's start.
  std::vector<AxisTick> axis_ticks(double* step_ns = nullptr) const;

  const RowFrame& frame(size_t row);  // computed for the current window and width
  // The messages (arrows and bundles) drawn for the current window and width,
  // and where they are drawn.
  // Matched on a worker thread when the view opens (a full MPI scan, seconds on
  // large traces), so the first frame does not wait for it; messages() waits,
  // painting draws the arrows once they are there.
  const MessageArrows& messages();
  bool messages_ready() const;
  const std::vector<MessageShape>& message_shapes();
  LayerGeometry message_geometry() const;
  const MessageShape* selected_message() const {
    return selected_message_ < 0 ? nullptr : &shapes_[static_cast<size_t>(selected_message_)];
  }
  const PickedCall& selection() const { return selection_; }
  size_t selected_row() const { return selected_row_; }

 signals:
  void window_changed(Window w);
  void call_selected(size_t row, const PickedCall& call);
  void message_selected(const MessageShape& shape);
  // A rubber band drawn with Ctrl held: the range to analyse (the view stays).
  void range_selected(Window w);
  // A frame of the rows was painted (end of paintEvent).
  void frame_painted(Window w);
  // The messages were not matched (MessageArrows::not_drawn says why).
  void messages_not_drawn(QString why);

 protected:
  void paintEvent(QPaintEvent*) override;
  void wheelEvent(QWheelEvent*) override;
  void mousePressEvent(QMouseEvent*) override;
  void mouseMoveEvent(QMouseEvent*) override;
  void mouseReleaseEvent(QMouseEvent*) override;
  void keyPressEvent(QKeyEvent*) override;
  bool event(QEvent*) override;  // tooltips

 private:
  struct Hit {
    size_t row = SIZE_MAX;
    int depth = -1;
    int32_t header_rank = INT32_MIN;  // a group header was hit
  };
  Hit hit_at(QPoint p);
  void layout_rows();
  void draw_axis(class QPainter& p);
  void draw_legend(class QPainter& p);

  const TraceSession& session_;
  Window window_;
  std::vector<Window> history_;
  size_t history_pos_ = 0;
  std::set<int32_t> collapsed_;
  std::set<size_t> hidden_rows_;
  std::set<size_t> marked_rows_;
  DepthMode depth_mode_ = DepthMode::Flame;
  bool show_messages_ = true;
  bool show_axis_ = true, show_legend_ = true;
  RegionMatch highlight_;
  int shown_depths(size_t row);  // bands a row takes
  std::vector<RowFrame> frames_;
  std::vector<bool> frame_valid_;
  Window frames_window_;
  int frames_width_ = 0;
  std::vector<int> row_y_;                            // top of each row, -1 hidden
  std::vector<std::pair<int32_t, int>> headers_;      // (rank, y) of each group header
  QPoint press_pos_;
  Window press_window_;
  bool dragging_ = false, rubber_ = false;
  int rubber_x0_ = 0, rubber_x1_ = 0;
  std::shared_future<std::shared_ptr<const MessageArrows>> messages_;
  QTimer* messages_poll_ = nullptr;
  QTimer* summaries_poll_ = nullptr;
  size_t summaries_seen_ = 0;
  bool summaries_started_ = false;
  std::vector<MessageShape> shapes_;
  Window shapes_window_{0, -1};
  int shapes_width_ = 0;
  int selected_message_ = -1;  // in shapes_
  std::vector<int> header_of_row_;  // y of each row's group header
  PickedCall selection_;
  size_t selected_row_ = SIZE_MAX;
};

}  // namespace rondo::viewer
