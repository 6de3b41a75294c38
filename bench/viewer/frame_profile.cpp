// frame_profile TRACE WIDTH_FRACTION AT [REPEAT]
//
// One timeline frame of every row, for callgrind: opens TRACE, draws the full
// view once (as the viewer's first frame does, leaving its cursor checkpoints),
// then draws the window of WIDTH_FRACTION of the run starting at AT (0..1 of the
// run) REPEAT times (default 1) inside draw_measured_frames(), so that
//   valgrind --tool=callgrind --toggle-collect='*draw_measured_frames*' frame_profile ...
// counts the instructions of those frames alone (repeatable on a loaded machine,
// unlike wall time, which it also prints).
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "model/row_lod.h"
#include "model/trace_session.h"

using namespace rondo::viewer;

namespace {

uint64_t draw(const TraceSession& s, int64_t b, int64_t e, int pixels) {
  uint64_t replayed = 0;
  for (const Row& r : s.rows())
    replayed += compute_row(s.process(r), r.thread, b, e, pixels, {}, &s.checkpoints()).events_replayed;
  return replayed;
}

}  // namespace

extern "C" __attribute__((noinline)) uint64_t draw_measured_frames(const TraceSession* s, int64_t b, int64_t e,
                                                                   int pixels, int repeat) {
  uint64_t replayed = 0;
  for (int i = 0; i < repeat; ++i) replayed += draw(*s, b, e, pixels);
  return replayed;
}

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: frame_profile TRACE WIDTH_FRACTION AT [REPEAT]\n");
    return 2;
  }
  const int pixels = 1600;
  using Clock = std::chrono::steady_clock;
  auto ms_since = [](Clock::time_point t) { return std::chrono::duration<double, std::milli>(Clock::now() - t).count(); };
  auto t_open = Clock::now();
  TraceSession s(argv[1]);
  double open_ms = ms_since(t_open);
  const auto& info = s.info();
  auto t_load = Clock::now();
  for (const Row& r : s.rows()) s.thread(r);  // decodes each thread's grammar and columns
  double load_ms = ms_since(t_load);
  auto t_first = Clock::now();
  draw(s, info.start_ns, info.end_ns, pixels);
  std::printf("open %.1f ms, threads loaded %.1f ms, full view %.1f ms\n", open_ms, load_ms, ms_since(t_first));
  double fraction = std::atof(argv[2]), at = std::atof(argv[3]);
  int repeat = argc > 4 ? std::atoi(argv[4]) : 1;
  int64_t span = info.end_ns - info.start_ns;
  int64_t width = std::max<int64_t>(static_cast<int64_t>(static_cast<double>(span) * fraction), 10);
  int64_t b = info.start_ns + static_cast<int64_t>(static_cast<double>(span - width) * at);
  auto t0 = std::chrono::steady_clock::now();
  uint64_t replayed = draw_measured_frames(&s, b, b + width, pixels, repeat);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%d frame(s) of 1/%.0f of the run at %.2f: %.2f ms each, %llu events replayed\n", repeat, 1 / fraction,
              at, ms / repeat, static_cast<unsigned long long>(replayed / repeat));
  return 0;
}
