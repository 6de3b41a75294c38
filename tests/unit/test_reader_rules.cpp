// The reader follows FORMAT.md to the nanosecond and on damage: tick-to-ns
// rounding (11.3), the clock mapping shared on a host (11.2), chunks with the
// same sequence number (5.4), a last structure chunk without a checkpoint
// (8.1.7) and a damaged middle structure chunk (5.5). Traces are built by hand
// (clock records) or with the real writer and then damaged byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <random>
#include <thread>

#include "rondo/format/chunk.h"
#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

using test::read_bytes;
using test::write_bytes;

// A process file with the given process and clock records and one thread whose
// events are single enter/leave pairs of region 0 at `ticks`.
void write_clocked_process(const std::string& path, const ProcessDef& p, const ClockDef& clock,
                           const std::vector<uint64_t>& ticks) {
  ProcessFile file(path);
  std::vector<uint8_t> defs;
  encode::process(defs, p);
  encode::string(defs, 1, "r0");
  encode::region(defs, 0, RegionDef{1, 0, 0, RegionRole::Function});
  encode::clock(defs, clock);
  encode::thread(defs, ThreadDef{0, 0, ThreadKind::Cpu, 0, UINT32_MAX});
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  ThreadWriter w(0, [&](Batch&& b) {
    for (auto& c : encode_batch(b, 3)) file.append(c);
  });
  for (size_t i = 0; i + 1 < ticks.size(); i += 2) {
    w.enter(0, ticks[i]);
    w.leave(0, ticks[i + 1]);
  }
  w.flush(true);
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 0, {}, 0));
}

// Rewrites a process file chunk by chunk: `edit` returns the chunks to write in
// place of each one (none to drop it, two to double it).
void rewrite_chunks(const std::string& path,
                    const std::function<std::vector<std::vector<uint8_t>>(const ChunkRef&)>& edit) {
  auto bytes = read_bytes(path);
  ScanResult scan = scan_chunks(bytes.data(), bytes.size());
  std::vector<uint8_t> out(bytes.begin(), bytes.begin() + 16);
  for (const ChunkRef& c : scan.chunks)
    for (auto& piece : edit(c)) out.insert(out.end(), piece.begin(), piece.end());
  write_bytes(path, out);
}
// One process of one thread that records 20,000 generated operations (calls,
// loops, events with data) in chunks of 2,000 events; returns the operations.
std::vector<test::Op> write_generated_thread(const std::string& path, uint64_t seed) {
  test::StreamGenerator gen(seed, 5);
  auto ops = gen.run(20000);
  test::write_process(path, 1, 8, [&](int, ThreadWriter& w) { test::StreamGenerator::record(ops, w); }, 2000);
  return ops;
}

// A generated thread, written and opened.
struct OpenedGeneratedThread {
  explicit OpenedGeneratedThread(uint64_t seed)
      : ops(write_generated_thread(dir.file("p.rnd"), seed)), reader(dir.str()) {}
  const ThreadTrace& thread() const { return reader.processes()[0]->thread(0); }
  test::TempDir dir;
  std::vector<test::Op> ops;
  TraceReader reader;
};

std::vector<uint8_t> chunk_bytes(const ChunkRef& c) {
  std::vector<uint8_t> out(c.stored - 32, c.stored + c.header.stored_size);
  return out;
}

}  // namespace

TEST(ReaderRules, TicksToNanosecondsRoundHalfAwayFromZero) {
  test::TempDir dir;
  // FORMAT.md 11.3's example: 3 ticks per ns, offset 2000 -> 2600 over the run.
  ProcessDef p;
  p.pid = 1;
  p.host = "h";
  p.clock_offset_ns = 2000;
  p.clock_offset_end_ns = 2600;
  p.has_end_offset = true;
  ClockDef c;
  c.source = 1;
  c.ticks_per_second = 1000000000;
  c.start_ticks = 5000000;
  c.start_ns = 1000000000;
  c.has_end = true;
  c.end_ticks = 35000000;
  c.end_ns = 1010000000;
  write_clocked_process(dir.file("a.rnd"), p, c, {20000000, 20000002});
  ProcessReader r(dir.file("a.rnd"));
  EXPECT_EQ(r.to_ns(20000000), 1005002300);  // the example in the text
  EXPECT_EQ(r.to_ns(20000002), 1005002301);  // 5 002 300.67 ns after the start: rounds up
  EXPECT_EQ(r.to_ns(4999999), 1000002000);   // before the start pair: 1999.67 rounds to 2000
  EXPECT_EQ(r.to_ns(4000000), 999668647);    // -331 353.33 ns after the start
}

