// Drawing and hit-testing the messages and collectives over the timeline's rows
// (the shapes come from model/message_arrows.h): a single message is a thin
// arrow from its send to its receive, a bundle a thicker line whose width grows
// with the messages it holds, a collective a line through the rows of its ranks
// at the time each of them left it.
#pragma once

#include <QPainter>
#include <functional>
#include <vector>

#include "model/message_arrows.h"

namespace rondo::viewer {

struct LayerGeometry {
  std::function<int(size_t row)> row_y;  // the y where a row's arrows end (its band, or its group's header)
  int x0 = 0;                            // x of pixel column 0
  int pixels = 0;
  int64_t begin_ns = 0, end_ns = 0;
};

void draw_collectives(QPainter& p, const MessageArrows& m, const std::vector<size_t>& marks, const LayerGeometry& g);
// How bundles are drawn when a frame shows `shapes` shapes on `pixels` columns:
// wide and half opaque while they are sparse, hairlines fading with the
// crowding past kSparseBundlesPerColumn shapes a column.
constexpr double kSparseBundlesPerColumn = 0.05;
struct BundleStyle {
  bool hairline = false;
  int alpha = 150;
};
BundleStyle bundle_style(size_t shapes, int pixels);
void draw_messages(QPainter& p, const std::vector<MessageShape>& shapes, const LayerGeometry& g);
// The shape whose line passes within `tolerance` pixels of `pt`, or -1.
int message_at(QPoint pt, const std::vector<MessageShape>& shapes, const LayerGeometry& g, double tolerance = 4);

}  // namespace rondo::viewer
