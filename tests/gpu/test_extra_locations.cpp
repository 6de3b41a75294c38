// Extra locations of the recording runtime (libtrace/extra_locations.h): a GPU
// stream location fed from another thread with explicit timestamps, and a
// flush hook that hands over a last record at exit or after a fatal signal.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "../unit/trace_fixture.h"
#include "rondo/format/reader.h"

using namespace rondo;

namespace {

void expect_stream(const std::string& dir) {
  ASSERT_TRUE(rondo::test::trace_valid(dir));
  format::TraceReader t(dir);
  ASSERT_EQ(t.processes().size(), 1u);
  const auto& p = *t.processes()[0];
  ASSERT_EQ(p.thread_count(), 2u);
  const format::ThreadTrace* stream = nullptr;
  for (size_t i = 0; i < p.thread_count(); ++i)
    for (const auto& d : p.defs().threads)
      if (d.index == p.thread_index(i) && d.kind == format::ThreadKind::GpuStream) {
        EXPECT_EQ(p.defs().string(d.name), "GPU 0 stream 5");
        EXPECT_EQ(d.os_tid, 0u);
        stream = &p.thread(i);
      }
  ASSERT_NE(stream, nullptr);
  std::vector<format::Event> events = rondo::test::replay(*stream);
  ASSERT_EQ(events.size(), 32u);  // 10 x (enter, launch, leave), then the hook's enter and leave
  for (uint64_t i = 0; i < 10; ++i) {
    EXPECT_EQ(events[3 * i].kind(), format::EventKind::Enter);
    EXPECT_EQ(events[3 * i].ticks, 1000 + 100 * i);
    EXPECT_EQ(events[3 * i + 1].kind(), format::EventKind::GpuKernelLaunch);
    EXPECT_EQ(events[3 * i + 1].data[0], static_cast<int64_t>(i + 1));
    EXPECT_EQ(events[3 * i + 1].def->key.params[0], stream->index());
    EXPECT_EQ(events[3 * i + 2].ticks, 1050 + 100 * i);
  }
  EXPECT_EQ(events[30].ticks, 5000u);
  EXPECT_EQ(events[31].ticks, 5100u);
  EXPECT_EQ(stream->loops().size(), 1u);  // the ten launches are one loop
}

}  // namespace

TEST(ExtraLocations, StreamLocationAndRecordsHandedOverAtExit) {
  rondo::test::TempDir dir;
  auto r = rondo::test::run_command("RONDO_TRACE_DIR=" + dir.str() + " " + EXTRA_LOCATIONS_PROGRAM);
  ASSERT_EQ(r.status, 0) << r.out;
  expect_stream(dir.str());
}

TEST(ExtraLocations, FlushHookRunsAfterAFatalSignal) {
  rondo::test::TempDir dir;
  auto r = rondo::test::run_command("RONDO_TRACE_DIR=" + dir.str() + " " + EXTRA_LOCATIONS_PROGRAM + " abort");
  ASSERT_EQ(r.status, 128 + 6) << r.out;  // the program still dies of its signal
  expect_stream(dir.str());
}
