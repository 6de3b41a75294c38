// bench_viewer TRACE [OTF2_ANCHOR]
//
// What a user waits for in `rondo view`, measured on the viewer's model (the
// drawing itself is a fill per run of equal pixels on top of it):
//   first frame: open the trace + every row at full view, 1600 pixels wide;
//   the full view again, sampled (what is drawn until the rows' summaries are
//   ready), in strips on every core as the viewer draws it and on one thread,
//   and the time to build the summaries (model/row_summary.h);
//   the time to match the messages the timeline draws as arrows;
//   frame times at full view, mid zoom (1/100 of the run) and deep zoom
//   (1/100,000 of the run), each the median of 5, every row;
//   from here on with the summaries, as the viewer draws once they are built:
//   a zoom sweep: windows of 1/10^k of the run (k = 0..7) at five places
//   (10% .. 99% of the run), the slowest frame of each width, with the rows'
//   cursor checkpoints (what the viewer uses) and, for the deepest width at the
//   end of the run, without them (every seek walks the grammar from the start);
//   peak memory (VmHWM), the checkpoints' memory and the trace's size on disk;
// and, with an OTF2 archive of the same trace (rondo export --format otf2), the
// time the OTF2 reader needs just to read every event of it: what ViTE or
// Vampir must do before their first frame.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "model/message_arrows.h"
#include "model/row_lod.h"
#include "model/row_strips.h"
#include "model/trace_session.h"
#include "otf2_replay.h"

using namespace rondo::viewer;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

uint64_t peak_kib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmHWM:", 0) == 0) return std::stoull(line.substr(6));
  return 0;
}

struct FrameCost {
  double seconds = 0;
  uint64_t replayed = 0, summarised = 0;
};

// Every row of the frame [b, e), as the timeline computes it: from the rows'
// summaries once they are built (when `summaries`), with the cursor checkpoints.
FrameCost draw(const TraceSession& s, int64_t b, int64_t e, int pixels, bool checkpoints = true,
               bool summaries = true, unsigned max_strips = 0) {
  FrameCost c;
  auto t0 = Clock::now();
  for (size_t row = 0; row < s.rows().size(); ++row) {
    const Row& r = s.rows()[row];
    LodOptions options;
    if (summaries) options.summary = s.summary(row);
    RowFrame f = compute_row_in_strips(s.process(r), r.thread, b, e, pixels, options,
                                       checkpoints ? &s.checkpoints() : nullptr, max_strips);
    c.replayed += f.events_replayed;
    c.summarised += f.events_summarised;
  }
  c.seconds = since(t0);
  return c;
}

