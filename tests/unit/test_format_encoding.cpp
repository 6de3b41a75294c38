#include <gtest/gtest.h>

#include "rondo/format/chunk.h"
#include "rondo/format/crc32c.h"
#include "rondo/format/encoding.h"
#include "rondo/format/huge_pages.h"
#include "rondo/format/thread_data.h"

#include <map>
#include <random>

using namespace rondo::format;

TEST(Encoding, VarintsRoundTripAtEveryBoundary) {
  std::vector<uint8_t> buf;
  ByteWriter w(buf);
  std::vector<uint64_t> values = {0, 1, 127, 128, 16383, 16384, (1ull << 32) - 1, 1ull << 32, UINT64_MAX};
  std::vector<int64_t> signed_values = {0, -1, 1, -64, 64, INT64_MIN, INT64_MAX};
  for (auto v : values) w.varint(v);
  for (auto v : signed_values) w.svarint(v);
  w.string("héllo");
  w.u32(0xDEADBEEF);
  ByteReader r(buf.data(), buf.size());
  for (auto v : values) EXPECT_EQ(r.varint(), v);
  for (auto v : signed_values) EXPECT_EQ(r.svarint(), v);
  EXPECT_EQ(r.string(), "héllo");
  EXPECT_EQ(r.u32(), 0xDEADBEEFu);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(buf[buf.size() - 4], 0xEF);  // little-endian on disk
}

TEST(Encoding, TruncatedInputThrowsInsteadOfOverrunning) {
  std::vector<uint8_t> buf = {0x80, 0x80};  // varint with no last byte
  ByteReader r(buf.data(), buf.size(), "test record");
  EXPECT_THROW(r.varint(), FormatError);
  std::vector<uint8_t> s = {10, 'a'};  // string claims 10 bytes
  ByteReader r2(s.data(), s.size());
  EXPECT_THROW(r2.string(), FormatError);
}

TEST(Crc32c, MatchesTheStandardCheckValue) {
  // The CRC-32C of "123456789" is 0xE3069283 (the catalogue's check value).
  EXPECT_EQ(crc32c("123456789", 9), 0xE3069283u);
  // Incremental computation gives the same result.
  EXPECT_EQ(crc32c("6789", 4, crc32c("12345", 5)), 0xE3069283u);
}

TEST(Chunks, CompressedAndRawChunksScanBack) {
  std::vector<uint8_t> file = file_header();
  std::vector<uint8_t> small = {1, 2, 3};
  std::vector<uint8_t> big(10000, 7);
  for (auto& c : {encode_chunk(ChunkKind::ThreadStructure, 3, 0, small, 3),
                  encode_chunk(ChunkKind::ThreadTimestamps, 3, 1, big, 3)})
    file.insert(file.end(), c.begin(), c.end());
  ScanResult s = scan_chunks(file.data(), file.size());
  ASSERT_EQ(s.chunks.size(), 2u);
  EXPECT_TRUE(s.problems.empty());
  EXPECT_EQ(s.chunks[0].payload(), small);
  EXPECT_EQ(s.chunks[1].header.codec, Codec::Zstd);
  EXPECT_EQ(s.chunks[1].payload(), big);
  EXPECT_EQ(s.chunks[1].header.thread, 3u);
  EXPECT_EQ(s.chunks[1].header.sequence, 1u);
}

TEST(Chunks, CorruptionIsReportedAndSkippedTruncationFlagged) {
  std::vector<uint8_t> file = file_header();
  std::vector<uint8_t> payload(300, 9);
  std::vector<size_t> starts;
  for (uint32_t i = 0; i < 3; ++i) {
    starts.push_back(file.size());
    auto c = encode_chunk(ChunkKind::ThreadStructure, 0, i, payload, 0);
    file.insert(file.end(), c.begin(), c.end());
  }
  file[starts[1] + kChunkHeaderSize + 5] ^= 0xFF;  // payload damage in chunk 1
  ScanResult s = scan_chunks(file.data(), file.size());
  ASSERT_EQ(s.chunks.size(), 2u);
  ASSERT_EQ(s.problems.size(), 1u);
  EXPECT_NE(s.problems[0].find("checksum mismatch"), std::string::npos);
  EXPECT_NE(s.problems[0].find("offset " + std::to_string(starts[1])), std::string::npos);

  file[starts[1] + 2] ^= 0xFF;  // header damage: the scanner resynchronises on chunk 2
  s = scan_chunks(file.data(), file.size());
  ASSERT_EQ(s.chunks.size(), 2u);
  EXPECT_EQ(s.chunks[1].header.sequence, 2u);

  file.resize(file.size() - 10);  // cut inside the last chunk
  s = scan_chunks(file.data(), file.size());
  EXPECT_TRUE(s.truncated);
  EXPECT_EQ(s.chunks.size(), 1u);
}

TEST(Chunks, FileHeaderChecks) {
  auto h = file_header();
  EXPECT_EQ(check_file_header(h.data(), h.size()), "");
  EXPECT_EQ(check_file_header(h.data(), 0), "empty file");
  h[0] = 'X';
  EXPECT_NE(check_file_header(h.data(), h.size()).find("bad magic"), std::string::npos);
}

