#include "rondo/format/chunk.h"

#include <zstd.h>

#include <cstring>

#include "rondo/format/crc32c.h"
#include "rondo/format/encoding.h"

namespace rondo::format {
namespace {

void put_header(uint8_t* out, const ChunkHeader& h) {
  std::vector<uint8_t> bytes;
  ByteWriter w(bytes);
  w.u32(kChunkMagic);
  w.u8(static_cast<uint8_t>(h.kind));
  w.u8(static_cast<uint8_t>(h.codec));
  w.u16(0);
  w.u32(h.thread);
  w.u32(h.sequence);
  w.u32(h.stored_size);
  w.u32(h.raw_size);
  w.u32(h.payload_crc);
  w.u32(crc32c(bytes.data(), bytes.size()));
  std::memcpy(out, bytes.data(), kChunkHeaderSize);
}

// Parses a header at `p`; false when magic or header checksum do not match.
bool parse_header(const uint8_t* p, ChunkHeader& h) {
  ByteReader r(p, kChunkHeaderSize, "chunk header");
  if (r.u32() != kChunkMagic) return false;
  h.kind = static_cast<ChunkKind>(r.u8());
  h.codec = static_cast<Codec>(r.u8());
  r.u16();
  h.thread = r.u32();
  h.sequence = r.u32();
  h.stored_size = r.u32();
  h.raw_size = r.u32();
  h.payload_crc = r.u32();
  uint32_t header_crc = r.u32();
  return header_crc == crc32c(p, kChunkHeaderSize - 4) && h.stored_size <= kMaxChunkPayload &&
         h.raw_size <= kMaxChunkPayload;
}

struct ZstdContexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
ZstdContexts& contexts() {
  thread_local ZstdContexts ctx;
  return ctx;
}

}  // namespace

size_t zstd_compress_into(uint8_t* out, size_t capacity, const uint8_t* in, size_t size, int level) {
  size_t n = ZSTD_compressCCtx(contexts().c, out, capacity, in, size, level);
  return ZSTD_isError(n) || n >= size ? 0 : n;
}

bool zstd_decompress_sized(std::vector<uint8_t>& out, size_t expected, const uint8_t* in, size_t size) {
  unsigned long long declared = ZSTD_getFrameContentSize(in, size);
  if (declared == ZSTD_CONTENTSIZE_ERROR) return false;
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != expected) return false;
  out.resize(expected);
  size_t n = ZSTD_decompressDCtx(contexts().d, out.data(), out.size(), in, size);
  return !ZSTD_isError(n) && n == expected;
}

std::vector<uint8_t> file_header(uint16_t version) {
  std::vector<uint8_t> out(kFileMagic, kFileMagic + 8);
  ByteWriter w(out);
  w.u16(version);
  w.u16(0);
  w.u32(0);
  return out;
}

std::string check_file_header(const uint8_t* data, size_t size) {
  if (size < kFileHeaderSize) return size == 0 ? "empty file" : "file shorter than its header";
  if (std::memcmp(data, kFileMagic, 8) != 0) return "not a Rondo process file (bad magic)";
  uint16_t version = static_cast<uint16_t>(data[8] | (data[9] << 8));
  if (version < kOldestReadableVersion || version > kFormatVersion)
    return "format version " + std::to_string(version) + " is not supported (this reader reads versions " +
           std::to_string(kOldestReadableVersion) + " to " + std::to_string(kFormatVersion) + ")";
  return {};
}

std::vector<uint8_t> encode_chunk(ChunkKind kind, uint32_t thread, uint32_t sequence,
                                  const std::vector<uint8_t>& payload, int level) {
  ChunkHeader h;
  h.kind = kind;
  h.thread = thread;
  h.sequence = sequence;
  h.raw_size = static_cast<uint32_t>(payload.size());
  std::vector<uint8_t> out(kChunkHeaderSize);
  if (level > 0 && payload.size() > 64) {
    size_t bound = ZSTD_compressBound(payload.size());
    out.resize(kChunkHeaderSize + bound);
    size_t n = zstd_compress_into(out.data() + kChunkHeaderSize, bound, payload.data(), payload.size(), level);
    if (n > 0) {
      out.resize(kChunkHeaderSize + n);
      h.codec = Codec::Zstd;
    }
  }
  if (h.codec == Codec::Raw) {
    out.resize(kChunkHeaderSize);
    out.insert(out.end(), payload.begin(), payload.end());
  }
  h.stored_size = static_cast<uint32_t>(out.size() - kChunkHeaderSize);
  h.payload_crc = crc32c(out.data() + kChunkHeaderSize, h.stored_size);
  put_header(out.data(), h);
  return out;
}

std::vector<uint8_t> ChunkRef::payload() const {
  if (header.codec == Codec::Raw) return {stored, stored + header.stored_size};
  if (header.codec != Codec::Zstd) throw FormatError("chunk at offset " + std::to_string(offset) + ": unknown codec");
  std::vector<uint8_t> out;
  if (!zstd_decompress_sized(out, header.raw_size, stored, header.stored_size))
    throw FormatError("chunk at offset " + std::to_string(offset) + ": zstd stream does not decode");
  return out;
}

ScanResult scan_chunks(const uint8_t* data, size_t size) {
  ScanResult result;
  uint64_t pos = kFileHeaderSize;
  uint64_t damaged_from = UINT64_MAX;  // start of bytes skipped while resynchronising
  auto close_damage = [&](uint64_t end) {
    if (damaged_from != UINT64_MAX) {
      result.problems.push_back("unreadable bytes " + std::to_string(damaged_from) + ".." + std::to_string(end) +
                                " (damaged or incompletely written chunk), skipped");
      damaged_from = UINT64_MAX;
    }
  };
  while (pos + kChunkHeaderSize <= size) {
    ChunkHeader h;
    if (!parse_header(data + pos, h)) {
      if (damaged_from == UINT64_MAX) damaged_from = pos;
      ++pos;  // resynchronise: look for the next valid header
      continue;
    }
    if (pos + kChunkHeaderSize + h.stored_size > size) {
      close_damage(pos);
      result.truncated = true;
      result.problems.push_back("chunk at offset " + std::to_string(pos) + " is cut short (file truncated)");
      return result;
    }
    close_damage(pos);
    const uint8_t* stored = data + pos + kChunkHeaderSize;
    if (crc32c(stored, h.stored_size) != h.payload_crc) {
      result.problems.push_back("chunk " + std::to_string(result.chunks.size()) + " at offset " + std::to_string(pos) +
                                ": checksum mismatch, skipped");
    } else {
      result.chunks.push_back(ChunkRef{h, pos, stored});
    }
    pos += kChunkHeaderSize + h.stored_size;
  }
  if (pos < size) {
    if (damaged_from == UINT64_MAX) damaged_from = pos;
    result.truncated = true;
  }
  close_damage(size);
  return result;
}

}  // namespace rondo::format
