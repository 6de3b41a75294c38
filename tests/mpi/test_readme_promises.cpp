// README promises about MPI jobs that no other test would catch breaking:
// one-sided and MPI-IO records with their bytes from a real program,
// `mpirun ... rondo record PROGRAM` without -o (one trace directory for the
// whole job), and every file `rondo stats --csv` writes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using rondo::format::EventKind;
using rondo::test::CommandResult;
using rondo::test::run_command;
using rondo::test::shell_quoted;

class ReadmePromises : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun";
    dir_ = fs::temp_directory_path() /
           ("rondo-promises-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  std::string mpirun(int ranks) const {
    return shell_quoted(mpirun_) + (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np " +
           std::to_string(ranks);
  }
  std::string mpirun_;
  fs::path dir_;
};

// `n` copies of `value`.
std::multiset<int64_t> repeated(int n, int64_t value) {
  std::multiset<int64_t> out;
  for (int i = 0; i < n; ++i) out.insert(value);
  return out;
}

// What one rank recorded of one kind: how many, and the first data field of each.
struct KindRecords {
  uint64_t count = 0;
  std::multiset<int64_t> data0;
  std::multiset<int64_t> params0;
  std::multiset<int64_t> params1;
};

std::map<int32_t, std::map<EventKind, KindRecords>> records_by_rank(const std::string& trace) {
  std::map<int32_t, std::map<EventKind, KindRecords>> out;
  rondo::format::TraceReader reader(trace);
  for (const auto& p : reader.processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      rondo::format::EventCursor cursor(p->thread(t));
      rondo::format::Event e;
      while (cursor.next(e)) {
        KindRecords& k = out[p->rank()][e.kind()];
        ++k.count;
        k.data0.insert(e.data[0]);
        k.params0.insert(e.def->key.params[0]);
        k.params1.insert(e.def->key.params[1]);
      }
    }
  return out;
}

// tests/mpi/programs/rma_io.c, 2 ranks, 5 repetitions: per rank 5 MPI_Put of
// 16 ints, 5 MPI_Get of 8, 5 MPI_Accumulate of 4, 3 fences per repetition;
// then 5 MPI_File_write_at and 5 MPI_File_read_at of 4,096 bytes each.
// Fences come out as RMA_SYNC records (window, kind Fence), MPI-IO calls as
// the I/O module's records (FORMAT.md, paradigm 2): once without them (issue 17).
TEST_F(ReadmePromises, RmaAndMpiIoOfARealProgramAreRecordedWithTheirBytes) {
  constexpr int kReps = 5;
  std::string trace = (dir_ / "trace").string();
  CommandResult r = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                                shell_quoted(RMA_IO) + " " + std::to_string(kReps));
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_NE(r.out.find("rma_io: 2 ranks, 5 reps"), std::string::npos) << r.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  auto ranks = records_by_rank(trace);
  ASSERT_EQ(ranks.size(), 2u);
  for (auto& [rank, kinds] : ranks) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    EXPECT_EQ(kinds[EventKind::RmaPut].data0, repeated(kReps, 16 * 4));
    EXPECT_EQ(kinds[EventKind::RmaGet].data0, repeated(kReps, 8 * 4));
    EXPECT_EQ(kinds[EventKind::RmaAccumulate].data0, repeated(kReps, 4 * 4));
    // Targets: puts and accumulates to the other rank, gets from it.
    EXPECT_EQ(kinds[EventKind::RmaPut].params0, repeated(kReps, 1 - rank));
    EXPECT_EQ(kinds[EventKind::RmaGet].params0, repeated(kReps, 1 - rank));
    // Three fences per repetition, all on the program's one window (id 0).
    EXPECT_EQ(kinds[EventKind::RmaSync].params0, repeated(3 * kReps, 0));
    EXPECT_EQ(kinds[EventKind::RmaSync].params1,
              repeated(3 * kReps, static_cast<int64_t>(rondo::format::RmaSyncKind::Fence)));
    // MPI-IO: 5 writes and 5 reads of 4,096 bytes requested and transferred, plus the opens and closes.
    std::multiset<int64_t> begun;
    for (int64_t op : kinds[EventKind::IoOperationBegin].params0)
      if (op == static_cast<int64_t>(rondo::format::IoOperation::Write) ||
          op == static_cast<int64_t>(rondo::format::IoOperation::Read))
        begun.insert(op);
    EXPECT_EQ(begun.count(static_cast<int64_t>(rondo::format::IoOperation::Write)), static_cast<size_t>(kReps));
    EXPECT_EQ(begun.count(static_cast<int64_t>(rondo::format::IoOperation::Read)), static_cast<size_t>(kReps));
    EXPECT_EQ(kinds[EventKind::IoOperationBegin].data0, repeated(2 * kReps, 4096));
    EXPECT_EQ(kinds[EventKind::IoOperationComplete].data0, repeated(2 * kReps, 4096));
    EXPECT_EQ(kinds[EventKind::IoCreateHandle].count, 2u);   // two MPI_File_open
    EXPECT_EQ(kinds[EventKind::IoDestroyHandle].count, 2u);  // two MPI_File_close
  }
}

