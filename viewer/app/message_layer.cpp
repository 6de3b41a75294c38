#include "message_layer.h"

#include <QPolygonF>
#include <algorithm>
#include <cmath>

namespace rondo::viewer {

namespace {

QPointF start_of(const MessageShape& s, const LayerGeometry& g) {
  return QPointF(g.x0 + s.send_px + 0.5, g.row_y(s.send_row));
}
QPointF end_of(const MessageShape& s, const LayerGeometry& g) {
  return QPointF(g.x0 + s.recv_px + 0.5, g.row_y(s.recv_row));
}

double distance_to_segment(QPointF p, QPointF a, QPointF b) {
  QPointF ab = b - a, ap = p - a;
  double len2 = ab.x() * ab.x() + ab.y() * ab.y();
  double t = len2 > 0 ? std::clamp((ap.x() * ab.x() + ap.y() * ab.y()) / len2, 0.0, 1.0) : 0.0;
  QPointF d = p - (a + t * ab);
  return std::hypot(d.x(), d.y());
}

}  // namespace

void draw_collectives(QPainter& p, const MessageArrows& m, const std::vector<size_t>& marks, const LayerGeometry& g) {
  double px_ns = static_cast<double>(std::max<int64_t>(g.end_ns - g.begin_ns, 1)) / std::max(g.pixels, 1);
  // At far zoom, one mark per pixel column is all that can be seen.
  std::vector<size_t> shown;
  int last_x = INT32_MIN;
  for (size_t k : marks) {
    int x = static_cast<int>(std::floor(static_cast<double>(m.collectives()[k].end_ns - g.begin_ns) / px_ns));
    if (x != last_x) shown.push_back(k);
    last_x = x;
  }
  // Crowded marks fade like crowded bundles, so that the rows stay visible.
  const BundleStyle style = bundle_style(shown.size(), g.pixels);
  p.setPen(QPen(QColor(150, 40, 170, style.hairline ? style.alpha : 170), style.hairline ? 1.0 : 1.5));
  for (size_t k : shown) {
    const CollectiveMark& c = m.collectives()[k];
    std::vector<std::pair<int, double>> points;
    for (size_t i = 0; i < c.rows.size(); ++i)
      points.emplace_back(g.row_y(c.rows[i]), g.x0 + static_cast<double>(c.ends[i] - g.begin_ns) / px_ns);
    std::sort(points.begin(), points.end());
    QPolygonF line;
    for (auto& [y, px] : points) line << QPointF(std::clamp(px, g.x0 - 1.0, g.x0 + g.pixels + 1.0), y);
    p.drawPolyline(line);
  }
}

BundleStyle bundle_style(size_t shapes, int pixels) {
  // Up to one shape per 20 pixel columns, a bundle is as wide as its count
  // says (1.5 px + 1 px per doubling, at most 6) and half opaque. Past that the
  // bundles would cover the rows they join (a whole run of a halo exchange is
  // thousands of them): they become hairlines whose opacity falls with the
  // crowding, so that many of them read as a haze over the rows, darker where
  // more messages flow, and the rows' colors stay visible under them.
  const double per_column = static_cast<double>(shapes) / std::max(pixels, 1);
  if (per_column <= kSparseBundlesPerColumn) return BundleStyle{false, 150};
  return BundleStyle{true, static_cast<int>(std::clamp(150 * kSparseBundlesPerColumn / per_column, 8.0, 150.0))};
}

void draw_messages(QPainter& p, const std::vector<MessageShape>& shapes, const LayerGeometry& g) {
  p.setRenderHint(QPainter::Antialiasing, true);
  const BundleStyle style = bundle_style(shapes.size(), g.pixels);
  for (const MessageShape& s : shapes) {
    QPointF a = start_of(s, g), b = end_of(s, g);
    if (s.count == 1) {
      p.setPen(QPen(QColor(20, 20, 20), 1));
      p.drawLine(a, b);
      // The head at the receive.
      QPointF d = b - a;
      double len = std::max(std::hypot(d.x(), d.y()), 1e-9);
      QPointF u = d / len, n(-u.y(), u.x());
      p.setBrush(QColor(20, 20, 20));
      p.drawPolygon(QPolygonF() << b << b - 6 * u + 3 * n << b - 6 * u - 3 * n);
    } else {
      // Hairlines are a neutral dark gray: a haze of a region group's color
      // over the rows would read as that group.
      QColor color = style.hairline ? QColor(30, 30, 30, style.alpha) : QColor(30, 60, 160, style.alpha);
      double width = style.hairline ? 1.0 : std::min(6.0, 1.5 + std::log2(static_cast<double>(s.count)));
      p.setPen(QPen(color, width, Qt::SolidLine, Qt::RoundCap));
      p.drawLine(a, b);
    }
  }
  p.setRenderHint(QPainter::Antialiasing, false);
}

int message_at(QPoint pt, const std::vector<MessageShape>& shapes, const LayerGeometry& g, double tolerance) {
  int best = -1;
  double best_d = tolerance;
  for (size_t i = 0; i < shapes.size(); ++i) {
    double d = distance_to_segment(QPointF(pt), start_of(shapes[i], g), end_of(shapes[i], g));
    if (d <= best_d) best = static_cast<int>(i), best_d = d;
  }
  return best;
}

}  // namespace rondo::viewer
