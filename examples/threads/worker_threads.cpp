// A std::thread program: each worker processes tasks of varying size; the main
// thread waits. Every thread is its own location in the trace, with its own
// grammar (each worker's task loop becomes one loop).
//
//   rondo record -o workers.rondo ./worker_threads 4 500
//   rondo stats workers.rondo --by thread
#include <rondo/rondo.h>

#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

// Each worker sums into its own slot and main adds the slots in order, so the
// printed total is the same on every run (a shared `total = total + s` lost
// updates between threads, and the order of floating-point additions varied).
double process_task(int size) {
  RONDO_SCOPE("process_task");
  double s = 0;
  for (int i = 0; i < size * 100; ++i) s += i * 1e-9;
  return s;
}

void worker(int id, int tasks, double* sum) {
  RONDO_SCOPE("worker");
  double s = 0;
  for (int t = 0; t < tasks; ++t) s += process_task(1 + (t + id) % 7);
  *sum = s;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 4;
  int tasks = argc > 2 ? std::atoi(argv[2]) : 500;
  std::vector<std::thread> pool;
  std::vector<double> sums(static_cast<size_t>(threads > 0 ? threads : 0));
  {
    RONDO_SCOPE("spawn_and_join");
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker, i, tasks, &sums[static_cast<size_t>(i)]);
    for (auto& t : pool) t.join();
  }
  double total = 0;
  for (double s : sums) total += s;
  std::printf("worker_threads: %d threads x %d tasks, total %.3f\n", threads, tasks, total);
  return 0;
}
