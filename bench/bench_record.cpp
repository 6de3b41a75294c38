// bench_record: what recording one event costs the application thread.
//
// The program re-runs itself with RONDO_TRACE_DIR set to a fresh temporary directory (unless the variable is
// already set), so the runtime starts in librondo's constructor exactly as under `rondo record`: batches go to
// the background writer thread, which compresses them and appends them to the process file while the
// benchmarks run. When the benchmarks are done, the parent prints what the run wrote and removes the directory.
//
// Benchmarks (one loop iteration = one enter + one leave = 2 events, except where noted):
//   BM_rdtsc                         one __rdtsc()                      -> baseline for the ratios
//   BM_ticks                         one rondo::trace::ticks()          (the recording clock)
//   BM_runtime_enter_leave/threads:1,2   rondo_enter/rondo_leave: public C API, real runtime, background flush
//   BM_runtime_inline                rondo::trace::record_enter/leave (the runtime's inline hot path, no C call)
//   BM_runtime_loop_body             rondo_enter/leave of a ~10-call loop body (step{prepare, kernel x 2..6, ...})
//   BM_writer_enter_leave/threads:1,2    format::ThreadWriter::enter/leave + ticks(), sink discards the batches
//   BM_writer_enter_leave_noclock    the same with precomputed timestamps: the recorder alone
//
// Counters (per-thread values averaged over the benchmark's threads):
//   ns_per_event           wall time of the thread's timed loop / events that thread recorded
//   x_rdtsc                ns_per_event / wall ns of one rdtsc (BM_rdtsc of the same run: median of its runs so
//                          far, so BM_rdtsc must run first, as registered)
//   cpu_ns_per_event       the thread's CPU time / its events; x_rdtsc_cpu the same ratio on CPU times. On a
//                          machine shared with other work these are steadier than the wall-time figures.
//   proc_cpu_ns_per_event  (runtime benchmarks) CPU time of the whole process during the loop, including the
//                          background writer that compresses and writes the batches / events of all threads;
//                          x_rdtsc_proc_cpu the same over the CPU time of one rdtsc
// With threads > 1 the "Time" column of Google Benchmark is wall time / (iterations of all threads), an
// aggregate figure; ns_per_event is the per-thread cost.
//
// Usage: bench_record [Google Benchmark flags, e.g. --benchmark_min_time=0.2]
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <mutex>
#include <utility>
#include <string>
#include <vector>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

#include "rondo/format/reader.h"
#include "rondo/format/writer.h"
#include "rondo/rondo.h"
#include "rondo/trace/clock.h"
#include "rondo/trace/runtime.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

inline uint64_t read_tsc() {
#if defined(__x86_64__)
  return __rdtsc();
#else
  return rondo::trace::ticks();
#endif
}

double cpu_seconds(clockid_t clock) {
  timespec ts{};
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall, thread CPU and process CPU time at the start of a timed loop (construct it right before the loop).
struct Start {
  Clock::time_point wall = Clock::now();
  double thread_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID);
  double process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID);
};

// ns of one rdtsc (wall and thread CPU): the median over BM_rdtsc's long runs (every repetition; Google
// Benchmark's short estimation runs are left out); measured here if that benchmark was filtered out.
struct RdtscCost {
  std::mutex mutex;
  std::vector<double> wall_runs, cpu_runs;
  double wall_ns = 0, cpu_ns = 0;
} g_rdtsc;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void add_rdtsc_run(double wall_ns, double cpu_ns, int64_t iterations) {
  if (iterations < 1'000'000) return;
  std::lock_guard<std::mutex> lock(g_rdtsc.mutex);
  g_rdtsc.wall_runs.push_back(wall_ns);
  g_rdtsc.cpu_runs.push_back(cpu_ns);
  g_rdtsc.wall_ns = median(g_rdtsc.wall_runs);
  g_rdtsc.cpu_ns = median(g_rdtsc.cpu_runs);
}

// {wall ns, CPU ns} of one rdtsc.
std::pair<double, double> rdtsc_ns() {
  {
    std::lock_guard<std::mutex> lock(g_rdtsc.mutex);
    if (g_rdtsc.wall_ns > 0) return {g_rdtsc.wall_ns, g_rdtsc.cpu_ns};
  }
  constexpr int kCalls = 20'000'000;
  const Start start;
  for (int i = 0; i < kCalls; ++i) benchmark::DoNotOptimize(read_tsc());
  const double wall = seconds_since(start.wall) * 1e9 / kCalls;
  const double cpu = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start.thread_cpu) * 1e9 / kCalls;
  add_rdtsc_run(wall, cpu, kCalls);
  return {wall, cpu};
}