TEST(ReaderRules, HalfNanosecondsRoundAwayFromZeroOnBothSides) {
  test::TempDir dir;
  ProcessDef p;
  p.pid = 1;
  p.host = "h";
  ClockDef c;  // 2 ticks per ns, no offsets
  c.source = 1;
  c.ticks_per_second = 1000000000;
  c.start_ticks = 1000;
  c.start_ns = 5000;
  c.has_end = true;
  c.end_ticks = 2001000;
  c.end_ns = 1005000;
  write_clocked_process(dir.file("a.rnd"), p, c, {1003, 1005});
  ProcessReader r(dir.file("a.rnd"));
  EXPECT_EQ(r.to_ns(1003), 5002);  // +1.5 ns
  EXPECT_EQ(r.to_ns(997), 4998);   // -1.5 ns
  EXPECT_EQ(r.to_ns(1001), 5001);  // +0.5 ns
  EXPECT_EQ(r.to_ns(999), 4999);   // -0.5 ns
  // Durations (FORMAT.md 12) round the same way: 3 ticks = 1.5 ns -> 2 ns.
  EXPECT_DOUBLE_EQ(r.ticks_per_ns(), 2.0);
}

// FORMAT.md 11.3, written out here as the text gives it (the reader computes
// it faster, see ProcessReader::to_ns): with its two divisions, and llround
// (halves away from zero); no clamping (these times stay far inside the range).
int64_t specified_ns(const ProcessDef& p, const ClockDef& c, uint64_t ticks) {
  double ticks_per_ns = 1;
  if (c.has_end && c.end_ns > c.start_ns && c.end_ticks > c.start_ticks)
    ticks_per_ns = double(c.end_ticks - c.start_ticks) / double(c.end_ns - c.start_ns);
  else if (c.ticks_per_second > 0)
    ticks_per_ns = double(c.ticks_per_second) / 1e9;
  double since_map = double(int64_t(ticks - c.start_ticks)) / ticks_per_ns;
  double offset = double(p.clock_offset_ns);
  if (p.has_end_offset && c.has_end && c.end_ns > c.start_ns) {
    double f = since_map / double(c.end_ns - c.start_ns);
    offset += f * (double(p.clock_offset_end_ns) - double(p.clock_offset_ns));
  }
  return int64_t(c.start_ns) + std::llround(since_map + offset);
}

