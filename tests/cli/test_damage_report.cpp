// One flipped byte in a THREAD_STRUCTURE chunk in the middle of a real thread:
// every command reports the same damage the same way (FORMAT.md 5.5: the
// thread is truncated at the gap). `rondo info` and `rondo stats` name the
// thread with the events every command reads and the count its summary
// (which the events no longer confirm) gives; print, stats, check and export
// all see the same readable events.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>

#include "../common/run_command.h"
#include "rondo/format/chunk.h"
#include "rondo/format/thread_data.h"

namespace {

const std::string kRondo = RONDO_CLI;

uint64_t number_before(const std::string& text, const std::string& suffix) {
  std::smatch m;
  std::string digits;
  if (!std::regex_search(text, m, std::regex("([0-9,]+) " + suffix))) return UINT64_MAX;
  for (char c : m[1].str())
    if (c != ',') digits += c;
  return std::stoull(digits);
}

class DamageReport : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("rondo-damage-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  nlohmann::json json(const std::string& command) {
    auto r = rondo::test::run_command(command + " 2>/dev/null");
    EXPECT_EQ(r.status, 0) << command << "\n" << r.out;
    return nlohmann::json::parse(r.out);
  }
  std::filesystem::path dir_;
};

}  // namespace

TEST_F(DamageReport, DamagedMiddleStructureChunkIsTheSameTruncationInEveryCommand) {
  std::string trace = path("pc.rondo");
  // Small batches: each thread writes a structure chunk every 1000 events.
  auto rec = rondo::test::run_command("RONDO_BATCH_EVENTS=1000 " + kRondo + " record -t pthread -o " + trace + " " +
                                      PRODUCER_CONSUMER + " 2 2 5000");
  ASSERT_EQ(rec.status, 0) << rec.out;
  std::string file;
  for (auto& e : std::filesystem::directory_iterator(trace))
    if (e.path().extension() == ".rnd") file = e.path().string();
  ASSERT_FALSE(file.empty());
  std::vector<uint8_t> bytes;
  {
    std::ifstream in(file, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  // Thread 1's structure chunks in sequence order; flip a byte in the middle one.
  std::vector<rondo::format::ChunkRef> structure;
  for (auto& c : rondo::format::scan_chunks(bytes.data(), bytes.size()).chunks)
    if (c.header.thread == 1 && c.header.kind == rondo::format::ChunkKind::ThreadStructure) structure.push_back(c);
  ASSERT_GE(structure.size(), 4u) << "the thread needs structure chunks before and after the damaged one";
  std::sort(structure.begin(), structure.end(),
            [](auto& a, auto& b) { return a.header.sequence < b.header.sequence; });
  const auto& victim = structure[structure.size() / 2];
  // What must still be read (FORMAT.md 5.5: the thread is cut at the gap):
  // every event whose timestamps lie in the thread's chunks before the damaged
  // one. A batch's structure chunk is written before its timestamp chunk, so
  // the structure before the gap describes exactly these events.
  uint64_t before_gap = 0;
  for (auto& c : rondo::format::scan_chunks(bytes.data(), bytes.size()).chunks)
    if (c.header.thread == 1 && c.header.kind == rondo::format::ChunkKind::ThreadTimestamps &&
        c.header.sequence < victim.header.sequence) {
      auto payload = c.payload();
      before_gap += rondo::format::decode_timestamp_info(payload.data(), payload.size()).count;
    }
  ASSERT_GT(before_gap, 0u);
  bytes[victim.offset + 32 + victim.header.stored_size / 2] ^= 0x40;
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }

  // info: not complete; thread 0:1 truncated, fewer events readable than recorded.
  auto info = json(kRondo + " info --json " + trace);
  EXPECT_TRUE(info["truncated"].get<bool>());
  ASSERT_EQ(info["truncated_threads"].size(), 1u) << info.dump();
  auto damaged = info["truncated_threads"][0];
  EXPECT_EQ(damaged["rank"], 0);
  EXPECT_EQ(damaged["thread"], 1);
  uint64_t readable = damaged["events"], recorded = damaged["recorded_events"];
  EXPECT_EQ(readable, before_gap);  // exactly the chunks before the damage still read
  EXPECT_LT(readable, recorded);
  uint64_t total = info["events"];
  auto text = rondo::test::run_command(kRondo + " info " + trace);
  EXPECT_NE(text.out.find("complete   no"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("truncated: rank 0 thread 1: "), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("events readable of"), std::string::npos) << text.out;

  // print: the same readable events for that thread, marked incomplete.
  auto print = rondo::test::run_command(kRondo + " print " + trace + " --thread 0:1");
  EXPECT_EQ(number_before(print.out, "events, grammar"), readable) << print.out.substr(0, 300);
  EXPECT_NE(print.out.find("(incomplete)"), std::string::npos);
  size_t enters = 0;
  for (size_t at = 0; (at = print.out.find("ENTER pthread_mutex_lock", at)) != std::string::npos; ++at) ++enters;

  // stats: the same truncation, and calls counted from the readable events, not
  // from the summary after the gap.
  auto stats = json(kRondo + " stats --json --by thread " + trace);
  EXPECT_TRUE(stats["truncated"].get<bool>());
  EXPECT_EQ(stats["truncated_threads"], info["truncated_threads"]);
  uint64_t locks = 0;
  for (auto& r : stats["regions"])
    if (r["name"] == "pthread_mutex_lock" && r["thread"] == 1) locks = r["calls"];
  EXPECT_EQ(locks, enters);
  auto stats_text = rondo::test::run_command(kRondo + " stats " + trace);
  EXPECT_NE(stats_text.out.find("truncated: rank 0 thread 1"), std::string::npos);
  EXPECT_NE(stats_text.out.find("which the events no longer confirm"), std::string::npos);

  // python: the same info, and the same events for that thread.
#ifdef RONDO_PYTHONPATH
  auto py = rondo::test::run_command(
      "PYTHONPATH=" + std::string(RONDO_PYTHONPATH) + " python3 -c 'import json, sys, rondo; t = rondo.open(sys.argv[1]); "
      "i = t.info(); print(json.dumps({\"truncated\": i[\"truncated\"], \"threads\": i[\"truncated_threads\"], "
      "\"events\": sum(1 for _ in t.events(0, 1))}))' " + trace + " 2>&1");
  ASSERT_EQ(py.status, 0) << py.out;
  auto from_python = nlohmann::json::parse(py.out);
  EXPECT_TRUE(from_python["truncated"].get<bool>());
  EXPECT_EQ(from_python["threads"], info["truncated_threads"]);
  EXPECT_EQ(from_python["events"], readable);
#endif

  // check: the thread is cut short, no contradiction between summary and events.
  auto check = rondo::test::run_command(kRondo + " check " + trace);
  EXPECT_EQ(number_before(check.out, "events,"), total) << check.out;
  EXPECT_NE(check.out.find("1 cut short"), std::string::npos) << check.out;
  EXPECT_EQ(check.out.find("violation"), std::string::npos) << check.out;
  EXPECT_EQ(check.status, 0) << check.out;

  // export: the same events, and a note that the trace is damaged.
  auto exported = rondo::test::run_command(kRondo + " export " + trace + " --format chrome -o " + path("t.json"));
  EXPECT_EQ(exported.status, 0) << exported.out;
  EXPECT_EQ(number_before(exported.out, "events \\("), total) << exported.out;
  EXPECT_NE(exported.out.find("damage"), std::string::npos) << exported.out;
}
