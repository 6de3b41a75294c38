// End to end through `rondo record` and real mpirun jobs: MPI programs on 1, 2
// and 4 ranks, recorded in both launch forms
//   rondo record -o DIR -- mpirun -np N ./prog      (Form::RecordsMpirun)
//   mpirun -np N rondo record -o DIR ./prog         (Form::MpirunRecords)
// then read back with `rondo info/stats/print`, with exact counts.
//
// Every test skips itself when mpirun cannot be found.
#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using Result = rondo::test::CommandResult;
inline Result run(const std::string& command) { return rondo::test::run_command(command); }

bool executable(const std::string& path) { return !path.empty() && access(path.c_str(), X_OK) == 0; }

// `name` in PATH, or "".
std::string find_in_path(const std::string& name) {
  const char* path = getenv("PATH");
  if (!path) return "";
  std::string dirs = path;
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    if (!dir.empty() && executable(dir + "/" + name) && !fs::is_directory(dir + "/" + name)) return dir + "/" + name;
    start = end + 1;
  }
  return "";
}

// mpirun: the one found when the project was configured, else the one in PATH.
std::string mpirun() {
  static const std::string path = [] {
    std::string configured = RONDO_MPIEXEC;
    if (executable(configured)) return configured;
    for (const char* name : {"mpirun", "mpiexec"})
      if (std::string p = find_in_path(name); !p.empty()) return p;
    return std::string();
  }();
  return path;
}

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

const std::string kRondo = RONDO_CLI;

enum class Form { RecordsMpirun, MpirunRecords };

std::string form_name(Form f) { return f == Form::RecordsMpirun ? "RecordMpirun" : "MpirunRecord"; }

// What every recording is checked for.
void expect_consistent(const json& stats, const json& info, int ranks) {
  const json& m = stats["mpi"];
  EXPECT_EQ(info["processes"], ranks);
  EXPECT_EQ(info["truncated"], false);
  EXPECT_EQ(m["ranks"], ranks);
  EXPECT_EQ(m["messages"]["unmatched"], 0);
  EXPECT_EQ(m["messages"]["bytes_mismatched"], 0);
  EXPECT_EQ(m["messages"]["incomplete_receives"], 0);
  // Clock correction: no message may be received before it was sent.
  EXPECT_EQ(m["received_before_sent"], 0);
}

// Calls per region name, all ranks together.
std::map<std::string, int64_t> calls(const json& stats) {
  std::map<std::string, int64_t> out;
  for (auto& r : stats["regions"]) out[r["name"].get<std::string>()] += r["calls"].get<int64_t>();
  return out;
}
// Calls per (rank, region name), from `rondo stats --json --by rank`.
std::map<std::pair<int, std::string>, int64_t> calls_by_rank(const json& stats) {
  std::map<std::pair<int, std::string>, int64_t> out;
  for (auto& r : stats["regions"])
    out[{r["rank"].get<int>(), r["name"].get<std::string>()}] += r["calls"].get<int64_t>();
  return out;
}
json collective_op(const json& stats, const std::string& name) {
  for (auto& o : stats["mpi"]["collectives"]["operations"])
    if (o["name"] == name) return o;
  return json{{"name", name}, {"count", 0}, {"bytes", 0}, {"bytes_received", 0}};
}
std::vector<std::vector<int64_t>> matrix(const json& stats) {
  return stats["mpi"]["matrix_bytes"].get<std::vector<std::vector<int64_t>>>();
}

