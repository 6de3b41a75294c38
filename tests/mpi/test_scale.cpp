// Scale of the analyzer (issue 13, part 5): a generated trace of 4,096 MPI
// processes (one process file each, written with format/'s writer by
// ring_trace_writer) analysed with at most 256 open files, by `rondo stats` and
// by `rondo stats --distributed` on 4 MPI processes. No analysis may keep every
// process file open: the reader maps each file and closes it at once.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "../common/mpi_job.h"

namespace {

using rondo::test::run_command;
using rondo::test::shell_quoted;
using json = nlohmann::json;

// A trace written by ring_trace_writer into a fresh temporary directory,
// removed again at the end of the test.
struct RingTrace {
  std::filesystem::path dir;
  rondo::test::CommandResult written;
  RingTrace(const std::string& prefix, int processes, int steps)
      : dir(std::filesystem::temp_directory_path() /
            (prefix + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()))),
        written(run_command(shell_quoted(RING_TRACE_WRITER) + " " + shell_quoted(dir.string()) + " " +
                            std::to_string(processes) + " " + std::to_string(steps))) {}
  ~RingTrace() { std::filesystem::remove_all(dir); }
};

constexpr int kProcesses = 4096, kSteps = 5;
constexpr int64_t kBytes = 64;  // per message (ring_trace_writer)

TEST(Scale, FourThousandProcessesWithAtMost256OpenFiles) {
  std::string mpirun = rondo::test::find_mpirun(RONDO_MPIEXEC);
  RingTrace ring("rondo-scale-", kProcesses, kSteps);
  ASSERT_EQ(ring.written.status, 0) << ring.written.out;
  const std::filesystem::path& dir = ring.dir;
  const std::string limited = "ulimit -n 256 && ";
  auto stats = run_command(limited + shell_quoted(RONDO_CLI) + " stats --json --threads 2 " + shell_quoted(dir.string()));
  ASSERT_EQ(stats.status, 0) << stats.out.substr(0, 2000);
  json s = json::parse(stats.out);
  EXPECT_EQ(s["mpi"]["messages"]["count"], kProcesses * kSteps);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], kProcesses * kSteps * kBytes);
  EXPECT_EQ(s["mpi"]["messages"]["unmatched"], 0);
  EXPECT_EQ(s["mpi"]["collectives"]["count"], kProcesses * kSteps);
  // Past MpiStats::kDenseJsonRanks the matrices are a list of the pairs that
  // communicate, [src, dst, count, bytes]: here the ring, one pair per rank.
  EXPECT_EQ(s["mpi"]["ranks"], kProcesses);
  EXPECT_FALSE(s["mpi"].contains("matrix_bytes"));
  EXPECT_FALSE(s["mpi"].contains("matrix_count"));
  const json& pairs = s["mpi"]["matrix_pairs"];
  ASSERT_EQ(pairs.size(), static_cast<size_t>(kProcesses));
  for (int r = 0; r < kProcesses; ++r) {  // pairs come by (src, dst)
    ASSERT_EQ(pairs[r], json::array({r, (r + 1) % kProcesses, kSteps, kSteps * kBytes})) << "rank " << r;
  }
  // --csv is sparse too: the pairs, no 4,096 x 4,096 matrices.
  const std::string csv = (dir / "csv").string();
  auto csv_run = run_command(limited + shell_quoted(RONDO_CLI) + " stats --threads 2 --sections mpi --csv " +
                             shell_quoted(csv) + " " + shell_quoted(dir.string()));
  ASSERT_EQ(csv_run.status, 0) << csv_run.out.substr(0, 2000);
  EXPECT_FALSE(std::filesystem::exists(csv + "/matrix_bytes.csv"));
  EXPECT_FALSE(std::filesystem::exists(csv + "/matrix_count.csv"));
  {
    std::ifstream in(csv + "/matrix_pairs.csv");
    std::string line;
    std::getline(in, line);
    EXPECT_EQ(line, "src,dst,count,bytes");
    int rows = 0;
    for (; std::getline(in, line); ++rows)
      ASSERT_EQ(line, std::to_string(rows) + "," + std::to_string((rows + 1) % kProcesses) + "," +
                          std::to_string(kSteps) + "," + std::to_string(kSteps * kBytes));
    EXPECT_EQ(rows, kProcesses);
  }
  for (auto& r : s["regions"])
    if (r["name"] == "MPI_Send") {
      EXPECT_EQ(r["calls"], kProcesses * kSteps);
    }
  // The ring's imbalance covers every rank.
  EXPECT_FALSE(s["imbalance"].empty());

  if (mpirun.empty()) GTEST_SKIP() << "mpirun not found: --distributed not tested";
  // Every section, the mpi one included now that its matrices are sparse.
  const std::string sections = " ";
  auto serial = run_command(limited + shell_quoted(RONDO_CLI) + " stats --json" + sections + shell_quoted(dir.string()));
  ASSERT_EQ(serial.status, 0) << serial.out.substr(0, 2000);
  std::string launch = shell_quoted(mpirun) + (geteuid() == 0 ? " --allow-run-as-root" : "") + " --oversubscribe -np 4 ";
  auto distributed = run_command(limited + "timeout -k 10 240 " + launch + shell_quoted(RONDO_CLI) +
                                 " stats --distributed --json --threads 1" + sections + shell_quoted(dir.string()));
  ASSERT_EQ(distributed.status, 0) << distributed.out.substr(0, 2000);
  EXPECT_EQ(distributed.out, serial.out);
  EXPECT_EQ(json::parse(serial.out)["regions"], s["regions"]);
}

}  // namespace

