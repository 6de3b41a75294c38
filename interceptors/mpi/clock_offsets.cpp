#include "clock_offsets.h"

#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>

#include "rondo/format/run_identity.h"
#include "rondo/trace/clock.h"
#include "rondo/trace/runtime.h"

namespace rondo::mpi {

namespace {

bool env_is(const char* name, const char* value) {
  const char* v = getenv(name);
  return v && std::strcmp(v, value) == 0;
}

// Whether the launcher says that every rank runs on this host (Open MPI,
// MPICH's Hydra); false when it does not say.
bool launcher_says_one_host(int world_size) {
  for (const char* name : {"OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"})
    if (const char* v = getenv(name)) return std::atoi(v) == world_size;
  return false;
}

}  // namespace

bool every_rank_has_module(int world_rank, int world_size) {
  if (world_size <= 1) return false;  // nothing to measure
  if (env_is(format::kEveryRankVariable, "1") || env_is("OMPI_NUM_APP_CTX", "1")) return true;
  // Offsets of ranks sharing rank 0's host are 0 without measuring: nothing lost.
  if (world_rank == 0 && !launcher_says_one_host(world_size))
    trace::inform("clock offsets between hosts not measured: not every rank is known to be recorded (use "
                  "`rondo record -- LAUNCHER ...`, or run every rank under `rondo record`); times of ranks on "
                  "other hosts than rank 0's are not corrected",
                  true);
  return false;
}

// Offset of rank 0's CLOCK_MONOTONIC minus ours, from the ping-pong with the
// shortest round trip (its error is at most half that round trip). Ranks on rank
// 0's host share its clock: their offset is exactly 0.
int64_t measure_clock_offset(MPI_Comm comm, int rank, int size) {
  constexpr int kRounds = 10;
  char host[256] = {}, root_host[256] = {};
  gethostname(host, sizeof host - 1);
  std::memcpy(root_host, host, sizeof host);
  PMPI_Bcast(root_host, sizeof root_host, MPI_CHAR, 0, comm);
  bool same_host = std::strcmp(host, root_host) == 0;
  int64_t offset = 0;
  if (rank == 0) {
    for (int r = 1; r < size; ++r) {
      int remote_same = 0;
      PMPI_Recv(&remote_same, 1, MPI_INT, r, 0, comm, MPI_STATUS_IGNORE);
      if (remote_same) continue;
      for (int k = 0; k < kRounds; ++k) {
        int64_t probe;
        PMPI_Recv(&probe, 1, MPI_INT64_T, r, 1, comm, MPI_STATUS_IGNORE);
        auto now = static_cast<int64_t>(trace::monotonic_ns());
        PMPI_Send(&now, 1, MPI_INT64_T, r, 2, comm);
      }
    }
    return 0;
  }
  int flag = same_host ? 1 : 0;
  PMPI_Send(&flag, 1, MPI_INT, 0, 0, comm);
  if (same_host) return 0;
  int64_t best = INT64_MAX;
  for (int k = 0; k < kRounds; ++k) {
    auto t1 = static_cast<int64_t>(trace::monotonic_ns());
    int64_t remote = 0;
    PMPI_Send(&t1, 1, MPI_INT64_T, 0, 1, comm);
    PMPI_Recv(&remote, 1, MPI_INT64_T, 0, 2, comm, MPI_STATUS_IGNORE);
    auto t2 = static_cast<int64_t>(trace::monotonic_ns());
    if (t2 - t1 < best) {
      best = t2 - t1;
      offset = remote - (t1 + t2) / 2;
    }
  }
  return offset;
}

}  // namespace rondo::mpi
