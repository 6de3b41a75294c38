// What the README promises about the recording settings, each checked where it
// shows: RONDO_CLOCK=monotonic (the clock source and the ticks in the file),
// RONDO_COMPRESSION (level 0 stores chunks uncompressed), and recorder memory
// that does not grow with the length of the run.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "expectations.h"
#include "harness.h"
#include "rondo/format/reader.h"

namespace rondo::runtime_test {
namespace {

uint64_t trace_bytes(const std::string& dir) {
  uint64_t n = 0;
  for (const auto& f : process_files(dir)) n += std::filesystem::file_size(dir + "/" + f);
  return n;
}

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

// RONDO_COMPRESSION=0 stores the chunks without zstd: the same calls take
// more bytes than at the default level, and read back the same.
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
  // zstd on a loop's timestamp column: several times smaller; 1.5x is the
  // least any compression worth its name gives here.
  EXPECT_GT(trace_bytes(plain.path()) * 2, trace_bytes(packed.path()) * 3)
      << trace_bytes(plain.path()) << " bytes at level 0, " << trace_bytes(packed.path()) << " at the default";
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
