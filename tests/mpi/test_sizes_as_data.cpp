// Message, collective and RMA sizes are per-occurrence data, not event identity
// (FORMAT.md 4.3, 7.2): a time-step loop whose messages change size every step
// (programs/varying_sizes.c) stays one loop, and every size reads back exactly,
// from the recorded trace, after an OTF2 export and re-import, through message
// matching, and from a trace written in format version 1 (sizes as parameters,
// fixtures/varying-sizes-v1) that the reader must keep reading.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "rondo/analyzer/messages.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rondo::format::CollectiveOp;
using rondo::format::EventKind;
using rondo::test::run_command;
using rondo::test::shell_quoted;

// The program's formulas (programs/varying_sizes.c).
int64_t halo(int i, int r) { return 8 * (50 + (37 * i + 11 * r) % 97); }
int64_t extra(int i, int r) { return 4 * (10 + (13 * i + r) % 31); }
int64_t probed(int i, int r) { return 1 + (7 * i + r) % 50; }
int64_t put(int i, int r) { return 8 * (1 + (i + r) % 9); }
int64_t allreduce(int i) { return 8 * (1 + i % 5); }

// One record that carries sizes: kind, tag (p1 of point-to-point kinds, else
// 0), bytes, bytes received (collectives).
using Sized = std::tuple<EventKind, int64_t, int64_t, int64_t>;

// What rank `r` records, in order, over `steps` steps.
std::vector<Sized> expected(int r, int steps) {
  const int p = 1 - r;
  std::vector<Sized> out;
  for (int i = 0; i < steps; ++i) {
    out.push_back({EventKind::MpiSend, 1, halo(i, r), 0});
    out.push_back({EventKind::MpiIrecv, 1, halo(i, p), 0});
    out.push_back({EventKind::MpiIsend, 2, extra(i, r), 0});
    out.push_back({EventKind::MpiRecv, 2, extra(i, p), 0});
    if (r == 0) {
      out.push_back({EventKind::MpiSend, 3, probed(i, 0), 0});
    } else {
      out.push_back({EventKind::MpiProbe, 3, probed(i, 0), 0});
      out.push_back({EventKind::MpiRecv, 3, probed(i, 0), 0});
    }
    out.push_back({EventKind::MpiCollectiveEnd, 0, allreduce(i), allreduce(i)});
    out.push_back({EventKind::RmaPut, 0, put(i, r), 0});
  }
  return out;
}

// The sized records of each rank's first thread, read with the reference reader.
std::map<int, std::vector<Sized>> sized_records(const std::string& dir) {
  rondo::format::TraceReader trace(dir);
  std::map<int, std::vector<Sized>> out;
  for (const auto& p : trace.processes()) {
    rondo::format::EventCursor cursor(p->thread(0));
    rondo::format::Event e;
    std::vector<Sized>& v = out[p->rank()];
    while (cursor.next(e)) {
      const auto& k = e.def->key;
      auto b = rondo::format::transfer_bytes(*e.def, e.data);
      switch (e.kind()) {
        case EventKind::MpiSend: case EventKind::MpiRecv: case EventKind::MpiIsend: case EventKind::MpiIrecv:
        case EventKind::MpiProbe:
          v.push_back({e.kind(), k.params[1], b.bytes, 0});
          break;
        case EventKind::MpiCollectiveEnd:
          if (static_cast<CollectiveOp>(k.ref) == CollectiveOp::Allreduce)
            v.push_back({e.kind(), 0, b.bytes, b.received});
          break;
        case EventKind::RmaPut:
          v.push_back({e.kind(), 0, b.bytes, 0});
          break;
        default:
          break;
      }
    }
  }
  return out;
}

// Matched messages: 5 per step, bytes as the formulas say, nothing mismatched.
void expect_matched(const std::string& dir, int steps) {
  rondo::format::TraceReader trace(dir);
  auto m = rondo::analyzer::match_all_messages(trace);
  EXPECT_EQ(m.matched, 5u * steps);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  std::map<std::pair<int, int>, int64_t> bytes, want;
  for (const auto& msg : m.messages) bytes[{msg.src, msg.dst}] += static_cast<int64_t>(msg.bytes);
  for (int i = 0; i < steps; ++i) {
    want[{0, 1}] += halo(i, 0) + extra(i, 0) + probed(i, 0);
    want[{1, 0}] += halo(i, 1) + extra(i, 1);
  }
  EXPECT_EQ(bytes, want);
}

class SizesAsData : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "mpirun not found: MPI tests skipped";
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("rondo-sizes-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // Exports `trace` to OTF2 and imports it back; returns the new trace directory.
  std::string otf2_round_trip(const std::string& trace, const std::string& name) {
    auto exported = run_command(shell_quoted(RONDO_CLI) + " export --format otf2 -o " + shell_quoted(path(name)) +
                                " " + shell_quoted(trace));
    EXPECT_EQ(exported.status, 0) << exported.out;
    std::string back = path(name + "-imported");
    auto imported = run_command(shell_quoted(RONDO_CLI) + " import -o " + shell_quoted(back) + " " +
                                shell_quoted(path(name) + "/traces.otf2"));
    EXPECT_EQ(imported.status, 0) << imported.out;
    return back;
  }
  fs::path dir_;
  std::string mpirun_;
};

