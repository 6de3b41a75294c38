// End to end through the `rondo` command: record real programs, then check what
// `info`, `stats` and `print` report, with exact counts.
#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <set>
#include <vector>

namespace {

using Result = rondo::test::CommandResult;

inline Result run(const std::string& command) { return rondo::test::run_command(command); }

const std::string kRondo = RONDO_CLI;

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("rondo-cli-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  // The JSON a command prints on stdout; what it says on stderr (notes,
  // warnings) goes to last_stderr().
  nlohmann::json json(const std::string& command) {
    Result r = run("{ " + command + " 2>" + path("stderr.txt") + "; }");
    EXPECT_EQ(r.status, 0) << r.out << last_stderr();
    return nlohmann::json::parse(r.out);
  }
  std::string last_stderr() const {
    std::ifstream in(path("stderr.txt"));
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static size_t lines(const std::string& text) {
    size_t n = 0;
    for (char c : text) n += c == '\n';
    return n;
  }
  // When nested_loops' step() calls began and the last one ended, in ns since
  // the trace's start (from `rondo print`). Tests place their windows by these,
  // not by shares of the run's duration: the first step (lazy binding, first
  // definitions) or the exit may take any time on a loaded machine.
  struct StepTimes {
    std::vector<int64_t> enters;
    int64_t last_leave = -1;
  };
  StepTimes step_times(const std::string& trace) {
    Result events = run(kRondo + " print " + trace);
    EXPECT_EQ(events.status, 0) << events.out.substr(0, 2000);
    StepTimes out;
    std::istringstream lines(events.out);
    for (std::string line; std::getline(lines, line);) {
      std::istringstream fields(line);
      double us;
      std::string unit, location, what, name;
      if (!(fields >> us >> unit >> location >> what >> name) || unit != "us" || name != "step") continue;
      int64_t ns = std::llround(us * 1000);
      if (what == "ENTER") out.enters.push_back(ns);
      if (what == "LEAVE") out.last_leave = ns;
    }
    return out;
  }
  static std::map<std::string, nlohmann::json> regions(const nlohmann::json& stats) {
    std::map<std::string, nlohmann::json> out;
    for (auto& r : stats["regions"]) out[r["name"].get<std::string>()] = r;
    return out;
  }
  std::filesystem::path dir_;
};

TEST_F(Cli, CompilerInstrumentedProgramGivesExactCallCounts) {
  std::string trace = path("loops.rondo");
  Result rec = run(kRondo + " record -o " + trace + " -- " + NESTED_LOOPS + " 1000");
  ASSERT_EQ(rec.status, 0) << rec.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  EXPECT_NE(rec.out.find("nested_loops: 1000 steps"), std::string::npos);
  EXPECT_NE(rec.out.find("trace written to"), std::string::npos);

  auto stats = json(kRondo + " stats --json " + trace);
  auto r = regions(stats);
  EXPECT_EQ(r["main"]["calls"], 1);
  EXPECT_EQ(r["step"]["calls"], 1000);
  EXPECT_EQ(r["relax"]["calls"], 2500);  // sum over i < 1000 of 1 + i % 4
  EXPECT_EQ(r["exchange"]["calls"], 1000);
  EXPECT_EQ(r["reduce"]["calls"], 100);
  // Inclusive of main covers everything; exclusive never exceeds inclusive.
  for (auto& [name, row] : r) {
    EXPECT_LE(row["exclusive_ns"].get<int64_t>(), row["inclusive_ns"].get<int64_t>()) << name;
    EXPECT_LE(row["min_ns"].get<int64_t>(), row["max_ns"].get<int64_t>()) << name;
  }
  EXPECT_GE(r["main"]["inclusive_ns"].get<int64_t>(), r["step"]["inclusive_ns"].get<int64_t>());
  EXPECT_EQ(stats["mpi"]["messages"]["count"], 0);

  auto info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["processes"], 1);
  EXPECT_EQ(info["threads"], 1);
  EXPECT_EQ(info["events"], 2 * (1 + 1000 + 2500 + 1000 + 100));
  EXPECT_EQ(info["truncated"], false);
  EXPECT_GT(info["grammar"]["loops"].get<int>(), 0);
  EXPECT_GT(info["bytes"].get<int64_t>(), 0);

  Result grammar = run(kRondo + " print --grammar " + trace);
  ASSERT_EQ(grammar.status, 0);
  EXPECT_NE(grammar.out.find("loop L"), std::string::npos) << grammar.out;
  EXPECT_NE(grammar.out.find("relax"), std::string::npos);

  Result events = run(kRondo + " print --limit 5 --thread 0:0 " + trace);
  ASSERT_EQ(events.status, 0);
  EXPECT_NE(events.out.find("ENTER main"), std::string::npos);
  EXPECT_NE(events.out.find("--limit 5 reached"), std::string::npos);
}

// --time-resolution rounds timestamps (FORMAT.md 8.2.2): the same events and
// call counts as a lossless recording, a version-3 file (lossless: version 2),
// and `rondo info` stating the step and the bound; a bad value starts nothing.
TEST_F(Cli, TimeResolutionRoundsTimestampsAndInfoStatesTheBound) {
  auto version_of = [](const std::string& trace) {
    for (auto& f : std::filesystem::directory_iterator(trace))
      if (f.path().extension() == ".rnd") {
        std::ifstream in(f.path(), std::ios::binary);
        unsigned char h[10] = {};
        in.read(reinterpret_cast<char*>(h), sizeof h);
        return h[8] | h[9] << 8;
      }
    return -1;
  };
  std::string exact = path("exact.rondo"), rounded = path("rounded.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + exact + " -- " + NESTED_LOOPS + " 1000").status, 0);
  Result rec = run(kRondo + " record --time-resolution 1us -o " + rounded + " -- " + NESTED_LOOPS + " 1000");
  ASSERT_EQ(rec.status, 0) << rec.out;
  EXPECT_TRUE(rondo::test::trace_valid(rounded));
  EXPECT_EQ(version_of(exact), 2);
  EXPECT_EQ(version_of(rounded), 3);

  auto a = json(kRondo + " info --json " + exact), b = json(kRondo + " info --json " + rounded);
  EXPECT_EQ(a["events"], b["events"]);
  EXPECT_EQ(a["time_resolution_ns"].get<double>(), 0.0);
  EXPECT_EQ(a["time_error_ns"].get<double>(), 0.0);
  // 1 us in whole ticks of the calibrated clock: within a tick of 1000 ns.
  EXPECT_NEAR(b["time_resolution_ns"].get<double>(), 1000.0, 5.0);
  EXPECT_DOUBLE_EQ(b["time_error_ns"].get<double>(), b["time_resolution_ns"].get<double>() / 2);
  Result text = run(kRondo + " info " + rounded);
  EXPECT_NE(text.out.find("timestamps rounded to"), std::string::npos) << text.out;
  EXPECT_NE(run(kRondo + " info " + exact).out.find("timestamps lossless"), std::string::npos);

  auto ra = regions(json(kRondo + " stats --json " + exact)), rb = regions(json(kRondo + " stats --json " + rounded));
  for (const char* name : {"main", "step", "relax", "exchange", "reduce"}) EXPECT_EQ(ra[name]["calls"], rb[name]["calls"]) << name;
  EXPECT_EQ(run(kRondo + " print --limit 50 --thread 0:0 " + rounded).status, 0);

  Result bad = run(kRondo + " record --time-resolution fast -o " + path("bad.rondo") + " -- " + NESTED_LOOPS + " 10");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("rondo: --time-resolution fast"), std::string::npos) << bad.out;
  EXPECT_FALSE(std::filesystem::exists(path("bad.rondo")));
}

// --poll-times takes exact or count; anything else is one line and nothing runs.
// (What count records: tests/mpi/test_mpi_polls.cpp, tests/openmp/test_openmp.cpp.)
TEST_F(Cli, PollTimesIsExactOrCount) {
  Result bad = run(kRondo + " record --poll-times sometimes -o " + path("bad.rondo") + " -- " + NESTED_LOOPS + " 10");
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.out.find("rondo: --poll-times sometimes: give exact"), std::string::npos) << bad.out;
  EXPECT_FALSE(std::filesystem::exists(path("bad.rondo")));
  for (const char* mode : {"exact", "count"}) {
    SCOPED_TRACE(mode);
    std::string trace = path(std::string("loops_") + mode + ".rondo");
    Result ok = run(kRondo + " record --poll-times " + mode + " -o " + trace + " -- " + NESTED_LOOPS + " 100");
    EXPECT_EQ(ok.status, 0) << ok.out;
    EXPECT_TRUE(rondo::test::trace_valid(trace));
  }
}