class Mpi : public ::testing::Test {
 protected:
  void SetUp() override {
    if (mpirun().empty())
      GTEST_SKIP() << "mpirun not found (neither " << RONDO_MPIEXEC
                   << " from the configuration nor mpirun/mpiexec in PATH): MPI tests skipped";
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("rondo-mpi-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // mpirun and its options for `ranks` ranks (--allow-run-as-root only for root).
  static std::string launcher(int ranks) {
    std::string cmd = quote(mpirun());
    if (geteuid() == 0) cmd += " --allow-run-as-root";
    cmd += " --oversubscribe -np " + std::to_string(ranks);
    return cmd;
  }

  // Records `program args` on `ranks` ranks into a new trace directory; returns
  // the directory (the run's result in `last_`).
  // `check`: run `rondo check` on the trace (every test does, but see MeasuredClocks).
  std::string record(Form form, int ranks, const std::string& program, const std::string& args,
                     const std::string& name = "trace", bool check = true) {
    std::string trace = path(name + "-" + form_name(form) + "-" + std::to_string(ranks) + "ranks");
    // A job that hangs is stopped long before ctest's TIMEOUT (300 s) would.
    static const std::string guard = find_in_path("timeout").empty() ? "" : "timeout -k 10 120 ";
    std::string cmd;
    if (form == Form::RecordsMpirun)
      cmd = "cd " + quote(dir_.string()) + " && " + guard + quote(kRondo) + " record -o " + quote(trace) + " -- " +
            launcher(ranks) + " " + quote(program) + " " + args;
    else
      cmd = "cd " + quote(dir_.string()) + " && " + guard + launcher(ranks) + " " + quote(kRondo) + " record -o " +
            quote(trace) + " " + quote(program) + " " + args;
    last_command_ = cmd;
    last_ = run(cmd);
    if (check && fs::exists(trace)) {
      EXPECT_TRUE(rondo::test::trace_valid(trace)) << context();
    }
    return trace;
  }

  json json_of(const std::string& command) {
    Result r = run(command);
    EXPECT_EQ(r.status, 0) << command << "\n" << r.out;
    try {
      return json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << command << ": not JSON (" << e.what() << "):\n" << r.out;
      return json::object();
    }
  }
  json stats(const std::string& trace, const std::string& options = "") {
    return json_of(kRondo + " stats --json " + options + " " + quote(trace));
  }
  json info(const std::string& trace) { return json_of(kRondo + " info --json " + quote(trace)); }

  std::string context() const { return last_command_ + "\n" + last_.out; }

  fs::path dir_;
  Result last_;
  std::string last_command_;
};

// Parameterized over (ranks, launch form).
struct Launch {
  int ranks;
  Form form;
};
void PrintTo(const Launch& l, std::ostream* os) { *os << l.ranks << " ranks, " << form_name(l.form); }
std::string launch_name(const ::testing::TestParamInfo<Launch>& p) {
  return std::to_string(p.param.ranks) + "Ranks" + form_name(p.param.form);
}
const std::vector<Launch> kLaunches = {{1, Form::RecordsMpirun}, {2, Form::RecordsMpirun}, {2, Form::MpirunRecords},
                                       {4, Form::RecordsMpirun}, {4, Form::MpirunRecords}};

class MpiJob : public Mpi, public ::testing::WithParamInterface<Launch> {};

// ---------------------------------------------------------------------------
// examples/mpi/ring.c: laps x ranks blocking messages.

TEST_P(MpiJob, RingHasExactMessages) {
  // On one rank, ring.c passes the token to itself with MPI_Sendrecv_replace (a
  // blocking MPI_Send to oneself would wait above the eager limit).
  const int p = GetParam().ranks, laps = 50, bytes = 900;
  std::string trace = record(GetParam().form, p, MPI_RING, std::to_string(laps) + " " + std::to_string(bytes));
  ASSERT_EQ(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("ring: " + std::to_string(p) + " ranks, 50 laps of 900 bytes"), std::string::npos)
      << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  EXPECT_EQ(s["mpi"]["messages"]["count"], laps * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], int64_t{laps} * p * bytes);
  auto c = calls(s);
  if (p == 1) {
    EXPECT_EQ(c["MPI_Sendrecv_replace"], laps);
  } else {
    EXPECT_EQ(c["MPI_Send"], laps * p);
    EXPECT_EQ(c["MPI_Recv"], laps * p);
  }
  EXPECT_EQ(c["MPI_Init"], p);
  EXPECT_EQ(c["MPI_Finalize"], p);
  auto m = matrix(s);
  ASSERT_EQ(m.size(), static_cast<size_t>(p));
  for (int src = 0; src < p; ++src)
    for (int dst = 0; dst < p; ++dst)
      EXPECT_EQ(m[src][dst], dst == (src + 1) % p ? int64_t{laps} * bytes : 0) << src << " -> " << dst;
}

// ---------------------------------------------------------------------------
// examples/mpi/halo2d.c: 4 Isend + 4 Irecv + 1 Waitall per rank and iteration.

TEST_P(MpiJob, Halo2dHasExactMessagesAndALoop) {
  const int p = GetParam().ranks, iterations = 120, n = 64, check = 10;
  std::string trace = record(GetParam().form, p, MPI_HALO2D,
                             std::to_string(iterations) + " " + std::to_string(n) + " " + std::to_string(check));
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  auto c = calls(s);
  EXPECT_EQ(c["MPI_Isend"], 4 * iterations * p);
  EXPECT_EQ(c["MPI_Irecv"], 4 * iterations * p);
  EXPECT_EQ(c["MPI_Waitall"], iterations * p);
  EXPECT_EQ(c["MPI_Allreduce"], iterations / check * p);
  EXPECT_EQ(c["MPI_Cart_create"], p);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 4 * iterations * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], int64_t{4} * iterations * p * n * 8);
  json allreduce = collective_op(s, "allreduce");
  EXPECT_EQ(allreduce["count"], iterations / check * p);
  EXPECT_EQ(allreduce["bytes"], iterations / check * p * 8);
  // Every message is n doubles: one size bucket holds them all.
  ASSERT_EQ(s["mpi"]["message_sizes"].size(), 1u) << s["mpi"]["message_sizes"].dump();

  Result grammar = run(kRondo + " print --grammar --thread 0:0 " + quote(trace));
  ASSERT_EQ(grammar.status, 0) << grammar.out;
  // The iterations are loops: an outer loop of iterations / check rounds (each
  // ending with the Allreduce) around a loop of `check` exchanges:
  //   loop L3 x12
  //     loop L2 x10 (each of 12 occurrences)
  //       MPI_Irecv ... MPI_Waitall
  //     MPI_Allreduce
  const std::string outer = "x" + std::to_string(iterations / check) + "\n";
  const std::string inner =
      "x" + std::to_string(check) + " (each of " + std::to_string(iterations / check) + " occurrences)\n";
  size_t outer_at = grammar.out.find(outer), inner_at = grammar.out.find(inner);
  ASSERT_NE(outer_at, std::string::npos) << grammar.out;
  ASSERT_NE(inner_at, std::string::npos) << grammar.out;
  EXPECT_LT(outer_at, inner_at) << grammar.out;
  auto on_loop_line = [&](size_t at) {
    size_t line = grammar.out.rfind('\n', at);
    line = line == std::string::npos ? 0 : line + 1;
    return grammar.out.substr(line, at - line).find("loop L") != std::string::npos;
  };
  EXPECT_TRUE(on_loop_line(outer_at)) << grammar.out;
  EXPECT_TRUE(on_loop_line(inner_at)) << grammar.out;
  size_t waitall = grammar.out.find("MPI_Waitall", inner_at), reduce_at = grammar.out.find("MPI_Allreduce", inner_at);
  ASSERT_NE(waitall, std::string::npos) << grammar.out;
  ASSERT_NE(reduce_at, std::string::npos) << grammar.out;
  EXPECT_LT(waitall, reduce_at) << grammar.out;
}

// ---------------------------------------------------------------------------
// examples/mpi/collectives.c: 12 operations per rank and round.

TEST_P(MpiJob, CollectivesTourHasExactCountsAndBytes) {
  const int64_t p = GetParam().ranks, count = 100, rounds = 3, b = 4 * count;
  std::string trace =
      record(GetParam().form, static_cast<int>(p), MPI_COLLECTIVES, std::to_string(count) + " " + std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("total: " + std::to_string(12 * rounds * p) + " operations, " +
                           std::to_string(rounds * b * (2 + 7 * p + 2 * p * p)) + " bytes sent"),
            std::string::npos)
      << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, static_cast<int>(p));
  const json& coll = s["mpi"]["collectives"];
  EXPECT_EQ(coll["count"], 12 * rounds * p);
  EXPECT_EQ(coll["bytes"], rounds * b * (2 + 7 * p + 2 * p * p));
  EXPECT_EQ(coll["bytes_received"], rounds * b * (2 * p * p + 8 * p - 1));
  EXPECT_EQ(s["mpi"]["messages"]["count"], 0);

  struct Expected {
    const char* op;
    int64_t count, sent, received;  // per round, all ranks
  };
  for (const Expected& e : std::vector<Expected>{
           {"barrier", p, 0, 0},
           {"bcast", 2 * p, 2 * b, 2 * b * (p - 1)},  // MPI_Bcast and MPI_Ibcast
           {"reduce", p, b * p, b},
           {"allreduce", 2 * p, 2 * b * p, 2 * b * p},  // MPI_Allreduce and MPI_Iallreduce
           {"gather", p, b * p, b * p},
           {"scatter", p, b * p, b * p},
           {"allgather", p, b * p, b * p * p},
           {"alltoall", p, b * p * p, b * p * p},
           {"reduce_scatter_block", p, b * p * p, b * p},
           {"scan", p, b * p, b * p}}) {
    json o = collective_op(s, e.op);
    EXPECT_EQ(o["count"], e.count * rounds) << e.op << "\n" << coll.dump(1);
    EXPECT_EQ(o["bytes"], e.sent * rounds) << e.op;
    EXPECT_EQ(o["bytes_received"], e.received * rounds) << e.op;
  }
  auto c = calls(s);
  for (const char* name : {"MPI_Barrier", "MPI_Bcast", "MPI_Reduce", "MPI_Allreduce", "MPI_Gather", "MPI_Scatter",
                           "MPI_Allgather", "MPI_Alltoall", "MPI_Reduce_scatter_block", "MPI_Scan", "MPI_Ibcast",
                           "MPI_Iallreduce"})
    EXPECT_EQ(c[name], rounds * p) << name;
  EXPECT_EQ(c["MPI_Wait"], 2 * rounds * p);
}

