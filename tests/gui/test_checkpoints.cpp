// Cursor checkpoints (viewer/model/cursor_checkpoints.h) on a real recorded
// trace: a seek from a checkpoint lands exactly where a seek from the thread's
// start lands, a row drawn with checkpoints equals the row drawn without them,
// and the checkpoints stay within their memory budget. The reference is always
// EventCursor's own seek and replay from the start, never the checkpoints.
#include <gtest/gtest.h>

#include "model/cursor_checkpoints.h"
#include "model/row_lod.h"
#include "model/trace_session.h"
#include "viewer_fixture.h"

using namespace rondo;
using namespace rondo::viewer;
using namespace rondo::viewer::test_fixture;

namespace {

// Everything a reader can see of where a cursor stands: the next `n` events,
// the loops around the first of them and the calls open before it.
struct Standing {
  std::vector<uint64_t> index, ticks;
  std::vector<uint32_t> ids, open;
  std::vector<format::LoopFrame> frames;
};
Standing standing(format::EventCursor c, int n) {
  Standing s;
  c.open_calls(s.open);
  format::Event e;
  for (int k = 0; k < n && c.next(e); ++k) {
    if (k == 0) c.loop_frames(s.frames);
    s.index.push_back(e.index);
    s.ticks.push_back(e.ticks);
    s.ids.push_back(e.id);
  }
  return s;
}
void expect_same(const Standing& a, const Standing& b, const std::string& where) {
  EXPECT_EQ(a.index, b.index) << where;
  EXPECT_EQ(a.ticks, b.ticks) << where;
  EXPECT_EQ(a.ids, b.ids) << where;
  EXPECT_EQ(a.open, b.open) << where;
  ASSERT_EQ(a.frames.size(), b.frames.size()) << where;
  for (size_t i = 0; i < a.frames.size(); ++i) {
    EXPECT_EQ(a.frames[i].loop, b.frames[i].loop) << where;
    EXPECT_EQ(a.frames[i].occurrence, b.frames[i].occurrence) << where;
    EXPECT_EQ(a.frames[i].iteration, b.frames[i].iteration) << where;
  }
}

}  // namespace

// A copy of a cursor in the middle of a timestamp chunk (it shares the
// original's decoded chunk and decoder place) goes on exactly like the original.
TEST(ViewerCheckpoints, CursorCopyInsideAChunkReplaysLikeTheOriginal) {
  TraceSession s(loops_trace());
  const format::ThreadTrace& t = s.process(s.rows()[0]).thread(0);
  ASSERT_GT(t.timestamp_chunks().size(), 1u);
  uint64_t inside = t.timestamp_chunks()[1].first_index + t.timestamp_chunks()[1].count / 2;
  format::EventCursor original(t);
  format::Event e;
  while (original.position() < inside) ASSERT_TRUE(original.next(e));
  format::EventCursor copy(original);
  format::EventCursor assigned(t);
  assigned = original;
  Standing want = standing(original, 5000);
  ASSERT_EQ(want.index.size(), 5000u);
  expect_same(standing(copy, 5000), want, "copy");
  expect_same(standing(assigned, 5000), want, "assigned");
}

// Seeks from checkpoints, forward then backward over the whole run, land where a
// seek from the thread's start lands; checkpoints were made and used.
TEST(ViewerCheckpoints, SeekFromACheckpointLandsWhereASeekFromTheStartLands) {
  TraceSession s(loops_trace());
  const Row& r = s.rows()[0];
  const format::ProcessReader& p = s.process(r);
  const format::ThreadTrace& t = p.thread(r.thread);
  ASSERT_GT(t.event_count(), 20 * CursorCheckpoints::kMinGap);
  CursorCheckpoints checkpoints;
  int64_t b = s.info().start_ns, span = s.info().end_ns - b;
  std::vector<int64_t> times;
  for (int k = 0; k <= 60; ++k) times.push_back(b + span * k / 60);
  for (int k = 59; k >= 0; --k) times.push_back(b + span * k / 60 + span / 137);
  for (int64_t at : times) {
    uint64_t ticks = ticks_at(p, at);
    format::EventCursor fresh(t);
    fresh.seek_ticks(ticks);
    expect_same(standing(checkpoints.seek(t, ticks), 50), standing(fresh, 50), "at " + std::to_string(at));
  }
  EXPECT_GT(checkpoints.count(), 10u);
  // advance() from a cursor behind a checkpoint lands where advance_to_ticks lands.
  for (int k = 1; k < 20; ++k) {
    uint64_t ticks = ticks_at(p, b + span * k / 20);
    format::EventCursor from_start(t), plain(t);
    checkpoints.advance(from_start, t, ticks);
    plain.advance_to_ticks(ticks);
    expect_same(standing(from_start, 50), standing(plain, 50), "advance " + std::to_string(k));
  }
}

