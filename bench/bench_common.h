// Shared pieces of bench_size and bench_read: the workloads (recorded with the real runtime in a child
// process), reading a recorded trace back into a flat event list, and small timing / file helpers.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "otf2_baseline.h"

namespace rondo::bench {

using Clock = std::chrono::steady_clock;
inline double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Small deterministic PRNG (same sequence on every run).
struct Rng {
  uint64_t state;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

// ---- workloads (run inside a recorded process, through the public C API) ----

// Loop-heavy: main { for it < iterations: step { prepare; kernel x trip (trip 2..6, pseudo-random per
// iteration); exchange; reduce; update x 2; check } }. Every call does a little busy work, so timestamps are
// real clock readings. 10 calls per iteration on average in the body (+ step itself).
inline constexpr uint64_t kLoopIterations = 1'000'000;
// Irregular: random walk over 256 regions (enter a random region or leave the innermost one, depth <= 12),
// a random amount of busy work between any two events.
inline constexpr uint64_t kIrregularCalls = 1'000'000;

// Both return the number of events (enters + leaves) they recorded.
uint64_t run_loop_workload(uint64_t iterations);
uint64_t run_irregular_workload(uint64_t calls, uint64_t seed);

// Child side: when argv is "<exe> --record-child <loop|irregular> <n> <result-file>", runs that workload
// (the process must have been started with RONDO_TRACE_DIR set, see record_workload), writes
// "<events> <seconds>" to result-file and returns the exit status; otherwise returns -1.
int run_child_if_requested(int argc, char** argv);

struct RecordResult {
  uint64_t events = 0;  // events the workload recorded (as counted by the workload)
  double seconds = 0;   // wall time of the workload in the child (recording included, exit flush not)
};
// Runs this executable again (/proc/self/exe) with RONDO_TRACE_DIR=trace_dir as a child that records
// `workload` with parameter n, and waits for it. Throws std::runtime_error on failure.
RecordResult record_workload(const std::string& trace_dir, const std::string& workload, uint64_t n);

// ---- reading back ----

struct TraceEvents {
  std::vector<std::string> region_names;  // by region id
  std::vector<SimpleEvent> events;        // raw ticks, in order
  uint64_t ticks_per_second = 0;
  uint64_t event_count = 0;               // sum of ThreadTrace::event_count()
};
// Replays the only thread of the only process of a trace directory with EventCursor. Throws when the trace
// has more processes or threads, is truncated, or holds events other than enter/leave.
TraceEvents read_trace_events(const std::string& dir);

// ---- files ----

// A fresh directory under the system temp directory (mkdtemp).
std::string make_temp_dir(const std::string& prefix);
// Sum of the sizes of all regular files below `dir`.
uint64_t directory_bytes(const std::string& dir);
void remove_tree(const std::string& dir);

}  // namespace rondo::bench
