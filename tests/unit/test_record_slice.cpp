// RecordSlice (analyzer/src/record_slice.h): a writer of the MPI scan fills
// its region of the scan's arrays and, when the region is full, goes on in its
// spill vector with everything it wrote so far.
#include <gtest/gtest.h>

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include "record_slice.h"
#include "rondo/analyzer/messages.h"

namespace {

using rondo::analyzer::MpiCallInfo;
using rondo::analyzer::RecordSlice;
using rondo::analyzer::RecordVector;

MpiCallInfo call(int64_t enter) {
  MpiCallInfo c;
  c.region = static_cast<uint32_t>(enter % 7);
  c.enter_ns = enter;
  c.exit_ns = enter + 1;
  return c;
}

std::vector<int64_t> enters(std::span<const MpiCallInfo> calls) {
  std::vector<int64_t> out;
  for (const MpiCallInfo& c : calls) out.push_back(c.enter_ns);
  return out;
}

TEST(RecordSlice, StaysInItsRegionWhileTheRoomLasts) {
  RecordVector<MpiCallInfo> array(10, MpiCallInfo{});
  RecordVector<MpiCallInfo> spill;
  RecordSlice<MpiCallInfo> slice(array.data() + 2, 5, &spill);
  for (int64_t i = 0; i < 5; ++i) slice.push_back(call(i));
  slice.finish();
  EXPECT_FALSE(slice.spilled());
  EXPECT_TRUE(spill.empty());
  EXPECT_EQ(enters(slice.written()), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(enters(std::span<const MpiCallInfo>(array.data() + 2, 5)), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(array[1].enter_ns, -1) << "nothing before the region is written";
  EXPECT_EQ(array[7].enter_ns, -1) << "nothing after the records is written";
}

TEST(RecordSlice, MovesEverythingToItsSpillVectorWhenTheRegionIsFull) {
  RecordVector<MpiCallInfo> array(4, MpiCallInfo{});
  RecordVector<MpiCallInfo> spill;
  RecordSlice<MpiCallInfo> slice(array.data(), 4, &spill);
  std::vector<int64_t> expected(1000);
  std::iota(expected.begin(), expected.end(), 0);
  for (int64_t i : expected) slice.push_back(call(i));
  slice[3].exit_ns = 99;  // written through the slice after the move
  slice.finish();
  EXPECT_TRUE(slice.spilled());
  ASSERT_EQ(spill.size(), expected.size()) << "the spill vector holds exactly the records";
  EXPECT_EQ(enters(spill), expected);
  EXPECT_EQ(spill[3].exit_ns, 99);
}

TEST(RecordSlice, OwnVectorGrowsAndEndsAtTheRecordsWritten) {
  RecordVector<MpiCallInfo> own;
  RecordSlice<MpiCallInfo> slice(own, 3);
  for (int64_t i = 0; i < 10; ++i) slice.push_back(call(i));
  slice.shrink(8);
  slice.finish();
  EXPECT_EQ(own.size(), 8u);
  EXPECT_EQ(enters(own), (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
}

TEST(RecordSlice, RunningOutOfAKnownSufficientRoomIsALogicError) {
  RecordVector<MpiCallInfo> array(2, MpiCallInfo{});
  RecordSlice<MpiCallInfo> slice(array.data(), 2, nullptr);
  slice.push_back(call(0));
  slice.push_back(call(1));
  EXPECT_THROW(slice.push_back(call(2)), std::logic_error);
}

}  // namespace
