// Faults of a parallel job (issue 17, part 4), with real Open MPI jobs of
// tests/mpi/programs/job_faults.c recorded by `rondo record -- mpirun ...`:
// one rank killed with SIGKILL, a rank that leaves without MPI_Finalize,
// MPI_Abort from a rank other than 0, a trace directory one rank cannot create,
// a process file deleted or replaced while the job runs. In every case the job
// ends as it does untraced (same stdout, same exit status, no hang), the trace
// opens, what each rank recorded reads back, and `rondo stats` names the ranks
// whose trace ended early or is missing.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rondo::test::CommandResult;
using rondo::test::run_command;
using rondo::test::shell_quoted;

constexpr int kRanks = 4;
constexpr int kLaps = 200;
constexpr uintmax_t kGrownBytes = 8192;  // a process file past its definitions: batches written

class JobFaults : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun";
    dir_ = fs::temp_directory_path() /
           ("rondo-job-faults-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }

  std::string trace() const { return (dir_ / "trace").string(); }
  std::string launcher(int ranks) const {
    return shell_quoted(mpirun_) + (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np " +
           std::to_string(ranks);
  }
  std::string program(const std::string& args) const { return shell_quoted(JOB_FAULTS) + " " + args; }

  // The job untraced, then recorded: same exit status, and the same stdout
  // (stdout of the untraced run is the reference; Rondo writes to stderr).
  CommandResult expect_job_unchanged(const std::string& args) {
    std::string limit = "timeout -k 10 120 ";
    // (Two pairs of braces: run_command() adds 2>&1 after the command, which
    // must not undo the redirection of the job's stderr.)
    CommandResult plain = run_command("{ { cd " + shell_quoted(dir_.string()) + " && " + limit + launcher(kRanks) + " " +
                                      program(args) + "; } 2>/dev/null; }");
    CommandResult traced = run_command("{ { cd " + shell_quoted(dir_.string()) + " && " + limit +
                                       shell_quoted(RONDO_CLI) + " record -o " + shell_quoted(trace()) + " -- " +
                                       launcher(kRanks) + " " + program(args) + "; } 2>" +
                                       shell_quoted((dir_ / "stderr.txt").string()) + "; }");
    EXPECT_NE(plain.status, 124) << "the untraced job hung";
    EXPECT_NE(traced.status, 124) << "the recorded job hung";
    EXPECT_EQ(traced.status, plain.status) << stderr_text();
    EXPECT_EQ(traced.out, plain.out) << stderr_text();
    return traced;
  }
  std::string stderr_text() const { return run_command("cat " + shell_quoted((dir_ / "stderr.txt").string())).out; }

  json stats_json(const std::string& args = "") {
    CommandResult r = run_command("{ { " + shell_quoted(RONDO_CLI) + " stats --json " + args + " " +
                                  shell_quoted(trace()) + "; } 2>/dev/null; }");
    EXPECT_EQ(r.status, 0) << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "rondo stats --json: " << e.what() << "\n" << r.out;
      return json::object();
    }
  }
  std::string stats_text() {
    CommandResult r = run_command(shell_quoted(RONDO_CLI) + " stats " + shell_quoted(trace()));
    EXPECT_EQ(r.status, 0) << r.out;
    return r.out;
  }
  // Calls of `name` per rank, from `rondo stats --json --by rank`.
  std::map<int, int64_t> calls(const std::string& name) {
    std::map<int, int64_t> out;
    json s = stats_json("--by rank");  // kept: a range-for over a temporary's member would dangle
    for (const json& row : s["regions"])
      if (row["name"] == name) out[row["rank"].get<int>()] += row["calls"].get<int64_t>();
    return out;
  }

  // The ranks `rondo stats --json` lists as ended early.
  std::set<int> ended_early(const json& stats) {
    std::set<int> out;
    for (const json& rank : stats["ended_early"]) out.insert(rank.get<int>());
    return out;
  }
  // Every rank but `except` made all kLaps laps if its file ended, and at
  // most that many if the launcher killed it (those of the batches it wrote).
  void expect_laps(const std::map<int, int64_t>& laps, const std::set<int>& early, int except = -1) {
    for (int rank = 0; rank < kRanks; ++rank) {
      if (rank == except) continue;
      SCOPED_TRACE("rank " + std::to_string(rank));
      const int64_t made = laps.count(rank) ? laps.at(rank) : 0;
      if (early.count(rank)) {
        EXPECT_LE(made, kLaps);
      } else {
        EXPECT_EQ(made, kLaps);
      }
    }
  }

  std::string mpirun_;
  fs::path dir_;
};