// A sanitizer's reserved shadow memory leaves no room for an address-space cap.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
// The MPI sections hold every point-to-point message (README, "Not bounded: MPI
// messages"): where memory runs out, `rondo stats` and `rondo check` say so
// in one line (stats naming what to leave out), and without those sections
// the same trace is analysed under the same limit.
TEST(Scale, OutOfMemoryIsOneLineThatSaysWhatToLeaveOut) {
  // 2 ranks x 600,000 ring steps: 1.2 million messages, about 0.6 GB to pair (0.7 GB to check),
  // in a trace of a few MB.
  constexpr int kRingSteps = 600'000;
  RingTrace ring("rondo-oom-", 2, kRingSteps);
  ASSERT_EQ(ring.written.status, 0) << ring.written.out;
  const std::filesystem::path& dir = ring.dir;
  const std::string capped = "ulimit -v 524288 && " + shell_quoted(RONDO_CLI) + " stats --json --threads 1 ";
  auto all = run_command(capped + shell_quoted(dir.string()));
  EXPECT_EQ(all.status, 1);
  // A warning before the analysis (2 ranks x 2 records per step, 320 bytes
  // each), then the line of the allocation that failed.
  const std::string warning =
      "rondo: warning: the mpi and wait_states sections will hold 2,400,000 point-to-point records, about "
      "732.4 MiB, and ";
  const std::string out_of_memory =
      "rondo: out of memory: the mpi and wait_states sections hold every point-to-point message "
      "(0.35-0.5 KB each); leave them out with --sections\n";
  EXPECT_EQ(all.out.substr(0, warning.size()), warning) << all.out;
  EXPECT_NE(all.out.find(" is available: leave them out with --sections if the analysis runs out of memory\n" +
                         out_of_memory),
            std::string::npos)
      << all.out;
  EXPECT_EQ(std::count(all.out.begin(), all.out.end(), '\n'), 2) << all.out;
  auto check = run_command("ulimit -v 524288 && " + shell_quoted(RONDO_CLI) + " check " + shell_quoted(dir.string()));
  EXPECT_EQ(check.status, 2);  // the trace could not be checked
  EXPECT_EQ(check.out, "rondo: out of memory: rondo check pairs every point-to-point message (0.5-0.8 KB each)\n");
  // (No warning: the output is the JSON alone.)
  auto without = run_command(capped + "--sections profile,call_tree,loops " + shell_quoted(dir.string()));
  ASSERT_EQ(without.status, 0) << without.out.substr(0, 2000);
  json s = json::parse(without.out);
  std::map<std::string, uint64_t> calls;
  for (const json& row : s["regions"]) calls[row["name"].get<std::string>()] = row["calls"].get<uint64_t>();
  EXPECT_EQ(calls, (std::map<std::string, uint64_t>{{"main", 2},
                                                    {"MPI_Send", 2 * kRingSteps},
                                                    {"MPI_Recv", 2 * kRingSteps},
                                                    {"MPI_Allreduce", 2 * kRingSteps}}));
}
#endif
