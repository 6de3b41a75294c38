// Messages and collectives on the timeline, on a real 2-rank MPI ring: the
// arrows of a window are the matched messages of that window, paired here from
// the trace's own MpiSend / MpiRecv records (the k-th send from a to b with a tag
// is the k-th receive at b from a with that tag: MPI's non-overtaking rule), not
// from the viewer's or the analyzer's code; a click on an arrow shows sender,
// receiver, tag, bytes and both times.
#include <gtest/gtest.h>

#include <QApplication>
#include <QTest>
#include <algorithm>
#include <map>
#include <tuple>

#include "main_window.h"
#include "message_layer.h"
#include "model/message_arrows.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

struct Pair {
  int32_t src, dst, tag;
  int64_t send_ns, recv_ns;
  uint64_t bytes;
  auto operator<=>(const Pair&) const = default;
};

std::vector<Pair> pair_from_records(const TraceSession& s) {
  using Key = std::tuple<int32_t, int32_t, int32_t>;  // src, dst, tag
  std::map<Key, std::vector<std::pair<int64_t, uint64_t>>> sends, recvs;
  for (const auto& p : s.trace().processes()) {
    int32_t rank = p->rank();
    for (size_t t = 0; t < p->thread_count(); ++t) {
      format::EventCursor c(p->thread(t));
      format::Event e;
      while (c.next(e)) {
        auto peer = static_cast<int32_t>(e.def->key.params[0]), tag = static_cast<int32_t>(e.def->key.params[1]);
        if (e.kind() == format::EventKind::MpiSend)
          sends[{rank, peer, tag}].emplace_back(p->to_ns(e.ticks), static_cast<uint64_t>(e.data[0]));
        else if (e.kind() == format::EventKind::MpiRecv)
          recvs[{peer, rank, tag}].emplace_back(p->to_ns(e.ticks), static_cast<uint64_t>(e.data[0]));
      }
    }
  }
  std::vector<Pair> out;
  for (auto& [key, list] : sends) {
    const auto& got = recvs[key];
    for (size_t k = 0; k < list.size() && k < got.size(); ++k)
      out.push_back(Pair{std::get<0>(key), std::get<1>(key), std::get<2>(key), list[k].first, got[k].first,
                         list[k].second});
  }
  return out;
}

size_t row_of_rank(const TraceSession& s, int32_t rank) {
  for (size_t i = 0; i < s.rows().size(); ++i)
    if (s.rows()[i].rank == rank && s.rows()[i].thread == 0) return i;
  return SIZE_MAX;
}

}  // namespace

TEST(ViewerMessages, ArrowsInAWindowAreTheMatchedMessagesInThatWindow) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(ring_trace());
  std::vector<Pair> pairs = pair_from_records(s);
  ASSERT_EQ(pairs.size(), 600u);  // 300 laps of the token around 2 ranks
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.send_ns < b.send_ns; });

  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 1000, 300);
  const int64_t mid = pairs[300].send_ns;
  std::vector<Window> windows = {view.window()};
  for (int64_t width : {s.info().end_ns - s.info().start_ns, (pairs[400].send_ns - pairs[200].send_ns),
                        (pairs[303].send_ns - pairs[300].send_ns)})
    windows.push_back(Window{mid - width / 3, mid - width / 3 + width});
  for (const Window& w : windows) {
    view.set_window(w);
    std::vector<Pair> expected;
    for (const Pair& p : pairs)
      if (p.send_ns < w.end_ns && p.recv_ns >= w.begin_ns) expected.push_back(p);
    // The arrows of the model: the same messages, between the rows of their ranks.
    std::vector<Pair> drawn;
    for (size_t i : view.messages().in_window(w.begin_ns, w.end_ns)) {
      const MessageArrow& a = view.messages().arrows()[i];
      EXPECT_EQ(a.send_row, row_of_rank(s, a.src));
      EXPECT_EQ(a.recv_row, row_of_rank(s, a.dst));
      drawn.push_back(Pair{a.src, a.dst, a.tag, a.send_ns, a.recv_ns, a.bytes});
    }
    std::sort(expected.begin(), expected.end());
    std::sort(drawn.begin(), drawn.end());
    EXPECT_EQ(drawn, expected) << "window " << w.begin_ns << ".." << w.end_ns;
    // The shapes drawn hold every one of them exactly once.
    uint64_t in_shapes = 0;
    for (const MessageShape& shape : view.message_shapes()) in_shapes += shape.count;
    EXPECT_EQ(in_shapes, expected.size());
  }
  // At the deepest window the messages are far enough apart to be single arrows.
  ASSERT_GE(view.message_shapes().size(), 2u);
  for (const MessageShape& shape : view.message_shapes()) EXPECT_EQ(shape.count, 1u);
  // At full view 600 messages on 1000 pixels: some share pixels and are bundled.
  view.set_window(windows[0]);
  EXPECT_LT(view.message_shapes().size(), 600u);
}

