// A trace directory on a full filesystem, or a file size limit (ulimit -f)
// smaller than the trace: the program still finishes with its own output and
// exit status (no SIGXFSZ, no hang), Rondo says once that the trace is
// incomplete, and what was written before reads back. Label unit.
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <cerrno>
#include <cstring>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "same_output.h"

namespace rondo::test {
namespace {

namespace fs = std::filesystem;

// producer_consumer: 2 producers, 2 consumers, 20,000 items each, recorded
// with the pthread module: some hundred thousand mutex and condition events.
const std::string kProgram = std::string("'") + PRODUCER_CONSUMER + "' 2 2 20000";

class FullDisk : public SameOutput {
 protected:
  void TearDown() override {
    if (mounted_) umount2(mount_.c_str(), MNT_DETACH);
    SameOutput::TearDown();
  }

  nlohmann::json info(const std::string& trace) {
    CommandResult r = run_command("{ { " + shell_quoted(RONDO_CLI) + " info --json " + shell_quoted(trace) + "; } 2>/dev/null; }");
    EXPECT_EQ(r.status, 0) << r.out;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "rondo info --json " << trace << ": " << e.what() << "\n" << r.out;
      return nlohmann::json::object();
    }
  }

  // Records the program once with room enough: how many bytes its process
  // file takes and how many events it holds.
  void measure_full_trace() {
    std::string full = (dir_ / "unlimited").string();
    ProgramRun r = run_apart(shell_quoted(RONDO_CLI) + " record -t pthread -o " + shell_quoted(full) + " -- " + kProgram,
                             traced());
    ASSERT_EQ(r.status, 0) << r.err;
    for (const auto& entry : fs::directory_iterator(full))
      if (entry.path().extension() == ".rnd") full_bytes_ += entry.file_size();
    full_events_ = info(full)["events"].get<int64_t>();
    // Large enough that half of it holds the definitions and a few batches.
    ASSERT_GE(full_bytes_, 64u * 1024) << "the program's trace is too small to fill anything";
  }

  // `record_prefix` (e.g. a prlimit command) runs `rondo record`, which writes
  // into `trace`: same stdout and status as untraced, one message, a trace that
  // is incomplete but holds events.
  void expect_program_unharmed(const std::string& record_prefix, const std::string& trace, const std::string& reason) {
    ProgramRun untraced = run_apart(kProgram, plain());
    ProgramRun traced_run = run_apart("timeout -k 10 300 " + record_prefix + shell_quoted(RONDO_CLI) +
                                          " record -t pthread -o " + shell_quoted(trace) + " -- " + kProgram,
                                      traced());
    ASSERT_EQ(untraced.status, 0) << untraced.err;
    EXPECT_EQ(traced_run.status, untraced.status) << traced_run.err;
    EXPECT_TRUE(traced_run.out == untraced.out) << "untraced:\n" << untraced.out << "\ntraced:\n" << traced_run.out;
    // One message from the process, naming the reason and saying once that
    // the trace is incomplete (the summary of `rondo record` then marks the
    // trace ", incomplete" among its counts, once).
    EXPECT_EQ(occurrences(traced_run.err, "rondo: cannot write "), 1u) << traced_run.err;
    EXPECT_EQ(occurrences(traced_run.err, reason), 1u) << traced_run.err;
    EXPECT_EQ(occurrences(traced_run.err, "the trace is incomplete"), 1u) << traced_run.err;
    EXPECT_EQ(occurrences(traced_run.err, "incomplete"), 2u) << traced_run.err;
    nlohmann::json i = info(trace);
    EXPECT_EQ(i["truncated"], true) << i.dump(1);
    // What was written before the disk filled reads back: some events, not all.
    EXPECT_GT(i["events"].get<int64_t>(), 0) << i.dump(1);
    EXPECT_LT(i["events"].get<int64_t>(), full_events_) << i.dump(1);
  }

  std::string mount_;
  bool mounted_ = false;
  uint64_t full_bytes_ = 0;
  int64_t full_events_ = 0;
};

TEST_F(FullDisk, FileSizeLimitLeavesTheProgramAlone) {
  ASSERT_NO_FATAL_FAILURE(measure_full_trace());
  if (run_command("command -v prlimit").status != 0) GTEST_SKIP() << "no prlimit (Debian: util-linux)";
  expect_program_unharmed("prlimit --fsize=" + std::to_string(full_bytes_ / 2) + " -- ", trace(), "File too large");
}

TEST_F(FullDisk, FullFilesystemLeavesTheProgramAlone) {
  ASSERT_NO_FATAL_FAILURE(measure_full_trace());
  mount_ = (dir_ / "small").string();
  fs::create_directories(mount_);
  // Half the trace's size, in whole pages; the directory takes some of it too.
  std::string size = "size=" + std::to_string((full_bytes_ / 2 + 4095) / 4096 * 4096);
  if (mount("rondo-test", mount_.c_str(), "tmpfs", 0, size.c_str()) != 0)
    GTEST_SKIP() << "cannot mount a small tmpfs here (not root?): " << std::strerror(errno)
                 << "; FileSizeLimitLeavesTheProgramAlone covers the limit instead";
  mounted_ = true;
  expect_program_unharmed("", mount_ + "/trace", "No space left on device");
}

}  // namespace
}  // namespace rondo::test
