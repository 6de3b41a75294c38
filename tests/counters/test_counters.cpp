// rondo record --counters end to end, with PAPI software events that these
// machines count for real (perf::TASK-CLOCK, perf::PAGE-FAULTS): physical checks
// against what the program measured itself, exact inclusive/exclusive sums, and
// a hardware preset that cannot be counted here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "../common/run_command.h"
#include "rondo/analyzer/counters.h"
#include "rondo/format/reader.h"

namespace {

using rondo::test::run_command;

struct Recorded {
  std::string dir;
  rondo::test::CommandResult run;
  std::map<std::string, int64_t> printed;  // what the program measured itself
  ~Recorded() { std::filesystem::remove_all(dir); }
};

// Records counters_program with `counters`; the program's own numbers parsed.
void record(Recorded& r, const std::string& counters) {
  r.dir = std::filesystem::temp_directory_path() /
          ("rondo-counters-" + std::to_string(getpid()) + "-" + std::to_string(std::rand()));
  std::filesystem::remove_all(r.dir);
  r.run = run_command(std::string(RONDO_CLI) + " record -o " + r.dir + " --counters " + counters + " -- " +
                      COUNTERS_PROGRAM);
  size_t pos = 0;
  const std::string& out = r.run.out;
  while (pos < out.size()) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(pos, end - pos);
    if (size_t eq = line.find('='); eq != std::string::npos && line.rfind("rondo:", 0) != 0)
      r.printed[line.substr(0, eq)] = std::stoll(line.substr(eq + 1));
    pos = end + 1;
  }
}

nlohmann::json stats(const std::string& dir) {
  auto r = run_command(std::string(RONDO_CLI) + " stats --json " + dir + " 2>/dev/null");
  EXPECT_EQ(r.status, 0) << r.out;
  return nlohmann::json::parse(r.out);
}

const nlohmann::json& region(const nlohmann::json& s, const std::string& name) {
  for (const auto& row : s.at("regions"))
    if (row.at("name") == name) return row;
  static const nlohmann::json none;
  ADD_FAILURE() << "no region " << name;
  return none;
}

uint64_t counter(const nlohmann::json& row, const std::string& name, const char* which) {
  return row.at("counters").at(name).at(which).get<uint64_t>();
}

#ifdef RONDO_TEST_HAVE_PAPI

TEST(Counters, TaskClockOfABusyRegionIsItsCpuTime) {
  Recorded r;
  record(r, "perf::TASK-CLOCK,perf::PAGE-FAULTS,perf::CONTEXT-SWITCHES");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  ASSERT_EQ(r.run.out.find("rondo: perf::"), std::string::npos) << "software events count here: " << r.run.out;
  nlohmann::json s = stats(r.dir);
  int64_t cpu_ns = r.printed.at("spin_cpu_ns");
  ASSERT_GT(cpu_ns, 4 * 20000000 - 1);
  const auto& spin = region(s, "spin");
  EXPECT_EQ(spin.at("calls"), 4);
  // TASK-CLOCK counts nanoseconds of this task's CPU time: within 10% of the
  // CPU time the program measured between the same enter and leave.
  double task_clock = static_cast<double>(counter(spin, "perf::TASK-CLOCK", "inclusive"));
  EXPECT_NEAR(task_clock, static_cast<double>(cpu_ns), 0.10 * static_cast<double>(cpu_ns));
}

TEST(Counters, PageFaultsOfFirstTouchedPages) {
  Recorded r;
  record(r, "perf::PAGE-FAULTS");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  nlohmann::json s = stats(r.dir);
  int64_t pages = r.printed.at("pages");
  EXPECT_GE(counter(region(s, "touch"), "perf::PAGE-FAULTS", "inclusive"), static_cast<uint64_t>(pages / 2));
}