// Collectives are marked across their ranks: the k-th collective of each rank
// (from the trace's own MpiCollectiveEnd records) is one mark through the rows of
// all ranks, with that operation and each rank's end time.
TEST(ViewerMessages, CollectivesAreMarkedAcrossTheirRanks) {
  if (collectives_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(collectives_trace());
  ASSERT_EQ(s.trace().processes().size(), 3u);
  MessageArrows m(s);
  std::map<int32_t, std::vector<std::pair<uint32_t, int64_t>>> per_rank;  // rank -> (op, end) in order
  for (const auto& p : s.trace().processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      format::EventCursor c(p->thread(t));
      format::Event e;
      while (c.next(e))
        if (e.kind() == format::EventKind::MpiCollectiveEnd)
          per_rank[p->rank()].emplace_back(e.def->key.ref, p->to_ns(e.ticks));
    }
  ASSERT_EQ(per_rank.size(), 3u);
  size_t instances = per_rank.begin()->second.size();
  ASSERT_GT(instances, 20u);  // 4 rounds of the tour
  ASSERT_EQ(m.collectives().size(), instances);
  for (auto& [rank, list] : per_rank) ASSERT_EQ(list.size(), instances) << "rank " << rank;
  // The marks are sorted by begin; match each rank's k-th record by its end time.
  size_t found = 0;
  for (auto& [rank, list] : per_rank) {
    size_t row = row_of_rank(s, rank);
    for (auto [op, end] : list)
      for (const CollectiveMark& c : m.collectives())
        for (size_t i = 0; i < c.rows.size(); ++i)
          if (c.rows[i] == row && c.ends[i] == end) {
            EXPECT_EQ(static_cast<uint32_t>(c.op), op);
            EXPECT_EQ(c.rows.size(), 3u);
            EXPECT_LE(c.begin_ns, end);
            EXPECT_GE(c.end_ns, end);
            ++found;
          }
  }
  EXPECT_EQ(found, 3 * instances);
  // Marks in a window: those overlapping it.
  const CollectiveMark& mid = m.collectives()[instances / 2];
  auto inside = m.collectives_in_window(mid.begin_ns, mid.end_ns + 1);
  EXPECT_NE(std::find(inside.begin(), inside.end(), instances / 2), inside.end());
  for (size_t k : inside) {
    EXPECT_LE(m.collectives()[k].begin_ns, mid.end_ns);
    EXPECT_GE(m.collectives()[k].end_ns, mid.begin_ns);
  }
}

// A click on an arrow shows sender, receiver, tag, bytes and both times.
TEST(ViewerMessages, ClickOnAnArrowShowsTheMessage) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(ring_trace());
  std::vector<Pair> pairs = pair_from_records(s);
  ASSERT_GT(pairs.size(), 160u);
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.send_ns < b.send_ns; });
  MainWindow w(s);
  w.resize(1400, 500);
  w.show();
  QApplication::processEvents();
  TimelineView* view = w.timeline();
  const Pair& target = pairs[150];
  int64_t width = std::max<int64_t>(target.recv_ns - target.send_ns, 1000) * 4;
  view->set_window(Window{target.send_ns - width / 4, target.send_ns - width / 4 + width});
  view->grab();  // lays the rows out
  const MessageShape* shape = nullptr;
  for (const MessageShape& m : view->message_shapes())
    if (view->messages().arrows()[m.first].send_ns == target.send_ns) shape = &m;
  ASSERT_NE(shape, nullptr);
  ASSERT_EQ(shape->count, 1u);
  LayerGeometry g = view->message_geometry();
  QPoint middle((2 * g.x0 + shape->send_px + shape->recv_px + 1) / 2,
                (g.row_y(shape->send_row) + g.row_y(shape->recv_row)) / 2);
  QTest::mouseClick(view, Qt::LeftButton, {}, middle);
  ASSERT_NE(view->selected_message(), nullptr);
  std::string text = w.details()->toPlainText().toStdString();
  int64_t origin = s.info().start_ns;
  EXPECT_NE(text.find("sender: rank " + std::to_string(target.src)), std::string::npos) << text;
  EXPECT_NE(text.find("receiver: rank " + std::to_string(target.dst)), std::string::npos) << text;
  EXPECT_NE(text.find("tag: " + std::to_string(target.tag)), std::string::npos) << text;
  EXPECT_NE(text.find("bytes: " + with_commas(target.bytes)), std::string::npos) << text;
  EXPECT_NE(text.find("sent at " + format_duration(static_cast<double>(target.send_ns - origin))), std::string::npos)
      << text;
  EXPECT_NE(text.find("received at " + format_duration(static_cast<double>(target.recv_ns - origin))),
            std::string::npos)
      << text;
}

