// A real Open MPI ping-pong (programs/pingpong.c) keeps the grammar it had
// before the recorder's short-call fast path (GrammarBuilder::enter, a call
// [enter, message, leave] that repeats stays pending until its leave): on each
// rank, seven top-level tokens, the 0-byte ping-pong one loop of 1000
// iterations of [MPI_Send, MPI_Recv] (rank 0) or [MPI_Recv, MPI_Send] (rank 1),
// the alternating tags one loop of 500 iterations of four calls, every call and
// message counted, and every message matched.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/trace_check.h"
#include "rondo/analyzer/messages.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using rondo::format::EventKind;
using rondo::format::TokenKind;

class PingPongGrammar : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = rondo::test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "no mpirun: MPI tests skipped";
    dir_ = fs::temp_directory_path() /
           ("rondo-pingpong-" + std::to_string(getpid()) + "-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty() && !getenv("RONDO_TEST_KEEP")) fs::remove_all(dir_);
  }
  std::string mpirun_;
  fs::path dir_;
};

TEST_F(PingPongGrammar, LoopsAndCountsAreWhatTheGeneralPathMakes) {
  const uint32_t rounds = 1000;
  std::string trace = (dir_ / "trace").string();
  auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun_, dir_.string(), trace, 2,
                                         rondo::test::shell_quoted(PINGPONG) + " " + std::to_string(rounds));
  ASSERT_EQ(job.status, 0) << job.out;
  EXPECT_TRUE(rondo::test::trace_valid(trace));

  rondo::format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), 2u);
  for (const auto& p : reader.processes()) {
    SCOPED_TRACE("rank " + std::to_string(p->rank()));
    const auto& t = p->thread(0);
    ASSERT_FALSE(t.truncated());
    // MPI_Init, MPI_Comm_rank, MPI_Comm_size, loop, loop, MPI_Barrier, MPI_Finalize.
    const auto& top = t.top_level();
    ASSERT_EQ(top.size(), 7u);
    ASSERT_EQ(top[3].kind(), TokenKind::Loop);
    ASSERT_EQ(top[4].kind(), TokenKind::Loop);
    EXPECT_EQ(t.loop_counts(top[3].id()), std::vector<uint32_t>{rounds});
    EXPECT_EQ(t.loop_counts(top[4].id()), std::vector<uint32_t>{rounds / 2});
    EXPECT_EQ(t.loops().size(), 2u);
    EXPECT_EQ(t.sequences().size(), 13u);
    EXPECT_EQ(t.events().size(), 22u);
    // The loop bodies: 2 and 4 calls, each [enter, message, leave].
    auto body_calls = [&](rondo::format::Token loop) {
      const auto& body = t.loops()[loop.id()].body;
      return body.kind() == TokenKind::Sequence ? t.sequences()[body.id()].tokens.size() : size_t{1};
    };
    EXPECT_EQ(body_calls(top[3]), 2u);
    EXPECT_EQ(body_calls(top[4]), 4u);
    for (const char* name : {"MPI_Send", "MPI_Recv"}) {
      uint64_t calls = 0;
      for (size_t r = 0; r < t.summary().regions.size(); ++r)
        if (p->defs().region_name(static_cast<uint32_t>(r)) == name) calls += t.summary().regions[r].inclusive.count;
      EXPECT_EQ(calls, 2u * rounds) << name;
    }
    EXPECT_EQ(t.event_count(), 12u * rounds + 12u);
  }
  auto matched = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(matched.matched, 4u * rounds);
  EXPECT_EQ(matched.unmatched_sends, 0u);
  EXPECT_EQ(matched.unmatched_receives, 0u);
}

}  // namespace