// `mpirun -np 2 rondo record PROGRAM`, no -o: both ranks agree on one trace
// directory, rondo-<program>-<date>-<time>/ in the working directory, named by
// rank 0, holding both ranks.
TEST_F(ReadmePromises, MpirunRondoRecordWithoutOutputWritesOneDirectoryForTheJob) {
  CommandResult r = run_command("cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " + mpirun(2) + " " +
                                shell_quoted(RONDO_CLI) + " record " + shell_quoted(MPI_RING) + " 10 64");
  ASSERT_EQ(r.status, 0) << r.out;
  std::vector<fs::path> traces;
  for (const auto& e : fs::directory_iterator(dir_))
    if (e.is_directory()) traces.push_back(e.path());
  ASSERT_EQ(traces.size(), 1u) << r.out;
  std::string name = traces[0].filename().string();
  EXPECT_EQ(name.rfind("rondo-mpi_ring-", 0), 0u) << name;
  EXPECT_NE(r.out.find(name), std::string::npos) << "rank 0 names the directory\n" << r.out;
  rondo::format::TraceReader reader(traces[0].string());
  ASSERT_EQ(reader.processes().size(), 2u);
  std::set<int32_t> ranks;
  for (const auto& p : reader.processes()) {
    ranks.insert(p->rank());
    EXPECT_TRUE(p->ended()) << p->path();
  }
  EXPECT_EQ(ranks, (std::set<int32_t>{0, 1}));
  EXPECT_TRUE(rondo::test::trace_valid(traces[0].string()));
}

// Splits one CSV line at commas outside double quotes.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) out.emplace_back();
    else out.back() += c;
  }
  return out;
}

// The rows of one JSON list, each an object, with `extra` added to each.
void append_rows(json& out, const json& list, const json& extra = json::object()) {
  for (const json& row : list) {
    json r = row;
    r.update(extra);
    out.push_back(r);
  }
}