// The pid in a process file's name (host.pid.rnd).
pid_t file_pid(const fs::path& file) {
  std::string stem = file.stem().string();
  return static_cast<pid_t>(std::stol(stem.substr(stem.rfind('.') + 1)));
}

// Process files in `dir` that have grown past `bytes` (their first batches
// written: the ranks are in their laps).
std::vector<fs::path> grown_files(const std::string& dir, uintmax_t bytes) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".rnd" && e.file_size(ec) >= bytes) out.push_back(e.path());
  return out;
}

// Runs `command` on a thread of its own, calls `act` once every rank's file has
// grown (or gives up after 60 s), and returns the command's result.
CommandResult run_and_act(const std::string& command, const std::string& dir, const std::function<void()>& act) {
  CommandResult result;
  std::thread job([&] { result = run_command(command); });
  auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (grown_files(dir, kGrownBytes).size() < static_cast<size_t>(kRanks) && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  act();
  job.join();
  return result;
}

// A rank killed with SIGKILL in the middle of a 4-rank run: the launcher ends
// the others (SIGTERM: they flush and end their files), the killed rank's
// trace reads back up to its last batch written, and `rondo stats` names it.
TEST_F(JobFaults, SigkilledRankIsNamedAndTheOthersAreComplete) {
  pid_t victim = 0;
  // Batches of 1,000 events (passed to the ranks by mpirun), so that each
  // rank writes many before the kill.
  std::string command = "cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + shell_quoted(RONDO_CLI) +
                        " record -o " + shell_quoted(trace()) + " -- " + launcher(kRanks) +
                        " -x RONDO_BATCH_EVENTS=1000 " + program("forever 0");
  CommandResult r = run_and_act(command, trace(), [&] {
    std::vector<fs::path> files = grown_files(trace(), kGrownBytes);
    ASSERT_EQ(files.size(), static_cast<size_t>(kRanks)) << "the ranks did not start recording";
    victim = file_pid(files[1]);
    ASSERT_EQ(kill(victim, SIGKILL), 0);
  });
  ASSERT_NE(r.status, 124) << "the job hung after one rank was killed\n" << r.out;
  EXPECT_NE(r.status, 0) << r.out;
  ASSERT_NE(victim, 0);

  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(kRanks));
  int32_t victim_rank = -1;
  for (const auto& p : reader.processes()) {
    SCOPED_TRACE(p->path());
    ASSERT_EQ(p->thread_count(), 1u);
    const rondo::format::ThreadTrace& t = p->thread(0);
    // Every rank recorded its laps, the killed one up to its last batch.
    EXPECT_GE(t.event_count(), 1000u);
    if (static_cast<pid_t>(p->defs().process.pid) == victim) {
      victim_rank = p->rank();
      EXPECT_FALSE(p->ended());
    } else {
      EXPECT_TRUE(p->ended()) << "the launcher's SIGTERM let it end its file";
      EXPECT_FALSE(t.truncated());
    }
  }
  ASSERT_GE(victim_rank, 0);
  json s = stats_json();
  EXPECT_EQ(s["truncated"], true);
  EXPECT_EQ(s["ended_early"], json::array({victim_rank})) << s["ended_early"];
  EXPECT_EQ(s["missing_ranks"], json::array());
  EXPECT_NE(stats_text().find("rank " + std::to_string(victim_rank) + " ended early"), std::string::npos);
  // The killed rank's laps replay: as many MPI_Sendrecv as it entered, but for
  // the one it was in.
  auto laps = calls("MPI_Sendrecv");
  EXPECT_GT(laps[victim_rank], 0);
}

// A rank that leaves with exit(0) before MPI_Finalize: the launcher ends the
// job; the rank ended its own file at exit, the others theirs at SIGTERM.
TEST_F(JobFaults, RankLeavingWithoutFinalizeEndsTheJobWithEveryTraceRead) {
  CommandResult r = expect_job_unchanged("exit " + std::to_string(kLaps) + " 2");
  EXPECT_NE(r.out.find("job_faults: 4 ranks, 200 laps done, then exit"), std::string::npos) << r.out;
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(kRanks)) << stderr_text();
  auto laps = calls("MPI_Sendrecv"), finalize = calls("MPI_Finalize");
  const std::set<int> early = ended_early(stats_json());
  EXPECT_EQ(early.count(2), 0u) << "rank 2 left through exit(), which ends its file";
  for (int rank = 0; rank < kRanks; ++rank) EXPECT_EQ(finalize[rank], 0) << "rank " << rank;
  expect_laps(laps, early);
}

