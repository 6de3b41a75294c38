// ForwardTimestamps (reader.h) gives the timestamps a replay gives, by event
// index, read forward: every index, sparse ones, jumps past whole chunks and
// the same index again, with and without the next chunk decoded ahead on a
// thread of its own; indices past the events or going back are errors either
// way, and a reader dropped while its helper decodes returns at once.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

constexpr int kBatch = 1000;  // events per timestamp chunk
constexpr int kPairs = 10000;  // 20,000 events: 20 chunks

class ForwardTimestampsTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    test::write_uneven_pairs(dir_.file("p.rnd"), kPairs, 2, kBatch);
    trace_ = std::make_unique<TraceReader>(dir_.str());
    for (const Event& e : test::replay(thread())) ticks_.push_back(e.ticks);
    ASSERT_EQ(ticks_.size(), 2u * kPairs);
    ASSERT_GE(thread().timestamp_chunks().size(), 20u);
  }
  const ThreadTrace& thread() const { return trace_->processes()[0]->thread(0); }

  test::TempDir dir_;
  std::unique_ptr<TraceReader> trace_;
  std::vector<uint64_t> ticks_;  // by event index, from a replay
};

TEST_P(ForwardTimestampsTest, EveryIndexIsTheReplaysTimestamp) {
  ForwardTimestamps ts(thread(), GetParam());
  for (uint64_t i = 0; i < ticks_.size(); ++i) ASSERT_EQ(ts.at(i), ticks_[i]) << "event " << i;
}

TEST_P(ForwardTimestampsTest, SparseIndicesAndJumpsPastWholeChunks) {
  for (uint64_t stride : {7u, 999u, 1000u, 1001u, 4321u}) {
    ForwardTimestamps ts(thread(), GetParam());
    for (uint64_t i = 3; i < ticks_.size(); i += stride) {
      ASSERT_EQ(ts.at(i), ticks_[i]) << "stride " << stride << ", event " << i;
      ASSERT_EQ(ts.at(i), ticks_[i]) << "the same index again";
    }
  }
  ForwardTimestamps ts(thread(), GetParam());
  for (uint64_t i : {0u, 1u, 999u, 1000u, 5500u, 5501u, 17999u, 18000u, 19999u})
    EXPECT_EQ(ts.at(i), ticks_[i]) << "event " << i;
}

TEST_P(ForwardTimestampsTest, PastTheEventsOrBackwardsIsAnError) {
  ForwardTimestamps ts(thread(), GetParam());
  EXPECT_EQ(ts.at(2500), ticks_[2500]);
  EXPECT_THROW(ts.at(ticks_.size()), std::out_of_range);
  EXPECT_THROW(ts.at(10), std::out_of_range);
  EXPECT_EQ(ts.at(2501), ticks_[2501]);  // still usable
}

TEST_P(ForwardTimestampsTest, DroppedWhileTheNextChunkIsDecoded) {
  for (int round = 0; round < 50; ++round) {
    ForwardTimestamps ts(thread(), GetParam());
    EXPECT_EQ(ts.at(static_cast<uint64_t>(round) * 17), ticks_[static_cast<size_t>(round) * 17]);
  }
}

INSTANTIATE_TEST_SUITE_P(ReadAhead, ForwardTimestampsTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& p) { return p.param ? "ReadAhead" : "Alone"; });

}  // namespace