// Bundles are wide while they are sparse; crowded, they become hairlines that
// fade as the crowding grows, never fully transparent.
TEST(ViewerMessages, CrowdedBundlesFadeToHairlines) {
  EXPECT_FALSE(bundle_style(10, 1000).hairline);  // one shape per 100 columns
  EXPECT_EQ(bundle_style(10, 1000).alpha, 150);
  EXPECT_FALSE(bundle_style(50, 1000).hairline);  // one per 20: still sparse
  BundleStyle some = bundle_style(100, 1000), many = bundle_style(1000, 1000), most = bundle_style(100000, 1000);
  EXPECT_TRUE(some.hairline);
  EXPECT_TRUE(many.hairline);
  EXPECT_GT(some.alpha, many.alpha);
  EXPECT_GE(many.alpha, most.alpha);
  EXPECT_GT(most.alpha, 0);
}

// With the messages drawn over a whole run, the rows stay readable: every
// column where a rank's row is fully in MPI still shows the MPI color through
// the crowded bundles and collective marks drawn over it.
TEST(ViewerMessages, CrowdedMessagesLeaveTheRowsVisible) {
  if (dense_ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(dense_ring_trace());
  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 1000, 300);
  view.set_show_messages(true);
  view.messages();  // wait for the matching, so that the grab draws them
  ASSERT_TRUE(bundle_style(view.message_shapes().size(), view.timeline_pixels()).hairline)
      << view.message_shapes().size() << " shapes";
  // A single message is an opaque arrow (its line and head): those columns are not asked about.
  std::vector<bool> under_arrow(static_cast<size_t>(view.timeline_pixels()), false);
  for (const MessageShape& shape : view.message_shapes())
    if (shape.count == 1)
      for (int x = std::min(shape.send_px, shape.recv_px) - 6; x <= std::max(shape.send_px, shape.recv_px) + 6; ++x)
        if (x >= 0 && x < view.timeline_pixels()) under_arrow[static_cast<size_t>(x)] = true;
  QImage image = view.grab().toImage();
  for (int32_t rank : {0, 1}) {
    size_t row = row_of_rank(s, rank);
    ASSERT_NE(row, SIZE_MAX);
    const RowFrame& f = view.frame(row);
    const int y = view.row_top(row, 0) + TimelineView::kDepthPx - 2;
    int checked = 0;
    for (int x = 0; x < f.pixels; ++x) {
      const Cell& c = f.at(0, x);
      if (c.region == kNoRegion || c.busy < 0.9999f || s.group(s.rows()[row].process, c.region) != RegionGroup::Mpi ||
          under_arrow[static_cast<size_t>(x)])
        continue;
      ++checked;
      QRgb px = image.pixel(TimelineView::kLabelWidth + x, y);
      EXPECT_EQ(group_of_color(Rgb{static_cast<uint8_t>(qRed(px)), static_cast<uint8_t>(qGreen(px)),
                                   static_cast<uint8_t>(qBlue(px))}),
                RegionGroup::Mpi)
          << "rank " << rank << " pixel " << x;
    }
    EXPECT_GT(checked, 100) << "rank " << rank;
  }
}

// When the matching would not fit in the memory left, the messages are left
// out with one sentence that says why, and the rest of the trace still opens;
// when it fits, they are all there.
TEST(ViewerMessages, MatchingThatWouldNotFitIsLeftOutWithAReason) {
  if (ring_trace().empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(ring_trace());
  analyzer::MpiMemoryEstimate e = analyzer::estimate_mpi_memory(s.trace());
  EXPECT_EQ(e.records, 1200u);  // 600 blocking messages: an MpiSend and an MpiRecv each
  EXPECT_EQ(e.bytes, e.records * analyzer::kMpiAnalysisBytesPerRecord);
  analyzer::MpiMemoryEstimate tight = e;
  tight.available = e.bytes - 1;
  MessageArrows left_out(s, &tight);
  EXPECT_TRUE(left_out.arrows().empty());
  EXPECT_TRUE(left_out.collectives().empty());
  EXPECT_NE(left_out.not_drawn().find("not drawn"), std::string::npos) << left_out.not_drawn();
  EXPECT_NE(left_out.not_drawn().find("1,200 point-to-point records"), std::string::npos) << left_out.not_drawn();
  analyzer::MpiMemoryEstimate roomy = e;
  roomy.available = e.bytes;
  MessageArrows drawn(s, &roomy);
  EXPECT_TRUE(drawn.not_drawn().empty());
  EXPECT_EQ(drawn.arrows().size(), 600u);
}
