#include <gtest/gtest.h>

#include "rondo/format/chunk.h"
#include "rondo/format/crc32c.h"
#include "rondo/format/encoding.h"

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