// A rank killed (SIGKILL) before its first batch was written: its file holds
// no events, but it says which rank it was, since MPI_Init writes the rank to
// the file before it returns. (A file without a rank was labelled by its place
// among the files, so the analysis took it for another rank: once, "rank 2
// ended early" and "rank 0 did no lap" came of two ranks SIGKILLed by a
// launcher before they could flush.)
TEST_F(JobFaults, RankKilledBeforeItsFirstBatchIsNamedByItsRank) {
  constexpr int kVictim = 1;
  CommandResult r = expect_job_unchanged("kill " + std::to_string(kLaps) + " " + std::to_string(kVictim));
  EXPECT_NE(r.status, 0);
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(kRanks)) << stderr_text();
  std::set<int> ranks;
  for (const auto& p : reader.processes()) {
    SCOPED_TRACE(p->path());
    ranks.insert(p->rank());
    EXPECT_EQ(p->defs().process.world_size, kRanks);
    if (p->rank() == kVictim) {
      EXPECT_FALSE(p->ended());
      EXPECT_EQ(p->thread_count() == 0 ? 0u : p->thread(0).event_count(), 0u) << "no batch was written";
    }
  }
  EXPECT_EQ(ranks, (std::set<int>{0, 1, 2, 3}));
  json s = stats_json();
  EXPECT_EQ(s["missing_ranks"], json::array());
  const std::set<int> early = ended_early(s);
  EXPECT_EQ(early.count(kVictim), 1u) << s["ended_early"];
  auto laps = calls("MPI_Sendrecv");
  EXPECT_EQ(laps[kVictim], 0);
  expect_laps(laps, early, kVictim);
}

// A rank hung in a blocking send (an MPI_Ssend nobody receives) when it is
// stopped with SIGTERM (sent by the peer once it has probed the message, so
// the send is under way at any speed): its trace ends inside MPI_Ssend, with
// the message it was sending. The send's ENTER and message record are kept while the real
// call runs, to be written once it returns (Recorder::PostedCall, off a
// ping-pong's critical path); the flush at the signal must write them, or a
// user looking for where the job hung would not find it.
TEST_F(JobFaults, RankHungInABlockingSendEndsInsideTheSendWithItsMessage) {
  constexpr int kHung = 2;
  CommandResult r = expect_job_unchanged("hang " + std::to_string(kLaps) + " " + std::to_string(kHung));
  EXPECT_NE(r.status, 0);
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(kRanks)) << stderr_text();
  const rondo::format::ProcessReader* hung = nullptr;
  for (const auto& p : reader.processes())
    if (p->rank() == kHung) hung = p.get();
  ASSERT_NE(hung, nullptr);
  EXPECT_TRUE(hung->ended()) << "SIGTERM flushes and ends the file";
  // The main thread's events from its MPI_Ssend's ENTER on.
  std::vector<rondo::format::Event> tail;
  rondo::format::EventCursor cursor(hung->thread(0));
  rondo::format::Event e;
  while (cursor.next(e)) {
    const bool ssend = (e.kind() == rondo::format::EventKind::Enter || e.kind() == rondo::format::EventKind::Leave) &&
                       hung->defs().region_name(e.def->key.ref) == "MPI_Ssend";
    if (ssend && e.kind() == rondo::format::EventKind::Enter) tail.clear();
    if (ssend || !tail.empty()) tail.push_back(e);
  }
  ASSERT_GE(tail.size(), 2u) << "no MPI_Ssend was recorded";
  EXPECT_EQ(tail[0].kind(), rondo::format::EventKind::Enter);
  EXPECT_EQ(tail[1].kind(), rondo::format::EventKind::MpiSend);
  EXPECT_EQ(tail[1].def->key.params[0], (kHung + 1) % kRanks) << "the peer";
  EXPECT_EQ(tail[1].def->key.params[1], 99) << "the tag";
  EXPECT_EQ(tail[1].ticks, tail[0].ticks) << "the send's record has its call's entry time";
  for (const auto& later : tail) EXPECT_NE(later.kind(), rondo::format::EventKind::Leave) << "the send never returned";
  // It made every lap before.
  EXPECT_EQ(calls("MPI_Sendrecv")[kHung], kLaps);
}

// MPI_Abort from rank 1 (not 0): the job ends with the abort's status as it
// does untraced; rank 1's trace ends with MPI_Abort, after all its laps.
TEST_F(JobFaults, AbortFromRankOneLeavesTheLapsOfEveryRank) {
  CommandResult r = expect_job_unchanged("abort " + std::to_string(kLaps) + " 1");
  EXPECT_NE(r.status, 0);
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(kRanks)) << stderr_text();
  auto laps = calls("MPI_Sendrecv"), aborts = calls("MPI_Abort");
  const std::set<int> early = ended_early(stats_json());
  EXPECT_EQ(aborts[1], 1);
  EXPECT_EQ(early.count(1), 0u) << "rank 1 ends its file in MPI_Abort";
  EXPECT_EQ(laps[1], kLaps);
  for (int rank = 0; rank < kRanks; ++rank) {
    if (rank != 1) {
      EXPECT_EQ(aborts[rank], 0) << "rank " << rank;
    }
  }
  expect_laps(laps, early);
}