TEST_F(Cli, ApiProgramRegionsAndMarker) {
  std::string trace = path("heat.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + HEAT_SOLVER + " 200").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto r = regions(json(kRondo + " stats --json " + trace));
  EXPECT_EQ(r["solve"]["calls"], 1);
  EXPECT_EQ(r["diffuse"]["calls"], 200);
  EXPECT_EQ(r["apply_boundary"]["calls"], 200);
  EXPECT_EQ(r["residual"]["calls"], 20);
  auto info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["events"], 2 * (1 + 200 + 200 + 20) + 1);  // + the marker
  Result events = run(kRondo + " print " + trace);
  EXPECT_NE(events.out.find("MARKER \"converged\""), std::string::npos);
}

TEST_F(Cli, ThreadsAreSeparateLocationsWithExactCounts) {
  std::string trace = path("workers.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + WORKER_THREADS + " 4 300").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto stats = json(kRondo + " stats --json --by thread " + trace);
  int workers = 0;
  for (auto& row : stats["regions"]) {
    if (row["name"] == "process_task") {
      EXPECT_EQ(row["calls"], 300);
      EXPECT_GE(row["thread"].get<int>(), 1);
      ++workers;
    }
  }
  EXPECT_EQ(workers, 4);
  EXPECT_EQ(json(kRondo + " info --json " + trace)["threads"], 5);
  auto all = json(kRondo + " stats --json " + trace);
  auto total = regions(all);
  EXPECT_EQ(total["process_task"]["calls"], 1200);
  EXPECT_EQ(total["worker"]["calls"], 4);
  // The run spans every thread: at least the main thread's spawn-and-join.
  // (1 ns of slack: the two are rounded from ticks separately.)
  EXPECT_GE(all["duration_ns"].get<int64_t>() + 1, total["spawn_and_join"]["inclusive_ns"].get<int64_t>());
}

TEST_F(Cli, CsvOutputHasOneRowPerRegion) {
  std::string trace = path("csv.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 50").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  Result r = run(kRondo + " stats --csv " + path("csv") + " " + trace);
  ASSERT_EQ(r.status, 0) << r.out;
  std::ifstream in(path("csv") + "/regions.csv");
  std::string line;
  int lines = 0;
  std::getline(in, line);
  EXPECT_EQ(line, "name,calls,inclusive_ns,exclusive_ns,min_ns,mean_ns,max_ns,stddev_ns");
  while (std::getline(in, line)) ++lines;
  EXPECT_EQ(lines, 5);  // main, step, relax, exchange, reduce
}

TEST_F(Cli, StatsHasCallPathsStandardDeviationsAndLoops) {
  std::string trace = path("tree.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 1000").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto stats = json(kRondo + " stats --json " + trace);
  std::map<std::string, nlohmann::json> paths;
  for (auto& c : stats["call_tree"]) paths[c["path"].get<std::string>()] = c;
  EXPECT_EQ(paths["main"]["calls"], 1);
  EXPECT_EQ(paths["main > step"]["calls"], 1000);
  EXPECT_EQ(paths["main > step > relax"]["calls"], 2500);
  EXPECT_EQ(paths["main > step > exchange"]["calls"], 1000);
  EXPECT_EQ(paths["main > step"]["depth"], 1);
  // The call tree's times are the flat profile's when every region has one caller.
  auto r = regions(stats);
  EXPECT_EQ(paths["main > step > relax"]["inclusive_ns"], r["relax"]["inclusive_ns"]);
  EXPECT_GT(r["step"]["stddev_ns"].get<double>(), 0.0);
  EXPECT_EQ(r["main"]["stddev_ns"].get<double>(), 0.0);  // one call
  // Loops: the step loop runs 1000 times (once, in main).
  uint64_t iterations = 0;
  for (auto& l : stats["loops"]) iterations = std::max(iterations, l["iterations"].get<uint64_t>());
  EXPECT_GE(iterations, 999u);
  // Text: every section present.
  Result text = run(kRondo + " stats " + trace);
  ASSERT_EQ(text.status, 0);
  for (auto title : {"Flat profile", "Call tree", "Loops"}) EXPECT_NE(text.out.find(title), std::string::npos) << title;
}

// --sections: each section alone gives exactly its keys of the full document,
// with the same values; text and CSV output hold only the sections asked for.
TEST_F(Cli, StatsSectionsComputeOnlyWhatTheyPrintWithTheFullReportsValues) {
  std::string trace = path("sections.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 300").status, 0);
  auto all = json(kRondo + " stats --json " + trace);
  const std::map<std::string, std::string> key_of = {{"profile", "regions"}, {"call_tree", "call_tree"},
                                                     {"imbalance", "imbalance"}, {"mpi", "mpi"},
                                                     {"wait_states", "wait_states"}, {"loops", "loops"}};
  for (auto& [section, key] : key_of) {
    SCOPED_TRACE(section);
    auto one = json(kRondo + " stats --json --sections " + section + " " + trace);
    std::set<std::string> keys;
    for (auto& [k, _] : one.items()) keys.insert(k);
    // Besides the section's key, every document says what was read: the run's
    // duration and which ranks or threads ended early (docs/stats-json.md).
    EXPECT_EQ(keys, (std::set<std::string>{"duration_ns", "truncated", "ended_early", "missing_ranks", "missing_rank_count",
                                           "truncated_threads", "polls_counted", key}));
    EXPECT_EQ(one[key], all[key]);
    EXPECT_EQ(one["duration_ns"], all["duration_ns"]);
  }
  auto two = json(kRondo + " stats --json --sections loops,profile " + trace);
  EXPECT_EQ(two["regions"], all["regions"]);
  EXPECT_EQ(two["loops"], all["loops"]);
  EXPECT_FALSE(two.contains("call_tree"));
  EXPECT_EQ(json(kRondo + " stats --json --sections all " + trace), all);
  // Text: the flat profile alone.
  Result text = run(kRondo + " stats --sections profile " + trace);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("Flat profile"), std::string::npos) << text.out;
  for (auto title : {"Call tree", "Loops"}) EXPECT_EQ(text.out.find(title), std::string::npos) << title;
  // CSV: the call tree alone.
  Result csv = run(kRondo + " stats --sections call_tree --csv " + path("csv") + " " + trace);
  ASSERT_EQ(csv.status, 0) << csv.out;
  EXPECT_TRUE(std::filesystem::exists(path("csv") + "/call_tree.csv"));
  for (auto file : {"regions.csv", "loops.csv", "imbalance.csv"})
    EXPECT_FALSE(std::filesystem::exists(path("csv") + "/" + file)) << file;
  // A name that is no section: one line, exit 2, the valid names listed.
  Result bad = run(kRondo + " stats --sections profile,nosuch " + trace);
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(lines(bad.out), 1u) << bad.out;
  EXPECT_NE(bad.out.find("nosuch"), std::string::npos) << bad.out;
  EXPECT_NE(bad.out.find("call_tree"), std::string::npos) << bad.out;
}

