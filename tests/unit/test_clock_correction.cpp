// Clock correction on synthetic offsets and drifts (FORMAT.md, "Time"): each
// rank's ticks are placed on rank 0's axis by the offset it measured at
// MPI_Init, and, when it measured again at MPI_Finalize (clock_offset_end_ns),
// by an offset moving linearly from the first to the second over the clock's
// span. Values are chosen so that every expected time is a whole nanosecond:
// the arithmetic is checked exactly, whatever the rounding rule.
#include <gtest/gtest.h>

#include "rondo/format/reader.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

constexpr uint64_t kSpan = 1'000'000;  // the clock's end reading, ns after its start

// Rank `rank` with one event at each of `ticks`, offsets as given.
void write_rank(const std::string& dir, int32_t rank, int64_t offset, int64_t offset_end, uint64_t end_ns,
                const std::vector<uint64_t>& ticks) {
  test::MpiProcessSpec spec;
  spec.rank = rank;
  spec.world_size = 3;
  spec.clock_offset_ns = offset;
  spec.clock_offset_end_ns = offset_end;
  spec.clock_end_ns = end_ns;
  spec.regions = {{"main", RegionRole::Function}};
  spec.communicators = {{"MPI_COMM_WORLD", 0, 0, UINT32_MAX}};
  spec.groups = {{0, 1, 2}};
  test::write_mpi_process(dir + "/rank" + std::to_string(rank) + ".rnd", spec, [&](int, ThreadWriter& w) {
    for (size_t i = 0; i < ticks.size(); ++i) {
      if (i % 2 == 0) w.enter(0, ticks[i]);
      else w.leave(0, ticks[i]);
    }
  });
}

// The times of rank `rank`'s events on the common axis.
std::vector<int64_t> times(const TraceReader& trace, int32_t rank) {
  std::vector<int64_t> out;
  for (const auto& p : trace.processes()) {
    if (p->rank() != rank) continue;
    EventCursor cursor(p->thread(0));
    Event e;
    while (cursor.next(e)) out.push_back(p->to_ns(e.ticks));
  }
  return out;
}

const std::vector<uint64_t> kTicks = {0, 250'000, 500'000, kSpan};

}  // namespace

TEST(ClockCorrection, InitOffsetAloneShiftsEveryEvent) {
  test::TempDir dir;
  write_rank(dir.str(), 0, 0, 0, kSpan, kTicks);
  write_rank(dir.str(), 1, 1'500, 0, 0, kTicks);   // no end measurement: constant offset
  write_rank(dir.str(), 2, -2'000, 0, 0, kTicks);  // a clock ahead of rank 0's
  TraceReader trace(dir.str());
  EXPECT_EQ(times(trace, 0), (std::vector<int64_t>{0, 250'000, 500'000, 1'000'000}));
  EXPECT_EQ(times(trace, 1), (std::vector<int64_t>{1'500, 251'500, 501'500, 1'001'500}));
  EXPECT_EQ(times(trace, 2), (std::vector<int64_t>{-2'000, 248'000, 498'000, 998'000}));
}

TEST(ClockCorrection, DriftMovesTheOffsetLinearlyFromInitToFinalize) {
  test::TempDir dir;
  write_rank(dir.str(), 0, 0, 0, kSpan, kTicks);
  // Rank 1 drifts from +1,000 ns at init to +3,000 ns at finalize; rank 2 from
  // -4,000 to -2,000 (its clock runs slower than rank 0's).
  write_rank(dir.str(), 1, 1'000, 3'000, kSpan, kTicks);
  write_rank(dir.str(), 2, -4'000, -2'000, kSpan, kTicks);
  TraceReader trace(dir.str());
  EXPECT_EQ(times(trace, 1), (std::vector<int64_t>{1'000, 251'500, 502'000, 1'003'000}));
  EXPECT_EQ(times(trace, 2), (std::vector<int64_t>{-4'000, 246'500, 497'000, 998'000}));
}

TEST(ClockCorrection, WallClockTimeFromTheStartPairAndNothingWhereItWouldOverflow) {
  ClockDef c;
  c.start_ns = 5'000;
  c.start_realtime_ns = 1'700'000'000'000'000'000;
  int64_t wall = -1;
  ASSERT_TRUE(realtime_of(c, 7'000, wall));
  EXPECT_EQ(wall, 1'700'000'000'000'002'000);
  // A damaged file's values: the offset, or the time plus it, leaves int64.
  c.start_ns = 0x8000000000000001ull;
  c.start_realtime_ns = 0x7FFFFFFFFFFFFFFFull;
  wall = -1;
  EXPECT_FALSE(realtime_of(c, 0, wall));
  c.start_ns = 0;
  EXPECT_FALSE(realtime_of(c, 1, wall));
  EXPECT_EQ(wall, -1);  // untouched
  c.start_realtime_ns = 0;  // no wall-clock reading
  EXPECT_FALSE(realtime_of(c, 0, wall));
}

// A damaged offset can put times anywhere: they are clamped to ±(2^62 - 1) ns
// (FORMAT.md 11.3), so that the difference of any two stays a valid int64.
TEST(ClockCorrection, TimesOfADamagedClockAreClampedSoThatDifferencesStayDefined) {
  test::TempDir dir;
  write_rank(dir.str(), 0, 0, 0, kSpan, kTicks);
  write_rank(dir.str(), 1, INT64_MAX, 0, 0, kTicks);
  write_rank(dir.str(), 2, INT64_MIN, INT64_MAX, kSpan, kTicks);
  TraceReader trace(dir.str());
  EXPECT_EQ(times(trace, 1), std::vector<int64_t>(4, kTimeLimitNs));
  for (int64_t t : times(trace, 2)) {
    EXPECT_GE(t, -kTimeLimitNs);
    EXPECT_LE(t, kTimeLimitNs);
  }
  EXPECT_EQ(times(trace, 2).front(), -kTimeLimitNs);
  int64_t widest;  // the longest duration two clamped times can make
  EXPECT_FALSE(__builtin_sub_overflow(kTimeLimitNs, -kTimeLimitNs, &widest));
}