// ---------------------------------------------------------------------------
// Persistent requests (tests/mpi/programs/persistent.c).

TEST_P(MpiJob, PersistentRequestsAreOneMessagePerStart) {
  const int p = GetParam().ranks, iterations = 20, bytes = 100;
  std::string trace = record(GetParam().form, p, PERSISTENT, std::to_string(iterations) + " " + std::to_string(bytes));
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 2 * iterations * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], 2 * iterations * p * bytes);
  auto c = calls(s);
  EXPECT_EQ(c["MPI_Send_init"], p);
  EXPECT_EQ(c["MPI_Recv_init"], p);
  EXPECT_EQ(c["MPI_Startall"], iterations * p);
  EXPECT_EQ(c["MPI_Start"], 2 * iterations * p);
  EXPECT_EQ(c["MPI_Waitall"], iterations * p);
  EXPECT_EQ(c["MPI_Wait"], 2 * iterations * p);
  EXPECT_EQ(c["MPI_Request_free"], 2 * p);
  auto m = matrix(s);
  ASSERT_EQ(m.size(), static_cast<size_t>(p));
  for (int src = 0; src < p; ++src) EXPECT_EQ(m[src][(src + 1) % p], 2 * iterations * bytes) << src;
}

// ---------------------------------------------------------------------------
// MPI_STATUS_IGNORE / MPI_STATUSES_IGNORE with wildcard receives
// (tests/mpi/programs/status_ignore.c).

TEST_P(MpiJob, IgnoredStatusesStillGiveMatchedMessages) {
  const int p = GetParam().ranks, iterations = 10, bytes = 128, half = bytes / 2;
  std::string trace =
      record(GetParam().form, p, STATUS_IGNORE, std::to_string(iterations) + " " + std::to_string(bytes));
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 6 * iterations * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], 5 * bytes * iterations * p);
  auto c = calls(s);
  EXPECT_EQ(c["MPI_Sendrecv"], iterations * p);
  EXPECT_EQ(c["MPI_Wait"], iterations * p);
  EXPECT_EQ(c["MPI_Waitall"], iterations * p);
  EXPECT_EQ(c["MPI_Recv"], iterations * p);
  EXPECT_GE(c["MPI_Test"], iterations * p);
  EXPECT_GE(c["MPI_Testall"], iterations * p);
  // The sources the program never asked for are in the matrix.
  std::vector<std::vector<int64_t>> expected(static_cast<size_t>(p), std::vector<int64_t>(static_cast<size_t>(p)));
  for (int r = 0; r < p; ++r) {
    expected[r][(r + 1) % p] += int64_t{iterations} * (4 * bytes + half);
    expected[r][(r + p - 1) % p] += int64_t{iterations} * half;
  }
  EXPECT_EQ(matrix(s), expected);
}

INSTANTIATE_TEST_SUITE_P(Launches, MpiJob, ::testing::ValuesIn(kLaunches), launch_name);

// ---------------------------------------------------------------------------
// The Fortran bindings.

class MpiFortran : public Mpi, public ::testing::WithParamInterface<Launch> {};

// examples/mpi/halo_f90.f90 (use mpi): 2 Isend + 2 Irecv + 1 Waitall per rank
// and iteration, an Allreduce every 10 iterations; nothing else.
TEST_P(MpiFortran, HaloF90HasExactCallsAndMessages) {
  if (std::string(MPI_HALO_F90).empty()) GTEST_SKIP() << "examples/mpi/halo_f90.f90 not built (no Fortran compiler or MPI Fortran bindings)";
  const int p = GetParam().ranks, iterations = 50, width = 8;
  std::string trace = record(GetParam().form, p, MPI_HALO_F90, std::to_string(iterations) + " " + std::to_string(width));
  ASSERT_EQ(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("halo_f90: " + std::to_string(p) + " ranks, 50 iterations"), std::string::npos) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  std::map<std::string, int64_t> expected = {
      {"MPI_Init", p},        {"MPI_Comm_rank", p},           {"MPI_Comm_size", p},
      {"MPI_Irecv", 2 * iterations * p}, {"MPI_Isend", 2 * iterations * p}, {"MPI_Waitall", iterations * p},
      {"MPI_Allreduce", iterations / 10 * p}, {"MPI_Finalize", p}};
  // Exactly these regions: nothing recorded twice (Fortran and C), nothing missing.
  EXPECT_EQ(calls(s), expected);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 2 * iterations * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], 2 * iterations * p * width * 8);
  EXPECT_EQ(s["mpi"]["collectives"]["count"], iterations / 10 * p);
  EXPECT_EQ(s["mpi"]["collectives"]["bytes"], iterations / 10 * p * 8);
  auto m = matrix(s);
  ASSERT_EQ(m.size(), static_cast<size_t>(p));
  if (p > 2)
    for (int r = 0; r < p; ++r) {
      EXPECT_EQ(m[r][(r + 1) % p], iterations * width * 8);
      EXPECT_EQ(m[r][(r + p - 1) % p], iterations * width * 8);
    }
}

