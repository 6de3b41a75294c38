// Folded polling (FORMAT.md 7.2, POLLS): a real Open MPI job polls with every
// MPI polling call (programs/polls.c), which prints how many calls it made, how
// many found nothing and in how many runs. The trace has one POLLS pair per run,
// and every statistic counts every call exactly: the summaries (`regions`), the
// replay (`call_tree`), the MPI scan (`mpi.calls`), `rondo print` and the exports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <string>

#include "../common/mpi_job.h"
#include "../common/trace_check.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rondo::format::EventKind;

struct Printed {
  uint64_t calls = 0, failed = 0, runs = 0;
};

// What the program printed, by polling function.
std::map<std::string, Printed> printed_counts(const std::string& out) {
  std::map<std::string, Printed> counts;
  std::regex line(R"(polls: (\S+) calls=(\d+) failed=(\d+) runs=(\d+))");
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it)
    counts[(*it)[1]] = {std::stoull((*it)[2]), std::stoull((*it)[3]), std::stoull((*it)[4])};
  return counts;
}

// What the trace holds, by polled region: POLLS pairs, polls in them, and the
// calls recorded as ENTERs.
struct Recorded {
  uint64_t pairs = 0, polls = 0, enters = 0;
  bool pairs_adjacent = true;  // every first record is followed at once by its last, with the same data
  uint64_t counted_pairs = 0;  // pairs of counted, untimed polls (--poll-times count)
  int64_t inside = 0;          // the time inside the polls, summed over the pairs (d1)
};

std::map<std::string, Recorded> recorded_counts(const rondo::format::TraceReader& trace) {
  std::map<std::string, Recorded> out;
  for (const auto& p : trace.processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e, begin;
      bool open = false;
      while (cursor.next(e)) {
        std::string name = p->defs().region_name(e.def->key.ref);
        if (open && (e.kind() != EventKind::Polls || !rondo::format::polls_last(e.def->key) ||
                     e.def->key.ref != begin.def->key.ref || e.data[0] != begin.data[0] ||
                     e.data[1] != begin.data[1] || e.ticks < begin.ticks ||
                     rondo::format::polls_counted(e.def->key) != rondo::format::polls_counted(begin.def->key)))
          out[name].pairs_adjacent = false;
        if (e.kind() == EventKind::Polls && !rondo::format::polls_last(e.def->key)) {
          ++out[name].pairs;
          out[name].polls += static_cast<uint64_t>(e.data[0]);
          out[name].counted_pairs += rondo::format::polls_counted(e.def->key);
          out[name].inside += e.data[1];
          begin = e;
          open = true;
          continue;
        }
        open = false;
        if (e.kind() == EventKind::Enter) ++out[name].enters;
      }
    }
  return out;
}

class MpiPolls : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun: MPI tests skipped";
    dir_ = fs::temp_directory_path() /
           ("rondo-mpi-polls-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  std::string cli(const std::string& args) { return rondo::test::shell_quoted(RONDO_CLI) + " " + args; }
  std::string mpirun_;
  fs::path dir_;
};

const char* const kPolling[] = {"MPI_Test", "MPI_Testany", "MPI_Testsome", "MPI_Testall", "MPI_Iprobe", "MPI_Improbe"};