TEST(ReaderRules, EveryConversionIsTheSpecifiedOneToTheNanosecond) {
  test::TempDir dir;
  std::mt19937_64 random(13);
  int clocks = 0, exact_halves = 0;
  // Rates of real clocks (2.1, 2.6 and 3.7 GHz TSCs, a 1 GHz counter), two
  // ticks per ns (every other tick an exact half), and 19/7 ticks per ns.
  for (auto [ticks, ns] : std::vector<std::pair<uint64_t, uint64_t>>{
           {21000000000, 10000000000}, {26000000000, 10000000000}, {37000000000, 10000000000},
           {10000000000, 10000000000}, {20000000000, 10000000000}, {19000000000, 7000000000}}) {
    for (bool drift : {false, true}) {
      ProcessDef p;
      p.pid = 1;
      p.host = "h";
      p.clock_offset_ns = static_cast<int64_t>(random() % 2000000) - 1000000;
      p.clock_offset_end_ns = p.clock_offset_ns + static_cast<int64_t>(random() % 20000) - 10000;
      p.has_end_offset = drift;
      ClockDef c;
      c.source = 0;
      c.ticks_per_second = 2000000000;
      c.start_ticks = random() % (uint64_t{1} << 50);
      c.start_ns = 1700000000000000000 + random() % 1000000000;
      c.has_end = true;
      c.end_ticks = c.start_ticks + ticks;
      c.end_ns = c.start_ns + ns;
      const std::string file = dir.file("p" + std::to_string(clocks++) + ".rnd");
      write_clocked_process(file, p, c, {c.start_ticks, c.end_ticks});
      ProcessReader r(file);
      auto check = [&](uint64_t t) {
        ASSERT_EQ(r.to_ns(t), specified_ns(p, c, t)) << "tick " << t << " of clock " << clocks;
      };
      // Anywhere in and around the run (before its start too), and tick by tick
      // at its start and end and at a few random places.
      for (int i = 0; i < 100000; ++i) check(c.start_ticks - ticks / 2 + random() % (2 * ticks));
      for (uint64_t at : {c.start_ticks, c.end_ticks, c.start_ticks + random() % ticks}) {
        for (uint64_t t = at - 500; t < at + 500; ++t) {
          check(t);
          const double since = double(int64_t(t - c.start_ticks)) * double(ns) / double(ticks);
          exact_halves += !drift && std::fabs(since - std::trunc(since)) == 0.5;
        }
      }
    }
  }
  EXPECT_GT(exact_halves, 1000);  // the two-ticks-per-ns clock rounds exact halves
}

TEST(ReaderRules, ProcessesOfOneHostCountingTheTscShareTheLongestMeasuredMapping) {
  test::TempDir dir;
  auto process = [](uint32_t pid, const std::string& host) {
    ProcessDef p;
    p.pid = pid;
    p.host = host;
    p.run_id = "run";
    return p;
  };
  ClockDef measured;  // 3 ticks per ns over 1 ms
  measured.source = 0;
  measured.ticks_per_second = 2900000000;
  measured.start_ticks = 1000;
  measured.start_ns = 5000;
  measured.has_end = true;
  measured.end_ticks = 3001000;
  measured.end_ns = 1005000;
  ClockDef calibrated;  // a crashed process: a calibration only, 2.9 ticks per ns
  calibrated.source = 0;
  calibrated.ticks_per_second = 2900000000;
  calibrated.start_ticks = 2000;
  calibrated.start_ns = 5400;
  write_clocked_process(dir.file("a.rnd"), process(1, "h"), measured, {2000, 2600});
  write_clocked_process(dir.file("b.rnd"), process(2, "h"), calibrated, {4000, 4600});
  write_clocked_process(dir.file("c.rnd"), process(3, "other"), calibrated, {4000, 4600});
  TraceReader trace(dir.str());
  ASSERT_EQ(trace.processes().size(), 3u);
  // Same host: b converts with a's pairs and rate: 5000 + (4000 - 1000) / 3.
  EXPECT_EQ(trace.processes()[1]->to_ns(4000), 6000);
  EXPECT_DOUBLE_EQ(trace.processes()[1]->ticks_per_ns(), 3.0);
  // Another host: its own calibration: 5400 + 2000 / 2.9 = 6089.66 -> 6090.
  EXPECT_EQ(trace.processes()[2]->to_ns(4000), 6090);
  EXPECT_EQ(trace.processes()[0]->to_ns(4000), 6000);
}