// tests/mpi/programs/fortran_tour.F90: every wrapped binding, through `use mpi`
// (ierror passed) and `use mpi_f08` (ierror omitted).
void check_fortran_tour(const json& s, const json& i, int64_t p, int64_t laps, int64_t n, bool f08) {
  const int64_t b = 4 * n;
  expect_consistent(s, i, static_cast<int>(p));
  auto c = calls(s);
  std::map<std::string, int64_t> expected = {
      {f08 ? "MPI_Init_thread" : "MPI_Init", p},
      {"MPI_Comm_rank", 2 * p},
      {"MPI_Comm_size", 2 * p},
      {"MPI_Send", laps * p},
      {"MPI_Ssend", p},
      {"MPI_Bsend", p},
      {"MPI_Rsend", p},
      {"MPI_Recv", (laps + 1) * p},
      {"MPI_Isend", (4 * laps + 4) * p},
      {"MPI_Issend", p},
      {"MPI_Irecv", (4 * laps + 7) * p},
      {"MPI_Probe", p},
      {"MPI_Iprobe", p},
      {"MPI_Wait", (3 * laps + 8) * p},
      {"MPI_Waitall", (laps + 1) * p},
      {"MPI_Waitany", 2 * p},
      {"MPI_Waitsome", p},
      {"MPI_Sendrecv", (laps + 2) * p},
      {"MPI_Sendrecv_replace", p},
      {"MPI_Send_init", p},
      {"MPI_Recv_init", p},
      {"MPI_Startall", p},
      {"MPI_Start", 2 * p},
      {"MPI_Request_free", 2 * p},
      {"MPI_Barrier", 3 * p},
      {"MPI_Bcast", p},
      {"MPI_Reduce", p},
      {"MPI_Allreduce", 3 * p},
      {"MPI_Gather", p},
      {"MPI_Gatherv", p},
      {"MPI_Scatter", p},
      {"MPI_Scatterv", p},
      {"MPI_Allgather", p},
      {"MPI_Allgatherv", p},
      {"MPI_Alltoall", p},
      {"MPI_Alltoallv", p},
      {"MPI_Reduce_scatter", p},
      {"MPI_Reduce_scatter_block", p},
      {"MPI_Scan", p},
      {"MPI_Exscan", p},
      {"MPI_Comm_split", p},
      {"MPI_Comm_dup", p},
      {"MPI_Comm_group", p},
      {"MPI_Comm_create", p},
      {"MPI_Comm_free", 5 * p},
      {"MPI_Cart_create", p},
      {"MPI_Cart_shift", p},
      {"MPI_Cart_coords", p},
      {"MPI_Cart_rank", p},
      {"MPI_Cart_sub", p},
      {"MPI_Finalize", p}};
  // The polling calls: at least once each per rank.
  for (const char* polled : {"MPI_Test", "MPI_Testall", "MPI_Testany"}) {
    EXPECT_GE(c[polled], (std::string(polled) == "MPI_Test" ? laps : 1) * p) << polled;
    c.erase(polled);
  }
  EXPECT_EQ(c, expected);
  EXPECT_EQ(s["mpi"]["messages"]["count"], (6 * laps + 13) * p);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], (6 * laps + 13) * p * b);
  EXPECT_EQ(s["mpi"]["collectives"]["count"], 30 * p);
  EXPECT_EQ(s["mpi"]["collectives"]["bytes"], b * (1 + 12 * p + 4 * p * p));
  // MPI_IN_PLACE at the gather root counts the root's own block.
  json gather = collective_op(s, "gather");
  EXPECT_EQ(gather["bytes"], b * p);
  EXPECT_EQ(gather["bytes_received"], b * p);
  struct Op {
    const char* name;
    int64_t count, sent, received;  // all ranks
  };
  for (const Op& e : std::vector<Op>{{"gatherv", p, b * p, b * p},
                                     {"scatterv", p, b * p, b * p},
                                     {"allgatherv", p, b * p, b * p * p},
                                     {"alltoallv", p, b * p * p, b * p * p},
                                     {"reduce_scatter", p, b * p * p, b * p},
                                     {"reduce_scatter_block", p, b * p * p, b * p},
                                     {"scan", p, b * p, b * p},
                                     {"exscan", p, b * p, b * p}}) {
    json o = collective_op(s, e.name);
    EXPECT_EQ(o["count"], e.count) << e.name;
    EXPECT_EQ(o["bytes"], e.sent) << e.name;
    EXPECT_EQ(o["bytes_received"], e.received) << e.name;
  }
  // Peers are world ranks, also on the split and the Cartesian communicators:
  // to the next rank 4L messages (A, B, D, E) + 1 (H) + 11 (I, J), to the
  // previous 2L (C, D), and 1 to the next member of the split half (same
  // parity, by descending rank).
  std::vector<std::vector<int64_t>> peers(static_cast<size_t>(p), std::vector<int64_t>(static_cast<size_t>(p)));
  for (int64_t r = 0; r < p; ++r) {
    peers[r][(r + 1) % p] += (4 * laps + 12) * b;
    peers[r][(r + p - 1) % p] += 2 * laps * b;
    std::vector<int64_t> half;
    for (int64_t w = p - 1; w >= 0; --w)
      if (w % 2 == r % 2) half.push_back(w);
    size_t at = 0;
    while (half[at] != r) ++at;
    peers[r][half[(at + 1) % half.size()]] += b;
  }
  EXPECT_EQ(matrix(s), peers);
}

// The tour's probes (mpi_probe with a status, then mpi_iprobe with
// MPI_STATUS_IGNORE, of the same message): two MPI_PROBE records per rank, each
// naming the previous rank, tag 84, MPI_COMM_WORLD and the message's n integers.
void check_fortran_probes(const std::string& trace, int p, int n) {
  rondo::format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), static_cast<size_t>(p));
  for (const auto& proc : reader.processes()) {
    const int64_t prev = (proc->rank() + p - 1) % p;
    int probes = 0;
    for (size_t t = 0; t < proc->thread_count(); ++t) {
      rondo::format::EventCursor cursor(proc->thread(t));
      rondo::format::Event e;
      while (cursor.next(e)) {
        if (e.kind() != rondo::format::EventKind::MpiProbe) continue;
        ++probes;
        EXPECT_EQ(e.def->key.params, (std::array<int64_t, 4>{prev, 84, 0, 0})) << "rank " << proc->rank();
        EXPECT_EQ(rondo::format::transfer_bytes(*e.def, e.data).bytes, 4 * n) << "rank " << proc->rank();
      }
    }
    EXPECT_EQ(probes, 2) << "rank " << proc->rank();
  }
}

TEST_P(MpiFortran, TourThroughUseMpi) {
  if (std::string(FORTRAN_TOUR).empty()) GTEST_SKIP() << "no Fortran compiler or MPI Fortran bindings";
  const int p = GetParam().ranks, laps = 5, n = 16;
  std::string trace = record(GetParam().form, p, FORTRAN_TOUR, std::to_string(laps) + " " + std::to_string(n));
  ASSERT_EQ(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("fortran_tour: " + std::to_string(p) + " ranks, 5 laps of 16 integers: ok"),
            std::string::npos)
      << context();
  check_fortran_tour(stats(trace), info(trace), p, laps, n, false);
  check_fortran_probes(trace, p, n);
}

TEST_P(MpiFortran, TourThroughUseMpiF08) {
  if (std::string(FORTRAN_TOUR_F08).empty()) GTEST_SKIP() << "no mpi_f08 module";
  const int p = GetParam().ranks, laps = 5, n = 16;
  std::string trace = record(GetParam().form, p, FORTRAN_TOUR_F08, std::to_string(laps) + " " + std::to_string(n));
  ASSERT_EQ(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("fortran_tour: " + std::to_string(p) + " ranks, 5 laps of 16 integers: ok"),
            std::string::npos)
      << context();
  check_fortran_tour(stats(trace), info(trace), p, laps, n, true);
  check_fortran_probes(trace, p, n);
}