TEST_F(Cli, StatsWindowClipsCallsAndThreadCountChangesNothing) {
  std::string trace = path("window.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 1000").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto all = json(kRondo + " stats --json " + trace);
  // A window holding the whole trace changes no count; it reaches past the
  // trace's end, which a note on stderr says.
  auto whole = json(kRondo + " stats --json --window 0:1000s " + trace);
  EXPECT_EQ(regions(whole)["step"]["calls"], 1000);
  EXPECT_EQ(regions(whole)["main"]["inclusive_ns"], regions(all)["main"]["inclusive_ns"]);
  EXPECT_EQ(last_stderr().rfind("rondo: note: ", 0), 0u) << last_stderr();
  EXPECT_NE(last_stderr().find("reaches past the trace's end"), std::string::npos) << last_stderr();
  EXPECT_EQ(lines(last_stderr()), 1u) << last_stderr();
  // The first "half", up to the 500th step's start: main is cut at the
  // window's end, fewer steps.
  StepTimes times = step_times(trace);
  ASSERT_EQ(times.enters.size(), 1000u);
  const int64_t middle = times.enters[500];
  std::string half = std::to_string(middle) + "ns";
  auto first = json(kRondo + " stats --json --window :" + half + " " + trace);
  auto r = regions(first);
  EXPECT_EQ(r["main"]["calls"], 1);
  EXPECT_LE(r["main"]["inclusive_ns"].get<int64_t>(), middle);
  EXPECT_GT(r["step"]["calls"].get<int>(), 0);
  EXPECT_LT(r["step"]["calls"].get<int>(), 1000);
  EXPECT_EQ(first["window"]["end_ns"], middle);
  // The second half has the other steps (a step crossing the middle counts in both).
  auto second = json(kRondo + " stats --json --window " + half + ": " + trace);
  int steps = r["step"]["calls"].get<int>() + regions(second)["step"]["calls"].get<int>();
  EXPECT_GE(steps, 1000);
  EXPECT_LE(steps, 1001);
  // Identical output whatever the number of analyzer threads.
  Result one = run(kRondo + " stats --json --threads 1 " + trace), two = run(kRondo + " stats --json --threads 2 " + trace);
  EXPECT_EQ(one.out, two.out);
  // Bad windows: one line, non-zero status.
  Result bad = run(kRondo + " stats --window 2s:1s " + trace);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("ends before it begins"), std::string::npos) << bad.out;
  bad = run(kRondo + " stats --window 5parsecs: " + trace);
  EXPECT_NE(bad.status, 0);
  EXPECT_NE(bad.out.find("unknown unit"), std::string::npos) << bad.out;
}

