// pan_cost TRACE: what a drag costs. At 1/10, 1/100 and 1/1,000 of the run
// (1600 px, whole ns a pixel), 20 drags of 16 px each: the frame computed
// afresh (compute_row) against the frame panned from the previous one
// (pan_row: the 16 uncovered columns only), wall time per frame (indicative on
// a loaded machine) and the most columns where the chained pans differ from a
// fresh frame.
#include <chrono>
#include <cstdio>
#include "model/row_pan.h"
#include "model/trace_session.h"
using namespace rondo::viewer;
int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: pan_cost TRACE\n");
    return 2;
  }
  TraceSession s(argv[1]);
  const Row& r = s.rows()[0];
  auto& p = s.process(r);
  int P = 1600;
  int64_t span = s.info().end_ns - s.info().start_ns;
  compute_row(p, r.thread, s.info().start_ns, s.info().end_ns, P, {}, &s.checkpoints());
  for (int64_t div : {10, 100, 1000}) {
    int64_t px = span / div / P, b = s.info().start_ns + span / 3;
    RowFrame f = compute_row(p, r.thread, b, b + px * P, P, {}, &s.checkpoints());
    int diff = 0; double tf = 0, tp = 0;
    for (int step = 1; step <= 20; ++step) {
      int64_t nb = b + 16 * px * step;
      auto t0 = std::chrono::steady_clock::now();
      RowFrame fresh = compute_row(p, r.thread, nb, nb + px * P, P, {}, &s.checkpoints());
      auto t1 = std::chrono::steady_clock::now();
      f = pan_row(f, 16, p, r.thread, nb, nb + px * P, {}, &s.checkpoints());
      auto t2 = std::chrono::steady_clock::now();
      tf += std::chrono::duration<double, std::milli>(t1 - t0).count();
      tp += std::chrono::duration<double, std::milli>(t2 - t1).count();
      int d = 0;
      for (int x = 0; x < P; ++x) for (int k = 0; k < RowFrame::kMaxDepth; ++k) if (f.at(k, x).region != fresh.at(k, x).region) { ++d; break; }
      diff = std::max(diff, d);
    }
    std::printf("1/%lld of the run, 20 drags of 16 px: fresh %.2f ms/frame, panned %.2f ms/frame, most differing columns after chained pans %d of %d\n", (long long)div, tf / 20, tp / 20, diff, P);
  }
}