INSTANTIATE_TEST_SUITE_P(Launches, MpiFortran, ::testing::ValuesIn(kLaunches), launch_name);

// ---------------------------------------------------------------------------
// A split communicator (tests/mpi/programs/split.c): world ranks {2, 0} and
// {3, 1} exchange messages among themselves; peers are recorded as world ranks.

TEST_F(Mpi, SplitCommunicatorMessagesAreMatchedBetweenWorldRanks) {
  const int p = 4, laps = 10, bytes = 256;
  for (Form form : {Form::RecordsMpirun, Form::MpirunRecords}) {
    SCOPED_TRACE(form_name(form));
    std::string trace = record(form, p, SPLIT, std::to_string(laps) + " " + std::to_string(bytes));
    ASSERT_EQ(last_.status, 0) << context();
    json s = stats(trace), i = info(trace);
    expect_consistent(s, i, p);
    EXPECT_EQ(s["mpi"]["messages"]["count"], laps * p);
    EXPECT_EQ(s["mpi"]["messages"]["bytes"], laps * p * bytes);
    std::vector<std::vector<int64_t>> expected(4, std::vector<int64_t>(4, 0));
    expected[0][2] = expected[2][0] = expected[1][3] = expected[3][1] = laps * bytes;
    EXPECT_EQ(matrix(s), expected);
    // Two communicators made by MPI_Comm_split, each of 2 ranks, carry everything.
    int split_comms = 0;
    int64_t on_split = 0;
    for (auto& comm : s["mpi"]["communicators"]) {
      if (comm["name"] != "MPI_Comm_split") continue;
      ++split_comms;
      EXPECT_EQ(comm["size"], 2);
      EXPECT_EQ(comm["messages"], laps * 2);
      // Its MPI_Allreduce and MPI_Comm_free on both members (creation is
      // recorded on the parent; freeing on the communicator freed).
      EXPECT_EQ(comm["collectives"], 4);
      on_split += comm["messages"].get<int64_t>();
    }
    EXPECT_EQ(split_comms, 2) << s["mpi"]["communicators"].dump(1);
    EXPECT_EQ(on_split, laps * p);
    EXPECT_EQ(collective_op(s, "allreduce")["count"], p);
  }
}

// ---------------------------------------------------------------------------
// The analyzer run as an MPI job: `mpirun -np K rondo stats --distributed`
// prints exactly what one process prints, for K = 1, 2, 4 (K = 4: one rank's
// process file each; K = 2: two each), with windows, groupings and comparisons.

TEST_F(Mpi, TimeStepLoopWithAPeriodicAllreduceIsOneNestOfItsSteps) {
  // halo2d 100 steps, an Allreduce every 10: the grammar makes an outer loop of
  // 10 (10 steps, Allreduce); the loop table's nest counts 100 steps per rank.
  const int p = 4;
  std::string trace = record(Form::RecordsMpirun, p, MPI_HALO2D, "100 32 10");
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace);
  uint64_t nests = 0;
  for (const auto& l : s["loops"]) {
    if (l["nest_iterations"] == 0) continue;
    ++nests;
    EXPECT_EQ(l["nest_iterations"], p * 100) << l.dump(1);
    EXPECT_EQ(l["threads"], p);
    EXPECT_NE(l["label"].get<std::string>().find("MPI_Allreduce"), std::string::npos) << l.dump(1);
  }
  EXPECT_EQ(nests, 1u) << s["loops"].dump(1);
  Result text = run(kRondo + " stats " + quote(trace));
  EXPECT_NE(text.out.find("400 (100/thread)"), std::string::npos) << text.out;
}

TEST_F(Mpi, DistributedStatsAreIdenticalToOneProcess) {
  const int p = 4;
  std::string trace = record(Form::RecordsMpirun, p, MPI_HALO2D, "100");
  ASSERT_EQ(last_.status, 0) << context();
  std::string other = record(Form::RecordsMpirun, p, MPI_HALO2D, "50", "other");
  ASSERT_EQ(last_.status, 0) << context();
  // A window from the middle of the run on (a fixed time could lie past the
  // end of a run on a fast machine).
  const int64_t middle = stats(trace)["duration_ns"].get<int64_t>() / 2;
  const std::vector<std::string> variants = {"--json", "--json --by rank",
                                             "--json --window " + std::to_string(middle) + "ns:",
                                             "--json --compare " + quote(other), ""};
  for (const std::string& options : variants) {
    SCOPED_TRACE(options);
    Result serial = run(kRondo + " stats " + options + " " + quote(trace));
    ASSERT_EQ(serial.status, 0) << serial.out;
    for (int k : {1, 2, 4}) {
      Result distributed = run(launcher(k) + " " + quote(kRondo) + " stats --distributed " + options + " " + quote(trace));
      ASSERT_EQ(distributed.status, 0) << distributed.out;
      EXPECT_EQ(distributed.out, serial.out) << k << " processes";
    }
  }
  // The report holds what the halo exchange did: 16 messages per iteration.
  json s = stats(trace);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 16 * 100);
  // Traffic over time: 20 slices holding every message and byte.
  ASSERT_EQ(s["mpi"]["traffic_over_time"].size(), 20u);
  int64_t messages = 0, bytes = 0;
  for (auto& slice : s["mpi"]["traffic_over_time"]) {
    messages += slice["messages"].get<int64_t>();
    bytes += slice["bytes"].get<int64_t>();
  }
  EXPECT_EQ(messages, 16 * 100);
  EXPECT_EQ(bytes, s["mpi"]["messages"]["bytes"].get<int64_t>());
  // A damaged trace fails on every process with one message, and status 1.
  Result missing = run(launcher(2) + " " + quote(kRondo) + " stats --distributed " + quote(path("no-such-trace")));
  EXPECT_NE(missing.status, 0);
  EXPECT_NE(missing.out.find("no-such-trace"), std::string::npos) << missing.out;
}

// ---------------------------------------------------------------------------
// The rarer collectives (tests/mpi/programs/more_collectives.c), 4 ranks.

