// The THREAD_COUNTERS chunk (FORMAT.md 8.4): values round-trip exactly through
// the writer, the chunk and the reader, and never change the grammar.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "rondo/format/counter_columns.h"
#include "rondo/format/definitions.h"
#include "rondo/format/error.h"
#include "rondo/format/reader.h"
#include "rondo/format/writer.h"

namespace rondo::format {
namespace {

TEST(CounterColumns, PayloadRoundTripsAnyValues) {
  // Counters that go down (a reset) or wrap still round-trip: deltas are mod 2^64.
  std::vector<uint64_t> values = {0, 5, 10, 3, UINT64_MAX, 7, 42, 42, 1ull << 63, 0};
  std::vector<uint8_t> payload;
  encode_counters(100, {4, 9}, values.data(), 5, payload);
  CounterChunk c = decode_counters(payload.data(), payload.size());
  EXPECT_EQ(c.first_index, 100u);
  EXPECT_EQ(c.count, 5u);
  EXPECT_EQ(c.metrics, (std::vector<uint32_t>{4, 9}));
  EXPECT_EQ(c.values, values);
  payload.pop_back();
  EXPECT_THROW(decode_counters(payload.data(), payload.size()), FormatError);
}

TEST(CounterColumns, WriterAndReaderAgreeAndLoopsStayLoops) {
  std::string dir = std::filesystem::temp_directory_path() / ("rondo-counter-columns-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    ProcessFile file(dir + "/host.1.rnd");
    std::vector<uint8_t> defs;
    ProcessDef process;
    process.pid = 1;
    encode::process(defs, process);
    encode::string(defs, 1, "work");
    encode::string(defs, 2, "perf::TASK-CLOCK");
    encode::string(defs, 3, "#");
    RegionDef region;
    region.name = 1;
    encode::region(defs, 0, region);
    encode::metric(defs, 0, MetricDef{2, 3, 0});
    encode::thread(defs, ThreadDef{0, 1, ThreadKind::Cpu, 0, UINT32_MAX});
    file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
    // Batches of 64 events: the counter column crosses many chunks.
    ThreadWriter w(0, [&](Batch&& b) {
      for (auto& chunk : encode_batch(b, 3)) file.append(chunk);
    }, 64);
    w.set_counters({0});
    uint64_t reading = 0;
    for (int i = 0; i < 1000; ++i) {
      // Values that differ at every call: data, so the calls still make one loop.
      reading += 100 + static_cast<uint64_t>(i % 7);
      w.counter_slot()[0] = reading;
      w.enter(0, 10 * i);
      reading += static_cast<uint64_t>(i);
      w.counter_slot()[0] = reading;
      w.leave(0, 10 * i + 5);
    }
    w.flush(true);
  }
  TraceReader trace(dir);
  const ThreadTrace& t = trace.processes()[0]->thread(0);
  ASSERT_EQ(t.counter_metrics(), (std::vector<uint32_t>{0}));
  EXPECT_FALSE(t.loops().empty()) << "counter values must not be part of event identity";
  EXPECT_EQ(t.event_count(), 2000u);
  uint64_t reading = 0;
  EventCursor cursor(t);
  Event e;
  uint64_t n = 0;
  while (cursor.next(e)) {
    if (e.kind() == EventKind::Enter) reading += 100 + (n / 2) % 7;
    else reading += n / 2;
    const uint64_t* at = t.counters_at(e.index);
    ASSERT_NE(at, nullptr);
    ASSERT_EQ(at[0], reading) << "event " << e.index;
    ++n;
  }
  EXPECT_EQ(n, 2000u);
  EXPECT_EQ(t.counters_at(2000), nullptr);
  std::filesystem::remove_all(dir);
}

TEST(CounterColumns, OtherEventsRepeatTheLastReadingAcrossGrowingBatches) {
  // Three counters over batches of the default size: the writer's column
  // grows past its first allocation within a batch, and every batch must carry
  // exactly its own events' readings, a marker repeating the reading before it.
  std::vector<uint64_t> expected;  // event-major, 3 per event
  std::vector<uint64_t> written;
  uint64_t first_index_expected = 0;
  ThreadWriter w(0, [&](Batch&& b) {
    EXPECT_EQ(b.first_index, first_index_expected);
    EXPECT_EQ(b.counter_values.size(), b.ticks.size() * 3);
    first_index_expected += b.ticks.size();
    written.insert(written.end(), b.counter_values.begin(), b.counter_values.end());
  });
  w.set_counters({0, 1, 2});
  uint64_t now[3] = {0, 1000, 1u << 20};
  auto read = [&](uint64_t step) {
    for (uint64_t& v : now) v += step;
    std::copy(now, now + 3, w.counter_slot());
  };
  auto expect = [&] { expected.insert(expected.end(), now, now + 3); };
  EventKey marker{EventKind::Marker, 7, {}};
  uint64_t ticks = 0;
  for (uint64_t i = 0; i < 30000; ++i) {
    read(i % 13);
    w.enter(0, ++ticks);
    expect();
    if (i % 3 == 0) {
      w.event(marker, ++ticks);  // no reading of its own
      expect();
    }
    read(1 + i % 5);
    w.leave(0, ++ticks);
    expect();
  }
  w.flush(true);
  EXPECT_EQ(first_index_expected, w.events());
  ASSERT_EQ(written.size(), expected.size());
  EXPECT_TRUE(written == expected);
}

}  // namespace
}  // namespace rondo::format