// What each file `rondo stats --csv` writes holds, as the JSON of the same
// trace has it: one object per CSV row, in order, keyed like the CSV's columns.
std::map<std::string, json> csv_counterparts(const json& s) {
  std::map<std::string, json> t;
  auto list = [&](const char* file, const json& rows) { t[file] = rows; };
  list("regions.csv", s["regions"]);
  list("call_tree.csv", s["call_tree"]);
  list("imbalance.csv", s["imbalance"]);
  list("loops.csv", s["loops"]);
  json slowest = json::array();
  for (const json& loop : s["loops"]) append_rows(slowest, loop["slowest"]);
  list("loops_slowest.csv", slowest);
  const json& mpi = s["mpi"];
  list("mpi_calls.csv", mpi["calls"]);
  json collectives = json::array();
  for (const json& op : mpi["collectives"]["operations"])
    collectives.push_back({{"operation", op["name"]}, {"count", op["count"]}, {"bytes_sent", op["bytes"]},
                           {"bytes_received", op["bytes_received"]}, {"time_ns", op["time_ns"]}});
  list("mpi_collectives.csv", collectives);
  list("mpi_time.csv", mpi["time_per_rank"]);
  list("mpi_traffic.csv", mpi["traffic_over_time"]);
  for (const char* matrix : {"matrix_bytes", "matrix_count"}) {
    json rows = json::array();
    for (size_t src = 0; src < mpi[matrix].size(); ++src) {
      json row = {{"src", src}};
      for (size_t dst = 0; dst < mpi[matrix][src].size(); ++dst) row[std::to_string(dst)] = mpi[matrix][src][dst];
      rows.push_back(row);
    }
    list((std::string(matrix) + ".csv").c_str(), rows);
  }
  json pairs = json::array();
  for (const json& p : mpi["matrix_pairs"]) pairs.push_back({{"src", p[0]}, {"dst", p[1]}, {"count", p[2]}, {"bytes", p[3]}});
  list("matrix_pairs.csv", pairs);
  list("threads.csv", s["threads"]["threads"]);
  list("parallel_regions.csv", s["threads"]["parallel_regions"]);
  list("io_files.csv", s["threads"]["io_files"]);
  json patterns = json::array(), ranks = json::array(), partners = json::array(), sites = json::array();
  for (const json& p : s["wait_states"]["patterns"]) {
    json pattern = {{"pattern", p["name"]}};
    append_rows(patterns, json::array({p}), pattern);
    append_rows(ranks, p["per_rank"], pattern);
    append_rows(sites, p["call_sites"], pattern);
    for (const json& r : p["per_rank"])
      for (const json& late : r["by_late_rank"])
        partners.push_back({{"pattern", p["name"]}, {"rank", r["rank"]}, {"late_rank", late["rank"]},
                            {"instances", late["instances"]}, {"waiting_ns", late["waiting_ns"]}});
  }
  // The last row: every pattern together.
  patterns.push_back({{"pattern", "total"}, {"instances", s["wait_states"]["instances"]},
                      {"waiting_ns", s["wait_states"]["total_ns"]}});
  list("wait_states.csv", patterns);
  list("wait_states_ranks.csv", ranks);
  list("wait_states_partners.csv", partners);
  list("wait_states_call_sites.csv", sites);
  return t;
}

