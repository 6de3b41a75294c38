// A flush hook in an MPI program, as the cuda module registers one: MPI_Finalize
// must run it while MPI is still up (so a rank's GPU activity reaches its trace
// before the job may end), and exit runs it again for what came later. Each run
// records a "delivery" on a GPU stream location whose data says whether MPI was
// already finalized then.
#include <mpi.h>

#include "rondo/trace/extra_locations.h"
#include "rondo/trace/runtime.h"

namespace trace = rondo::trace;

trace::ExtraLocation* g_stream = nullptr;
uint64_t g_at = 1000;

void deliver() {
  if (!g_stream) return;
  int finalized = 0;
  MPI_Finalized(&finalized);
  int64_t data[1] = {finalized};
  trace::location_event(g_stream, rondo::format::EventKey{rondo::format::EventKind::GpuApiCall, 0, {}}, data, g_at);
  g_at += 100;
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  if (trace::start()) {
    g_stream = trace::create_location(rondo::format::ThreadKind::GpuStream, "GPU 0 stream 7");
    trace::add_flush_hook(deliver);
  }
  MPI_Finalize();
  return 0;
}