// One rank of four gets a trace directory it cannot create (a path under a
// regular file: as on a node where the path is not writable). The job runs as
// untraced, that rank says so once, and the trace of the other three is
// complete, with `rondo stats` naming the rank that has no file.
// (This MPMD job once hung: Open MPI's -x holds for one application context,
// so rank 3 ran without the MPI module and never joined the others' start-up.)
TEST_F(JobFaults, RankThatCannotCreateTheDirectoryIsNamedMissing) {
  std::string blocker = (dir_ / "not-a-directory").string();
  run_command("echo > " + shell_quoted(blocker));
  std::string args = std::to_string(kLaps);
  // MPMD: ranks 0-2 write into the trace, rank 3 is given a path it cannot create.
  std::string job = shell_quoted(mpirun_) + (geteuid() == 0 ? " --allow-run-as-root" : "") +
                    " --oversubscribe -np 3 " + program("finish " + args) + " : -np 1 -x RONDO_TRACE_DIR=" +
                    shell_quoted(blocker + "/trace") + " " + program("finish " + args);
  CommandResult plain = run_command("{ { cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + job +
                                    "; } 2>/dev/null; }");
  CommandResult traced = run_command("{ { cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " +
                                     shell_quoted(RONDO_CLI) + " record -o " + shell_quoted(trace()) + " -- " + job +
                                     "; } 2>" + shell_quoted((dir_ / "stderr.txt").string()) + "; }");
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_EQ(traced.status, 0) << stderr_text();
  EXPECT_EQ(traced.out, plain.out);
  std::string err = stderr_text();
  size_t said = 0;
  for (size_t at = err.find("cannot create the trace directory"); at != std::string::npos;
       at = err.find("cannot create the trace directory", at + 1))
    ++said;
  EXPECT_EQ(said, 1u) << err;
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), 3u);
  for (const auto& p : reader.processes()) EXPECT_TRUE(p->ended()) << p->path();
  json s = stats_json();
  EXPECT_EQ(s["missing_ranks"], json::array({3})) << s.dump(1).substr(0, 2000);
  EXPECT_EQ(s["missing_rank_count"], 1);
  EXPECT_EQ(s["ended_early"], json::array());
  EXPECT_NE(stats_text().find("rank 3 of the job left no trace file"), std::string::npos);
  auto laps = calls("MPI_Sendrecv");
  for (int rank = 0; rank < 3; ++rank) EXPECT_EQ(laps[rank], kLaps) << "rank " << rank;
}

// A rank's process file deleted, another's replaced by a file of other bytes,
// while the job runs: the job is not disturbed (the ranks keep writing into
// the files they opened), the remaining ranks' traces read back complete, the
// deleted rank is named missing and the replaced file is reported, not read.
TEST_F(JobFaults, ProcessFilesDeletedOrReplacedWhileTheJobRuns) {
  std::string command = "cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + shell_quoted(RONDO_CLI) +
                        " record -o " + shell_quoted(trace()) + " -- " + launcher(kRanks) +
                        " -x RONDO_BATCH_EVENTS=1000 " + program("finish 300000");
  pid_t deleted = 0, replaced = 0;
  CommandResult r = run_and_act(command, trace(), [&] {
    std::vector<fs::path> files = grown_files(trace(), kGrownBytes);
    ASSERT_EQ(files.size(), static_cast<size_t>(kRanks)) << "the ranks did not start recording (or finished first)";
    deleted = file_pid(files[0]);
    replaced = file_pid(files[1]);
    fs::remove(files[0]);
    fs::path other = files[1].string() + ".new";
    run_command("head -c 20000 /dev/urandom > " + shell_quoted(other.string()));
    fs::rename(other, files[1]);
  });
  ASSERT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("job_faults: 4 ranks, 300000 laps done, then finish"), std::string::npos) << r.out;
  ASSERT_NE(deleted, 0);

  json s = stats_json();
  // Two ranks read back, every lap of theirs.
  std::map<int, int64_t> laps = calls("MPI_Sendrecv");
  int complete = 0;
  for (const auto& [rank, n] : laps) {
    EXPECT_EQ(n, 300000) << "rank " << rank;
    ++complete;
  }
  EXPECT_EQ(complete, 2) << s.dump(1).substr(0, 2000);
  // The deleted rank and the replaced one have no readable file: named missing.
  EXPECT_EQ(s["missing_ranks"].size(), 2u) << s["missing_ranks"];
  CommandResult info = run_command(shell_quoted(RONDO_CLI) + " info " + shell_quoted(trace()));
  EXPECT_NE(info.out.find(std::to_string(replaced)), std::string::npos) << "the replaced file is not reported\n"
                                                                        << info.out;
}

}  // namespace