TEST(Counters, ExclusiveIsInclusiveMinusCalleesAndSumsToTheThreadTotal) {
  Recorded r;
  record(r, "perf::TASK-CLOCK,perf::PAGE-FAULTS");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  nlohmann::json s = stats(r.dir);
  for (const char* name : {"perf::TASK-CLOCK", "perf::PAGE-FAULTS"}) {
    SCOPED_TRACE(name);
    const auto& main = region(s, "main");
    uint64_t callees = counter(region(s, "spin"), name, "inclusive") + counter(region(s, "touch"), name, "inclusive") +
                       counter(region(s, "loop"), name, "inclusive");
    EXPECT_EQ(counter(main, name, "exclusive"), counter(main, name, "inclusive") - callees);
    EXPECT_EQ(counter(region(s, "loop"), name, "exclusive"),
              counter(region(s, "loop"), name, "inclusive") - counter(region(s, "leaf"), name, "inclusive"));
    EXPECT_EQ(counter(region(s, "leaf"), name, "exclusive"), counter(region(s, "leaf"), name, "inclusive"));
    uint64_t exclusive = 0;
    for (const auto& row : s.at("regions"))
      if (row.contains("counters")) exclusive += counter(row, name, "exclusive");
    // "main" encloses every other call: its inclusive count is the thread's
    // count inside regions, which the exclusive counts of all regions add up to.
    EXPECT_EQ(exclusive, counter(main, name, "inclusive"));
    EXPECT_EQ(exclusive, s.at("counters").at("in_regions").at(name).get<uint64_t>());
    EXPECT_EQ(exclusive, s.at("counters").at("thread_totals").at(name).get<uint64_t>())
        << "main's enter is the thread's first event and its leave the last";
  }
  // The call-path table splits the same sums by caller.
  bool found = false;
  for (const auto& p : s.at("counters").at("call_paths"))
    if (p.at("path") == "main > loop > leaf") {
      found = true;
      EXPECT_EQ(p.at("calls"), 1000);
    }
  EXPECT_TRUE(found);
}

TEST(Counters, CounterValuesAreDataSoLoopsAreStillFound) {
  Recorded r;
  record(r, "perf::TASK-CLOCK");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  rondo::format::TraceReader trace(r.dir);
  ASSERT_EQ(trace.processes().size(), 1u);
  const auto& t = trace.processes()[0]->thread(0);
  EXPECT_EQ(t.counter_metrics().size(), 1u);
  EXPECT_EQ(t.event_count(), 2u * (1 + 4 + 1 + 1 + 1000));
  EXPECT_FALSE(t.loops().empty()) << "1000 x leaf is a loop with counters as without";
  // Readings never go down along the thread (TASK-CLOCK only grows).
  uint64_t previous = 0;
  for (uint64_t i = 0; i < t.event_count(); ++i) {
    const uint64_t* at = t.counters_at(i);
    ASSERT_NE(at, nullptr);
    EXPECT_GE(at[0], previous);
    previous = at[0];
  }
}

TEST(Counters, PrintTextAndCsvNameEachCounter) {
  Recorded r;
  record(r, "perf::TASK-CLOCK,perf::PAGE-FAULTS");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  auto print = run_command(std::string(RONDO_CLI) + " print " + r.dir + " --limit 4");
  ASSERT_EQ(print.status, 0) << print.out;
  EXPECT_NE(print.out.find("[perf::TASK-CLOCK="), std::string::npos) << print.out;
  EXPECT_NE(print.out.find(" perf::PAGE-FAULTS="), std::string::npos) << print.out;
  auto text = run_command(std::string(RONDO_CLI) + " stats " + r.dir);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("Counter perf::TASK-CLOCK"), std::string::npos) << text.out;
  std::string csv = r.dir + "-csv";
  auto written = run_command(std::string(RONDO_CLI) + " stats --csv " + csv + " " + r.dir);
  ASSERT_EQ(written.status, 0) << written.out;
  EXPECT_TRUE(std::filesystem::exists(csv + "/counters.csv"));
  EXPECT_TRUE(std::filesystem::exists(csv + "/counters_call_paths.csv"));
  std::filesystem::remove_all(csv);
}

