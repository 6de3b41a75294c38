// A row's time summarised once, so that far zooms cost what their pixels cost
// and no more.
//
// A frame of the whole run of 10^8 events visits every part of the thread:
// compute_row (model/row_lod.h) samples each pixel, but every sample seeks into
// another timestamp chunk, and the 1,600 chunks a full view touches do not fit
// the reader's cache of decoded chunks, so every such frame decompresses them
// all again (about 100 ms). A RowSummary replays the thread once, on a worker
// thread (TraceSession::start_summaries), into buckets of equal time over the
// trace's span: per bucket and call depth, the three regions with the most time
// and the time spent in calls; per bucket, the events and the iterations of the
// innermost loop that started in it. Coarser levels halve the buckets, down to
// a few hundred. A frame whose pixels are each at least kBucketsPerPixel buckets
// of some level wide is drawn from that level alone, reading no event: each
// pixel merges the buckets it covers, those on its edges weighted by the share
// of them it covers (so a pixel's edges are known to within one bucket, an
// eighth of a pixel or better). Such a pixel is summarised, and its note says
// so: the events and the loop iterations it stands for.
//
// Being a full replay, a summary is exact inside each bucket, which the
// sampling of compute_row is not; drawn from it, a pixel errs only by how
// unevenly its two edge buckets are filled.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "cell_accumulator.h"
#include "row_lod.h"
#include "rondo/format/reader.h"

namespace rondo::viewer {

class RowSummary {
 public:
  // A frame is drawn from a level whose buckets are at most 1/kBucketsPerPixel of its pixels.
  static constexpr int kBucketsPerPixel = 8;
  // The coarsest level kept has at least this many buckets.
  static constexpr uint32_t kMinBuckets = 512;

  // Replays thread `thread_pos` of `process` into `buckets` buckets (rounded up
  // to a power of two) over [begin_ns, end_ns), in `parts` parts of about equal
  // events replayed on as many threads (each starts with a seek by time and the
  // calls open there; they meet in one bucket). Polls `stop` and returns null
  // when it is set. Throws what reading the thread throws (format::FormatError).
  static std::unique_ptr<RowSummary> build(const format::ProcessReader& process, size_t thread_pos, int64_t begin_ns,
                                           int64_t end_ns, uint32_t buckets, const std::atomic<bool>* stop = nullptr,
                                           unsigned parts = 1);

  // Whether the frame [begin_ns, end_ns) on `pixels` columns can be drawn from the summary.
  bool covers(int64_t begin_ns, int64_t end_ns, int pixels) const;
  // That frame, every pixel summarised (the caller checked covers()).
  RowFrame draw(int64_t begin_ns, int64_t end_ns, int pixels) const;

  // Drops the finest level (halving the finest buckets), when more than one is left.
  void drop_finest_level();
  uint32_t finest_buckets() const { return levels_.empty() ? 0 : levels_.front().buckets; }
  int depths() const { return depths_; }
  uint64_t events() const { return events_; }
  size_t bytes() const;
  // What one bucket of one level costs with `depths` call depths.
  static size_t bucket_bytes(int depths);

 private:
  struct LoopMark {
    uint32_t loop = kNoRegion;
    uint64_t iterations = 0;
  };
  struct Level {
    uint32_t buckets = 0;
    double bucket_ns = 0;
    std::vector<std::vector<TopRegions<float>>> cells;  // per call depth, per bucket
    std::vector<uint64_t> events;          // per bucket
    std::vector<LoopMark> loops;           // per bucket: the loop with the most iterations started in it
  };
  struct Part;
  // Replays [from_ns, to_ns) into the buckets it covers of a grid of `n` over the summary's span.
  Part replay_part(const format::ProcessReader& process, size_t thread_pos, uint32_t n, int64_t from_ns, int64_t to_ns,
                   bool last, const std::atomic<bool>* stop) const;
  static void add_mark(LoopMark& into, uint32_t loop, uint64_t iterations);
  Level halved(const Level& fine) const;

  int64_t begin_ns_ = 0, end_ns_ = 0;
  int depths_ = 0;
  bool truncated_ = false;
  uint64_t events_ = 0;
  std::vector<Level> levels_;  // finest first
};

}  // namespace rondo::viewer