// A row drawn with checkpoints is the row drawn without them, at full view (which
// leaves the checkpoints) and at deeper zooms all over the run (which use them).
TEST(ViewerCheckpoints, RowsDrawnWithCheckpointsEqualRowsDrawnWithout) {
  TraceSession s(loops_trace());
  const Row& r = s.rows()[0];
  int64_t b = s.info().start_ns, span = s.info().end_ns - b;
  CursorCheckpoints checkpoints;
  std::vector<std::pair<int64_t, int64_t>> windows = {{b, b + span}};
  for (int64_t width : {span / 10, span / 1000, span / 100000 + 10})
    for (int k = 0; k < 5; ++k) {
      int64_t at = b + (span - width) * (4 - k) / 4;  // end of the run first: the farthest seek
      windows.emplace_back(at, at + width);
    }
  for (auto [w0, w1] : windows) {
    RowFrame plain = compute_row(s.process(r), r.thread, w0, w1, 700);
    RowFrame fast = compute_row(s.process(r), r.thread, w0, w1, 700, {}, &checkpoints);
    std::string where = std::to_string(w0) + ".." + std::to_string(w1);
    ASSERT_EQ(fast.depths, plain.depths) << where;
    EXPECT_EQ(fast.events_replayed, plain.events_replayed) << where;
    EXPECT_EQ(fast.events_summarised, plain.events_summarised) << where;
    EXPECT_EQ(fast.loop_skips, plain.loop_skips) << where;
    for (int d = 0; d < plain.depths; ++d)
      for (int x = 0; x < plain.pixels; ++x) {
        ASSERT_EQ(fast.at(d, x).region, plain.at(d, x).region) << where << " depth " << d << " pixel " << x;
        ASSERT_EQ(fast.at(d, x).busy, plain.at(d, x).busy) << where << " depth " << d << " pixel " << x;
      }
    for (int x = 0; x < plain.pixels; ++x) {
      EXPECT_EQ(fast.notes[x].replayed, plain.notes[x].replayed) << where << " pixel " << x;
      EXPECT_EQ(fast.notes[x].iterations, plain.notes[x].iterations) << where << " pixel " << x;
    }
  }
  EXPECT_GT(checkpoints.count(), 0u);
}

// A frame drawn again (the same window, or a pan back) takes every timestamp
// chunk it reads from the reader's cache of decoded chunks or from its
// checkpoints: it decompresses none, where the first frame decompressed each
// chunk it read. Counted by the cache (format/reader_chunk_cache.h).
TEST(ViewerCheckpoints, AFrameDrawnAgainDecodesNoTimestampChunk) {
  using format::DecodedChunkCache;
  TraceSession s(loops_trace());
  const Row& r = s.rows()[0];
  int64_t b = s.info().start_ns, span = s.info().end_ns - b;
  CursorCheckpoints checkpoints;
  compute_row(s.process(r), r.thread, b, b + span, 700, {}, &checkpoints);  // the first frame
  for (int64_t width : {span / 10, span / 1000}) {
    int64_t at = b + (span - width) / 2;
    auto d0 = DecodedChunkCache::instance().stats().decodes;
    RowFrame first = compute_row(s.process(r), r.thread, at, at + width, 700, {}, &checkpoints);
    auto d1 = DecodedChunkCache::instance().stats().decodes;
    RowFrame again = compute_row(s.process(r), r.thread, at, at + width, 700, {}, &checkpoints);
    auto d2 = DecodedChunkCache::instance().stats().decodes;
    EXPECT_LE(d1 - d0, s.process(r).thread(r.thread).timestamp_chunks().size());
    EXPECT_EQ(d2, d1) << "window of 1/" << span / width;
    EXPECT_EQ(again.events_replayed, first.events_replayed);
    for (int x = 0; x < first.pixels; ++x) ASSERT_EQ(again.at(0, x).region, first.at(0, x).region) << x;
  }
  // The trace's decoded chunks fit the cache's default budget many times over.
  EXPECT_LE(DecodedChunkCache::instance().stats().bytes, DecodedChunkCache::kDefaultBudget);
}