// `rondo stats --csv DIR` on a hybrid MPI + OpenMP job: it names every file it
// writes, those are exactly the files in DIR, each is a header and rows of the
// header's width, and each file's rows are, in order, the rows of its JSON
// counterpart: every column whose JSON value is an integer or a string is equal
// (fractions are printed rounded), at least two columns per file.
TEST_F(ReadmePromises, StatsCsvWritesEveryTableItNamesWithConsistentRows) {
  if (std::string(HYBRID_STENCIL).empty()) GTEST_SKIP() << "examples/openmp/hybrid_stencil.c not built (no OpenMP)";
  std::string trace = (dir_ / "trace").string(), csv = (dir_ / "csv").string();
  CommandResult r = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                                shell_quoted(HYBRID_STENCIL) + " 2048 10 2");
  ASSERT_EQ(r.status, 0) << r.out;
  CommandResult written = run_command(shell_quoted(RONDO_CLI) + " stats --csv " + shell_quoted(csv) + " " +
                                      shell_quoted(trace));
  ASSERT_EQ(written.status, 0) << written.out;
  std::set<std::string> on_disk, named;
  for (const auto& e : fs::directory_iterator(csv)) on_disk.insert(e.path().filename().string());
  for (const std::string& f : on_disk)
    if (written.out.find("/" + f + "\n") != std::string::npos) named.insert(f);
  EXPECT_EQ(named, on_disk) << written.out;
  // The tables a hybrid job has: regions, MPI, wait states, threads, loops.
  for (const char* table : {"regions.csv", "mpi_calls.csv", "matrix_bytes.csv", "wait_states.csv", "threads.csv",
                            "parallel_regions.csv", "loops.csv"})
    EXPECT_TRUE(on_disk.count(table)) << table << " missing\n" << written.out;
  CommandResult text = run_command("{ { " + shell_quoted(RONDO_CLI) + " stats --json " + shell_quoted(trace) + "; } 2>/dev/null; }");
  json stats = json::parse(text.out);
  std::map<std::string, json> expected = csv_counterparts(stats);
  for (const std::string& f : on_disk) {
    SCOPED_TRACE(f);
    ASSERT_TRUE(expected.count(f)) << "a file with no JSON counterpart in this test";
    const json& rows = expected[f];
    std::ifstream in(csv + "/" + f);
    std::string line;
    ASSERT_TRUE(std::getline(in, line)) << "empty file";
    std::vector<std::string> header = csv_fields(line);
    EXPECT_GE(header.size(), 2u) << line;
    size_t row = 0;
    std::set<std::string> compared;
    for (; std::getline(in, line); ++row) {
      std::vector<std::string> fields = csv_fields(line);
      ASSERT_EQ(fields.size(), header.size()) << line;
      ASSERT_LT(row, rows.size()) << "more rows than --json has: " << line;
      for (size_t c = 0; c < header.size(); ++c) {
        const json& value = rows[row].contains(header[c]) ? rows[row][header[c]] : json();
        if (value.is_number_integer()) {
          EXPECT_EQ(std::stoll(fields[c]), value.get<int64_t>()) << header[c] << " in " << line;
        } else if (value.is_string()) {
          EXPECT_EQ(fields[c], value.get<std::string>()) << header[c] << " in " << line;
        } else {
          continue;
        }
        compared.insert(header[c]);
      }
    }
    EXPECT_EQ(row, rows.size()) << "rows in " << f << " and in --json";
    if (row > 0) {
      EXPECT_GE(compared.size(), 2u) << "columns checked against --json";
    }
  }
}

}  // namespace

namespace {

// `-t mpi,memory` without the pthread module (issue 17): Open MPI starts
// threads of its own inside MPI_Init (PMIx, libevent), whose allocations came
// through libc and were recorded as the program's, on extra threads. Only the
// program's thread is recorded now, with exactly the ring's allocation: one
// calloc of the token, freed once.
TEST_F(ReadmePromises, MemoryModuleRecordsOnlyTheProgramsThreadsInAnMpiJob) {
  std::string trace = (dir_ / "trace").string();
  CommandResult r = run_command("cd " + shell_quoted(dir_.string()) + " && timeout -k 10 120 " +
                                shell_quoted(RONDO_CLI) + " record -t mpi,memory -o " + shell_quoted(trace) + " -- " +
                                mpirun(2) + " " + shell_quoted(MPI_RING) + " 10 64");
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_NE(r.out.find("ring: 2 ranks, 10 laps of 64 bytes"), std::string::npos) << r.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  {
    rondo::format::TraceReader reader(trace);
    ASSERT_EQ(reader.processes().size(), 2u);
    for (const auto& p : reader.processes()) EXPECT_EQ(p->thread_count(), 1u) << "rank " << p->rank();
  }
  CommandResult text = run_command("{ { " + shell_quoted(RONDO_CLI) + " stats --json --by rank " +
                                   shell_quoted(trace) + "; } 2>/dev/null; }");
  json stats = json::parse(text.out);
  std::map<std::pair<int, std::string>, int64_t> calls;
  for (const json& row : stats["regions"]) calls[{row["rank"].get<int>(), row["name"]}] += row["calls"].get<int64_t>();
  for (int rank = 0; rank < 2; ++rank) {
    SCOPED_TRACE("rank " + std::to_string(rank));
    EXPECT_EQ((calls[{rank, "calloc"}]), 1);
    EXPECT_EQ((calls[{rank, "MPI_Send"}]), 10);
  }
}

}  // namespace