TEST_F(Cli, StatsWindowOutsideTheTraceIsAnErrorAndInsideNeedsNoNote) {
  std::string trace = path("short.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 100").status, 0);
  // The trace lasts far less than 1000 s: a window after its end holds nothing.
  for (const char* window : {"1000s:1001s", "1000s:"}) {
    Result r = run(kRondo + " stats --window " + window + " " + trace);
    EXPECT_EQ(r.status, 2) << r.out;
    EXPECT_EQ(r.out.rfind("rondo: ", 0), 0u) << r.out;
    EXPECT_EQ(lines(r.out), 1u) << r.out;
    EXPECT_NE(r.out.find("lies after the trace's end"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(trace), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("Flat profile"), std::string::npos) << r.out;
  }
  // A window inside the trace: no note at all.
  auto inside = json(kRondo + " stats --json --window 0: " + trace);
  EXPECT_EQ(regions(inside)["step"]["calls"], 100);
  EXPECT_EQ(last_stderr(), "");
}

TEST_F(Cli, StatsCsvIntoAFileIsOneLineAndExitTwo) {
  std::string trace = path("csv.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 10").status, 0);
  std::string file = path("afile");
  std::ofstream(file) << "not a directory\n";
  Result r = run(kRondo + " stats " + trace + " --csv " + file);
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.out.rfind("rondo: --csv " + file + ": exists and is not a directory", 0), 0u) << r.out;
  EXPECT_EQ(lines(r.out), 1u) << r.out;
  EXPECT_EQ(r.out.find("filesystem error"), std::string::npos) << r.out;
  // Below a file: cannot be created either.
  r = run(kRondo + " stats " + trace + " --csv " + file + "/sub");
  EXPECT_EQ(r.status, 2) << r.out;
  EXPECT_EQ(r.out.rfind("rondo: --csv " + file + "/sub: cannot create the directory", 0), 0u) << r.out;
  EXPECT_EQ(lines(r.out), 1u) << r.out;
}