TEST(ReaderRules, TwoChunksWithOneSequenceNumberEndTheThreadBeforeThem) {
  test::TempDir dir;
  std::string path = dir.file("p.rnd");
  auto ops = write_generated_thread(path, 6);
  {
    TraceReader r(dir.str());
    const ThreadTrace& t = r.processes()[0]->thread(0);
    ASSERT_FALSE(t.truncated());
    ASSERT_GT(t.event_count(), 8000u);
  }
  rewrite_chunks(path, [&](const ChunkRef& c) -> std::vector<std::vector<uint8_t>> {
    if (c.header.thread == 0 && c.header.sequence == 4) return {chunk_bytes(c), chunk_bytes(c)};
    return {chunk_bytes(c)};
  });
  TraceReader r(dir.str());
  const ProcessReader& p = *r.processes()[0];
  const ThreadTrace& t = p.thread(0);
  EXPECT_TRUE(t.truncated());
  ThreadSummary summary;
  EXPECT_FALSE(p.thread_summary(0, summary));
  ASSERT_TRUE(p.unconfirmed_summary(0, summary));
  EXPECT_EQ(summary.events, ops.size());
  // Neither copy of chunk 4 is used: the events are an exact prefix that ends
  // with the timestamps of chunks 0..3.
  auto events = test::replay(t);
  ASSERT_LT(events.size(), ops.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].ticks, ops[i].ticks) << i;
  uint64_t readable = 0;
  auto bytes = read_bytes(path);
  for (const ChunkRef& c : scan_chunks(bytes.data(), bytes.size()).chunks)
    if (c.header.thread == 0 && c.header.sequence < 4 && c.header.kind == ChunkKind::ThreadTimestamps)
      readable += decode_timestamp_info(c.stored, c.header.stored_size).count;
  EXPECT_EQ(t.event_count(), readable);
}

TEST(ReaderRules, LastStructureChunkWithoutCheckpointAppendsNoOlderOne) {
  test::TempDir dir;
  std::string path = dir.file("p.rnd");
  auto ops = write_generated_thread(path, 6);
  std::vector<Token> complete_stream;
  std::vector<std::vector<uint32_t>> complete_counts;
  {
    TraceReader r(dir.str());
    const ThreadTrace& t = r.processes()[0]->thread(0);
    complete_stream = t.top_level();
    for (uint32_t l = 0; l < t.loops().size(); ++l) complete_counts.push_back(t.loop_counts(l));
  }
  // The summary is lost (a crash between the last two writes): the last
  // structure chunk, written without a checkpoint, already completes the stream.
  size_t dropped = 0;
  rewrite_chunks(path, [&](const ChunkRef& c) -> std::vector<std::vector<uint8_t>> {
    if (c.header.kind == ChunkKind::ThreadSummary) return ++dropped, std::vector<std::vector<uint8_t>>{};
    return {chunk_bytes(c)};
  });
  ASSERT_EQ(dropped, 1u);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  EXPECT_TRUE(t.truncated());  // no summary
  // Nothing appended: an older chunk's checkpoint would repeat calls and counts
  // that the last chunk's tokens already hold.
  EXPECT_EQ(t.top_level(), complete_stream);
  for (uint32_t l = 0; l < t.loops().size(); ++l) EXPECT_EQ(t.loop_counts(l), complete_counts[l]) << "loop " << l;
  auto events = test::replay(t);
  ASSERT_EQ(events.size(), ops.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].ticks, ops[i].ticks) << i;
}

TEST(ReaderRules, DamagedMiddleStructureChunkTruncatesTheThreadForEveryReader) {
  test::TempDir dir;
  std::string path = dir.file("p.rnd");
  auto ops = write_generated_thread(path, 6);
  // Flip one byte in the payload of a structure chunk in the middle.
  auto bytes = read_bytes(path);
  uint64_t flip = 0;
  uint32_t damaged = 0;
  for (const ChunkRef& c : scan_chunks(bytes.data(), bytes.size()).chunks)
    if (c.header.kind == ChunkKind::ThreadStructure && c.header.sequence >= 6 && !flip) {
      flip = c.offset + 32 + c.header.stored_size / 2;
      damaged = c.header.sequence;
    }
  ASSERT_NE(flip, 0u);
  bytes[flip] ^= 0x01;
  write_bytes(path, bytes);
  TraceReader r(dir.str());
  const ProcessReader& p = *r.processes()[0];
  ThreadSummary summary;
  EXPECT_FALSE(p.thread_summary(0, summary));  // what info and stats would use
  ASSERT_TRUE(p.unconfirmed_summary(0, summary));
  EXPECT_EQ(summary.events, ops.size());
  const ThreadTrace& t = p.thread(0);
  EXPECT_TRUE(t.truncated());
  auto events = test::replay(t);
  EXPECT_GT(events.size(), 0u);  // the chunks before the damage still replay
  ASSERT_LT(events.size(), ops.size());
  for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].ticks, ops[i].ticks) << i;
  bool reported = false;
  for (auto& m : r.problems()) reported = reported || m.find("checksum mismatch") != std::string::npos;
  EXPECT_TRUE(reported) << "chunk " << damaged;
}

