// Rounded timestamps (FORMAT.md 8.2.2, `rondo record --time-resolution`): the
// codec round-trips within half a unit, keeps lossless chunks byte for byte as
// version 2 wrote them, and the option's parser accepts what the CLI documents.
#include <gtest/gtest.h>

#include <random>

#include "rondo/format/chunk.h"
#include "rondo/format/error.h"
#include "rondo/format/thread_data.h"
#include "rondo/format/time_resolution.h"

using namespace rondo::format;

namespace {
std::vector<uint64_t> decode_all(const std::vector<uint8_t>& payload, TimestampChunkInfo& info) {
  info = decode_timestamp_info(payload.data(), payload.size());
  std::vector<uint8_t> deltas = decode_timestamp_residuals(payload.data(), payload.size());
  TimestampDecoder d;
  d.reset(info, deltas.data(), deltas.data() + deltas.size());
  std::vector<uint64_t> out;
  while (d.remaining()) out.push_back(d.next());
  return out;
}

// Jittery, mostly increasing ticks with a few steps back (as clocks of other cores give).
std::vector<uint64_t> jittery_ticks(size_t n) {
  std::mt19937_64 rng(42);
  std::vector<uint64_t> t{1'000'000'007};
  for (size_t i = 1; i < n; ++i) {
    int64_t step = static_cast<int64_t>(rng() % 5000) - (i % 97 == 0 ? 6000 : 0);
    t.push_back(t.back() + static_cast<uint64_t>(step));
  }
  return t;
}
}  // namespace

TEST(TimestampRounding, EveryTimestampWithinHalfAUnitAndOrderKept) {
  std::vector<uint64_t> ticks = jittery_ticks(5000);
  for (uint64_t unit : {2u, 3u, 260u, 2596u}) {
    for (int level : {0, 3}) {
      std::vector<uint8_t> payload;
      encode_timestamps(17, ticks.data(), ticks.size(), level, payload, unit);
      TimestampChunkInfo info;
      std::vector<uint64_t> got = decode_all(payload, info);
      ASSERT_EQ(got.size(), ticks.size());
      EXPECT_EQ(info.unit, unit);
      EXPECT_EQ(info.first_index, 17u);
      EXPECT_EQ(info.codec & 2, 2);
      EXPECT_EQ(info.first_ticks, got.front());
      EXPECT_EQ(info.last_ticks, got.back());
      for (size_t i = 0; i < ticks.size(); ++i) {
        ASSERT_EQ(got[i] % unit, 0u) << i;
        uint64_t error = got[i] > ticks[i] ? got[i] - ticks[i] : ticks[i] - got[i];
        ASSERT_LE(2 * error, unit) << "event " << i << " unit " << unit;
        // Rounding is monotonic: where the clock did not go back, neither do the rounded times.
        if (i && ticks[i] >= ticks[i - 1]) {
          ASSERT_GE(got[i], got[i - 1]) << i;
        }
      }
    }
  }
}

TEST(TimestampRounding, UnitOneIsLosslessAndTheVersion2Layout) {
  std::vector<uint64_t> ticks = jittery_ticks(3000);
  std::vector<uint8_t> plain, unit_one;
  encode_timestamps(0, ticks.data(), ticks.size(), 3, plain);
  encode_timestamps(0, ticks.data(), ticks.size(), 3, unit_one, 1);
  EXPECT_EQ(plain, unit_one);
  TimestampChunkInfo info;
  EXPECT_EQ(decode_all(plain, info), ticks);
  EXPECT_EQ(info.unit, 1u);
  EXPECT_EQ(info.codec, 1);  // zstd, no scaling: what version 2 wrote
}

TEST(TimestampRounding, CoarserUnitsStoreFewerBytes) {
  std::vector<uint64_t> ticks = jittery_ticks(16384);
  size_t previous = SIZE_MAX;
  for (uint64_t unit : {1u, 26u, 260u, 2600u}) {
    std::vector<uint8_t> payload;
    encode_timestamps(0, ticks.data(), ticks.size(), 3, payload, unit);
    EXPECT_LT(payload.size(), previous) << "unit " << unit;
    previous = payload.size();
  }
}

TEST(TimestampRounding, UnknownCodecBitsAndZeroUnitAreRejected) {
  std::vector<uint64_t> ticks = jittery_ticks(10);
  std::vector<uint8_t> payload;
  encode_timestamps(0, ticks.data(), ticks.size(), 0, payload, 8);
  // Fixed part: varint 0, varint 10, two u64, then the codec byte and the unit.
  size_t codec = 2 + 16;
  ASSERT_EQ(payload[codec], 2);
  ASSERT_EQ(payload[codec + 1], 8);
  auto bad = payload;
  bad[codec] |= 4;
  EXPECT_THROW(decode_timestamp_info(bad.data(), bad.size()), FormatError);
  bad = payload;
  bad[codec + 1] = 0;
  EXPECT_THROW(decode_timestamp_info(bad.data(), bad.size()), FormatError);
}

TEST(TimestampRounding, ResolutionParsing) {
  EXPECT_EQ(parse_time_resolution("100ns"), 100u);
  EXPECT_EQ(parse_time_resolution("100"), 100u);
  EXPECT_EQ(parse_time_resolution("1us"), 1000u);
  EXPECT_EQ(parse_time_resolution("2.5us"), 2500u);
  EXPECT_EQ(parse_time_resolution("1ms"), 1000000u);
  EXPECT_EQ(parse_time_resolution("0"), 0u);
  for (const char* bad : {"", "ns", "100 ns", "100s", "-5ns", "fast", "2s", "1e12"})
    EXPECT_FALSE(parse_time_resolution(bad).has_value()) << bad;
  EXPECT_EQ(time_unit_ticks(100, 2'596'100'000), 260u);
  EXPECT_EQ(time_unit_ticks(100, 1'000'000'000), 100u);
  EXPECT_EQ(time_unit_ticks(0, 2'596'100'000), 1u);
  EXPECT_EQ(time_unit_ticks(1, 1'000'000'000), 1u);
}

TEST(TimestampRounding, LosslessFilesStayVersion2AndVersion3IsReadable) {
  auto header = file_header();
  EXPECT_EQ(header[8] | header[9] << 8, 2);
  EXPECT_EQ(check_file_header(header.data(), header.size()), "");
  header = file_header(3);
  EXPECT_EQ(check_file_header(header.data(), header.size()), "");
  header = file_header(4);
  EXPECT_NE(check_file_header(header.data(), header.size()), "");
}