namespace {

// An MPMD job whose second context runs without `rondo record` (issue 17):
// ranks 0 and 1 are recorded, ranks 2 and 3 run untraced, with no module. The
// traced ranks once hung in the clock measurement's PMPI_Comm_dup, which the
// untraced ranks never call; now they measure nothing (one host: offsets are
// 0 exactly), the job ends as it does untraced, and the two traced ranks'
// trace is complete with every lap.
TEST_F(JobFaults, RanksRunWithoutRondoRecordDoNotHangTheTracedOnes) {
  std::string args = "finish " + std::to_string(kLaps);
  std::string head = "cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + shell_quoted(mpirun_) +
                     (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe ";
  CommandResult plain = run_command("{ { " + head + "-np 2 " + program(args) + " : -np 2 " + program(args) +
                                    "; } 2>/dev/null; }");
  CommandResult traced = run_command("{ { " + head + "-np 2 " + shell_quoted(RONDO_CLI) + " record -o " +
                                     shell_quoted(trace()) + " " + program(args) + " : -np 2 " + program(args) +
                                     "; } 2>" + shell_quoted((dir_ / "stderr.txt").string()) + "; }");
  ASSERT_EQ(plain.status, 0) << plain.out;
  EXPECT_NE(traced.status, 124) << "the recorded job hung\n" << stderr_text();
  EXPECT_EQ(traced.status, 0) << stderr_text();
  EXPECT_EQ(traced.out, plain.out) << stderr_text();
  EXPECT_NE(traced.out.find("job_faults: 4 ranks, 200 laps done, then finish"), std::string::npos) << traced.out;
  rondo::format::TraceReader reader(trace());
  ASSERT_EQ(reader.processes().size(), 2u) << stderr_text();
  std::set<int32_t> ranks;
  for (const auto& p : reader.processes()) {
    ranks.insert(p->rank());
    EXPECT_TRUE(p->ended()) << p->path();
    EXPECT_EQ(p->defs().process.clock_offset_ns, 0);
  }
  EXPECT_EQ(ranks, (std::set<int32_t>{0, 1}));
  auto laps = calls("MPI_Sendrecv"), finalize = calls("MPI_Finalize");
  for (int rank = 0; rank < 2; ++rank) {
    EXPECT_EQ(laps[rank], kLaps) << "rank " << rank;
    EXPECT_EQ(finalize[rank], 1) << "rank " << rank;
  }
  json s = stats_json();
  EXPECT_EQ(s["missing_ranks"], json::array({2, 3})) << s.dump(1).substr(0, 2000);
  EXPECT_EQ(s["missing_rank_count"], 2);
}

}  // namespace

namespace {

// An MPI error handler that longjmps out of the failed call (issue 17): the
// jump leaves the MPI wrapper without returning, so its re-entrancy guards
// were never lowered and the io module took every later write() for Rondo's
// own (0 recorded). Now the jump ends them: every write of the program is
// recorded, on every rank, and each MPI_Send left by a jump keeps its leave.
TEST_F(JobFaults, LongjmpOutOfAnMpiCallLeavesLaterCallsRecorded) {
  constexpr int kJumps = 3, kWrites = 25;
  CommandResult r = run_command("cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " +
                                shell_quoted(RONDO_CLI) + " record -t mpi,io -o " + shell_quoted(trace()) + " -- " +
                                launcher(2) + " " + shell_quoted(LONGJMP_OUT) + " " + std::to_string(kJumps) + " " +
                                std::to_string(kWrites));
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_NE(r.out.find("longjmp_out: 2 ranks, 3 jumps, 25 writes"), std::string::npos) << r.out;
  auto writes = calls("write"), sends = calls("MPI_Send"), barriers = calls("MPI_Barrier");
  for (int rank = 0; rank < 2; ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    EXPECT_EQ(writes[rank], kWrites);
    EXPECT_EQ(sends[rank], kJumps);
    EXPECT_EQ(barriers[rank], 1);
  }
  EXPECT_TRUE(rondo::test::trace_valid(trace()));
}

}  // namespace
