// GPU streams in the timeline, on a trace recorded on a real GPU
// (tests/gpu/fixtures/h200-stream-pipeline: 4 streams, 24 kernels, 48 copies):
// each stream is a row named as the recorder named it, and CUDA calls, kernels
// and copies are drawn in the GPU group's color exactly where they were.
#include <gtest/gtest.h>

#include <QImage>
#include <string>
#include <vector>

#include "main_window.h"
#include "model/row_lod.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

const std::string kPipeline = std::string(RONDO_GPU_FIXTURES) + "/h200-stream-pipeline";

RegionGroup group_at(const QImage& image, int x, int y) {
  QRgb c = image.pixel(x, y);
  return group_of_color(
      Rgb{static_cast<uint8_t>(qRed(c)), static_cast<uint8_t>(qGreen(c)), static_cast<uint8_t>(qBlue(c))});
}

}  // namespace

TEST(ViewerGpu, StreamRowsAreNamedAsRecorded) {
  TraceSession s(kPipeline);
  std::vector<std::string> names, labels;
  for (const Row& r : s.rows()) {
    names.push_back(r.name);
    labels.push_back(r.label);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"thread 0", "GPU 0 stream 13", "GPU 0 stream 14", "GPU 0 stream 15",
                                             "GPU 0 stream 16", "CUDA synchronisation"}));
  EXPECT_EQ(labels[1], "process 0 / GPU 0 stream 13");
}

// On each stream's row, a window around its first copy, and on the host row the
// whole run: every pixel column lying inside a CUDA region (a copy, a kernel,
// a runtime call) has the GPU color in the model and in the rendered widget.
TEST(ViewerGpu, KernelsCopiesAndCudaCallsHaveTheGpuColorWhereTheyWere) {
  TraceSession s(kPipeline);
  TimelineView view(s);
  view.resize(TimelineView::kLabelWidth + 800, 400);
  view.set_show_messages(false);
  int checked_rows = 0;
  for (size_t row = 0; row < 5; ++row) {  // the host thread and the 4 streams
    SCOPED_TRACE(s.rows()[row].label);
    const Row& r = s.rows()[row];
    auto calls = replay_calls(s.process(r), r.thread);
    ASSERT_FALSE(calls.empty());
    auto is_gpu = [&](const Call& c) { return s.group(r.process, c.region) == RegionGroup::Gpu; };
    ASSERT_TRUE(std::all_of(calls.begin(), calls.end(), [&](const Call& c) {
      return is_gpu(c) || s.region_name(r.process, c.region) == "pipeline step";  // the NVTX range
    }));
    Window w = view.window();
    if (row > 0) {
      const Call& first = calls.front();
      int64_t width = std::max<int64_t>(first.end_ns - first.start_ns, 100);
      w = Window{first.start_ns - width, first.end_ns + width};
    }
    view.set_window(w);
    const RowFrame& f = view.frame(row);
    QImage image = view.grab().toImage();
    int y = view.row_top(row, 0) + TimelineView::kDepthPx - 2;
    ASSERT_GE(y, 0);
    int inside = 0;
    double px = static_cast<double>(w.end_ns - w.begin_ns) / f.pixels;
    for (int x = 0; x < f.pixels; ++x) {
      double lo = static_cast<double>(w.begin_ns) + x * px, hi = lo + px;
      bool covered = false;
      for (const Call& c : calls)
        if (c.depth == 0 && is_gpu(c) && c.start_ns <= lo && c.end_ns >= hi) covered = true;
      if (!covered) continue;
      ++inside;
      EXPECT_EQ(s.group(r.process, f.at(0, x).region), RegionGroup::Gpu) << "pixel " << x;
      EXPECT_EQ(group_at(image, TimelineView::kLabelWidth + x, y), RegionGroup::Gpu) << "pixel " << x;
    }
    // Streams: the copy is the middle third of its window; host: cudaHostAlloc,
    // CUDA's start-up, is most of the run.
    EXPECT_GT(inside, row == 0 ? f.pixels * 3 / 4 : f.pixels / 4);
    ++checked_rows;
  }
  EXPECT_EQ(checked_rows, 5);
}
