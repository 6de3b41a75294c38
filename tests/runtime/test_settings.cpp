// What the README promises about the recording settings, each checked where it
// shows: RONDO_CLOCK=monotonic (the clock source and the ticks in the file),
// RONDO_COMPRESSION (level 0 stores chunks uncompressed), and recorder memory
// that does not grow with the length of the run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "expectations.h"
#include "harness.h"
#include "rondo/format/chunk.h"
#include "rondo/format/reader.h"
#include "rondo/format/thread_data.h"

namespace rondo::runtime_test {
namespace {

// RONDO_CLOCK=monotonic: the process's clock is CLOCK_MONOTONIC (source 1, a
// tick is a nanosecond), and every event's ticks lie between the clock's own
// start and end readings of CLOCK_MONOTONIC.
TEST(Settings, RondoClockMonotonicRecordsMonotonicNanoseconds) {
  TempDir dir;
  Outcome o = run(Launch(api_program(), {"work", "20000"}).traced(dir.path()).with_env("RONDO_CLOCK", "monotonic"));
  ASSERT_TRUE(o.exited() && o.exit_code() == 0) << o.describe();
  format::TraceReader reader(dir.path());
  ASSERT_EQ(reader.processes().size(), 1u);
  const format::ProcessReader& p = *reader.processes()[0];
  const format::ClockDef& clock = p.defs().clock;
  EXPECT_EQ(clock.source, 1u);
  EXPECT_EQ(clock.ticks_per_second, 1'000'000'000u);
  ASSERT_TRUE(clock.has_end);
  ASSERT_EQ(p.thread_count(), 1u);
  format::EventCursor cursor(p.thread(0));
  format::Event e;
  uint64_t events = 0;
  while (cursor.next(e)) {
    ++events;
    ASSERT_GE(e.ticks, clock.start_ns) << "event " << e.index;
    ASSERT_LE(e.ticks, clock.end_ns) << "event " << e.index;
  }
  EXPECT_EQ(events, 2u * 20000);
}

// How the chunks of a trace are stored: chunks per codec, and timestamp
// chunks by whether their delta block is zstd (FORMAT.md 5.2, 8.2).
struct StoredCodecs {
  uint64_t raw_chunks = 0, zstd_chunks = 0;
  uint64_t raw_delta_blocks = 0, zstd_delta_blocks = 0;
  uint64_t bytes = 0;
};

StoredCodecs stored_codecs(const std::string& dir) {
  StoredCodecs c;
  for (const auto& name : process_files(dir)) {
    std::ifstream in(dir + "/" + name, std::ios::binary);
    std::vector<uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    c.bytes += file.size();
    format::ScanResult scan = format::scan_chunks(file.data(), file.size());
    EXPECT_TRUE(scan.problems.empty() && !scan.truncated) << name;
    for (const format::ChunkRef& chunk : scan.chunks) {
      ++(chunk.header.codec == format::Codec::Zstd ? c.zstd_chunks : c.raw_chunks);
      if (chunk.header.kind != format::ChunkKind::ThreadTimestamps) continue;
      std::vector<uint8_t> payload = chunk.payload();
      bool zstd = format::decode_timestamp_info(payload.data(), payload.size()).codec & 1;
      ++(zstd ? c.zstd_delta_blocks : c.raw_delta_blocks);
    }
  }
  return c;
}

// RONDO_COMPRESSION=0 stores the chunks without zstd: every chunk, and every
// timestamp chunk's delta block, is raw on disk, and the calls read back the
// same as at the default level, which compresses. (The codecs are checked, not
// a size ratio: how well timestamps compress depends on the run's jitter, and a
// run under TSan once compressed only 1.45 times.)
TEST(Settings, RondoCompressionZeroStoresUncompressedChunks) {
  TempDir plain, packed;
  Outcome a = run(Launch(api_program(), {"work", "200000"}).traced(plain.path()).with_env("RONDO_COMPRESSION", "0"));
  Outcome b = run(Launch(api_program(), {"work", "200000"}).traced(packed.path()));
  ASSERT_TRUE(a.exited() && a.exit_code() == 0) << a.describe();
  ASSERT_TRUE(b.exited() && b.exit_code() == 0) << b.describe();
  for (const TempDir* d : {&plain, &packed}) {
    auto trace = read_trace(d->path());
    ASSERT_EQ(trace.size(), 1u);
    expect_clean(trace[0]);
    ASSERT_EQ(trace[0].threads.size(), 1u);
    EXPECT_EQ(trace[0].threads[0].count("work"), 200000u);
    EXPECT_EQ(trace[0].threads[0].replayed, 400000u);
  }
  StoredCodecs off = stored_codecs(plain.path()), on = stored_codecs(packed.path());
  EXPECT_EQ(off.zstd_chunks, 0u);
  EXPECT_EQ(off.zstd_delta_blocks, 0u);
  EXPECT_GT(off.raw_delta_blocks, 0u);
  // 400,000 timestamps take several chunks; at the default level each one's
  // deltas (a byte or two each, in a recurring pattern) shrink under zstd.
  EXPECT_GT(on.zstd_delta_blocks, 0u);
  EXPECT_EQ(on.raw_delta_blocks, 0u);
  EXPECT_GT(off.bytes, on.bytes) << off.bytes << " bytes at level 0, " << on.bytes << " at the default";
}

long peak_rss_kb(const Outcome& o) {
  size_t at = o.out.find("peak_rss_kb ");
  return at == std::string::npos ? -1 : std::strtol(o.out.c_str() + at + 12, nullptr, 10);
}

// Bounded recorder memory: 20 times the calls (8 million events instead of
// 400,000) raise the process's peak memory by less than 16 MiB. A recorder that
// kept its timestamps (8 bytes an event) would need 58 MiB more.
// Under ASan, freed blocks wait in its quarantine (256 MB by default) before
// they are reused, so peak memory grows with the bytes the run frees (measured:
// +136 MB from 200,000 to 4,000,000 calls; +1.5 MB without a quarantine): the
// two runs go without one, so that only what the recorder keeps is compared.
std::string asan_options_without_quarantine() {
#ifdef __SANITIZE_ADDRESS__
  const char* current = std::getenv("ASAN_OPTIONS");
  return std::string(current ? current : "") + ":quarantine_size_mb=0";
#else
  return "";  // with_env ignores it
#endif
}

TEST(Settings, RecorderMemoryDoesNotGrowWithTheRun) {
  TempDir short_run, long_run;
  const std::string asan = asan_options_without_quarantine();
  Outcome a = run(Launch(api_program(), {"work", "200000"}).traced(short_run.path()).with_env("ASAN_OPTIONS", asan).timeout(300));
  Outcome b =
      run(Launch(api_program(), {"work", "4000000"}).traced(long_run.path()).with_env("ASAN_OPTIONS", asan).timeout(300));
  ASSERT_TRUE(a.exited() && a.exit_code() == 0) << a.describe();
  ASSERT_TRUE(b.exited() && b.exit_code() == 0) << b.describe();
  long short_kb = peak_rss_kb(a), long_kb = peak_rss_kb(b);
  ASSERT_GT(short_kb, 0) << a.out;
  ASSERT_GT(long_kb, 0) << b.out;
  EXPECT_LT(long_kb - short_kb, 16 * 1024) << short_kb << " kB for 200,000 calls, " << long_kb << " kB for 4,000,000";
  // And the long run was recorded whole.
  auto trace = read_trace(long_run.path());
  ASSERT_EQ(trace.size(), 1u);
  ASSERT_EQ(trace[0].threads.size(), 1u);
  EXPECT_EQ(trace[0].threads[0].count("work"), 4000000u);
}

}  // namespace
}  // namespace rondo::runtime_test
