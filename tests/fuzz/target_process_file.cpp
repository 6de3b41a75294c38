// Fuzz target: a damaged or hostile process file read as a one-process trace.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "trace_exercise.h"
#include "rondo/format/chunk.h"
#include "rondo/format/crc32c.h"

namespace rondo::fuzz {
namespace {

using namespace rondo::format;

uint32_t get_u32(const std::vector<uint8_t>& b, size_t at) {
  return b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (static_cast<uint32_t>(b[at + 3]) << 24);
}
void put_u32(std::vector<uint8_t>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = static_cast<uint8_t>(v >> (8 * i));
}

// Recomputes the checksums of every chunk header found (chunk.cpp's layout:
// stored size at +16, payload CRC at +24, header CRC at +28), so that the fuzzer
// mutates what lies behind them instead of being stopped by them.
void repair_checksums(std::vector<uint8_t>& b) {
  size_t pos = kFileHeaderSize;
  while (pos + kChunkHeaderSize <= b.size()) {
    if (get_u32(b, pos) != kChunkMagic) {
      ++pos;
      continue;
    }
    uint64_t stored = get_u32(b, pos + 16);
    bool whole = pos + kChunkHeaderSize + stored <= b.size();
    if (whole) put_u32(b, pos + 24, crc32c(b.data() + pos + kChunkHeaderSize, stored));
    put_u32(b, pos + 28, crc32c(b.data() + pos, kChunkHeaderSize - 4));
    pos += whole ? kChunkHeaderSize + stored : 1;
  }
}

// A directory holding the one process file, rewritten for each input.
const std::string& trace_dir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/rondo-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data())) std::abort();
    static std::string cleanup;
    cleanup = pattern;
    std::atexit([] {
      std::remove((cleanup + "/fuzz.rnd").c_str());
      rmdir(cleanup.c_str());
    });
    return pattern;
  }();
  return dir;
}

void write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) std::abort();
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size()) std::abort();
  std::fclose(f);
}

}  // namespace

int process_file(const uint8_t* data, size_t size) {
  std::vector<uint8_t> bytes(data, data + size);
  if (size < kFileHeaderSize || !(data[15] & 1)) repair_checksums(bytes);
  const std::string path = trace_dir() + "/fuzz.rnd";
  write_file(path, bytes);

  exercise_trace(trace_dir());
  return 0;
}

}  // namespace rondo::fuzz