// A small budget holds: the checkpoints never count more than it, and seeks stay exact.
TEST(ViewerCheckpoints, MemoryStaysWithinTheBudget) {
  TraceSession s(loops_trace());
  const Row& r = s.rows()[0];
  const format::ProcessReader& p = s.process(r);
  const format::ThreadTrace& t = p.thread(r.thread);
  size_t each = CursorCheckpoints::checkpoint_bytes(t);
  CursorCheckpoints checkpoints(8 * each);
  int64_t b = s.info().start_ns, span = s.info().end_ns - b;
  size_t most = 0;
  for (int k = 0; k < 100; ++k) {
    uint64_t ticks = ticks_at(p, b + span * ((k * 37) % 100) / 100);
    format::EventCursor fresh(t);
    fresh.seek_ticks(ticks);
    expect_same(standing(checkpoints.seek(t, ticks), 20), standing(fresh, 20), "seek " + std::to_string(k));
    EXPECT_LE(checkpoints.bytes(), checkpoints.budget());
    EXPECT_EQ(checkpoints.bytes(), checkpoints.count() * each);
    most = std::max(most, checkpoints.count());
  }
  EXPECT_GE(most, 4u);  // the budget was used, and thinned when full
  EXPECT_LE(most, 8u);
}

namespace {

// Seeks by time (EventCursor::seek_ticks, and advance_to_ticks from a cursor
// already inside the same timestamp chunk, with and without an event read ahead)
// land on the event a plain replay finds first at or after that time, with the
// same data values, loop frames and open calls. The seek finds its target by the
// chunk's timestamps alone and then skips the structure to it, so this checks
// that the structure and the timestamps meet on the same event.
void expect_seeks_match_a_replay(const format::ThreadTrace& t) {
  // The reference: one replay from the start, every event's index and ticks.
  std::vector<uint64_t> ticks;
  {
    format::EventCursor c(t);
    format::Event e;
    while (c.next(e)) ticks.push_back(e.ticks);
  }
  ASSERT_GT(ticks.size(), 1000u);
  auto reference_at = [&](uint64_t index, int n) {
    format::EventCursor c(t);
    format::Event e;
    while (c.position() < index) EXPECT_TRUE(c.next(e));
    return standing(c, n);
  };
  auto data_at = [&](format::EventCursor c) {
    format::Event e;
    std::vector<int64_t> d;
    if (c.next(e)) d.assign(e.data, e.data + format::kMaxData);
    return d;
  };
  auto data_by_replay = [&](uint64_t index) {
    format::EventCursor c(t);
    format::Event e;
    while (c.position() < index) EXPECT_TRUE(c.next(e));
    return data_at(c);
  };
  const uint64_t first = ticks.front(), last = ticks.back();
  format::EventCursor walker(t);  // advances forward in small steps, across chunks
  for (int k = 0; k <= 40; ++k) {
    uint64_t target = first + (last - first) / 40 * static_cast<uint64_t>(k) + static_cast<uint64_t>(k % 3);
    uint64_t want = static_cast<uint64_t>(std::lower_bound(ticks.begin(), ticks.end(), target) - ticks.begin());
    std::string where = "target " + std::to_string(target) + " (event " + std::to_string(want) + ")";
    format::EventCursor seek(t);
    seek.seek_ticks(target);
    Standing ref = reference_at(want, 30);
    expect_same(standing(seek, 30), ref, "seek_ticks " + where);
    EXPECT_EQ(data_at(seek), data_by_replay(want)) << where;
    walker.advance_to_ticks(target);
    expect_same(standing(walker, 30), ref, "advance_to_ticks " + where);
    // From inside the chunk with the next event read ahead (have_pending), to a
    // time a few events later: the seek starts from the cursor's own decoder.
    format::Event e;
    format::EventCursor near = seek;
    ASSERT_EQ(near.next(e), want < ticks.size());
    uint64_t later = want + 7 < ticks.size() ? ticks[want + 7] : last;
    near.advance_to_ticks(later);
    uint64_t want_later =
        static_cast<uint64_t>(std::lower_bound(ticks.begin(), ticks.end(), later) - ticks.begin());
    want_later = std::max(want_later, want + 1);
    if (want_later < ticks.size()) expect_same(standing(near, 30), reference_at(want_later, 30), "near " + where);
  }
}

}  // namespace

TEST(ViewerCheckpoints, SeekByTimeLandsWhereAReplayFindsThatTime) {
  TraceSession s(loops_trace());
  const format::ThreadTrace& t = s.process(s.rows()[0]).thread(s.rows()[0].thread);
  ASSERT_GT(t.timestamp_chunks().size(), 2u);
  expect_seeks_match_a_replay(t);
}

// The same with MPI records, whose data columns (peer, tag, bytes) must be
// skipped in step with the structure.
TEST(ViewerCheckpoints, SeekByTimeKeepsDataColumnsInStep) {
  const std::string& trace = ring_trace();
  if (trace.empty()) GTEST_SKIP() << "no MPI";
  TraceSession s(trace);
  for (const Row& r : s.rows()) expect_seeks_match_a_replay(s.process(r).thread(r.thread));
}
