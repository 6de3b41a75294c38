// The limits of FORMAT.md 15 on process definitions: a damaged rank, world size
// or id is refused as damage instead of sizing tables by it, while every value
// inside the limits reads back.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rondo/format/definitions.h"
#include "rondo/format/encoding.h"

namespace {

using namespace rondo::format;

// The decoder's refusal of a Process record, or "" when it reads it.
std::string refusal(int32_t rank, int32_t world_size) {
  ProcessDef p;
  p.rank = rank;
  p.world_size = world_size;
  std::vector<uint8_t> bytes;
  encode::process(bytes, p);
  ProcessDefinitions d;
  try {
    d.decode(bytes.data(), bytes.size());
  } catch (const FormatError& e) {
    return e.what();
  }
  EXPECT_EQ(d.process.rank, rank);
  EXPECT_EQ(d.process.world_size, world_size);
  return "";
}

TEST(DefinitionLimits, RanksAndWorldSizesInsideTheLimitsReadBack) {
  EXPECT_EQ(refusal(-1, 0), "");
  EXPECT_EQ(refusal(0, 1), "");
  EXPECT_EQ(refusal(kMaxWorldSize - 1, kMaxWorldSize), "");
}

TEST(DefinitionLimits, ADamagedRankOrWorldSizeIsRefused) {
  EXPECT_EQ(refusal(0, kMaxWorldSize + 1), "process world size 16777217 out of range");
  EXPECT_EQ(refusal(0, -1), "process world size -1 out of range");
  EXPECT_EQ(refusal(0, INT32_MAX), "process world size 2147483647 out of range");
  EXPECT_EQ(refusal(kMaxWorldSize, 4), "process rank 16777216 out of range");
  EXPECT_EQ(refusal(-2, 4), "process rank -2 out of range");
}

TEST(DefinitionLimits, AnIdAboveTwoToTheTwentyFourIsRefused) {
  std::vector<uint8_t> bytes;
  encode::string(bytes, 1u << 24, "last");
  ProcessDefinitions d;
  d.decode(bytes.data(), bytes.size());
  EXPECT_EQ(d.strings.back(), "last");
  bytes.clear();
  encode::string(bytes, (1u << 24) + 1, "beyond");
  EXPECT_THROW(d.decode(bytes.data(), bytes.size()), FormatError);
}

}  // namespace
