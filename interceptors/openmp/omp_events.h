// What the OpenMP module records, shared by its two front ends: the libgomp
// wrappers (GCC) and the OMPT tool (LLVM/Intel libomp). Both must describe the
// same program the same way: the same regions, events and counts.
//
//   omp parallel   every thread of a team, from the start to the end of its
//                  implicit task (the barrier that ends the region included);
//                  THREAD_TEAM_BEGIN (p0: team size) / TEAM_END inside it.
//   omp implicit barrier
//                  the barrier that ends a parallel region, last thing inside
//                  `omp parallel` on every thread: from the thread's arrival to
//                  the arrival of the team's last thread (its waiting: where the
//                  region's imbalance shows).
//   omp fork, omp join
//                  the encountering thread only, around its `omp parallel`:
//                  THREAD_FORK (p0: requested threads), `omp fork` (from asking
//                  for the team to the start of its own implicit task), `omp
//                  parallel`, `omp join` (from its end to the team's end),
//                  THREAD_JOIN. So the whole time from fork to join is in regions.
//   omp for, omp sections, omp single
//                  each thread that takes part in the worksharing construct.
//   omp barrier    explicit barriers and the implicit ones that end worksharing
//                  constructs.
//   omp critical, omp ordered, omp atomic
//                  from asking for the lock to giving it back; THREAD_ACQUIRE_LOCK
//                  / THREAD_RELEASE_LOCK mark holding it.
//   omp lock       omp_set_lock / omp_set_nest_lock: the time to get the lock;
//                  every successful set and test records THREAD_ACQUIRE_LOCK, every
//                  unset THREAD_RELEASE_LOCK (nested levels included).
//   omp test lock  omp_test_lock / omp_test_nest_lock that took the lock; the
//                  tests that found it taken are folded, one POLLS pair per run
//                  of them (FORMAT.md 7.2), and count as calls all the same.
//   omp task       the execution of an explicit task (THREAD_TASK_SWITCH at its
//                  start, THREAD_TASK_COMPLETE at its end, data: the task id); the
//                  creating thread records THREAD_TASK_CREATE with the same id.
//   omp taskgroup  from the start of the construct to the end of the wait for its
//                  tasks (a taskloop without nogroup is in one, too)
//   omp taskloop   the thread creating the loop's tasks (which are not recorded
//                  one by one: libgomp creates them out of sight)
//   omp taskwait, omp taskyield, omp teams
//
// Programs instrumented with OPARI2 (`rondo instrument`) also tell the module
// about every worksharing loop and barrier (pomp2_adapter.cpp): then gcc's
// static-schedule loops, which libgomp never sees, are `omp for` too.
#pragma once

#include <atomic>
#include <cstdint>

#include "lock_kinds.h"
#include "rondo/format/records.h"
#include "rondo/trace/runtime.h"

namespace rondo::omp {

enum Region : int {
  kParallel, kFor, kSections, kSingle, kBarrier, kCritical, kAtomic, kOrdered,
  kTask, kTaskwait, kTaskgroup, kTaskloop, kTaskyield, kLock, kTeams,
  kImplicitBarrier, kFork, kJoin, kTestLock,
  kRegionCount
};

extern uint32_t g_region[kRegionCount];
extern std::atomic<bool> g_ready;

// Starts the runtime and defines the regions (idempotent, thread-safe). Returns
// whether the process is recorded.
bool initialize();

// Whether the calling thread records OpenMP events now.
inline bool active() {
  return g_ready.load(std::memory_order_relaxed) && trace::g_recording.load(std::memory_order_relaxed) &&
         trace::t_intercept.inside == 0;
}

inline void enter(Region r) { trace::record_enter(g_region[r]); }
inline void leave(Region r) { trace::record_leave(g_region[r]); }

// `at`: the event's ticks (0: now).
void lock_acquired(interpose::LockKind kind, const void* lock, uint64_t at = 0);
void lock_released(interpose::LockKind kind, const void* lock);
void team_begin(int64_t team_size);
// The calling thread's team size (the program's omp_get_num_threads), 0 if unknown.
int team_size();

// The encountering thread's side of a parallel region, for both front ends:
// fork_begin() before the runtime starts the team (THREAD_FORK, enter `omp
// fork`); fork_end() when an implicit task starts on this thread: true when it
// is the task of the region this thread just forked (then `omp fork` is left,
// and the task's end calls join_begin(), which enters `omp join`); join_end()
// once the runtime has ended the team (leave `omp join`, THREAD_JOIN). Every
// fork_begin() has its join_end(), recorded or not (they keep the nesting depth).
void fork_begin(int64_t requested_threads);
bool fork_end();
void join_begin();
void join_end();
void team_end(uint64_t at = 0);  // at: the event's ticks, 0: now
uint64_t next_task_id();

// OPARI2-instrumented code (pomp2_adapter.cpp): the POMP2 loops and barriers the
// calling thread is in. The adapter records those; the front ends record no
// `omp for` while `loops` > 0 and no `omp barrier` while `barriers` > 0. A new
// team member starts from a clean state (the GOMP trampoline saves and restores it).
struct Pomp2State {
  int loops = 0;
  int barriers = 0;
  bool closing_barrier = false;  // OPARI2's barrier ending this parallel region was recorded
  uint64_t loop_open = 0;     // bit d: the loop at depth d has its `omp for` open
  uint64_t barrier_open = 0;  // bit d: the barrier at depth d is recorded
  uint64_t barrier_closing = 0;  // bit d: ... as the `omp implicit barrier` ending the region
};
extern constinit thread_local Pomp2State t_pomp2 __attribute__((tls_model("initial-exec")));

// Set while the program's omp_test_lock / omp_test_nest_lock runs: libomp
// reports a test as if it were omp_set_lock, and a failed one has no end.
extern constinit thread_local bool t_lock_test;
void task_create(uint64_t id);
void task_switch(uint64_t id);
void task_complete(uint64_t id);

}  // namespace rondo::omp
