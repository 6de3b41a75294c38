// Tracing changes nothing: a program's standard output and exit status are the
// same, byte for byte, whether it runs alone or under `rondo record`. Shared by
// the tests of tests/unchanged/ (one executable per ctest label).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "../common/mpi_job.h"
#include "../common/run_command.h"

namespace rondo::test {

// What the program wrote to stdout (its stderr kept apart: Rondo writes there)
// and its exit status (128 + signal when killed).
struct ProgramRun {
  int status = -1;
  std::string out;
  std::string err;
};

inline std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `command` with sh from `cwd`, its stdout collected, its stderr in a file.
inline ProgramRun run_apart(const std::string& command, const std::string& cwd) {
  ProgramRun r;
  std::string err = cwd + "/stderr.txt";
  FILE* p = popen(("cd " + shell_quoted(cwd) + " && { " + command + " ; } 2>" + shell_quoted(err)).c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.out.append(buf.data(), n);
  int status = pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = file_text(err);
  return r;
}

// How many times `needle` occurs in `text`.
inline size_t occurrences(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

// A fresh directory per test with plain/ and traced/ working directories (the
// programs may write files there), removed at the end unless RONDO_TEST_KEEP.
class SameOutput : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("rondo-unchanged-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(dir_ / "plain");
    std::filesystem::create_directories(dir_ / "traced");
  }
  void TearDown() override {
    if (!getenv("RONDO_TEST_KEEP")) std::filesystem::remove_all(dir_);
  }

  std::string plain() const { return (dir_ / "plain").string(); }
  std::string traced() const { return (dir_ / "traced").string(); }
  std::string trace() const { return (dir_ / "trace").string(); }

  // `command` untraced in plain/, then under `rondo record -o TRACE [-t MODULES]`
  // in traced/ (both under a time limit, so a hang fails the test). Expects the
  // same stdout byte for byte and the same exit status; returns the traced run.
  ProgramRun expect_same_output(const std::string& command, const std::string& modules = "",
                                const std::string& env = "") {
    const std::string limit = "timeout -k 10 300 ";
    ProgramRun untraced = run_apart(env + limit + command, plain());
    std::string record = env + limit + shell_quoted(RONDO_CLI) + " record -o " + shell_quoted(trace()) +
                         (modules.empty() ? "" : " -t " + modules) + " -- " + command;
    ProgramRun recorded = run_apart(record, traced());
    EXPECT_FALSE(untraced.out.empty()) << command << " printed nothing\n" << untraced.err;
    EXPECT_EQ(recorded.status, untraced.status) << record << "\n" << recorded.err;
    EXPECT_TRUE(recorded.out == untraced.out) << record << "\nuntraced stdout:\n"
                                              << untraced.out << "\ntraced stdout:\n"
                                              << recorded.out << "\ntraced stderr:\n"
                                              << recorded.err;
    return recorded;
  }

  std::filesystem::path dir_;
};

}  // namespace rondo::test
