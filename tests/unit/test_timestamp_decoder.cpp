// TimestampDecoder (FORMAT.md 8.2.1) decodes the same timestamps one at a time
// (next(): one and two-byte deltas inline, the rest out of line) and a run at
// a time (next_n(): one loop, as ForwardTimestamps reads whole chunks), for
// deltas of every length from 1 to 10 bytes, both signs; truncated or missing
// deltas are errors either way.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

#include "rondo/format/error.h"
#include "rondo/format/thread_data.h"

using namespace rondo::format;

namespace {

// Ticks whose deltas take every svarint length, in both directions, mixed
// with the short deltas of a busy loop.
std::vector<uint64_t> ticks_of_every_delta_length() {
  std::vector<int64_t> deltas;
  for (int bits = 0; bits <= 63; ++bits) {
    const int64_t magnitude = bits == 63 ? std::numeric_limits<int64_t>::max() : (int64_t{1} << bits);
    deltas.push_back(magnitude);
    deltas.push_back(-magnitude);
    deltas.push_back(magnitude - 1);
  }
  deltas.push_back(std::numeric_limits<int64_t>::min());
  std::mt19937_64 rng(7);
  for (int i = 0; i < 5000; ++i) deltas.push_back(static_cast<int64_t>(rng() % 20000) - 100);
  std::shuffle(deltas.begin(), deltas.end(), rng);
  std::vector<uint64_t> ticks{123456789};
  for (int64_t d : deltas) ticks.push_back(ticks.back() + static_cast<uint64_t>(d));  // modulo 2^64
  return ticks;
}

struct Encoded {
  TimestampChunkInfo info;
  std::vector<uint8_t> deltas;
};

Encoded encode(const std::vector<uint64_t>& ticks) {
  std::vector<uint8_t> payload;
  encode_timestamps(0, ticks.data(), ticks.size(), 0, payload);
  return {decode_timestamp_info(payload.data(), payload.size()),
          decode_timestamp_residuals(payload.data(), payload.size())};
}

}  // namespace

TEST(TimestampDecoder, OneAtATimeAndInRunsGiveTheSameTicks) {
  const std::vector<uint64_t> ticks = ticks_of_every_delta_length();
  const Encoded e = encode(ticks);
  TimestampDecoder one;
  one.reset(e.info, e.deltas.data(), e.deltas.data() + e.deltas.size());
  std::vector<uint64_t> singly;
  while (one.remaining()) singly.push_back(one.next());
  EXPECT_EQ(singly, ticks);
  for (size_t run : {size_t{1}, size_t{3}, size_t{64}, ticks.size()}) {
    TimestampDecoder runs;
    runs.reset(e.info, e.deltas.data(), e.deltas.data() + e.deltas.size());
    std::vector<uint64_t> got(ticks.size());
    for (size_t at = 0; at < got.size(); at += run) runs.next_n(got.data() + at, std::min(run, got.size() - at));
    EXPECT_EQ(got, ticks) << "runs of " << run;
    EXPECT_EQ(runs.remaining(), 0u);
  }
}

TEST(TimestampDecoder, TruncatedOrMissingDeltasAreErrorsInRunsToo) {
  const std::vector<uint64_t> ticks = ticks_of_every_delta_length();
  const Encoded e = encode(ticks);
  // Cut inside a delta of several bytes: its continuation bit promises more.
  size_t cut = 0;
  while (cut < e.deltas.size() && e.deltas[cut] < 0x80) ++cut;
  ASSERT_LT(cut, e.deltas.size());
  std::vector<uint64_t> out(ticks.size());
  TimestampDecoder d;
  d.reset(e.info, e.deltas.data(), e.deltas.data() + cut + 1);
  EXPECT_THROW(d.next_n(out.data(), out.size()), FormatError);
  // More timestamps asked for than the chunk holds.
  TimestampDecoder all;
  all.reset(e.info, e.deltas.data(), e.deltas.data() + e.deltas.size());
  std::vector<uint64_t> more(ticks.size() + 1);
  EXPECT_THROW(all.next_n(more.data(), more.size()), FormatError);
}
