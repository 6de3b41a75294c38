// Records into an extra location (libtrace/extra_locations.h) the way the cuda
// module does: from a thread of its own, with explicit timestamps, plus one
// record handed over by a flush hook at the end (a buffer delivered at exit).
// With the argument "abort" the program ends by SIGABRT instead of exit.
#include <csignal>
#include <cstring>
#include <thread>

#include "rondo/trace/extra_locations.h"
#include "rondo/trace/runtime.h"

namespace trace = rondo::trace;

trace::ExtraLocation* g_stream = nullptr;
uint32_t g_kernel = 0;

void deliver_at_exit() {
  // Called once per flush: MPI_Finalize would call it earlier with final = false.
  static bool done = false;
  if (done || !g_stream) return;
  done = true;
  trace::location_enter(g_stream, g_kernel, 5000);
  trace::location_leave(g_stream, g_kernel, 5100);
}

int main(int argc, char** argv) {
  if (!trace::start()) return 2;
  g_kernel = trace::define_region("kernel", rondo::format::RegionRole::Cuda);
  trace::record_enter(trace::define_region("main", rondo::format::RegionRole::Function));
  std::thread delivering([] {
    g_stream = trace::create_location(rondo::format::ThreadKind::GpuStream, "GPU 0 stream 5");
    for (uint64_t i = 0; i < 10; ++i) {
      trace::location_enter(g_stream, g_kernel, 1000 + 100 * i);
      int64_t correlation[1] = {static_cast<int64_t>(i + 1)};
      trace::location_event(g_stream,
                            rondo::format::EventKey{rondo::format::EventKind::GpuKernelLaunch, g_kernel,
                                                    {trace::location_index(g_stream)}},
                            correlation, 1000 + 100 * i);
      trace::location_leave(g_stream, g_kernel, 1050 + 100 * i);
    }
  });
  delivering.join();
  trace::add_flush_hook(deliver_at_exit);
  if (argc > 1 && std::strcmp(argv[1], "abort") == 0) std::raise(SIGABRT);
  return 0;
}
