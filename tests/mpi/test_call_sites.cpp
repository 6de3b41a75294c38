// Call sites (`rondo record --callstack N`, RONDO_CALLSTACK): a real Open MPI
// job makes the same MPI call from two functions (programs/call_sites.c). Each
// function is its own call site in `rondo stats`, named with its function, file
// and line (the line of the call, found by its marker in the source), with the
// exact number of calls; without debug information the functions are still
// named; and the time-step loop is still one loop for the grammar.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/trace_check.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr int kRanks = 2, kSteps = 50;

// Line of the call marked "SITE <function>" in the program's source.
uint32_t marked_line(const std::string& function, const char* source = CALL_SITES_SOURCE) {
  std::ifstream in(source);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find("/* SITE " + function + " */") != std::string::npos) return n;
  return 0;
}

class CallSites : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun: MPI tests skipped";
    dir_ = fs::temp_directory_path() /
           ("rondo-call-sites-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  std::string cli(const std::string& args) { return rondo::test::shell_quoted(RONDO_CLI) + " " + args; }

  // Records `program` with call sites; returns `rondo stats --json`.
  json record(const std::string& program, const std::string& trace, const std::string& args = std::to_string(kSteps)) {
    auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, kRanks,
                                           rondo::test::shell_quoted(program) + " " + args, "RONDO_CALLSTACK=8 ");
    EXPECT_EQ(job.status, 0) << job.out;
    EXPECT_TRUE(rondo::test::trace_valid(trace));
    auto stats = rondo::test::run_command(cli("stats --json " + rondo::test::shell_quoted(trace)));
    EXPECT_EQ(stats.status, 0) << stats.out;
    return json::parse(stats.out);
  }

  // mpi.call_sites of MPI_Allreduce, by function.
  static std::map<std::string, json> allreduce_sites(const json& stats) {
    std::map<std::string, json> out;
    for (const auto& s : stats["mpi"]["call_sites"])
      if (s["call"] == "MPI_Allreduce") out[s["function"].get<std::string>()] = s;
    return out;
  }

  std::string mpirun_;
  fs::path dir_;
};