TEST_F(Cli, StatsCompareOfUnrelatedProgramsWarnsAndShowsNoRatios) {
  std::string loops = path("loops.rondo"), heat = path("heat.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + loops + " " + NESTED_LOOPS + " 100").status, 0);
  ASSERT_EQ(run(kRondo + " record -o " + heat + " " + HEAT_SOLVER + " 20").status, 0);
  // nested_loops: main, step, relax, exchange, reduce; heat_solver: solve,
  // diffuse, apply_boundary, residual: no name in common.
  auto c = json(kRondo + " stats --json " + loops + " --compare " + heat);
  EXPECT_EQ(c["region_names"]["before"], 5);
  EXPECT_EQ(c["region_names"]["after"], 4);
  EXPECT_EQ(c["region_names"]["common"], 0);
  EXPECT_EQ(c["region_names"]["comparable"], false);
  EXPECT_EQ(last_stderr().rfind("rondo: warning: ", 0), 0u) << last_stderr();
  EXPECT_NE(last_stderr().find("share only 0 of 9 region names"), std::string::npos) << last_stderr();
  Result text = run(kRondo + " stats " + loops + " --compare " + heat);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_EQ(text.out.find("faster"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("slower"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("no speed-up ratios are shown"), std::string::npos) << text.out;
  // Two runs of one program are comparable: no warning.
  std::string more = path("more.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + more + " " + NESTED_LOOPS + " 1000").status, 0);
  auto same = json(kRondo + " stats --json " + loops + " --compare " + more);
  EXPECT_EQ(same["region_names"]["common"], 5);
  EXPECT_EQ(same["region_names"]["comparable"], true);
  EXPECT_EQ(last_stderr(), "");
}

TEST_F(Cli, StatsCompareShowsWhatChanged) {
  std::string small = path("small.rondo"), big = path("big.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + small + " " + NESTED_LOOPS + " 100").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(small));
  ASSERT_EQ(run(kRondo + " record -o " + big + " " + NESTED_LOOPS + " 1000").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(big));
  auto c = json(kRondo + " stats --json " + small + " --compare " + big);
  std::map<std::string, nlohmann::json> rows;
  for (auto& r : c["regions"]) rows[r["name"].get<std::string>()] = r;
  EXPECT_EQ(rows["step"]["count_before"], 100);
  EXPECT_EQ(rows["step"]["count_after"], 1000);
  EXPECT_EQ(rows["relax"]["count_before"], 250);
  EXPECT_EQ(rows["relax"]["count_after"], 2500);
  EXPECT_GT(rows["relax"]["delta_ns"].get<int64_t>(), 0);
  // A trace compared with itself: nothing changed.
  auto same = json(kRondo + " stats --json " + big + " --compare " + big);
  for (auto& r : same["regions"]) EXPECT_EQ(r["delta_ns"], 0) << r["name"];
  Result text = run(kRondo + " stats " + small + " --compare " + big);
  ASSERT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("slower"), std::string::npos) << text.out;
}

TEST_F(Cli, RecursionHundredThousandCallsDeepThroughStatsTextAndJson) {
  // No analysis, printer or JSON builder may recurse on the depth of the
  // program's stack (25,000 levels crashed `rondo stats`).
  constexpr int kDepth = 100000;
  std::string trace = path("deep.rondo");
  Result rec = run(kRondo + " record -o " + trace + " -- " + DEEP_RECURSION + " " + std::to_string(kDepth));
  ASSERT_EQ(rec.status, 0) << rec.out;
  ASSERT_NE(rec.out.find("deep_recursion: 100000 levels"), std::string::npos) << rec.out;

  auto stats = json(kRondo + " stats --json " + trace);
  auto r = regions(stats);
  EXPECT_EQ(r["recurse"]["calls"], kDepth);
  EXPECT_EQ(r["descend"]["calls"], 1);
  EXPECT_LE(r["recurse"]["exclusive_ns"].get<int64_t>(), r["recurse"]["inclusive_ns"].get<int64_t>());
  // The call tree: main on one thread (with pthread_create and _join when the
  // pthread module records); descend > recurse x 100,000 on the other, one row
  // per level, each linked to the row above it.
  const auto& tree = stats["call_tree"];
  ASSERT_GE(tree.size(), static_cast<size_t>(kDepth + 2));
  ASSERT_LE(tree.size(), static_cast<size_t>(kDepth + 4));
  size_t recurse_rows = 0;
  uint32_t deepest = 0;
  for (size_t i = 0; i < tree.size(); ++i) {
    const auto& row = tree[i];
    uint32_t depth = row["depth"];
    deepest = std::max(deepest, depth);
    int64_t parent = row["parent"];
    if (depth == 0) {
      EXPECT_EQ(parent, -1);
      continue;
    }
    ASSERT_GE(parent, 0);
    ASSERT_LT(static_cast<size_t>(parent), i);
    EXPECT_EQ(tree[static_cast<size_t>(parent)]["depth"].get<uint32_t>() + 1, depth);
    if (row["name"] == "recurse") {
      ++recurse_rows;
      EXPECT_EQ(row["calls"], 1);
    }
  }
  EXPECT_EQ(recurse_rows, static_cast<size_t>(kDepth));
  EXPECT_EQ(deepest, static_cast<uint32_t>(kDepth));  // 100,001 levels: descend, then 100,000 recurse
  // Short paths stay whole; a deep one keeps its ends around an ellipsis.
  size_t top = 0;
  while (top < tree.size() && tree[top]["name"] != "descend") ++top;
  ASSERT_LT(top + 2, tree.size());
  EXPECT_EQ(tree[top]["path"], "descend");
  EXPECT_EQ(tree[top + 1]["path"], "descend > recurse");
  std::string deep_path = tree[top + kDepth]["path"];
  EXPECT_EQ(tree[top + kDepth]["depth"], kDepth);
  EXPECT_NE(deep_path.find("descend > recurse"), std::string::npos);
  EXPECT_NE(deep_path.find("\u2026"), std::string::npos);
  EXPECT_LT(deep_path.size(), 1000u);

  Result text = run(kRondo + " stats " + trace);
  ASSERT_EQ(text.status, 0) << text.out.substr(0, 2000);
  EXPECT_NE(text.out.find("Call tree"), std::string::npos);
  EXPECT_NE(text.out.find("100,000"), std::string::npos);
  Result csv = run(kRondo + " stats --csv " + path("deep-csv") + " " + trace);
  ASSERT_EQ(csv.status, 0) << csv.out;
  // The grammar nests one sequence per level: printed without recursion, with
  // indentation that stops growing (lines stay short).
  Result grammar = run(kRondo + " print --grammar " + trace + " > " + path("grammar.txt"));
  ASSERT_EQ(grammar.status, 0) << grammar.out;
  std::ifstream in(path("grammar.txt"));
  size_t recurse_lines = 0, longest = 0;
  for (std::string line; std::getline(in, line);) {
    recurse_lines += line.find("recurse") != std::string::npos;
    longest = std::max(longest, line.size());
  }
  EXPECT_EQ(recurse_lines, static_cast<size_t>(kDepth));
  EXPECT_LT(longest, 200u);
  // Converters replay the same stack.
  EXPECT_EQ(run(kRondo + " export " + trace + " --format chrome -o " + path("deep.json")).status, 0);
  EXPECT_EQ(run(kRondo + " export " + trace + " --format otf2 -o " + path("deep.otf2")).status, 0);
}

// The loop row of `stats` whose name is `name`.
nlohmann::json loop_row(const nlohmann::json& stats, const std::string& name) {
  for (const auto& l : stats["loops"])
    if (l["name"] == name) return l;
  ADD_FAILURE() << "no loop row " << name << " in " << stats["loops"].dump(1);
  return nlohmann::json::object();
}

TEST_F(Cli, LoopNestCountsEveryIterationOfTheTimeStepLoop) {
  // nested_loops: `steps` calls of step(), a reduce() in every 10th. The
  // grammar splits the step loop by that period into an outer loop holding an
  // inner one (and records the first step before either exists); the nest's
  // row still counts every step.
  for (int steps : {100, 37, 1000}) {
    std::string trace = path("nest" + std::to_string(steps) + ".rondo");
    ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " " + std::to_string(steps)).status, 0);
    auto stats = json(kRondo + " stats --json " + trace);
    auto outer = loop_row(stats, "step");
    EXPECT_EQ(outer["nest_iterations"], steps) << outer.dump(1);
    auto inner = loop_row(stats, "step > step");
    EXPECT_EQ(inner["nest_iterations"], 0);
    EXPECT_EQ(loop_row(stats, "step > step > relax")["nest_iterations"], 0);
    Result text = run(kRondo + " stats " + trace);
    ASSERT_EQ(text.status, 0) << text.out;
    EXPECT_NE(text.out.find("nest iterations"), std::string::npos) << text.out;
  }
}

TEST_F(Cli, WindowedLoopTimeIsClippedToTheWindow) {
  std::string trace = path("clip.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 3000").status, 0);
  // The step loop's span: from the second step's ENTER (the first step comes
  // before the loop exists) to the last step's LEAVE.
  StepTimes steps = step_times(trace);
  ASSERT_EQ(steps.enters.size(), 3000u);
  const int64_t loop_begin = steps.enters[1], loop_end = steps.last_leave;
  // Windows of 2 us spread over the loop: the outer loop's iterations tile its
  // occurrence, so their clipped time is the window's length (to tick
  // rounding); no row exceeds it (one thread).
  constexpr int64_t kWindow = 2000;
  ASSERT_GT(loop_end - loop_begin, 12 * kWindow);
  for (int i = 1; i <= 10; ++i) {
    int64_t begin = loop_begin + i * (loop_end - loop_begin - kWindow) / 11;
    std::string window = std::to_string(begin) + "ns:" + std::to_string(begin + kWindow) + "ns";
    auto stats = json(kRondo + " stats --json --window " + window + " " + trace);
    for (const auto& l : stats["loops"]) EXPECT_LE(l["total_ns"].get<int64_t>(), kWindow + 2) << window << l.dump(1);
    EXPECT_NEAR(loop_row(stats, "step")["total_ns"].get<int64_t>(), kWindow, 2) << window;
  }
}

TEST_F(Cli, LongCppNamesAreShortenedInTextOnly) {
  std::string trace = path("names.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " -- " + LONG_NAMES).status, 0);
  auto stats = json(kRondo + " stats --json " + trace);
  // JSON keeps whole names: count_cells<...> is hundreds of characters long.
  std::string full;
  for (const auto& r : stats["regions"])
    if (r["name"].get<std::string>().find("solver::detail::count_cells<") != std::string::npos) full = r["name"];
  ASSERT_GT(full.size(), 300u) << full;
  EXPECT_EQ(regions(stats)[full]["calls"], 3);

  Result text = run(kRondo + " stats " + trace);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_EQ(text.out.find(full), std::string::npos) << "the whole name is in the text";
  // Template arguments and parameters elided, the rest kept.
  EXPECT_NE(text.out.find("unsigned long solver::detail::count_cells<\u2026>(\u2026)"), std::string::npos) << text.out;
  // The name column is at most kNameColumns (60) wide: "calls" follows it in
  // the flat profile's header.
  size_t header = text.out.find("region ");
  ASSERT_NE(header, std::string::npos);
  size_t calls = text.out.find("calls", header);
  EXPECT_LE(calls - header, 60u + 2u) << text.out.substr(header, 200);
  // No table line is padded to hundreds of characters.
  std::istringstream lines(text.out);
  for (std::string line; std::getline(lines, line);) EXPECT_LT(line.size(), 300u) << line;
}

TEST_F(Cli, ExitStatusIsPassedThrough) {
  EXPECT_EQ(run(kRondo + " record -o " + path("a") + " -- sh -c 'exit 3'").status, 3);
  EXPECT_EQ(run(kRondo + " record -o " + path("b") + " -- sh -c 'kill -TERM $$'").status, 128 + 15);
  EXPECT_EQ(run(kRondo + " record -o " + path("c") + " -- /nonexistent/program").status, 127);
}

TEST_F(Cli, DefaultTraceDirectoryIsNamedAfterTheProgram) {
  Result r = run("cd " + dir_.string() + " && " + kRondo + " record " + NESTED_LOOPS + " 10");
  ASSERT_EQ(r.status, 0) << r.out;
  int found = 0;
  for (auto& e : std::filesystem::directory_iterator(dir_))
    if (e.path().filename().string().rfind("rondo-nested_loops-", 0) == 0) ++found;
  EXPECT_EQ(found, 1);
}

TEST_F(Cli, BadInputGivesOneLineErrorsAndNonZeroStatus) {
  Result missing = run(kRondo + " stats " + path("nothing-here"));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("No such file or directory"), std::string::npos) << missing.out;

  std::filesystem::create_directories(path("empty"));
  Result empty = run(kRondo + " info " + path("empty"));
  EXPECT_NE(empty.status, 0);
  EXPECT_NE(empty.out.find("not a Rondo trace"), std::string::npos) << empty.out;

  Result module = run(kRondo + " record -t nosuch -o " + path("x") + " " + NESTED_LOOPS);
  EXPECT_EQ(module.status, 2);
  EXPECT_NE(module.out.find("rondo: -t nosuch: unknown module"), std::string::npos) << module.out;

  // On a trace that opens (with --by rank it does), so that only the flag can fail.
  std::string trace = path("by.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 10").status, 0);
  ASSERT_EQ(run(kRondo + " stats --by rank " + trace).status, 0);
  Result by = run(kRondo + " stats --by node " + trace);
  EXPECT_NE(by.status, 0);
  EXPECT_NE(by.out.find("--by"), std::string::npos) << by.out;
  EXPECT_NE(by.out.find("node"), std::string::npos) << by.out;

  Result no_program = run(kRondo + " record");
  EXPECT_NE(no_program.status, 0);
}