TEST_F(Mpi, RarerCollectivesAndCommunicatorCallsAreRecorded) {
  const int p = 4, rounds = 3;
  std::string trace = record(Form::RecordsMpirun, p, MORE_COLLECTIVES, std::to_string(rounds));
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, p);
  auto c = calls(s);
  for (const char* name : {"MPI_Alltoallw", "MPI_Igatherv", "MPI_Iscatterv", "MPI_Iallgatherv", "MPI_Ialltoallv",
                           "MPI_Ireduce_scatter_block", "MPI_Iscan", "MPI_Iexscan", "MPI_Neighbor_allgather",
                           "MPI_Neighbor_alltoall"})
    EXPECT_EQ(c[name], rounds * p) << name;
  EXPECT_EQ(c["MPI_Comm_idup"], p);
  EXPECT_EQ(c["MPI_Dist_graph_create"], p);
  // One int per peer: alltoallw moves p ints each way per rank and round.
  EXPECT_EQ(collective_op(s, "alltoallw")["count"], rounds * p);
  EXPECT_EQ(collective_op(s, "alltoallw")["bytes"], int64_t{rounds} * p * p * 4);
  // Neighbors of a periodic 1-D ring: 2 in, 2 out.
  EXPECT_EQ(collective_op(s, "neighbor_allgather")["bytes"], int64_t{rounds} * p * 2 * 4);
  // The communicator from MPI_Comm_idup is defined at its completion and carries the ring.
  EXPECT_EQ(s["mpi"]["messages"]["count"], p);
  bool found = false;
  for (auto& comm : s["mpi"]["communicators"])
    if (comm["name"] == "MPI_Comm_idup") {
      found = true;
      EXPECT_EQ(comm["size"], p);
      EXPECT_EQ(comm["messages"], p);
    }
  EXPECT_TRUE(found) << s["mpi"]["communicators"].dump(1);
}

// ---------------------------------------------------------------------------
// MPI_Abort (tests/mpi/programs/abort.c): rank 0 aborts the job after its sends.

TEST_F(Mpi, AbortLeavesAReadableTraceWithTheEventsBeforeIt) {
  const int sends = 20, bytes = 64;
  std::string trace = record(Form::RecordsMpirun, 2, ABORT_PROGRAM, std::to_string(sends) + " " + std::to_string(bytes));
  EXPECT_NE(last_.status, 0) << context();
  EXPECT_NE(last_.out.find("abort: rank 0 sent 20 messages, aborting"), std::string::npos) << context();

  json i = info(trace);
  EXPECT_GE(i["processes"].get<int>(), 1) << i.dump();
  EXPECT_GT(i["events"].get<int64_t>(), 0);
  json s = stats(trace, "--by rank");
  auto c = calls_by_rank(s);
  EXPECT_EQ((c[{0, "MPI_Init"}]), 1) << s.dump(1);
  EXPECT_EQ((c[{0, "MPI_Send"}]), sends);
  EXPECT_EQ((c[{0, "MPI_Recv"}]), 1);
  EXPECT_EQ((c[{0, "MPI_Abort"}]), 1);
  EXPECT_EQ((c[{0, "MPI_Finalize"}]), 0);

  // Rank 0's last event is leaving MPI_Abort; its sends come before it.
  Result events = run(kRondo + " print --thread 0:0 " + quote(trace));
  ASSERT_EQ(events.status, 0) << events.out;
  size_t abort_at = events.out.rfind("MPI_Abort");
  ASSERT_NE(abort_at, std::string::npos) << events.out;
  size_t last_send = events.out.rfind("MPI_Send");
  ASSERT_NE(last_send, std::string::npos) << events.out;
  EXPECT_LT(last_send, abort_at);

  // Rank 1 was taken down by mpirun; when its trace made it to disk, its 20
  // receives and its acknowledgement match rank 0's records.
  if (i["processes"] == 2) {
    json all = stats(trace);
    EXPECT_EQ(all["mpi"]["messages"]["count"], sends + 1) << all["mpi"]["messages"].dump();
    EXPECT_EQ(all["mpi"]["messages"]["unmatched"], 0);
    EXPECT_EQ(all["mpi"]["received_before_sent"], 0);
    // The receive it was waiting in when it was killed counts as cut short.
    int64_t cut_short = 0;
    for (auto& r : s["regions"])
      if (r["rank"] == 1 && r["name"] == "MPI_Recv") cut_short = r["cut_short"].get<int64_t>();
    EXPECT_LE(cut_short, 1);
    EXPECT_EQ((c[{1, "MPI_Recv"}]) - cut_short, sends);
  }
}

// ---------------------------------------------------------------------------
// Clock correction: with many short messages in both directions, no receive
// may be placed before its send on the trace's common time axis.

TEST_F(Mpi, ClockCorrectionPlacesNoReceiveBeforeItsSend) {
  for (Form form : {Form::RecordsMpirun, Form::MpirunRecords}) {
    SCOPED_TRACE(form_name(form));
    std::string trace = record(form, 4, MPI_RING, "2000 8", "clock");
    ASSERT_EQ(last_.status, 0) << context();
    json s = stats(trace);
    EXPECT_EQ(s["mpi"]["messages"]["count"], 2000 * 4);
    EXPECT_EQ(s["mpi"]["received_before_sent"], 0);
    EXPECT_EQ(s["mpi"]["messages"]["unmatched"], 0);
  }
}

// The same with offsets that are measured: every rank seems to run on a host of
// its own (tests/mpi/programs/hostname_shim.c), so the module measures each
// rank's offset to rank 0 by ping-pong instead of knowing it is 0.
//
// All ranks really share one CLOCK_MONOTONIC, so the true offset is 0 and what
// is measured is the measurement's error. mpi_tracking.cpp measure_clock_offset()
// runs inside MPI_Init (start offset) and MPI_Finalize (end offset), and rank 0
// reads its clock between the worker's two readings, so the error is at most
// half the shortest round trip, itself no longer than the call it ran in. That
// holds at any speed, oversubscribed or not; "no receive before its send" does
// not (a preempted ping-pong errs by more than a message takes), so it is
// asserted only by the same-host test above, whose offsets are exact.

// Per rank: duration (ns, on the rank's own clock) of its first call of `region`
// on its main thread.
std::map<int32_t, int64_t> call_durations(const rondo::format::TraceReader& reader, const std::string& region) {
  std::map<int32_t, int64_t> out;
  for (const auto& proc : reader.processes()) {
    rondo::format::EventCursor cursor(proc->thread(0));
    rondo::format::Event e;
    uint64_t enter = 0;
    bool open = false;
    while (cursor.next(e)) {
      using rondo::format::EventKind;
      if (e.kind() != EventKind::Enter && e.kind() != EventKind::Leave) continue;
      if (proc->defs().region_name(e.def->key.ref) != region) continue;
      if (e.kind() == EventKind::Enter) {
        enter = e.ticks, open = true;
      } else if (open) {
        // Raw ticks: to_ns() would add the drift correction's change over the call.
        out[proc->rank()] = static_cast<int64_t>(static_cast<double>(e.ticks - enter) / proc->ticks_per_ns());
        break;
      }
    }
  }
  return out;
}