// A batch's data records and loop counts are written grouped by event (loop)
// id, each id's values in recording order: decoding gives the records back id
// by id, ascending, every group in its order. Dense ids (the writer's counting
// sort) and sparse ones (its fallback) alike.
TEST(StructureBatchEncoding, DataRecordsAndLoopCountsComeBackGroupedByIdInRecordingOrder) {
  for (uint32_t spread : {7u, 100000u}) {
    std::mt19937 random(spread);
    StructureBatch batch;
    std::map<uint32_t, std::vector<std::vector<int64_t>>> records;  // by event id, in order
    std::map<uint32_t, std::vector<uint32_t>> counts;                // by loop id, in order
    for (int i = 0; i < 5000; ++i) {
      const uint32_t event = random() % spread, width = 1 + event % 2;
      std::vector<int64_t> values;
      for (uint32_t k = 0; k < width; ++k) values.push_back(static_cast<int64_t>(random() % 1000) - 500);
      batch.data_events.push_back(event);
      batch.data_widths.push_back(static_cast<uint8_t>(width));
      batch.data_values.insert(batch.data_values.end(), values.begin(), values.end());
      records[event].push_back(values);
      const uint32_t loop = random() % spread, count = random() % 50;
      batch.loop_counts.emplace_back(loop, count);
      counts[loop].push_back(count);
    }
    std::vector<uint8_t> bytes;
    batch.encode(bytes);
    StructureBatch back;
    back.decode(bytes.data(), bytes.size());

    std::vector<std::pair<uint32_t, uint32_t>> expected_counts;
    for (auto& [loop, list] : counts)
      for (uint32_t c : list) expected_counts.emplace_back(loop, c);
    EXPECT_EQ(back.loop_counts, expected_counts) << "spread " << spread;

    std::vector<uint32_t> expected_events;
    std::vector<int64_t> expected_values;
    for (auto& [event, list] : records)
      for (auto& values : list) {
        expected_events.push_back(event);
        expected_values.insert(expected_values.end(), values.begin(), values.end());
      }
    EXPECT_EQ(back.data_events, expected_events) << "spread " << spread;
    EXPECT_EQ(back.data_values, expected_values) << "spread " << spread;

    // Without values: the same groups and everything else, no value; then
    // decode_event_data() gives each event's values, in order.
    StructureBatch groups_only;
    groups_only.decode(bytes.data(), bytes.size(), false);
    EXPECT_EQ(groups_only.loop_counts, expected_counts) << "spread " << spread;
    EXPECT_TRUE(groups_only.data_events.empty() && groups_only.data_values.empty());
    ASSERT_EQ(groups_only.data_groups.size(), records.size()) << "spread " << spread;
    std::vector<std::vector<int64_t>> columns(spread);
    decode_event_data(bytes.data(), bytes.size(), columns);
    size_t g = 0;
    for (auto& [event, list] : records) {
      const StructureBatch::DataGroup& group = groups_only.data_groups[g++];
      EXPECT_EQ(group.event, event);
      EXPECT_EQ(group.records, list.size());
      EXPECT_EQ(group.width, list.front().size());
      std::vector<int64_t> column;
      for (auto& values : list) column.insert(column.end(), values.begin(), values.end());
      EXPECT_EQ(columns[event], column) << "event " << event;
    }
  }
}

// An EventData section whose values are damaged fails the same way whether the
// values are decoded or only passed over: a varint of 11 bytes, a group with
// fewer values than its records.
TEST(StructureBatchEncoding, DamagedDataValuesFailWithOrWithoutDecoding) {
  const std::vector<std::vector<uint8_t>> damaged{
      // tag 6, length 15: 1 group, event 0, 1 record, width 1, an 11-byte varint
      {6, 15, 1, 0, 1, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0},
      // tag 6, length 5: 1 group, event 0, 2 records, width 1, one value
      {6, 5, 1, 0, 2, 1, 5},
  };
  for (const auto& bytes : damaged) {
    StructureBatch batch;
    EXPECT_THROW(batch.decode(bytes.data(), bytes.size()), FormatError);
    EXPECT_THROW(batch.decode(bytes.data(), bytes.size(), false), FormatError);
    std::vector<std::vector<int64_t>> columns(1);
    EXPECT_THROW(decode_event_data(bytes.data(), bytes.size(), columns), FormatError);
  }
}

// The huge-page helpers are reserve, assign and insert with advice: the
// elements are the ones those give, across growth and at sizes past the 4 MiB
// where the advice starts.
TEST(HugePages, ReserveAssignAndAppendKeepTheElementsOfThePlainOperations) {
  std::vector<int64_t> v = {1, 2, 3}, reference = v;
  reserve_huge(v, 1 << 20);
  EXPECT_GE(v.capacity(), 1u << 20);
  EXPECT_EQ(v, reference);
  reserve_huge(v, 10);  // less than held: nothing changes
  EXPECT_EQ(v, reference);
  std::vector<int64_t> chunk(1000);
  for (int round = 0; round < 3000; ++round) {  // 3 million values, 24 MB: several doublings
    for (size_t i = 0; i < chunk.size(); ++i) chunk[i] = round * 1000 + static_cast<int64_t>(i);
    append_huge(v, chunk.begin() + round % 7, chunk.end());
    reference.insert(reference.end(), chunk.begin() + round % 7, chunk.end());
  }
  EXPECT_EQ(v, reference);
  assign_huge(v, 2000000, int64_t{-5});
  EXPECT_EQ(v, std::vector<int64_t>(2000000, -5));
}