TEST_F(Cli, TruncatedTraceStillGivesStatistics) {
  std::string trace = path("cut.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + trace + " " + NESTED_LOOPS + " 3000").status, 0);
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  std::string file;
  for (auto& e : std::filesystem::directory_iterator(trace))
    if (e.path().extension() == ".rnd") file = e.path().string();
  std::filesystem::resize_file(file, std::filesystem::file_size(file) * 2 / 3);
  auto info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["truncated"], true);
  Result stats = run(kRondo + " stats " + trace);
  EXPECT_EQ(stats.status, 0) << stats.out;
  EXPECT_NE(stats.out.find("incomplete trace"), std::string::npos);
}

TEST_F(Cli, AnUnwritableTraceDirectoryDisablesTracingAndTheProgramGoesOn) {
  // /proc refuses new directories: the recorder says so once and the program runs
  // to its normal end with its normal output and exit status.
  Result r = run("RONDO_TRACE_DIR=/proc/rondo-cannot-write-here LD_PRELOAD=" + std::string(COMPILER_MODULE) + " " +
                 NESTED_LOOPS + " 2000");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("nested_loops: 2000 steps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tracing disabled, the program continues"), std::string::npos) << r.out;
  size_t first = r.out.find("rondo:");
  EXPECT_EQ(r.out.find("rondo:", first + 1), std::string::npos) << "one message only:\n" << r.out;
}

