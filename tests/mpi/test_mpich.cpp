// The mpi module built for MPICH: `rondo record -- mpiexec.mpich ...` preloads
// librondo-mpi-mpich.so into the ranks (through Hydra's -genv) and the ring's
// messages are all there and matched.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "../common/run_command.h"
#include "../common/trace_check.h"

namespace {

std::string run(const std::string& command, int& status) {
  rondo::test::CommandResult r = rondo::test::run_command(command);
  status = r.status;
  return r.out;
}

TEST(Mpich, RingRecordedThroughHydraHasEveryMessage) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() / ("rondo-mpich-" + std::to_string(rd()));
  const int ranks = 4, laps = 50, bytes = 1024;
  int status = 0;
  std::string out = run(std::string(RONDO_CLI) + " record -o " + dir.string() + " -- " + MPIEXEC_MPICH + " -n " +
                            std::to_string(ranks) + " " + RING_MPICH + " " + std::to_string(laps) + " " +
                            std::to_string(bytes),
                        status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(rondo::test::trace_valid(dir.string()));
  std::string json_text = run(std::string(RONDO_CLI) + " stats --json " + dir.string(), status);
  ASSERT_EQ(status, 0) << json_text;
  auto s = nlohmann::json::parse(json_text);
  EXPECT_EQ(s["mpi"]["messages"]["count"], laps * ranks);
  EXPECT_EQ(s["mpi"]["messages"]["bytes"], laps * ranks * bytes);
  EXPECT_EQ(s["mpi"]["messages"]["unmatched"], 0);
  EXPECT_EQ(s["mpi"]["received_before_sent"], 0);
  std::map<std::string, int64_t> calls;
  for (auto& r : s["regions"]) calls[r["name"]] = r["calls"];
  EXPECT_EQ(calls["MPI_Send"], laps * ranks);
  EXPECT_EQ(calls["MPI_Recv"], laps * ranks);
  EXPECT_EQ(calls["MPI_Init"], ranks);
  std::string info = run(std::string(RONDO_CLI) + " info --json " + dir.string(), status);
  EXPECT_EQ(nlohmann::json::parse(info)["processes"], ranks);  // the launcher is not recorded
  std::filesystem::remove_all(dir);
}

}  // namespace
