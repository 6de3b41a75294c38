// Truncated, corrupted and empty traces: read what is intact, say what is not,
// never crash or hang.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "stream_generator.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

const auto& read_file = test::read_bytes;
const auto& write_file = test::write_bytes;

// Reads everything a damaged trace offers; returns events per thread.
size_t read_all(const std::string& dir) {
  size_t events = 0;
  try {
    TraceReader r(dir);
    for (auto& p : r.processes())
      for (size_t i = 0; i < p->thread_count(); ++i) {
        try {
          events += test::replay(p->thread(i)).size();
        } catch (const FormatError&) {
          // a reported error is an acceptable outcome for damaged data
        }
      }
  } catch (const FormatError&) {
  }
  return events;
}

}  // namespace

TEST(DamagedTraces, TruncatedFilesReadAPrefixAndSaySo) {
  test::TempDir dir;
  test::StreamGenerator gen(5, 5);
  auto ops = gen.run(30000);
  std::string path = dir.file("p0.rnd");
  test::write_process(path, 1, 8, [&](int, ThreadWriter& w) { test::StreamGenerator::record(ops, w); }, 2000);
  auto full = read_file(path);
  size_t previous = 0;
  for (size_t cut : {full.size() - 1, full.size() * 3 / 4, full.size() / 2, full.size() / 4, size_t{100}, size_t{20}}) {
    write_file(path, std::vector<uint8_t>(full.begin(), full.begin() + static_cast<long>(cut)));
    TraceReader r(dir.str());
    EXPECT_TRUE(r.truncated()) << "cut at " << cut;
    const ProcessReader& p = *r.processes()[0];
    if (p.thread_count() == 0) continue;
    const ThreadTrace& t = p.thread(0);
    // The last byte belongs to the process end record: the thread is complete then.
    EXPECT_EQ(t.truncated(), cut < full.size() - 1) << "cut at " << cut;
    auto events = test::replay(t);
    // Whatever is read is exactly the beginning of what was recorded.
    for (size_t i = 0; i < events.size(); ++i) ASSERT_EQ(events[i].ticks, ops[i].ticks) << "cut " << cut;
    if (cut < full.size() - 1) {
      EXPECT_LE(events.size(), previous);
    }
    previous = events.size();
  }
}

TEST(DamagedTraces, RandomCorruptionNeverCrashes) {
  test::TempDir dir;
  test::StreamGenerator gen(8, 5);
  auto ops = gen.run(20000);
  std::string path = dir.file("p0.rnd");
  test::write_process(path, 2, 8, [&](int, ThreadWriter& w) { test::StreamGenerator::record(ops, w); }, 1500);
  auto full = read_file(path);
  std::mt19937_64 rng(1);
  for (int trial = 0; trial < 200; ++trial) {
    auto bytes = full;
    int flips = 1 + static_cast<int>(rng() % 8);
    for (int f = 0; f < flips; ++f) bytes[16 + rng() % (bytes.size() - 16)] ^= static_cast<uint8_t>(1 + rng() % 255);
    write_file(path, bytes);
    size_t n = read_all(dir.str());
    EXPECT_LE(n, 2 * ops.size());
  }
}

TEST(DamagedTraces, CorruptedChunkIsReportedWithFileAndOffset) {
  test::TempDir dir;
  test::StreamGenerator gen(9, 5);
  auto ops = gen.run(10000);
  std::string path = dir.file("p0.rnd");
  test::write_process(path, 1, 8, [&](int, ThreadWriter& w) { test::StreamGenerator::record(ops, w); }, 1000);
  auto bytes = read_file(path);
  bytes[bytes.size() / 2] ^= 0x5A;
  write_file(path, bytes);
  TraceReader r(dir.str());
  auto problems = r.problems();
  ASSERT_FALSE(problems.empty());
  EXPECT_NE(problems[0].find("p0.rnd"), std::string::npos);
  EXPECT_NE(problems[0].find("offset"), std::string::npos);
  EXPECT_TRUE(r.processes()[0]->thread(0).truncated());
}

TEST(DamagedTraces, EmptyAndMissingTracesGiveClearErrors) {
  test::TempDir dir;
  try {
    TraceReader r(dir.str());
    FAIL() << "an empty directory is not a trace";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("no process files"), std::string::npos);
  }
  write_file(dir.file("p0.rnd"), {});
  try {
    TraceReader r(dir.str());
    FAIL() << "an empty process file must be rejected";
  } catch (const FormatError& e) {
    EXPECT_NE(std::string(e.what()).find("empty file"), std::string::npos);
  }
  EXPECT_THROW(TraceReader(dir.file("does-not-exist")), FormatError);
}

TEST(DamagedTraces, KilledJobInsideOneLongCallReplaysUpToTheLastBatch) {
  // main { loop of f(); g() } never returns: a job killed at this point (the file
  // simply ends) must still replay everything up to its last complete batch.
  test::TempDir dir;
  std::vector<test::Op> ops;
  uint64_t now = 0;
  ops.push_back(test::Op(test::Op::Enter, 0, now += 5));
  for (int i = 0; i < 20000; ++i) {
    ops.push_back(test::Op(test::Op::Enter, 1, now += 3 + i % 4));
    ops.push_back(test::Op(test::Op::Leave, 1, now += 2));
    if (i % 7 == 6) {
      ops.push_back(test::Op(test::Op::Enter, 2, now += 3));
      ops.push_back(test::Op(test::Op::Leave, 2, now += 1));
    }
  }
  std::string path = dir.file("p0.rnd");
  // No flush(true), no end record: what a SIGKILL leaves behind.
  test::write_killed_process(path, 1000, [&](ThreadWriter& w) { test::StreamGenerator::record(ops, w); });
  TraceReader r(dir.str());
  const ThreadTrace& t = r.processes()[0]->thread(0);
  EXPECT_TRUE(t.truncated());
  auto events = test::replay(t);
  // Every complete batch replays: all but the last partial one.
  EXPECT_EQ(events.size(), ops.size() / 1000 * 1000);
  for (size_t i = 0; i < events.size(); ++i) {
    ASSERT_EQ(events[i].ticks, ops[i].ticks) << i;
    ASSERT_EQ(events[i].def->key.ref, ops[i].region) << i;
  }
}