TEST_F(MpiPolls, EachRunOfUnsuccessfulPollsIsOneRecordAndEveryPollCounts) {
  const uint64_t first_run = 1000;
  std::string trace = (dir_ / "trace").string();
  auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                         rondo::test::shell_quoted(POLLS) + " " + std::to_string(first_run));
  ASSERT_EQ(job.status, 0) << job.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto printed = printed_counts(job.out);
  ASSERT_EQ(printed.size(), 6u) << job.out;

  rondo::format::TraceReader reader(trace);
  auto recorded = recorded_counts(reader);
  for (const char* name : kPolling) {
    SCOPED_TRACE(name);
    const Printed& want = printed[name];
    ASSERT_GE(want.failed, first_run);  // the program waits for that many before the message is sent
    const Recorded& got = recorded[name];
    EXPECT_EQ(got.pairs, want.runs);
    EXPECT_EQ(got.polls, want.failed);
    EXPECT_EQ(got.enters, want.calls - want.failed);  // only the poll that found the message is a call
    EXPECT_TRUE(got.pairs_adjacent);
    EXPECT_EQ(got.counted_pairs, 0u);  // timed: the default
  }

  // Every statistic counts every poll: summaries, replay (call tree), MPI scan.
  auto stats = rondo::test::run_command(cli("stats --json " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(stats.status, 0) << stats.out;
  json s = json::parse(stats.out);
  for (const char* name : kPolling) {
    SCOPED_TRACE(name);
    uint64_t want = printed[name].calls;
    uint64_t regions = 0, tree = 0, mpi = 0;
    int64_t region_ns = -1, mpi_ns = -1;
    for (const auto& r : s["regions"])
      if (r["name"] == name) {
        regions += r["calls"].get<uint64_t>();
        region_ns = r["inclusive_ns"].get<int64_t>();
        EXPECT_EQ(r["exclusive_ns"], r["inclusive_ns"]);  // a poll calls nothing recorded
        EXPECT_LE(r["min_ns"].get<int64_t>(), r["max_ns"].get<int64_t>());
      }
    for (const auto& r : s["call_tree"])
      if (r["name"] == name) tree += r["calls"].get<uint64_t>();
    for (const auto& r : s["mpi"]["calls"])
      if (r["name"] == name) {
        mpi += r["calls"].get<uint64_t>();
        mpi_ns = r["inclusive_ns"].get<int64_t>();
      }
    EXPECT_EQ(regions, want);
    EXPECT_EQ(tree, want);
    EXPECT_EQ(mpi, want);
    // The time inside the polls, not their span: the same from the summaries as from the replay.
    EXPECT_NEAR(static_cast<double>(region_ns), static_cast<double>(mpi_ns), 1.0);
  }

  // The OTF2 export writes each run as one call with the number of polls as an
  // attribute, and its import gives the runs back: the same calls again.
  std::string otf2 = (dir_ / "otf2").string(), back = (dir_ / "back").string();
  auto exported = rondo::test::run_command(cli("export " + rondo::test::shell_quoted(trace) + " --format otf2 -o " +
                                               rondo::test::shell_quoted(otf2)));
  ASSERT_EQ(exported.status, 0) << exported.out;
  auto imported = rondo::test::run_command(cli("import " + rondo::test::shell_quoted(otf2 + "/traces.otf2") + " -o " +
                                               rondo::test::shell_quoted(back)));
  ASSERT_EQ(imported.status, 0) << imported.out;
  EXPECT_TRUE(rondo::test::trace_valid(back));
  rondo::format::TraceReader reread(back);
  auto again = recorded_counts(reread);
  auto back_stats = rondo::test::run_command(cli("stats --json " + rondo::test::shell_quoted(back)));
  ASSERT_EQ(back_stats.status, 0) << back_stats.out;
  json b = json::parse(back_stats.out);
  for (const char* name : kPolling) {
    SCOPED_TRACE(std::string("OTF2 round trip: ") + name);
    EXPECT_EQ(again[name].pairs, recorded[name].pairs);
    EXPECT_EQ(again[name].polls, recorded[name].polls);
    uint64_t calls = 0;
    for (const auto& r : b["regions"])
      if (r["name"] == name) calls += r["calls"].get<uint64_t>();
    EXPECT_EQ(calls, printed[name].calls);
  }

  // The Chrome export: one complete event per run, with its polls.
  std::string chrome = (dir_ / "trace.json").string();
  auto chromed = rondo::test::run_command(cli("export " + rondo::test::shell_quoted(trace) + " --format chrome -o " +
                                              rondo::test::shell_quoted(chrome)));
  ASSERT_EQ(chromed.status, 0) << chromed.out;
  std::ifstream in(chrome);
  json c = json::parse(in);
  std::map<std::string, std::pair<uint64_t, uint64_t>> folded;  // name -> (events, polls)
  for (const auto& ev : c["traceEvents"])
    if (ev.contains("args") && ev["args"].contains("polls")) {
      auto& f = folded[ev["name"].get<std::string>()];
      ++f.first;
      f.second += ev["args"]["polls"].get<uint64_t>();
    }
  for (const char* name : kPolling) {
    SCOPED_TRACE(std::string("Chrome: ") + name);
    EXPECT_EQ(folded[name].first, recorded[name].pairs);
    EXPECT_EQ(folded[name].second, recorded[name].polls);
  }

  // `rondo print` shows each run as one line.
  auto listing = rondo::test::run_command(cli("print --thread 1:0 --limit 100000000 " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(listing.status, 0) << listing.out;
  std::string first_line = "MPI_Test \u00d71,000 polls, nothing found, ";  // first_run
  EXPECT_NE(listing.out.find(first_line), std::string::npos) << listing.out.substr(0, 4000);
  EXPECT_EQ(listing.out.find("POLLS"), std::string::npos);
}

// `rondo record --poll-times count`: the same job, its unsuccessful polls
// counted without a clock read. The runs are the same POLLS pairs, marked as
// counted (p0 2 and 3), with the exact number of polls and no time inside;
// every statistic counts every call, with no duration; the messages the polls
// completed are matched as before; `rondo info` says how the polls were kept.
TEST_F(MpiPolls, CountedPollsAreEveryCallWithNoTime) {
  const uint64_t first_run = 1000;
  std::string trace = (dir_ / "trace").string();
  auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                         rondo::test::shell_quoted(POLLS) + " " + std::to_string(first_run),
                                         "RONDO_POLL_TIMES=count ");
  ASSERT_EQ(job.status, 0) << job.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto printed = printed_counts(job.out);
  ASSERT_EQ(printed.size(), 6u) << job.out;

  rondo::format::TraceReader reader(trace);
  for (const auto& p : reader.processes()) EXPECT_EQ(p->version(), rondo::format::kFormatVersion);
  auto recorded = recorded_counts(reader);
  for (const char* name : kPolling) {
    SCOPED_TRACE(name);
    const Printed& want = printed[name];
    ASSERT_GE(want.failed, first_run);
    const Recorded& got = recorded[name];
    EXPECT_EQ(got.pairs, want.runs);
    EXPECT_EQ(got.counted_pairs, want.runs);
    EXPECT_EQ(got.polls, want.failed);
    EXPECT_EQ(got.inside, 0);
    EXPECT_EQ(got.enters, want.calls - want.failed);
    EXPECT_TRUE(got.pairs_adjacent);
  }

  auto stats = rondo::test::run_command(cli("stats --json " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(stats.status, 0) << stats.out;
  json s = json::parse(stats.out);
  for (const char* name : kPolling) {
    SCOPED_TRACE(name);
    uint64_t regions = 0, tree = 0, mpi = 0;
    for (const auto& r : s["regions"])
      if (r["name"] == name) {
        regions += r["calls"].get<uint64_t>();
        EXPECT_EQ(r["inclusive_ns"], 0);  // the poll that found the message is a call of 0 ns too
        EXPECT_EQ(r["max_ns"], 0);
      }
    for (const auto& r : s["call_tree"])
      if (r["name"] == name) tree += r["calls"].get<uint64_t>();
    for (const auto& r : s["mpi"]["calls"])
      if (r["name"] == name) {
        mpi += r["calls"].get<uint64_t>();
        EXPECT_EQ(r["inclusive_ns"], 0);
      }
    EXPECT_EQ(regions, printed[name].calls);
    EXPECT_EQ(tree, printed[name].calls);
    EXPECT_EQ(mpi, printed[name].calls);
  }
  // Rank 0's sends and its go-ahead receives: every message matched, as when timed.
  EXPECT_EQ(s["mpi"]["messages"]["count"], 2 * 6);
  EXPECT_EQ(s["mpi"]["messages"]["unmatched"], 0);

  EXPECT_EQ(s["polls_counted"], true);
  auto info = rondo::test::run_command(cli("info --json " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(info.status, 0) << info.out;
  EXPECT_EQ(json::parse(info.out)["polls_counted"], true);
  auto text = rondo::test::run_command(cli("info " + rondo::test::shell_quoted(trace)));
  EXPECT_NE(text.out.find("polls      counted, not timed"), std::string::npos) << text.out;
  auto listing = rondo::test::run_command(cli("print --thread 1:0 --limit 100000000 " + rondo::test::shell_quoted(trace)));
  ASSERT_EQ(listing.status, 0) << listing.out;
  EXPECT_NE(listing.out.find("MPI_Test \u00d71,000 polls, nothing found, counted (not timed), "), std::string::npos)
      << listing.out.substr(0, 4000);
}

// RONDO_POLL_TIMES set by hand to something else than exact or count: one
// `rondo:` line says so, and the polls are timed as by default.
TEST_F(MpiPolls, AnUnknownPollTimesValueIsSaidAndPollsStayTimed) {
  std::string trace = (dir_ / "trace").string();
  auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                         rondo::test::shell_quoted(POLLS) + " 100", "RONDO_POLL_TIMES=sometimes ");
  ASSERT_EQ(job.status, 0) << job.out;
  EXPECT_NE(job.out.find("rondo: RONDO_POLL_TIMES=sometimes is neither exact nor count; polls stay timed"),
            std::string::npos)
      << job.out;
  rondo::format::TraceReader reader(trace);
  auto recorded = recorded_counts(reader);
  auto printed = printed_counts(job.out);
  ASSERT_EQ(printed.size(), 6u) << job.out;
  for (const char* name : kPolling) {
    SCOPED_TRACE(name);
    EXPECT_EQ(recorded[name].polls, printed[name].failed);
    EXPECT_EQ(recorded[name].counted_pairs, 0u);
    EXPECT_GT(recorded[name].inside, 0);  // timed: the polls took time
  }
}

}  // namespace
