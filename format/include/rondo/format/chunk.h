// Chunk framing of a process file (FORMAT.md, "Process files" and "Chunks").
//
// A process file is a 16-byte file header followed by chunks. Each chunk carries
// its own checksums, so a reader can verify, skip, or resynchronise after damage:
// a file cut by a killed job reads up to its last complete chunk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/format/error.h"

namespace rondo::format {

constexpr char kFileMagic[8] = {'R', 'O', 'N', 'D', 'O', 'T', 'R', 'C'};
// Newest version read and written. Version 2 made byte counts of messages,
// collectives and RMA per-occurrence data instead of identity (FORMAT.md 4.2,
// 7.2); everything else is as in version 1, which readers still read. Version 3
// adds timestamps rounded to a coarser unit (8.2.2, `--time-resolution`); a
// writer writes it only into files that use them, so lossless traces stay
// version 2 and readable by version-2 readers.
constexpr uint16_t kFormatVersion = 3;
constexpr uint16_t kLosslessFormatVersion = 2;
constexpr uint16_t kOldestReadableVersion = 1;
constexpr size_t kFileHeaderSize = 16;
constexpr uint32_t kChunkMagic = 0x43444E52u;  // bytes "RNDC"
constexpr size_t kChunkHeaderSize = 32;
constexpr uint32_t kProcessScope = 0xFFFFFFFFu;  // "thread" field of process-level chunks
constexpr uint32_t kMaxChunkPayload = 1u << 30;

enum class ChunkKind : uint8_t {
  ProcessDefs = 1,
  ThreadStructure = 2,
  ThreadTimestamps = 3,
  ThreadSummary = 4,
  ProcessEnd = 5,
  ThreadCounters = 6,  // counter values per event (FORMAT.md 8.4)
};

enum class Codec : uint8_t { Raw = 0, Zstd = 1 };

struct ChunkHeader {
  ChunkKind kind{};
  Codec codec = Codec::Raw;
  uint32_t thread = kProcessScope;
  uint32_t sequence = 0;  // order of the chunk within its thread (or the process)
  uint32_t stored_size = 0;
  uint32_t raw_size = 0;
  uint32_t payload_crc = 0;
};

// The 16-byte header that starts every process file.
std::vector<uint8_t> file_header(uint16_t version = kLosslessFormatVersion);
// Checks a file header; returns an empty string when valid, else the reason.
std::string check_file_header(const uint8_t* data, size_t size);

// Builds a complete chunk (header + payload), compressing the payload with zstd at
// `level` when that makes it smaller (level 0: store raw).
std::vector<uint8_t> encode_chunk(ChunkKind kind, uint32_t thread, uint32_t sequence,
                                  const std::vector<uint8_t>& payload, int level);

// zstd with one compression and one decompression context per thread, reused
// across calls (creating a context costs more than compressing a small block).
// compress_into returns 0 when the result would not be smaller than the input.
size_t zstd_compress_into(uint8_t* out, size_t capacity, const uint8_t* in, size_t size, int level);
// Decompresses one frame that must decode to exactly `expected` bytes into
// `out`; false on any error. A frame whose header records another size (a
// damaged size field) is refused before `expected` bytes are allocated.
bool zstd_decompress_sized(std::vector<uint8_t>& out, size_t expected, const uint8_t* in, size_t size);

// One chunk found by the scanner.
struct ChunkRef {
  ChunkHeader header;
  uint64_t offset = 0;  // of the chunk header in the file
  const uint8_t* stored = nullptr;  // points into the scanned buffer
  // Decompresses (or copies) the payload; throws FormatError on a bad stream.
  std::vector<uint8_t> payload() const;
};

struct ScanResult {
  std::vector<ChunkRef> chunks;         // valid chunks, in file order
  std::vector<std::string> problems;    // damage found, one readable line each
  bool truncated = false;               // the file ends inside a chunk
};

// Walks every chunk of a process file image. Never throws on damaged input: bad
// headers trigger a resynchronisation on the next valid header, payload checksum
// failures are reported with the chunk's offset and skipped.
ScanResult scan_chunks(const uint8_t* data, size_t size);

}  // namespace rondo::format
