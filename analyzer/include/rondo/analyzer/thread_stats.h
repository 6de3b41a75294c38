// OpenMP, threads and I/O statistics of a trace: the time each thread spent in
// parallel regions and waiting (barriers, locks, critical sections, condition
// variables, the fork and join of teams), the load imbalance of each parallel
// region per team, and the I/O done on each file. Region times come from each
// thread's profile (its summary, or a replay with a window); I/O from replaying
// the threads whose grammar has I/O events.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

// Times of one thread, in nanoseconds (inclusive times of the regions named;
// wait_kind() says which region counts where).
struct ThreadTimes {
  int32_t rank = -1;    // process label (MPI rank or position in the trace)
  int32_t thread = -1;  // process-local thread index
  int64_t parallel_ns = 0;  // "omp parallel" (its closing barrier included)
  int64_t barrier_ns = 0;   // waiting in barriers: "omp barrier", "omp implicit barrier", pthread_barrier_wait
  int64_t lock_ns = 0;      // waiting for a lock: "omp critical", "omp lock", "omp atomic", pthread mutex,
                            // rwlock and spin lock
  int64_t pthread_wait_ns = 0;  // waiting for a condition variable or a semaphore
  int64_t fork_join_ns = 0;     // "omp fork" + "omp join": starting and ending teams (encountering thread)
  int64_t span_ns = 0;          // first to last event of the thread
  std::string label() const { return std::to_string(rank) + ":" + std::to_string(thread); }
};

// One parallel region name in one team. A team is a process (an MPI rank): its
// threads are the ones that share the work, so imbalance is measured there. A
// thread's time in the region is its busy time: inclusive time less its waiting
// in OpenMP barriers (the waiting is where the imbalance of the others shows).
struct TeamImbalance {
  int32_t rank = -1;
  uint64_t threads = 0;  // threads with at least one call
  uint64_t calls = 0;
  int64_t max_ns = 0;    // the largest per-thread busy time
  int64_t busy_ns = 0;   // summed over threads
  int32_t slowest_thread = -1;
  double mean_ns() const { return threads ? static_cast<double>(busy_ns) / static_cast<double>(threads) : 0; }
  // max / mean of per-thread busy time: 1 is perfectly balanced.
  double imbalance() const { return mean_ns() > 0 ? static_cast<double>(max_ns) / mean_ns() : 0; }
};

// One parallel region name over every team that ran it.
struct ParallelRegionStats {
  std::string name;
  uint64_t threads = 0;  // threads with at least one call, all teams
  uint64_t calls = 0;    // summed over threads
  int64_t total_ns = 0;  // inclusive, summed over threads
  int64_t busy_ns = 0;   // busy (inclusive less barrier waiting), summed over threads
  int64_t max_ns = 0;    // the largest per-thread busy time, any team
  int32_t slowest_rank = -1, slowest_thread = -1;  // the thread with max_ns
  std::vector<TeamImbalance> teams;  // by rank
  double mean_ns() const { return threads ? static_cast<double>(busy_ns) / static_cast<double>(threads) : 0; }
  // The worst team's imbalance (1 is perfectly balanced), and which team that is.
  double imbalance() const { return worst_team() ? worst_team()->imbalance() : 0; }
  int32_t worst_rank() const { return worst_team() ? worst_team()->rank : -1; }
  // The mean over teams of each team's imbalance.
  double mean_imbalance() const;
  const TeamImbalance* worst_team() const;
};

// I/O on one file (all processes and threads), from IoOperation records.
struct IoFileStats {
  std::string path;
  uint64_t reads = 0, writes = 0, other = 0;  // completed operations
  uint64_t failed = 0;                         // completions reporting failure (-1)
  uint64_t bytes_read = 0, bytes_written = 0;
  int64_t read_ns = 0, write_ns = 0, other_ns = 0;  // begin to complete
  int64_t time_ns() const { return read_ns + write_ns + other_ns; }
};

struct ThreadStats {
  bool has_threads = false;  // the trace has OpenMP, pthread or I/O records
  std::vector<ThreadTimes> threads;                // threads with OpenMP or pthread waiting time, by (rank, thread)
  std::vector<ParallelRegionStats> parallel_regions;  // by total time, largest first
  std::vector<IoFileStats> io_files;               // by time, largest first
};

// Per-thread partial (see profile.h for the map/reduce scheme): the thread's
// time span inside the window and its I/O per file (operations count where they
// complete). OpenMP and pthread times come from the thread's ProfilePartial.
struct ThreadActivityPartial {
  uint32_t process = 0, thread = 0;
  int64_t span_ns = 0;
  bool has_io = false;               // the thread's grammar has I/O operations
  std::vector<IoFileStats> files;    // by path
};
void to_json(nlohmann::json& j, const ThreadActivityPartial& p);
void from_json(const nlohmann::json& j, ThreadActivityPartial& p);

ThreadActivityPartial thread_activity(const format::ProcessReader& process, uint32_t process_index,
                                      uint32_t thread_index, const TimeWindow& window);
// `profiles` and `activity`: one entry per thread, in the same location order.
ThreadStats reduce_thread_stats(const format::TraceReader& trace, const std::vector<ProfilePartial>& profiles,
                                const std::vector<ThreadActivityPartial>& activity);
ThreadStats thread_stats(const format::TraceReader& trace, const AnalysisOptions& options = {});

// What waiting a region is, by its name (OpenMP and pthread regions; a source
// location may follow an OpenMP construct's name): the column of ThreadTimes it
// adds to. Exposed for tests.
enum class WaitKind { None, Barrier, Lock, Condition, ForkJoin };
WaitKind wait_kind(const std::string& name);
// Whether a region is an OpenMP parallel region ("omp parallel", with or without
// a source location).
bool is_parallel_region(const std::string& name);

}  // namespace rondo::analyzer