// Sets the counters of a recording benchmark; `events` are those recorded by the calling thread.
// proc_cpu_ns_per_event (with_process_cpu): CPU time of the whole process (every benchmark thread and the
// runtime's background writer) over the loop / events of all threads.
void report_events(benchmark::State& state, const Start& start, uint64_t events, bool with_process_cpu) {
  const double wall = seconds_since(start.wall);
  const double thread_cpu = cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start.thread_cpu;
  const double process_cpu = cpu_seconds(CLOCK_PROCESS_CPUTIME_ID) - start.process_cpu;
  const auto n = static_cast<double>(events);
  const auto [rdtsc_wall, rdtsc_cpu] = rdtsc_ns();
  const double ns = wall * 1e9 / n, cpu_ns = thread_cpu * 1e9 / n;
  using benchmark::Counter;
  state.counters["ns_per_event"] = Counter(ns, Counter::kAvgThreads);
  state.counters["x_rdtsc"] = Counter(ns / rdtsc_wall, Counter::kAvgThreads);
  state.counters["cpu_ns_per_event"] = Counter(cpu_ns, Counter::kAvgThreads);
  state.counters["x_rdtsc_cpu"] = Counter(cpu_ns / rdtsc_cpu, Counter::kAvgThreads);
  if (with_process_cpu) {
    const double proc_ns = process_cpu * 1e9 / (n * state.threads());
    state.counters["proc_cpu_ns_per_event"] = Counter(proc_ns, Counter::kAvgThreads);
    state.counters["x_rdtsc_proc_cpu"] = Counter(proc_ns / rdtsc_cpu, Counter::kAvgThreads);
  }
  state.SetItemsProcessed(static_cast<int64_t>(events));
}

// ---- clock baselines ----

void BM_rdtsc(benchmark::State& state) {
  const Start start;
  for (auto _ : state) benchmark::DoNotOptimize(read_tsc());
  const auto n = static_cast<double>(state.iterations());
  const double wall = seconds_since(start.wall) * 1e9 / n;
  const double cpu = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start.thread_cpu) * 1e9 / n;
  add_rdtsc_run(wall, cpu, state.iterations());
  state.counters["ns_per_call"] = wall;
  state.counters["cpu_ns_per_call"] = cpu;
}
BENCHMARK(BM_rdtsc);

void BM_ticks(benchmark::State& state) {
  const Start start;
  for (auto _ : state) benchmark::DoNotOptimize(rondo::trace::ticks());
  const auto n = static_cast<double>(state.iterations());
  const double wall = seconds_since(start.wall) * 1e9 / n;
  const double cpu = (cpu_seconds(CLOCK_THREAD_CPUTIME_ID) - start.thread_cpu) * 1e9 / n;
  state.counters["ns_per_call"] = wall;
  state.counters["cpu_ns_per_call"] = cpu;
  state.counters["x_rdtsc"] = wall / rdtsc_ns().first;
}
BENCHMARK(BM_ticks);

// ---- the real runtime ----

rondo_region_t g_hot = 0;                                     // "bench_hot"
rondo_region_t g_step = 0, g_prepare = 0, g_kernel = 0, g_exchange = 0, g_reduce = 0, g_update = 0, g_check = 0;

bool require_recording(benchmark::State& state) {
  if (rondo_is_recording()) return true;
  state.SkipWithError("the runtime is not recording (RONDO_TRACE_DIR unset or recording disabled)");
  return false;
}

void BM_runtime_enter_leave(benchmark::State& state) {
  if (!require_recording(state)) return;
  const rondo_region_t region = g_hot;
  const Start start;
  for (auto _ : state) {
    rondo_enter(region);
    rondo_leave(region);
  }
  report_events(state, start, 2 * state.iterations(), true);
}
BENCHMARK(BM_runtime_enter_leave)->Threads(1)->Threads(2)->UseRealTime();

void BM_runtime_inline(benchmark::State& state) {
  if (!require_recording(state)) return;
  const uint32_t region = g_hot - 1;  // handles are region id + 1
  const Start start;
  for (auto _ : state) {
    rondo::trace::record_enter(region);
    rondo::trace::record_leave(region);
  }
  report_events(state, start, 2 * state.iterations(), true);
}
BENCHMARK(BM_runtime_inline)->UseRealTime();

inline void call(rondo_region_t region) {
  rondo_enter(region);
  rondo_leave(region);
}

void BM_runtime_loop_body(benchmark::State& state) {
  if (!require_recording(state)) return;
  uint64_t rng = 0x2545F4914F6CDD1Dull, events = 0;
  const Start start;
  for (auto _ : state) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    const uint32_t trip = 2 + static_cast<uint32_t>(rng % 5);
    rondo_enter(g_step);
    call(g_prepare);
    for (uint32_t k = 0; k < trip; ++k) call(g_kernel);
    call(g_exchange);
    call(g_reduce);
    call(g_update);
    call(g_update);
    call(g_check);
    rondo_leave(g_step);
    events += 2 * (7 + trip);
  }
  report_events(state, start, events, true);
}
BENCHMARK(BM_runtime_loop_body)->UseRealTime();

