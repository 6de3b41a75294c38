// The MPI wrappers cache datatype sizes and communicators per thread
// (interceptors/mpi/handle_cache.h). MPI reuses the handle of a freed object for
// the next one created: a datatype freed and re-created with another size, and
// a communicator freed and re-created with another rank order, must be
// recorded with the new size and the new ranks (programs/handle_reuse.c), not
// with what the cache held for the old handle.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"
#include "rondo/analyzer/messages.h"
#include "rondo/format/reader.h"

namespace {

namespace fs = std::filesystem;
using rondo::format::EventKind;
using rondo::test::shell_quoted;

TEST(HandleCaches, ReusedDatatypeAndCommunicatorHandlesRecordTheNewSizesAndRanks) {
  std::string mpirun = rondo::test::find_mpirun(RONDO_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "mpirun not found: MPI tests skipped";
  std::random_device rd;
  fs::path dir = fs::temp_directory_path() / ("rondo-handles-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
  fs::create_directories(dir);
  std::string trace = (dir / "trace").string();
  auto rec = rondo::test::record_mpi_job(RONDO_CLI, mpirun, dir.string(), trace, 2, shell_quoted(HANDLE_REUSE));
  ASSERT_EQ(rec.status, 0) << rec.out;
  // Open MPI hands a re-created object its predecessor's handle: the test
  // exercises the reuse it is about (3 of 4 steps each).
  EXPECT_NE(rec.out.find("handle_reuse: types reused 3, communicators reused 3"), std::string::npos) << rec.out;

  // (kind, tag) -> (world rank of the peer, bytes) of every send and receive, per rank.
  using Message = std::pair<int64_t, int64_t>;
  std::map<int, std::map<std::pair<EventKind, int64_t>, std::vector<Message>>> seen;
  {
    rondo::format::TraceReader reader(trace);
    for (const auto& p : reader.processes()) {
      rondo::format::EventCursor cursor(p->thread(0));
      rondo::format::Event e;
      while (cursor.next(e)) {
        if (e.kind() != EventKind::MpiSend && e.kind() != EventKind::MpiRecv) continue;
        const auto& k = e.def->key;
        seen[p->rank()][{e.kind(), k.params[1]}].push_back(
            {k.params[0], rondo::format::transfer_bytes(*e.def, e.data).bytes});
      }
    }
  }
  for (int k = 1; k <= 4; ++k) {
    SCOPED_TRACE("datatype step " + std::to_string(k));
    std::vector<Message> two(2, Message{1, 12 * k});
    EXPECT_EQ((seen[0][{EventKind::MpiSend, 10 + k}]), two);
    two.assign(2, Message{0, 12 * k});
    EXPECT_EQ((seen[1][{EventKind::MpiRecv, 10 + k}]), two);
  }
  for (int k = 0; k < 4; ++k) {
    SCOPED_TRACE("communicator step " + std::to_string(k));
    int sender = k % 2, receiver = 1 - sender;
    EXPECT_EQ((seen[sender][{EventKind::MpiSend, 20 + k}]), std::vector<Message>{Message(receiver, 4)});
    EXPECT_EQ((seen[receiver][{EventKind::MpiRecv, 20 + k}]), std::vector<Message>{Message(sender, 4)});
  }
  rondo::format::TraceReader reader(trace);
  auto m = rondo::analyzer::match_all_messages(reader);
  EXPECT_EQ(m.matched, 12u);
  EXPECT_EQ(m.unmatched_sends + m.unmatched_receives, 0u);
  EXPECT_EQ(m.bytes_mismatched, 0u);
  if (!getenv("RONDO_TEST_KEEP")) fs::remove_all(dir);
}

}  // namespace