// Data columns are decoded on first use (ThreadTrace::load_data()): to the
// sizes the load counted from the chunks' group headers, and to the values
// recorded, event by event.
TEST(ReaderRules, DataColumnsDecodeOnFirstUseToTheRecordedValues) {
  test::TempDir dir;
  std::string path = dir.file("p.rnd");
  auto ops = write_generated_thread(path, 11);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  uint64_t expected = 0;
  for (const test::Op& op : ops)
    if (op.type == test::Op::Leaf) expected += kind_shape(op.key.kind).data;
  ASSERT_GT(expected, 0u);
  uint64_t counted = 0;
  for (uint32_t id = 0; id < t.events().size(); ++id) counted += t.data_value_count(id);
  EXPECT_EQ(counted, expected);  // before any value is decoded
  for (uint32_t id = 0; id < t.events().size(); ++id) EXPECT_EQ(t.data_values(id).size(), t.data_value_count(id));
  auto events = test::replay(t);
  ASSERT_EQ(events.size(), ops.size());
  for (size_t i = 0; i < events.size(); ++i)
    for (int k = 0; k < events[i].def->data; ++k) ASSERT_EQ(events[i].data[k], ops[i].data[k]) << i;
  EXPECT_TRUE(t.data_problem().empty());
}

// Replay reads the data values from one structure chunk at a time (data_columns.h),
// never the whole columns: whether it starts at the beginning, at a seek, from a
// copy of a cursor that let go of its chunks, or with no chunk cache at all, each
// event gets the values recorded with it.
TEST(ReaderRules, ReplayReadsEachEventsDataFromItsChunk) {
  const OpenedGeneratedThread generated(12);
  const std::vector<test::Op>& ops = generated.ops;
  const ThreadTrace& t = generated.thread();
  ASSERT_FALSE(t.truncated());
  ASSERT_EQ(t.event_count(), ops.size());
  auto expect_recorded = [&](const Event& e) {
    for (int k = 0; k < e.def->data; ++k) ASSERT_EQ(e.data[k], ops[e.index].data[k]) << "event " << e.index;
  };
  DecodedChunkCache& cache = DecodedChunkCache::instance();
  const uint64_t decodes_before = cache.stats().decodes;
  EventCursor whole(t);
  Event e;
  uint64_t with_data = 0;
  while (whole.next(e)) {
    expect_recorded(e);
    with_data += e.def->data ? 1 : 0;
  }
  ASSERT_GT(with_data, 1000u);
  // Timestamp chunks and data chunks: more than one of each (batches of 2,000 events).
  EXPECT_GT(cache.stats().decodes - decodes_before, 4u);

  for (size_t budget : {DecodedChunkCache::kDefaultBudget, size_t{0}}) {
    cache.set_budget(budget);
    for (size_t i = 0; i < ops.size(); i += 1777) {
      EventCursor c(t);
      c.seek_ticks(ops[i].ticks);
      ASSERT_TRUE(c.next(e));
      ASSERT_LE(e.index, i);
      expect_recorded(e);
      for (int n = 0; n < 300 && c.next(e); ++n) expect_recorded(e);
      EventCursor kept = c;
      kept.release_chunk();
      c = EventCursor(t);  // the only other holder of the chunks lets go too
      for (int n = 0; n < 3000 && kept.next(e); ++n) expect_recorded(e);
    }
  }
  cache.set_budget(DecodedChunkCache::kDefaultBudget);
}