TEST_F(SizesAsData, StepsWhoseSizesChangeAreOneLoopAndEverySizeReadsBack) {
  constexpr int kSteps = 60;
  std::string trace = path("trace");
  auto rec = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                         shell_quoted(VARYING_SIZES) + " " + std::to_string(kSteps));
  ASSERT_EQ(rec.status, 0) << rec.out;
  ASSERT_NE(rec.out.find("varying_sizes: 60 steps ok"), std::string::npos) << rec.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));

  // Every size, in order, as the program sent it.
  auto sized = sized_records(trace);
  for (int r : {0, 1}) EXPECT_EQ(sized[r], expected(r, kSteps)) << "rank " << r;
  expect_matched(trace, kSteps);

  // The steps are one loop of kSteps iterations on each rank, and the top level
  // holds little more than MPI_Init, the window, that loop and MPI_Finalize.
  rondo::format::TraceReader reader(trace);
  for (const auto& p : reader.processes()) {
    SCOPED_TRACE("rank " + std::to_string(p->rank()));
    const auto& t = p->thread(0);
    EXPECT_LE(t.top_level().size(), 20u);
    uint32_t longest = 0;
    for (rondo::format::Token tok : t.top_level())
      if (tok.kind() == rondo::format::TokenKind::Loop)
        for (uint32_t n : t.loop_counts(tok.id())) longest = std::max(longest, n);
    EXPECT_GE(longest, static_cast<uint32_t>(kSteps - 1));
  }

  // rondo stats: the messages' bytes per pair, from the data columns.
  auto stats = run_command(shell_quoted(RONDO_CLI) + " stats --json " + shell_quoted(trace) + " 2>/dev/null");
  ASSERT_EQ(stats.status, 0) << stats.out;
  json m = json::parse(stats.out)["mpi"];
  int64_t to1 = 0, to0 = 0, reduced = 0;
  for (int i = 0; i < kSteps; ++i) {
    to1 += halo(i, 0) + extra(i, 0) + probed(i, 0);
    to0 += halo(i, 1) + extra(i, 1);
    reduced += 2 * allreduce(i);
  }
  EXPECT_EQ(m["matrix_bytes"][0][1], to1);
  EXPECT_EQ(m["matrix_bytes"][1][0], to0);
  int64_t allreduce_bytes = -1;
  for (const json& o : m["collectives"]["operations"])
    if (o["name"] == "allreduce") allreduce_bytes = o["bytes"].get<int64_t>();
  EXPECT_EQ(allreduce_bytes, reduced);

  // rondo info --sizes: every byte of the process files in exactly one part,
  // per thread and in total; the sizes are in the event data.
  auto info = run_command(shell_quoted(RONDO_CLI) + " info --sizes --json " + shell_quoted(trace) + " 2>/dev/null");
  ASSERT_EQ(info.status, 0) << info.out;
  json sizes = json::parse(info.out)["sizes"];
  uint64_t files = 0, events = 0;
  for (const auto& f : fs::directory_iterator(trace))
    if (f.path().extension() == ".rnd") files += fs::file_size(f.path());
  auto parts_sum = [](const json& account) {
    uint64_t n = 0;
    for (const auto& [name, part] : account["parts"].items()) n += part["stored"].get<uint64_t>();
    return n;
  };
  EXPECT_EQ(sizes["total"]["stored"].get<uint64_t>(), files);
  EXPECT_EQ(parts_sum(sizes["total"]), files);
  uint64_t threads_and_process = parts_sum(sizes["process_level"]);
  ASSERT_EQ(sizes["threads"].size(), 2u);
  for (const json& t : sizes["threads"]) {
    threads_and_process += parts_sum(t);
    events += t["events"].get<uint64_t>();
    EXPECT_GT(t["parts"]["event_data"]["stored"].get<uint64_t>(), 0u);
    EXPECT_GT(t["parts"]["timestamps"]["stored"].get<uint64_t>(), 0u);
    EXPECT_GE(t["parts"]["event_data"]["decoded"].get<uint64_t>(), t["parts"]["event_data"]["stored"].get<uint64_t>());
  }
  EXPECT_EQ(threads_and_process, files);
  EXPECT_EQ(events, json::parse(info.out)["events"].get<uint64_t>());

  // OTF2 export and import keep every size.
  std::string back = otf2_round_trip(trace, "otf2");
  auto again = sized_records(back);
  for (int r : {0, 1}) EXPECT_EQ(again[r], expected(r, kSteps)) << "rank " << r;
  expect_matched(back, kSteps);

  // rondo print shows each occurrence's size.
  auto printed = run_command(shell_quoted(RONDO_CLI) + " print --thread 0:0 " + shell_quoted(trace));
  ASSERT_EQ(printed.status, 0) << printed.out;
  for (int i : {0, 1, 59})
    EXPECT_NE(printed.out.find("MPI_SEND peer=1 tag=1 comm=0 bytes=" + std::to_string(halo(i, 0))), std::string::npos)
        << i;
}

// A trace written before sizes were data (format version 1): the same sizes,
// read from the parameters, by the reader, the matching and the OTF2 export.
TEST_F(SizesAsData, VersionOneTracesKeepTheirSizes) {
  const std::string v1 = std::string(RONDO_TEST_FIXTURES) + "/varying-sizes-v1";
  constexpr int kSteps = 20;
  EXPECT_TRUE(rondo::test::trace_valid(v1));
  auto sized = sized_records(v1);
  for (int r : {0, 1}) EXPECT_EQ(sized[r], expected(r, kSteps)) << "rank " << r;
  expect_matched(v1, kSteps);
  std::string back = otf2_round_trip(v1, "v1-otf2");
  auto again = sized_records(back);
  for (int r : {0, 1}) EXPECT_EQ(again[r], expected(r, kSteps)) << "rank " << r;
  auto printed = run_command(shell_quoted(RONDO_CLI) + " print --thread 0:0 " + shell_quoted(v1));
  EXPECT_NE(printed.out.find("MPI_SEND peer=1 tag=1 comm=0 bytes=" + std::to_string(halo(0, 0))), std::string::npos)
      << printed.out;
}

}  // namespace
