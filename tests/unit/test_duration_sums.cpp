// Sums of durations over ranks saturate at INT64_MAX (format::add_ns) instead
// of wrapping around. Real runs stay far below it (292 years), but a damaged
// or forged trace can make each duration as long as kTimeLimitNs, and three of
// them already pass int64: a wrapped sum would be undefined behaviour in the
// analyzer and a plausible-looking negative time in the report.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "rondo/analyzer/analysis.h"
#include "rondo/format/reader.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

// Three ranks, each with one call of `main` lasting 4e18 ns (ticks are ns):
// within the limit of one duration, past int64 once summed over the ranks.
constexpr uint64_t kLongCallNs = 4'000'000'000'000'000'000;

void write_ranks(const std::string& dir) {
  for (int32_t rank = 0; rank < 3; ++rank) {
    test::MpiProcessSpec spec;
    spec.rank = rank;
    spec.world_size = 3;
    spec.regions = {{"main", RegionRole::Function}, {"MPI_Barrier", RegionRole::Mpi}};
    spec.communicators = {{"MPI_COMM_WORLD", 0, 0, UINT32_MAX}};
    spec.groups = {{0, 1, 2}};
    test::write_mpi_process(dir + "/rank" + std::to_string(rank) + ".rnd", spec, [&](int, ThreadWriter& w) {
      w.enter(0, 0);
      w.enter(1, 10);  // an MPI call, so that the ranks have MPI times
      w.leave(1, 20);
      w.leave(0, kLongCallNs);
    });
  }
}

}  // namespace

TEST(DurationSums, SumsOverRanksSaturateInsteadOfWrapping) {
  test::TempDir dir;
  write_ranks(dir.str());
  TraceReader trace(dir.str());
  ASSERT_EQ(trace.processes().size(), 3u);
  analyzer::StatsReport r = analyzer::analyze(trace, analyzer::AnalysisOptions{});

  // Each rank's own figures are exact.
  ASSERT_EQ(r.mpi.time_per_rank.size(), 3u);
  for (const auto& t : r.mpi.time_per_rank) {
    EXPECT_EQ(t.total_ns, static_cast<int64_t>(kLongCallNs)) << "rank " << t.rank;
    EXPECT_EQ(t.mpi_ns, 10) << "rank " << t.rank;
  }
  // Their sums are held at the limit.
  EXPECT_EQ(r.mpi.run_ns(), INT64_MAX);
  EXPECT_EQ(r.wait_states.run_ns, INT64_MAX);
  const analyzer::RegionRow* main_row = nullptr;
  for (const auto& row : r.profile.regions)
    if (row.name == "main") main_row = &row;
  ASSERT_NE(main_row, nullptr);
  EXPECT_EQ(main_row->calls, 3u);
  EXPECT_EQ(main_row->inclusive_ns, INT64_MAX);
  EXPECT_EQ(main_row->max_ns, static_cast<int64_t>(kLongCallNs));
  EXPECT_GE(main_row->exclusive_ns, 0);
}