// The compiler module's own row says "available" and names a library that
// exists (the footer about the API says "available" whatever the modules are).
TEST_F(Cli, AvailListsTheCompilerModule) {
  Result r = run(kRondo + " avail");
  ASSERT_EQ(r.status, 0);
  std::istringstream in(r.out);
  std::string row;
  for (std::string line; std::getline(in, line);)
    if (line.rfind("compiler ", 0) == 0) row = line;
  ASSERT_FALSE(row.empty()) << r.out;
  EXPECT_NE(row.find(" available "), std::string::npos) << row;
  std::string library = row.substr(row.rfind(' ') + 1);
  EXPECT_NE(library.find("librondo-compiler.so"), std::string::npos) << row;
  EXPECT_TRUE(std::filesystem::exists(library)) << row;
}

// `--filter` and `--filter @FILE` through `rondo record` (README: compiler
// instrumentation): the rules reach the recording library, whose regions then
// leave out what they exclude and keep the exact counts of the rest.
TEST_F(Cli, RecordFilterRulesAndRuleFileDropExactlyTheExcludedFunctions) {
  constexpr int kSteps = 40;  // relax: 1 + i % 4 calls per step: 100 in all
  auto counts = [&](const std::string& trace) {
    std::map<std::string, int64_t> out;
    for (auto& [name, row] : regions(json(kRondo + " stats --json " + trace))) out[name] = row["calls"].get<int64_t>();
    return out;
  };
  std::string all = path("all.rondo"), inline_rules = path("inline.rondo"), from_file = path("file.rondo");
  ASSERT_EQ(run(kRondo + " record -o " + all + " " + NESTED_LOOPS + " " + std::to_string(kSteps)).status, 0);
  ASSERT_EQ(run(kRondo + " record --filter '-relax,-reduce' -o " + inline_rules + " " + NESTED_LOOPS + " " +
                std::to_string(kSteps))
                .status,
            0);
  // One rule per line; the last matching rule decides (+re* brings reduce back).
  std::ofstream(path("rules.txt")) << "-relax\n-re*\n+reduce\n";
  Result r = run(kRondo + " record --filter @" + path("rules.txt") + " -o " + from_file + " " + NESTED_LOOPS + " " +
                 std::to_string(kSteps));
  ASSERT_EQ(r.status, 0) << r.out;

  std::map<std::string, int64_t> everything = counts(all);
  EXPECT_EQ(everything["relax"], 100);
  EXPECT_EQ(everything["reduce"], kSteps / 10);
  EXPECT_EQ(everything["step"], kSteps);
  std::map<std::string, int64_t> expected = everything;
  expected.erase("relax");
  expected.erase("reduce");
  EXPECT_EQ(counts(inline_rules), expected);
  expected["reduce"] = kSteps / 10;
  EXPECT_EQ(counts(from_file), expected);
}

// ---------------------------------------------------------------------------
// Messages a user can act on: one line, `rondo: ...`, naming the file or argument.

// The lines of `out` that are not empty.
std::vector<std::string> lines(const std::string& out) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    if (end > start) v.push_back(out.substr(start, end - start));
    start = end + 1;
  }
  return v;
}

// `r` failed with `status` and said exactly one line, starting with "rondo: "
// and holding `expected`.
void expect_one_line(const Result& r, int status, const std::string& expected) {
  EXPECT_EQ(r.status, status) << r.out;
  auto l = lines(r.out);
  ASSERT_EQ(l.size(), 1u) << r.out;
  EXPECT_EQ(l[0].rfind("rondo: ", 0), 0u) << r.out;
  EXPECT_NE(l[0].find(expected), std::string::npos) << r.out;
}