// ---- the recorder alone ----

void BM_writer_enter_leave(benchmark::State& state) {
  uint64_t batches = 0;
  rondo::format::ThreadWriter writer(static_cast<uint32_t>(state.thread_index()),
                                     [&batches](rondo::format::Batch&&) { ++batches; });
  const Start start;
  for (auto _ : state) {
    writer.enter(0, rondo::trace::ticks());
    writer.leave(0, rondo::trace::ticks());
  }
  report_events(state, start, 2 * state.iterations(), false);
  benchmark::DoNotOptimize(batches);
}
BENCHMARK(BM_writer_enter_leave)->Threads(1)->Threads(2)->UseRealTime();

void BM_writer_enter_leave_noclock(benchmark::State& state) {
  uint64_t batches = 0;
  rondo::format::ThreadWriter writer(0, [&batches](rondo::format::Batch&&) { ++batches; });
  uint64_t t = 1'000'000'000, rng = 0x9E3779B97F4A7C15ull;
  const Start start;
  for (auto _ : state) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    writer.enter(0, t);
    t += 20 + (rng & 15);
    writer.leave(0, t);
    t += 20 + ((rng >> 4) & 15);
  }
  report_events(state, start, 2 * state.iterations(), false);
  benchmark::DoNotOptimize(batches);
}
BENCHMARK(BM_writer_enter_leave_noclock)->UseRealTime();

// ---- parent: run the benchmarks in a recorded child, then report what it wrote ----

int run_recorded_child(char** argv) {
  const char* tmp = std::getenv("TMPDIR");
  std::string base_pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/rondo-bench-record-XXXXXX";
  std::vector<char> buffer(base_pattern.begin(), base_pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) {
    std::perror("bench_record: mkdtemp");
    return 1;
  }
  const std::string base = buffer.data();
  const std::string trace_dir = base + "/trace";

  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("bench_record: fork");
    return 1;
  }
  if (pid == 0) {
    setenv("RONDO_TRACE_DIR", trace_dir.c_str(), 1);
    execv("/proc/self/exe", argv);
    std::perror("bench_record: execv /proc/self/exe");
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) {
      std::perror("bench_record: waitpid");
      return 1;
    }
  }
  const int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);

  // What the recorded benchmark run wrote (the events of every timed loop, including the estimation runs).
  try {
    if (std::filesystem::exists(trace_dir)) {
      rondo::format::TraceReader trace(trace_dir);
      uint64_t events = 0, threads = 0;
      bool truncated = trace.truncated();
      for (const auto& process : trace.processes()) {
        for (size_t i = 0; i < process->thread_count(); ++i) {
          const rondo::format::ThreadTrace& thread = process->thread(i);
          events += thread.event_count();
          truncated = truncated || thread.truncated();
          ++threads;
        }
      }
      std::printf("\nrecorded trace of this run: %" PRIu64 " bytes, %" PRIu64 " events on %" PRIu64
                  " threads (%.4f bytes/event), %s\n",
                  trace.bytes_on_disk(), events, threads,
                  events ? static_cast<double>(trace.bytes_on_disk()) / static_cast<double>(events) : 0.0,
                  truncated ? "TRUNCATED" : "complete");
      for (const std::string& problem : trace.problems()) std::printf("  problem: %s\n", problem.c_str());
    } else if (rc == 0) {
      std::printf("\nno trace was written (the runtime did not record)\n");
    }
  } catch (const std::exception& e) {
    std::printf("\ncannot read the recorded trace: %s\n", e.what());
  }
  std::error_code ignored;
  std::filesystem::remove_all(base, ignored);
  return rc;
}

}  // namespace

int main(int argc, char** argv) {
  const char* dir = std::getenv("RONDO_TRACE_DIR");
  if (dir == nullptr || *dir == '\0') return run_recorded_child(argv);

  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (rondo_is_recording()) {
    std::printf("recording into %s (clock: %s)\n", dir, rondo::trace::g_clock_is_tsc ? "TSC" : "CLOCK_MONOTONIC");
  } else {
    std::printf("warning: RONDO_TRACE_DIR=%s but the runtime is not recording; runtime benchmarks are skipped\n", dir);
    rondo::trace::select_clock(false);
  }
  g_hot = rondo_region("bench_hot");
  g_step = rondo_region("step");
  g_prepare = rondo_region("prepare");
  g_kernel = rondo_region("kernel");
  g_exchange = rondo_region("exchange");
  g_reduce = rondo_region("reduce");
  g_update = rondo_region("update");
  g_check = rondo_region("check");
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
