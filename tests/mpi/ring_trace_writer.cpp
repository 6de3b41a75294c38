// ring_trace_writer DIR PROCESSES STEPS: writes a trace of PROCESSES MPI
// processes (one process file each, with format/'s writer, 1 tick = 1 ns) that
// run STEPS ring steps inside main: send 64 bytes to the right, receive from the
// left, allreduce 8 bytes. For the scale test (test_scale.cpp) and
// bench/analysis/scale.sh: thousands of processes without running thousands.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "../unit/mpi_fixture.h"

using namespace rondo::test::mpi;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: ring_trace_writer DIR PROCESSES STEPS\n");
    return 2;
  }
  std::string dir = argv[1];
  int processes = std::atoi(argv[2]), steps = std::atoi(argv[3]);
  if (processes < 1 || steps < 0) {
    std::fprintf(stderr, "ring_trace_writer: PROCESSES must be >= 1 and STEPS >= 0\n");
    return 2;
  }
  std::filesystem::create_directories(dir);
  for (int rank = 0; rank < processes; ++rank) {
    std::string file = dir + "/rank-" + std::to_string(rank) + ".rnd";
    rondo::test::write_mpi_process(file, base_spec(rank, processes), [&](int, ThreadWriter& w) {
      Mpi m(w);
      int right = (rank + 1) % processes, left = (rank + processes - 1) % processes;
      uint64_t t = 1000;
      m.enter(kMain, t);
      for (int s = 0; s < steps; ++s) {
        m.send(t, t + 10, right, 7, 64);
        // Ranks finish at slightly different times, so that the ring waits.
        m.recv(t + 20, t + 40 + static_cast<uint64_t>(rank % 3), left, 7, 64);
        m.collective(kAllreduce, t + 50, t + 80, rondo::format::CollectiveOp::Allreduce, -1, 8, 8);
        t += 100;
      }
      m.leave(kMain, t + 10);
    });
  }
  return 0;
}