class MeasuredClocks : public Mpi, public ::testing::WithParamInterface<int> {};

TEST_P(MeasuredClocks, OffsetsErrByNoMoreThanTheCallTheyWereMeasuredIn) {
  const int p = GetParam();
  // The bounds below hold at any speed. `rondo check`'s "no receive before its
  // send" does not when ranks are oversubscribed (a descheduled rank makes the
  // shortest round trip, and so the offset's error, longer than a message's
  // latency): with more ranks than cores the trace is checked by the bounds
  // alone, so that this case runs on CI's 2 cores instead of skipping.
  const bool oversubscribed = std::thread::hardware_concurrency() < static_cast<unsigned>(p);
  for (Form form : {Form::RecordsMpirun, Form::MpirunRecords}) {
    SCOPED_TRACE(form_name(form));
    std::string trace;
    {
      // Form::RecordsMpirun: rondo passes LD_PRELOAD on to the ranks (after its
      // own libraries); Form::MpirunRecords: mpirun exports it, rondo prepends.
      std::string shim = HOSTNAME_SHIM;
      setenv("LD_PRELOAD", shim.c_str(), 1);
      trace = record(form, p, MPI_RING, "2000 8", "clocks", !oversubscribed);
      unsetenv("LD_PRELOAD");
    }
    ASSERT_EQ(last_.status, 0) << context();
    json i = info(trace), s = stats(trace);
    std::set<std::string> hosts;
    for (auto& proc : i["process_list"]) hosts.insert(proc["host"].get<std::string>());
    EXPECT_EQ(hosts.size(), static_cast<size_t>(p)) << i.dump(1);
    EXPECT_EQ(hosts.count("rondo-test-host-0"), 1u) << i.dump(1);
    EXPECT_EQ(s["mpi"]["messages"]["count"], 2000 * p);
    EXPECT_EQ(s["mpi"]["messages"]["unmatched"], 0);

    rondo::format::TraceReader reader(trace);
    ASSERT_EQ(reader.processes().size(), static_cast<size_t>(p));
    auto init = call_durations(reader, "MPI_Init"), finalize = call_durations(reader, "MPI_Finalize");
    for (const auto& proc : reader.processes()) {
      const auto& d = proc->defs().process;
      SCOPED_TRACE("rank " + std::to_string(d.rank));
      ASSERT_TRUE(init.count(d.rank) && finalize.count(d.rank));
      ASSERT_TRUE(d.has_end_offset);  // measured at MPI_Finalize too
      if (d.rank == 0) {  // the reference clock
        EXPECT_EQ(d.clock_offset_ns, 0);
        EXPECT_EQ(d.clock_offset_end_ns, 0);
        continue;
      }
      EXPECT_LE(std::abs(d.clock_offset_ns), init[d.rank] / 2 + 1) << "MPI_Init took " << init[d.rank] << " ns";
      EXPECT_LE(std::abs(d.clock_offset_end_ns), finalize[d.rank] / 2 + 1)
          << "MPI_Finalize took " << finalize[d.rank] << " ns";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(MeasuredClocks, MeasuredClocks, ::testing::Values(2, 4),
                         [](const ::testing::TestParamInfo<int>& p) { return std::to_string(p.param) + "Ranks"; });

// ---------------------------------------------------------------------------
// All five names of a binding (tests/mpi/programs/fortran_names.c): each is
// recorded once under the C name and forwards to the original of its own name.

TEST_F(Mpi, EveryFortranSpellingIsRecordedOnce) {
  if (std::string(LIBMPI_MPIFH).empty() || std::string(LIBMPI_USEMPIF08).empty())
    GTEST_SKIP() << "the MPI Fortran libraries (mpi_mpifh, mpi_usempif08) were not found at configure time";
  for (Form form : {Form::RecordsMpirun, Form::MpirunRecords}) {
    SCOPED_TRACE(form_name(form));
    std::string trace =
        record(form, 2, FORTRAN_NAMES, quote(LIBMPI_MPIFH) + " " + quote(LIBMPI_USEMPIF08), "names");
    ASSERT_EQ(last_.status, 0) << context();
    EXPECT_NE(last_.out.find("fortran_names: 5 spellings"), std::string::npos) << context();
    json s = stats(trace, "--by rank"), all = stats(trace), i = info(trace);
    expect_consistent(all, i, 2);
    auto c = calls_by_rank(s);
    EXPECT_EQ((c[{0, "MPI_Send"}]), 5) << s.dump(1);
    EXPECT_EQ((c[{1, "MPI_Recv"}]), 5);
    EXPECT_EQ((c[{0, "MPI_Recv"}]), 0);
    EXPECT_EQ((c[{1, "MPI_Send"}]), 0);
    EXPECT_EQ(all["mpi"]["messages"]["count"], 5);
    EXPECT_EQ(all["mpi"]["messages"]["bytes"], 4 * (1 + 2 + 3 + 4 + 5));
  }
}

// ---------------------------------------------------------------------------
// A Fortran binding whose original is missing: one message, recording off, the
// call fails with MPI_ERR_INTERN (tests/mpi/programs/fortran_missing.c).

TEST_F(Mpi, FortranBindingWithoutItsOriginalFailsClearly) {
  std::string trace = record(Form::RecordsMpirun, 1, FORTRAN_MISSING, "");
  ASSERT_EQ(last_.status, 0) << context();
  const std::string message = "MPI Fortran function mpi_comm_rank_ not found after librondo-mpi.so";
  size_t at = last_.out.find(message);
  ASSERT_NE(at, std::string::npos) << context();
  EXPECT_EQ(last_.out.find(message, at + 1), std::string::npos) << "reported more than once\n" << context();
  EXPECT_NE(last_.out.find("tracing disabled"), std::string::npos) << context();
  size_t line = last_.out.find("fortran_missing: ierror ");
  ASSERT_NE(line, std::string::npos) << context();
  int ierror = 0, intern = -1, rank = 0;
  ASSERT_EQ(std::sscanf(last_.out.c_str() + line, "fortran_missing: ierror %d, MPI_ERR_INTERN %d, rank %d", &ierror,
                        &intern, &rank),
            3)
      << context();
  EXPECT_EQ(ierror, intern);
  EXPECT_EQ(rank, -1);  // the call did not happen
}

// ---------------------------------------------------------------------------
// A real third-party MPI program: NetPIPE (Debian package netpipe-openmpi).

TEST_F(Mpi, NetpipeFromDebianHasPlausibleStatistics) {
  std::string netpipe;
  for (const char* name : {"NPmpi", "NPopenmpi"})
    if (netpipe = find_in_path(name); !netpipe.empty()) break;
  if (netpipe.empty())
    GTEST_SKIP() << "NetPIPE not installed (NPmpi/NPopenmpi not in PATH; apt-get install netpipe-openmpi)";
  // Message sizes up to 4 KiB, few repeats: a few seconds.
  std::string trace = record(Form::RecordsMpirun, 2, netpipe, "-u 4096 -n 20", "netpipe");
  ASSERT_EQ(last_.status, 0) << context();
  json s = stats(trace), i = info(trace);
  expect_consistent(s, i, 2);
  const json& m = s["mpi"]["messages"];
  EXPECT_GT(m["count"].get<int64_t>(), 100) << m.dump();
  EXPECT_GT(m["bytes"].get<int64_t>(), 0);
  auto mat = matrix(s);
  ASSERT_EQ(mat.size(), 2u);
  EXPECT_GT(mat[0][1], 0);
  EXPECT_GT(mat[1][0], 0);
  EXPECT_EQ(mat[0][0], 0);
  EXPECT_EQ(mat[1][1], 0);
  auto c = calls(s);
  EXPECT_EQ(c["MPI_Init"], 2);
  EXPECT_EQ(c["MPI_Finalize"], 2);
  EXPECT_GT(c["MPI_Send"] + c["MPI_Isend"], 0);
  EXPECT_GT(c["MPI_Recv"] + c["MPI_Irecv"], 0);
}

// ---------------------------------------------------------------------------
// One run per trace directory, in both launch forms.

// The lines of `out` that start with "rondo: " and hold `text`.
int lines_with(const std::string& out, const std::string& text) {
  int n = 0;
  size_t start = 0;
  while (start < out.size()) {
    size_t end = out.find('\n', start);
    if (end == std::string::npos) end = out.size();
    std::string line = out.substr(start, end - start);
    if (line.rfind("rondo: ", 0) == 0 && line.find(text) != std::string::npos) ++n;
    start = end + 1;
  }
  return n;
}

TEST_F(Mpi, RecordingTwiceIntoOneDirectoryIsRefusedInBothLaunchForms) {
  const std::string trace = path("t"), args = " 5 100";
  static const std::string guard = find_in_path("timeout").empty() ? "" : "timeout -k 10 120 ";
  auto record_mpirun = [&](const std::string& options, const std::string& dir) {
    return run("cd " + quote(dir_.string()) + " && " + guard + quote(kRondo) + " record " + options + " -o " +
               quote(dir) + " -- " + launcher(2) + " " + quote(MPI_RING) + args);
  };
  auto mpirun_record = [&](const std::string& options, const std::string& dir) {
    return run("cd " + quote(dir_.string()) + " && " + guard + launcher(2) + " " + quote(kRondo) + " record " +
               options + " -o " + quote(dir) + " " + quote(MPI_RING) + args);
  };
  const std::string ran = "ring: 2 ranks, 5 laps of 100 bytes", refused = trace + " already holds a trace";

  Result first = record_mpirun("", trace);
  ASSERT_EQ(first.status, 0) << first.out;
  EXPECT_NE(first.out.find(ran), std::string::npos) << first.out;
  EXPECT_EQ(lines_with(first.out, "rondo: modules mpi (libmpi.so"), 1) << first.out;

  // Again, in both forms: refused before the program starts.
  Result again = record_mpirun("", trace);
  EXPECT_EQ(again.status, 2) << again.out;
  EXPECT_EQ(again.out.find(ran), std::string::npos) << again.out;
  EXPECT_EQ(lines_with(again.out, refused), 1) << again.out;
  Result ranks = mpirun_record("", trace);
  EXPECT_NE(ranks.status, 0) << ranks.out;
  EXPECT_EQ(ranks.out.find(ran), std::string::npos) << ranks.out;
  EXPECT_GE(lines_with(ranks.out, refused), 1) << ranks.out;
  json i = info(trace);
  EXPECT_EQ(i["processes"], 2) << "the first run only";

  // --force replaces the trace, in both forms.
  Result forced = record_mpirun("--force", trace);
  ASSERT_EQ(forced.status, 0) << forced.out;
  EXPECT_EQ(info(trace)["processes"], 2);
  Result forced_ranks = mpirun_record("--force", trace);
  ASSERT_EQ(forced_ranks.status, 0) << forced_ranks.out;
  EXPECT_NE(forced_ranks.out.find(ran), std::string::npos) << forced_ranks.out;
  i = info(trace);
  EXPECT_EQ(i["processes"], 2);
  json s = stats(trace);
  expect_consistent(s, i, 2);
  EXPECT_EQ(s["mpi"]["messages"]["count"], 5 * 2);

  // The ranks of one job claim a fresh directory concurrently: none refuses
  // what another rank of its own job created.
  for (int n = 0; n < 3; ++n) {
    std::string fresh = path("fresh" + std::to_string(n));
    Result r = mpirun_record("", fresh);
    ASSERT_EQ(r.status, 0) << r.out;
    EXPECT_EQ(info(fresh)["processes"], 2);
  }
}

// Ctrl-C (SIGINT) sent to `rondo record` alone reaches the job: mpirun ends its
// ranks, rondo record waits for it and exits with 130 like a shell, and the
// trace can be read.
TEST_F(Mpi, SigintToRondoRecordEndsTheJob) {
  const std::string trace = path("t"), out = path("out.txt");
  std::string script = "cd " + quote(dir_.string()) + " && (" + quote(kRondo) + " record -o " + quote(trace) + " -- " +
                       launcher(2) + " " + quote(SLOW_STEPS) + " 30000 > " + quote(out) +
                       " 2>&1 & pid=$!; "
                       // Wait until every rank is past MPI_Init (at most 120 s), then interrupt.
                       "for i in $(seq 1200); do grep -q 'slow_steps: started' " +
                       quote(out) +
                       " && break; sleep 0.1; done; "
                       "kill -INT $pid; wait $pid; echo \"status=$?\")";
  Result r = run(script);
  std::string output = r.out + "\n" + run("cat " + quote(out)).out;
  EXPECT_NE(output.find("slow_steps: started"), std::string::npos) << output;
  EXPECT_NE(r.out.find("status=130"), std::string::npos) << output;
  EXPECT_EQ(output.find("slow_steps: done"), std::string::npos) << "the job ran to its end:\n" << output;
  // Readable. How much each rank flushed on its way out (mpirun ends them with
  // SIGTERM) is the runtime's side of the signal, not rondo record's.
  Result inf = run(quote(kRondo) + " info --json " + quote(trace));
  ASSERT_EQ(inf.status, 0) << inf.out << output;
  EXPECT_GE(json::parse(inf.out)["processes"].get<int>(), 1) << output;
}

}  // namespace