FrameCost median_of_5(const TraceSession& s, int64_t b, int64_t e, int pixels, bool checkpoints = true,
                      bool summaries = true) {
  std::vector<FrameCost> runs;
  for (int i = 0; i < 5; ++i) runs.push_back(draw(s, b, e, pixels, checkpoints, summaries));
  std::sort(runs.begin(), runs.end(), [](const FrameCost& x, const FrameCost& y) { return x.seconds < y.seconds; });
  return runs[2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_viewer TRACE [OTF2_ANCHOR]\n");
    return 2;
  }
  const int pixels = 1600;
  auto t0 = Clock::now();
  TraceSession s(argv[1]);
  double opened = since(t0);
  const auto& info = s.info();
  FrameCost first = draw(s, info.start_ns, info.end_ns, pixels);
  double first_frame = since(t0);
  std::printf("trace %s: %llu events, %llu bytes, %zu rows\n", argv[1], static_cast<unsigned long long>(info.events),
              static_cast<unsigned long long>(info.bytes), s.rows().size());
  std::printf("first frame (open %.3f s + all rows, %d px): %.3f s (%llu events replayed, %llu summarised)\n", opened,
              pixels, first_frame, static_cast<unsigned long long>(first.replayed),
              static_cast<unsigned long long>(first.summarised));
  // The timeline also matches the messages once when it opens (model/message_arrows.h).
  auto m0 = Clock::now();
  MessageArrows messages(s);
  std::printf("messages matched for the arrows: %zu messages, %zu collectives in %.3f s\n", messages.arrows().size(),
              messages.collectives().size(), since(m0));
  int64_t span = info.end_ns - info.start_ns, mid = info.start_ns + span / 2;
  // Before the rows' summaries are ready, the viewer draws by sampling, in
  // strips on every core (model/row_strips.h); on one thread for comparison.
  std::vector<FrameCost> sampled(2);
  for (unsigned strips : {1u, 0u}) {
    std::vector<FrameCost> runs;
    for (int i = 0; i < 5; ++i) runs.push_back(draw(s, info.start_ns, info.end_ns, pixels, true, false, strips));
    std::sort(runs.begin(), runs.end(), [](const FrameCost& x, const FrameCost& y) { return x.seconds < y.seconds; });
    sampled[strips == 0] = runs[2];
  }
  std::printf("frame, full view, before the row summaries: %.2f ms in strips on %u cores, %.2f ms on one thread "
              "(%llu events replayed, %llu summarised)\n",
              sampled[1].seconds * 1e3, std::max(1u, std::thread::hardware_concurrency()), sampled[0].seconds * 1e3,
              static_cast<unsigned long long>(sampled[1].replayed),
              static_cast<unsigned long long>(sampled[1].summarised));
  std::printf("peak memory so far: %.1f MiB\n", static_cast<double>(peak_kib()) / 1024);
  // The timeline starts them after its first frame, on a worker thread.
  auto s0 = Clock::now();
  s.wait_for_summaries();
  uint32_t finest = 0;
  for (size_t row = 0; row < s.rows().size(); ++row)
    if (const RowSummary* summary = s.summary(row)) finest = std::max(finest, summary->finest_buckets());
  std::printf("row summaries: %zu of %zu rows, built in %.3f s (a worker thread, each row in parts), %.1f MiB (budget %.0f MiB), "
              "finest %u buckets (drawn from at 1/%d of the run or wider)\n",
              s.summaries_ready(), s.rows().size(), since(s0),
              static_cast<double>(s.summaries_bytes()) / (1024.0 * 1024.0),
              static_cast<double>(TraceSession::kSummaryBudget) / (1024.0 * 1024.0), finest,
              finest / (pixels * RowSummary::kBucketsPerPixel));
  struct Zoom {
    const char* name;
    int64_t width;
  } zooms[] = {{"full view", span}, {"mid zoom (1/100)", std::max<int64_t>(span / 100, 10)},
               {"deep zoom (1/100000)", std::max<int64_t>(span / 100000, 10)}};
  for (const Zoom& z : zooms) {
    FrameCost c = median_of_5(s, mid - z.width / 2, mid - z.width / 2 + z.width, pixels);
    std::printf("frame, %-22s %8.2f ms (%llu events replayed, %llu summarised)\n", z.name, c.seconds * 1e3,
                static_cast<unsigned long long>(c.replayed), static_cast<unsigned long long>(c.summarised));
  }
  // The zoom sweep: the slowest frame of each width, wherever it is.
  const double places[] = {0.1, 0.3, 0.5, 0.7, 0.99};
  double slowest = 0;
  for (int k = 0; k <= 7; ++k) {
    int64_t width = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(span) / std::pow(10.0, k)), 10);
    FrameCost worst;
    for (double at : places) {
      int64_t b = info.start_ns + static_cast<int64_t>(static_cast<double>(span - width) * at);
      FrameCost c = median_of_5(s, b, b + width, pixels);
      if (c.seconds >= worst.seconds) worst = c;
    }
    slowest = std::max(slowest, worst.seconds);
    std::printf("sweep, window 1/10^%d of the run: slowest frame %8.2f ms (%llu events replayed, %llu summarised)\n",
                k, worst.seconds * 1e3, static_cast<unsigned long long>(worst.replayed),
                static_cast<unsigned long long>(worst.summarised));
  }
  int64_t deep = std::max<int64_t>(span / 10'000'000, 10), deep_begin = info.start_ns + (span - deep) * 99 / 100;
  FrameCost cold = median_of_5(s, deep_begin, deep_begin + deep, pixels, false);
  FrameCost warm = median_of_5(s, deep_begin, deep_begin + deep, pixels, true);
  std::printf("slowest frame of the sweep: %.2f ms; deep frame at 99%% of the run: %.2f ms with checkpoints, %.2f ms "
              "without (%.1fx)\n",
              slowest * 1e3, warm.seconds * 1e3, cold.seconds * 1e3, cold.seconds / std::max(warm.seconds, 1e-9));
  std::printf("cursor checkpoints: %zu, %.1f MiB counted (budget %.0f MiB)\n", s.checkpoints().count(),
              static_cast<double>(s.checkpoints().bytes()) / (1024.0 * 1024.0),
              static_cast<double>(s.checkpoints().budget()) / (1024.0 * 1024.0));
  std::printf("peak memory: %.1f MiB (trace on disk: %.1f MiB)\n", static_cast<double>(peak_kib()) / 1024,
              static_cast<double>(info.bytes) / (1024.0 * 1024.0));
  if (argc > 2) {
    auto profile = rondo::bench::otf2_flat_profile(argv[2]);
    std::printf("OTF2 reader, reading the export (%llu events): %.3f s = %.1fx the viewer's first frame\n",
                static_cast<unsigned long long>(profile.events), profile.seconds, profile.seconds / first_frame);
  }
  return 0;
}
