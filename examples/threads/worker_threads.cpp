// A std::thread program: each worker processes tasks of varying size; the main
// thread waits. Every thread is its own location in the trace, with its own
// grammar (each worker's task loop becomes one loop).
//
//   rondo record -o workers.rondo ./worker_threads 4 500
//   rondo stats workers.rondo --by thread
#include <rondo/rondo.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

std::atomic<double> total{0};

void process_task(int size) {
  RONDO_SCOPE("process_task");
  double s = 0;
  for (int i = 0; i < size * 100; ++i) s += i * 1e-9;
  total = total + s;
}

void worker(int id, int tasks) {
  RONDO_SCOPE("worker");
  for (int t = 0; t < tasks; ++t) process_task(1 + (t + id) % 7);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = argc > 1 ? std::atoi(argv[1]) : 4;
  int tasks = argc > 2 ? std::atoi(argv[2]) : 500;
  std::vector<std::thread> pool;
  {
    RONDO_SCOPE("spawn_and_join");
    for (int i = 0; i < threads; ++i) pool.emplace_back(worker, i, tasks);
    for (auto& t : pool) t.join();
  }
  std::printf("worker_threads: %d threads x %d tasks, total %.3f\n", threads, tasks, total.load());
  return 0;
}