TEST_F(Cli, ParseErrorsAreOneLineWithStatus2) {
  expect_one_line(run(kRondo + " info"), 2, "rondo: info: TRACE is required");
  expect_one_line(run(kRondo + " stats --no-such-option " + path("t")), 2, "--no-such-option");
  expect_one_line(run(kRondo + " frobnicate"), 2, "frobnicate");
  expect_one_line(run(kRondo + " print --limit 0 " + path("t")), 2, "rondo: print: ");
  expect_one_line(run(kRondo + " export " + path("t") + " --format svg -o x"), 2, "svg");
  expect_one_line(run(kRondo + " print --thread x " + path("t")), 2, "RANK:THREAD");
  // --help and --version still print and succeed.
  Result help = run(kRondo + " record --help");
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--force"), std::string::npos) << help.out;
  EXPECT_EQ(run(kRondo + " --version").status, 0);
  EXPECT_EQ(run(kRondo + " --help").status, 0);
}

TEST_F(Cli, ImportChecksItsInputFirst) {
  std::string source = path("heat1d.c");
  std::ofstream(source) << "int main(void) { return 0; }\n";
  Result r = run(kRondo + " import " + source + " -o " + path("x"));
  if (r.out.find("built without OTF2") != std::string::npos) GTEST_SKIP() << r.out;
  expect_one_line(r, 2, "rondo: " + source + ": not an OTF2 anchor file");
  EXPECT_EQ(r.out.find("This no valid"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(path("x")));
  expect_one_line(run(kRondo + " import " + path("missing.otf2") + " -o " + path("y")), 2,
                  path("missing.otf2") + ": No such file or directory");
  expect_one_line(run(kRondo + " import " + dir_.string() + " -o " + path("y")), 2, dir_.string() + ": not a file");
}

TEST_F(Cli, AvailEndsWithANewlineAndListsNoPapi) {
  Result r = run(kRondo + " avail");
  ASSERT_EQ(r.status, 0);
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find("papi"), std::string::npos) << "the README says PAPI is not built yet";
}

TEST_F(Cli, RecordErrorsAreOneLine) {
  expect_one_line(run(kRondo + " record"), 2, "rondo: record: no program given");
  expect_one_line(run(kRondo + " record -o " + path("a") + " -- " + path("nosuchprog")), 127,
                  path("nosuchprog") + ": program not found");
  EXPECT_FALSE(std::filesystem::exists(path("a")));
  std::ofstream(path("file")) << "x";
  expect_one_line(run(kRondo + " record -o " + path("file") + " -- " + NESTED_LOOPS + " 1"), 2,
                  "cannot create the trace directory " + path("file"));
}

// `rondo record -- mpirun -np 2 ./nosuchprog`: said before anything starts, and
// no directory is left behind.
TEST_F(Cli, AMissingProgramBehindALauncherIsReportedAndNothingIsCreated) {
  Result which = run("command -v mpirun");
  if (which.status != 0) GTEST_SKIP() << "mpirun not found";
  std::string trace = path("t");
  Result r = run("cd " + dir_.string() + " && " + kRondo + " record -o " + trace +
                 " -- mpirun --allow-run-as-root -np 2 ./nosuchprog");
  expect_one_line(r, 127, "rondo: ./nosuchprog: program not found");
  EXPECT_NE(r.out.find("mpirun was not started"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(trace));
}

TEST_F(Cli, ARunThatRecordsNothingLeavesNoDirectory) {
  std::string trace = path("t");
  Result r = run(kRondo + " record -o " + trace + " -- true");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("rondo: nothing was recorded"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(trace)) << r.out;
}

// ---------------------------------------------------------------------------
// One run per trace directory

TEST_F(Cli, RecordingTwiceIntoOneDirectoryIsRefusedAndForceReplaces) {
  std::string trace = path("t");
  Result first = run(kRondo + " record -o " + trace + " -- " + NESTED_LOOPS + " 10");
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find("rondo: modules compiler (-finstrument-functions)"), std::string::npos) << first.out;
  const int64_t one_run = 2 * (1 + 10 + 23 + 10 + 1);  // main, step, relax (sum of 1 + i % 4), exchange, reduce

  // The program is not started: none of its output, one line, status 2.
  Result again = run(kRondo + " record -o " + trace + " -- " + NESTED_LOOPS + " 10");
  expect_one_line(again, 2, "rondo: " + trace + " already holds a trace (run run:");
  EXPECT_NE(again.out.find("add --force to replace it"), std::string::npos) << again.out;
  auto info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["processes"], 1);
  EXPECT_EQ(info["events"], one_run);

  // --force removes the old trace (and only it) first.
  std::ofstream(path("t/notes.txt")) << "mine\n";
  Result forced = run(kRondo + " record --force -o " + trace + " -- " + NESTED_LOOPS + " 10");
  ASSERT_EQ(forced.status, 0) << forced.out;
  info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["processes"], 1);
  EXPECT_EQ(info["events"], one_run);
  EXPECT_TRUE(std::filesystem::exists(path("t/notes.txt")));

  // A directory with a process file of an older writer (no run-id) is a trace too.
  std::filesystem::remove(path("t/run-id"));
  expect_one_line(run(kRondo + " record -o " + trace + " -- " + NESTED_LOOPS + " 10"), 2, "already holds a trace");
}

// Everything one `rondo record` starts belongs to its run: a program started by
// a script, and a program started again by the first, share one run id.
TEST_F(Cli, ProcessesOfOneRecordingShareTheRun) {
  std::string trace = path("t");
  Result r = run(kRondo + " record -t compiler -o " + trace + " -- sh -c '" + NESTED_LOOPS + " 5; " + NESTED_LOOPS +
                 " 7'");
  ASSERT_EQ(r.status, 0) << r.out;
  auto info = json(kRondo + " info --json " + trace);
  EXPECT_EQ(info["processes"], 2);
}

}  // namespace