TEST(Counters, HardwarePresetWithoutHardwareCountersSaysSoAndRecordsTheRest) {
  Recorded r;
  record(r, "PAPI_TOT_CYC,perf::TASK-CLOCK");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  EXPECT_EQ(r.printed.at("pages"), 2000) << "the program's output is unchanged";
  rondo::format::TraceReader trace(r.dir);
  rondo::analyzer::CounterProfile p = rondo::analyzer::counter_profile(trace);
  const std::string message =
      "rondo: PAPI_TOT_CYC: no hardware counters on this machine (virtual machine?); software events such as "
      "perf::TASK-CLOCK work\n";
  if (r.run.out.find(message) != std::string::npos) {
    // One line for the event, said once.
    EXPECT_EQ(r.run.out.find(message), r.run.out.rfind(message));
    EXPECT_EQ(p.counters, (std::vector<std::string>{"perf::TASK-CLOCK"}));
  } else {
    // A machine with hardware counters counts both.
    EXPECT_EQ(p.counters, (std::vector<std::string>{"PAPI_TOT_CYC", "perf::TASK-CLOCK"})) << r.run.out;
  }
  EXPECT_EQ(p.regions.at("leaf").calls, 1000u);
}

#ifdef RONDO_TEST_MPI_RING
TEST(Counters, EveryRankCountsAndTheJobSaysOnce) {
  std::string dir = std::filesystem::temp_directory_path() / ("rondo-counters-mpi-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  auto run =
      run_command(std::string(RONDO_CLI) + " record -o " + dir + " --counters PAPI_TOT_INS,perf::TASK-CLOCK -- " +
                  RONDO_TEST_MPIEXEC + " --allow-run-as-root --oversubscribe -np 2 " + RONDO_TEST_MPI_RING);
  ASSERT_EQ(run.status, 0) << run.out;
  const std::string message = "rondo: PAPI_TOT_INS: ";
  if (size_t at = run.out.find(message); at != std::string::npos) {
    EXPECT_EQ(run.out.find(message, at + 1), std::string::npos) << "one message for the job: " << run.out;
  }
  rondo::format::TraceReader trace(dir);
  ASSERT_EQ(trace.processes().size(), 2u);
  for (const auto& p : trace.processes()) {
    const auto& t = p->thread(0);
    ASSERT_FALSE(t.counter_metrics().empty()) << "rank " << p->rank();
    // TASK-CLOCK is the last counter (PAPI_TOT_INS may not be countable here);
    // it grows from the first event to the last on every rank.
    size_t j = t.counter_metrics().size() - 1;
    EXPECT_GT(t.counters_at(t.event_count() - 1)[j], t.counters_at(0)[j]) << "rank " << p->rank();
  }
  std::filesystem::remove_all(dir);
}
#endif

TEST(Counters, UnknownEventIsNamedAndTheRunGoesOn) {
  Recorded r;
  record(r, "no_such_event,perf::TASK-CLOCK");
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  EXPECT_NE(r.run.out.find("rondo: no_such_event: unknown event (see papi_native_avail)\n"), std::string::npos)
      << r.run.out;
  rondo::format::TraceReader trace(r.dir);
  EXPECT_EQ(rondo::analyzer::counter_profile(trace).counters, (std::vector<std::string>{"perf::TASK-CLOCK"}));
}

#endif

TEST(Counters, WithoutCountersTheTraceHasNone) {
  Recorded r;
  r.dir = std::filesystem::temp_directory_path() / ("rondo-counters-none-" + std::to_string(getpid()));
  std::filesystem::remove_all(r.dir);
  r.run = run_command(std::string(RONDO_CLI) + " record -o " + r.dir + " -- " + COUNTERS_PROGRAM);
  ASSERT_EQ(r.run.status, 0) << r.run.out;
  rondo::format::TraceReader trace(r.dir);
  EXPECT_TRUE(trace.processes()[0]->thread(0).counter_metrics().empty());
  EXPECT_FALSE(stats(r.dir).contains("counters"));
}

}  // namespace