// A cursor keeps, per loop, where its last trip count came from (CountHint), in
// the calling thread's cache of decoded count chunks. A copy carried to another
// thread (a viewer checkpoint, a Python iterator) must not use those hints
// there: it replays on exactly as the original does on its own thread.
TEST(ReaderRules, ACursorCopiedToAnotherThreadReplaysOnAsTheOriginal) {
  const OpenedGeneratedThread generated(13);
  const std::vector<test::Op>& ops = generated.ops;
  const ThreadTrace& t = generated.thread();
  ASSERT_FALSE(t.truncated());
  ASSERT_GT(t.loops().size(), 0u);
  const std::vector<Event> all = test::replay(t);
  ASSERT_EQ(all.size(), ops.size());
  auto expect_from = [&](const std::vector<Event>& got, size_t first) {
    ASSERT_EQ(got.size(), all.size() - first);
    for (size_t k = 0; k < got.size(); ++k) {
      const Event& want = all[first + k];
      ASSERT_EQ(got[k].index, want.index);
      ASSERT_EQ(got[k].id, want.id) << "event " << want.index;
      ASSERT_EQ(got[k].ticks, want.ticks) << "event " << want.index;
      for (int d = 0; d < want.def->data; ++d) ASSERT_EQ(got[k].data[d], want.data[d]) << "event " << want.index;
    }
  };
  for (size_t half : {all.size() / 3, all.size() / 2}) {
    EventCursor c(t);
    Event e;
    for (size_t n = 0; n < half; ++n) ASSERT_TRUE(c.next(e));
    std::vector<Event> there, here;
    std::thread other([&] {
      EventCursor copy = c;
      Event x;
      while (copy.next(x)) there.push_back(x);
    });
    other.join();
    while (c.next(e)) here.push_back(e);
    expect_from(there, half);
    expect_from(here, half);
  }
}

// The load checks every data value's varint even though it decodes none: a
// structure chunk with an EventData section whose value never ends (a badly
// written file, checksum intact) ends the thread's readable events before it,
// as any other damage in that chunk.
TEST(ReaderRules, AnUnendingDataValueEndsTheThreadAtItsChunk) {
  test::TempDir dir;
  std::string path = dir.file("p.rnd");
  auto ops = write_generated_thread(path, 11);
  uint32_t event = UINT32_MAX, width = 0;
  {
    TraceReader r(dir.str());
    const ThreadTrace& t = r.processes()[0]->thread(0);
    for (uint32_t id = 0; id < t.events().size() && event == UINT32_MAX; ++id)
      if (t.events()[id].data) event = id, width = t.events()[id].data;
  }
  ASSERT_NE(event, UINT32_MAX);
  ASSERT_LT(event, 0x80u);  // one varint byte below
  uint32_t damaged = 0;
  rewrite_chunks(path, [&](const ChunkRef& c) -> std::vector<std::vector<uint8_t>> {
    if (c.header.kind != ChunkKind::ThreadStructure || c.header.sequence < 6 || damaged) return {chunk_bytes(c)};
    damaged = c.header.sequence;
    // One more EventData section (tag 6): one group of one record of `event`,
    // whose first value has 11 bytes.
    std::vector<uint8_t> payload = c.payload();
    const std::vector<uint8_t> group{1, static_cast<uint8_t>(event), 1, static_cast<uint8_t>(width)};
    payload.push_back(6);
    payload.push_back(static_cast<uint8_t>(group.size() + 11 + (width - 1)));
    payload.insert(payload.end(), group.begin(), group.end());
    payload.insert(payload.end(), 10, 0x80);
    payload.push_back(0);
    payload.insert(payload.end(), width - 1, 0);
    return {encode_chunk(c.header.kind, c.header.thread, c.header.sequence, payload, 3)};
  });
  ASSERT_NE(damaged, 0u);
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  EXPECT_TRUE(t.truncated());
  auto events = test::replay(t);
  EXPECT_GT(events.size(), 0u);
  ASSERT_LT(events.size(), ops.size());
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].ticks, ops[i].ticks) << i;
    for (int k = 0; k < events[i].def->data; ++k) ASSERT_EQ(events[i].data[k], ops[i].data[k]) << i;
  }
  bool reported = false;
  for (auto& m : r.problems()) reported = reported || m.find("varint longer than 10 bytes") != std::string::npos;
  EXPECT_TRUE(reported) << "chunk " << damaged;
  EXPECT_TRUE(t.data_problem().empty());
}