TEST_F(CallSites, SameCallFromTwoFunctionsIsTwoSitesWithFunctionFileLineAndExactCounts) {
  std::string trace = (dir_ / "trace").string();
  json s = record(CALL_SITES, trace);
  auto sites = allreduce_sites(s);
  ASSERT_EQ(sites.size(), 2u) << s["mpi"].dump(1);
  const std::pair<const char*, uint64_t> expected[] = {{"exchange_halo", 2 * kSteps}, {"check_residual", kSteps}};
  int64_t all_ns = 0;
  for (const auto& [function, calls] : expected) {
    SCOPED_TRACE(function);
    ASSERT_TRUE(sites.count(function));
    const json& site = sites[function];
    EXPECT_EQ(site["calls"].get<uint64_t>(), calls * kRanks);
    EXPECT_EQ(site["line"].get<uint32_t>(), marked_line(function));
    EXPECT_EQ(fs::path(site["file"].get<std::string>()).filename(), "call_sites.c");
    EXPECT_GE(site["inclusive_ns"].get<int64_t>(), 0);
    all_ns += site["inclusive_ns"].get<int64_t>();
  }
  // The sites' time is the MPI_Allreduce region's time: every call has its site.
  for (const auto& r : s["regions"])
    if (r["name"] == "MPI_Allreduce") {
      EXPECT_EQ(r["calls"].get<uint64_t>(), 3u * kSteps * kRanks);
      EXPECT_EQ(r["inclusive_ns"].get<int64_t>(), all_ns);
    }

  // The time-step loop is still found: the call sites are identity, not data
  // that changes from call to call.
  auto info = rondo::test::run_command(cli("info --json " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(info.status, 0) << info.out;
  json i = json::parse(info.out);
  EXPECT_GE(i["grammar"]["loops"].get<int>(), 1) << info.out;
  bool loop_of_steps = false;  // one occurrence per rank, kSteps iterations
  for (const auto& l : s["loops"])
    if (l["max_trip"].get<int64_t>() == kSteps && l["events_per_iteration"].get<int64_t>() >= 3 * 2) loop_of_steps = true;
  EXPECT_TRUE(loop_of_steps) << s["loops"].dump(1);
}

TEST_F(CallSites, WithoutDebugInformationFunctionsAreStillNamed) {
  std::string trace = (dir_ / "trace").string();
  json s = record(CALL_SITES_NODEBUG, trace);
  auto sites = allreduce_sites(s);
  ASSERT_EQ(sites.size(), 2u) << s["mpi"].dump(1);
  EXPECT_EQ(sites["exchange_halo"]["calls"].get<uint64_t>(), 2u * kSteps * kRanks);
  EXPECT_EQ(sites["check_residual"]["calls"].get<uint64_t>(), 1u * kSteps * kRanks);
  EXPECT_EQ(sites["exchange_halo"]["line"].get<uint32_t>(), 0u);  // no line table
}

// A stripped program: no symbol names the two functions, so each site is named
// by its module and offset, which are the same on every rank (the run-time
// addresses differ between processes): still exactly two sites, each with the
// calls of both ranks.
TEST_F(CallSites, StrippedProgramSitesAreModulePlusOffsetAndMergeAcrossRanks) {
  std::string trace = (dir_ / "trace").string();
  json s = record(CALL_SITES_STRIPPED, trace);
  auto sites = allreduce_sites(s);
  ASSERT_EQ(sites.size(), 2u) << s["mpi"].dump(1);
  std::string module = fs::path(CALL_SITES_STRIPPED).filename().string() + "+0x";
  std::vector<uint64_t> calls;
  for (const auto& [function, site] : sites) {
    EXPECT_EQ(function.rfind(module, 0), 0u) << function;
    calls.push_back(site["calls"].get<uint64_t>());
  }
  std::sort(calls.begin(), calls.end());
  EXPECT_EQ(calls, (std::vector<uint64_t>{1u * kSteps * kRanks, 2u * kSteps * kRanks}));
}

// Wait states by call site in a program without instrumentation: no region
// encloses its receives ("(top level)"), the call sites say which function and
// line waited. Rank 1 sleeps before each send, rank 0 waits in both receives,
// kReps times each: exact instances, waiting of at least the sleep less a
// little (see test_wait_states.cpp: the waiting rank may enter late), never
// more than the time rank 0 spent in MPI_Recv.
TEST_F(CallSites, WaitStatesOfAnUninstrumentedProgramAreNamedByCallSite) {
  constexpr int kReps = 3;
  // The margin is wider than test_wait_states.cpp's: rank 0 enters
  // receive_result when it has noticed receive_halo's message, which on a
  // loaded machine was 23 ms late.
  constexpr int64_t kSleepNs = 200'000'000, kEarlyNs = 50'000'000;
  std::string trace = (dir_ / "trace").string();
  json s = record(LATE_SENDER_SITES, trace, std::to_string(kReps) + " " + std::to_string(kSleepNs / 1'000'000));
  const json* late_sender = nullptr;
  for (const auto& p : s["wait_states"]["patterns"])
    if (p["name"] == "late_sender") late_sender = &p;
  ASSERT_NE(late_sender, nullptr) << s["wait_states"].dump(1);
  SCOPED_TRACE((*late_sender)["call_sites"].dump(1));
  std::map<std::string, json> sites;
  for (const auto& site : (*late_sender)["call_sites"]) sites[site["function"].get<std::string>()] = site;
  ASSERT_EQ(sites.size(), 2u);
  int64_t recv_ns = 0;  // rank 0's time in MPI_Recv bounds its waiting
  for (const auto& r : s["regions"])
    if (r["name"] == "MPI_Recv") recv_ns += r["inclusive_ns"].get<int64_t>();
  int64_t waiting = 0;
  for (const char* function : {"receive_halo", "receive_result"}) {
    SCOPED_TRACE(function);
    ASSERT_TRUE(sites.count(function));
    const json& site = sites[function];
    uint32_t line = marked_line(function, LATE_SENDER_SITES_SOURCE);
    EXPECT_EQ(site["call"], "MPI_Recv");
    EXPECT_EQ(site["caller"], "(top level)");
    EXPECT_EQ(fs::path(site["file"].get<std::string>()).filename(), "late_sender_sites.c");
    EXPECT_EQ(site["line"].get<uint32_t>(), line);
    EXPECT_EQ(site["place"], std::string(function) + " (late_sender_sites.c:" + std::to_string(line) + ")");
    EXPECT_EQ(site["instances"].get<uint64_t>(), static_cast<uint64_t>(kReps));
    EXPECT_EQ(site["worst_rank"].get<int>(), 0);
    EXPECT_GE(site["waiting_ns"].get<int64_t>(), kReps * (kSleepNs - kEarlyNs));
    EXPECT_GE(site["worst_ns"].get<int64_t>(), kSleepNs - kEarlyNs);
    waiting += site["waiting_ns"].get<int64_t>();
  }
  EXPECT_EQ(waiting, (*late_sender)["waiting_ns"].get<int64_t>());
  EXPECT_LE(waiting, recv_ns);

  // The text report names the place where rank 0 waited.
  auto text = rondo::test::run_command(cli("stats " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("receive_halo (late_sender_sites.c:" + std::to_string(marked_line("receive_halo",
                                                                                            LATE_SENDER_SITES_SOURCE)) +
                          ")"),
            std::string::npos)
      << text.out;
}

}  // namespace
