// GCC's OpenMP: wrappers of libgomp's GOMP_* entry points (what gcc/gfortran
// compile OpenMP directives into) and of the omp_*_lock routines.
//
// A parallel region's outlined function is replaced by a trampoline that records
// the region on every thread of the team; a task's function likewise, with its
// arguments carried in a header in front of the task's own data. Worksharing
// loops and sections are recorded from their *_start (or, in combined
// `parallel for` / `parallel sections`, from the first *_next a thread calls) to
// their *_end; the *_end that waits records its barrier.
//
// Limits of the GOMP interface, documented in README.md: loops with a static
// schedule are compiled inline (only their closing barrier is seen) unless the
// program is instrumented with OPARI2 (pomp2_adapter.cpp records its loops and
// barriers, and these wrappers leave them to it: t_pomp2); the barrier that ends
// a parallel region is internal to libgomp, so the trampoline runs one of its
// own in front of it (closing_barrier()).
//
// When the program's OpenMP runtime is LLVM's libomp (which also exports GOMP_*),
// these wrappers step aside: the OMPT tool (ompt_tool.cpp) records everything.
#include <dlfcn.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "interpose.h"
#include "omp_events.h"
#include "rondo/trace/poll_fold.h"

namespace {

using namespace rondo::omp;
using rondo::interpose::LockKind;
using rondo::interpose::Real;
namespace trace = rondo::trace;

using ull = unsigned long long;
using OutlinedFn = void (*)(void*);
using CopyFn = void (*)(void*, void*);

// 0: not known yet, 1: libgomp (record here), 2: another runtime (OMPT records).
std::atomic<int> g_runtime{0};

bool runtime_is_libgomp() {
  int r = g_runtime.load(std::memory_order_relaxed);
  if (__builtin_expect(r == 0, 0)) {
    // LLVM's and Intel's runtimes define __kmpc_* next to their GOMP_* layer.
    r = dlsym(RTLD_DEFAULT, "__kmpc_fork_call") ? 2 : 1;
    g_runtime.store(r, std::memory_order_relaxed);
  }
  return r == 1;
}

inline bool on() { return active() && runtime_is_libgomp(); }

Real<int (*)()> real_omp_get_max_threads("omp_get_max_threads");


// Per thread and per team (a nested parallel region saves and restores it): the
// worksharing constructs this thread has entered and not left.
struct WorkshareState {
  bool loop = false;
  bool sections = false;
};
thread_local WorkshareState t_workshare __attribute__((tls_model("initial-exec")));

void workshare_enter(bool WorkshareState::*which, Region region, bool restart) {
  bool& open = t_workshare.*which;
  if (open && !restart) return;
  if (open) leave(region);
  enter(region);
  open = true;
}

void workshare_leave(bool WorkshareState::*which, Region region) {
  bool& open = t_workshare.*which;
  if (!open) return;
  leave(region);
  open = false;
}

// ---------------------------------------------------------------------------
// Parallel regions

struct ParallelCall {
  OutlinedFn fn;
  void* data;
  // Whether every member ends with a barrier of its own (decided once by the
  // encountering thread, so that all members agree: a barrier some members
  // skip would never complete).
  bool closing_barrier;
};

Real<void (*)()> real_gomp_barrier("GOMP_barrier");

// The barrier that ends a parallel region, made visible. libgomp runs it inside
// GOMP_parallel_end (team members: after the outlined function returns, out of
// sight), so each member runs a team barrier of its own first, recorded as `omp
// implicit barrier`: all the waiting happens there, and libgomp's own barrier
// finds everybody arrived. Tasks still pending run in it, as they would in
// libgomp's. An OPARI2-instrumented region already ended in a recorded barrier.
// A team of one thread has nothing to wait for (libomp reports no barrier then).
void closing_barrier(bool record) {
  if (team_size() == 1) return;
  record = record && !t_pomp2.closing_barrier;
  if (record) enter(kImplicitBarrier);
  if (auto barrier = real_gomp_barrier.get()) barrier();
  if (record) leave(kImplicitBarrier);
}

// Runs on every thread of the team (the encountering thread included).
void team_member(void* p) {
  auto* call = static_cast<ParallelCall*>(p);
  if (!active()) {
    call->fn(call->data);
    if (call->closing_barrier) closing_barrier(false);
    return;
  }
  WorkshareState saved = t_workshare;
  Pomp2State saved_pomp2 = t_pomp2;
  t_workshare = WorkshareState{};
  t_pomp2 = Pomp2State{};
  bool encountering = fork_end();
  enter(kParallel);
  team_begin(team_size());
  call->fn(call->data);
  workshare_leave(&WorkshareState::loop, kFor);
  workshare_leave(&WorkshareState::sections, kSections);
  if (call->closing_barrier) closing_barrier(true);
  team_end();
  leave(kParallel);
  if (encountering) join_begin();
  t_workshare = saved;
  t_pomp2 = saved_pomp2;
}

int64_t requested(unsigned num_threads) {
  if (num_threads) return num_threads;
  auto f = real_omp_get_max_threads.get();
  return f ? f() : 0;
}

// The encountering thread's part of a combined construct: fork, the real call
// with the trampoline, join.
template <typename F>
void fork_join(unsigned num_threads, F&& real_call) {
  fork_begin(requested(num_threads));
  real_call();
  join_end();
}

// GOMP_parallel_start/end (GCC before 4.9): the encountering thread runs the
// outlined function itself between the two calls, so the call record must
// outlive GOMP_parallel_start; a stack of them per thread handles nesting.
constexpr int kMaxOldStyleNesting = 16;
struct OldStyleParallel {
  ParallelCall calls[kMaxOldStyleNesting];
  WorkshareState saved[kMaxOldStyleNesting];
  bool recorded[kMaxOldStyleNesting];
  bool encountering[kMaxOldStyleNesting];
  int depth = 0;
  int overflow = 0;  // levels beyond the table: run, not recorded
};
thread_local OldStyleParallel t_old_parallel;

ParallelCall* old_style_begin(OutlinedFn fn, void* data, unsigned num_threads, bool& record) {
  OldStyleParallel& s = t_old_parallel;
  record = on() && s.depth < kMaxOldStyleNesting;
  if (s.depth >= kMaxOldStyleNesting) {
    ++s.overflow;
    return nullptr;
  }
  int d = s.depth++;
  s.calls[d] = ParallelCall{fn, data, record};
  s.recorded[d] = record;
  if (record) fork_begin(requested(num_threads));
  return &s.calls[d];
}

void old_style_master_begin() {
  OldStyleParallel& s = t_old_parallel;
  int d = s.depth - 1;
  if (d < 0 || !s.recorded[d]) return;
  s.saved[d] = t_workshare;
  t_workshare = WorkshareState{};
  s.encountering[d] = fork_end();
  enter(kParallel);
  team_begin(team_size());
}

// ---------------------------------------------------------------------------
// Tasks: the task's data is prefixed by a header naming the real function.

struct TaskHeader {
  OutlinedFn fn;
  uint64_t id;
  size_t offset;  // of the program's data, from the start of the header
};

// What GOMP_task copies from: the header to be, and the program's data with its
// own copy function.
struct TaskSource {
  TaskHeader header;
  CopyFn cpyfn;
  void* data;
  long arg_size;
};

void copy_task(void* dst, void* src) {
  auto* s = static_cast<TaskSource*>(src);
  std::memcpy(dst, &s->header, sizeof(TaskHeader));
  char* own = static_cast<char*>(dst) + s->header.offset;
  if (s->cpyfn)
    s->cpyfn(own, s->data);
  else if (s->arg_size > 0)
    std::memcpy(own, s->data, static_cast<size_t>(s->arg_size));
}

void run_task(void* p) {
  auto* h = static_cast<TaskHeader*>(p);
  void* own = static_cast<char*>(p) + h->offset;
  if (!active()) {
    h->fn(own);
    return;
  }
  enter(kTask);
  task_switch(h->id);
  h->fn(own);
  task_complete(h->id);
  leave(kTask);
}

constexpr unsigned kTaskFlagDetach = 1u << 13;  // GOMP_TASK_FLAG_DETACH (gomp-constants.h)

// ---------------------------------------------------------------------------
// Locks without an object of their own

char g_unnamed_critical;  // lock ids: any address unique to the construct
char g_atomic_lock;
char g_ordered_lock;

// A taskgroup's region spans the construct, from its start to the end of the
// wait for its tasks (as OMPT's taskgroup sync region). Whether this thread
// recorded the start is remembered, so that the end matches it.
constexpr int kMaxTaskgroups = 64;
thread_local uint64_t t_taskgroups;  // bit i: the taskgroup at depth i is recorded
thread_local int t_taskgroup_depth;

// Tasks made by a taskloop get their bounds written into their data by libgomp,
// so they keep their layout: the taskloop is one region of the thread creating
// them (its tasks are not recorded one by one). Unless `nogroup`, a taskloop is
// a taskgroup too: clang emits that one as its own construct, libgomp does it
// inside, so it is recorded here.
constexpr unsigned kTaskFlagNogroup = 1u << 11;  // GOMP_TASK_FLAG_NOGROUP

template <typename F>
void taskloop(unsigned flags, F&& real_call) {
  bool group = !(flags & kTaskFlagNogroup);
  if (group) enter(kTaskgroup);
  enter(kTaskloop);
  real_call();
  leave(kTaskloop);
  if (group) leave(kTaskgroup);
}

}  // namespace

// ---------------------------------------------------------------------------
// The wrappers

#define REAL(name, ret, params) static Real<ret(*) params> real(#name)

extern "C" {

// --- parallel ---------------------------------------------------------------

void GOMP_parallel(OutlinedFn fn, void* data, unsigned num_threads, unsigned flags) {
  REAL(GOMP_parallel, void, (OutlinedFn, void*, unsigned, unsigned));
  if (!on()) return real.get()(fn, data, num_threads, flags);
  ParallelCall call{fn, data, true};
  fork_join(num_threads, [&] { real.get()(team_member, &call, num_threads, flags); });
}

unsigned GOMP_parallel_reductions(OutlinedFn fn, void* data, unsigned num_threads, unsigned flags) {
  REAL(GOMP_parallel_reductions, unsigned, (OutlinedFn, void*, unsigned, unsigned));
  if (!on()) return real.get()(fn, data, num_threads, flags);
  ParallelCall call{fn, data, true};
  unsigned r = 0;
  fork_join(num_threads, [&] { r = real.get()(team_member, &call, num_threads, flags); });
  return r;
}

void GOMP_parallel_sections(OutlinedFn fn, void* data, unsigned num_threads, unsigned count, unsigned flags) {
  REAL(GOMP_parallel_sections, void, (OutlinedFn, void*, unsigned, unsigned, unsigned));
  if (!on()) return real.get()(fn, data, num_threads, count, flags);
  ParallelCall call{fn, data, true};
  fork_join(num_threads, [&] { real.get()(team_member, &call, num_threads, count, flags); });
}

#define PARALLEL_LOOP(name)                                                                              \
  void name(OutlinedFn fn, void* data, unsigned num_threads, long start, long end, long incr, long chunk, \
            unsigned flags) {                                                                            \
    REAL(name, void, (OutlinedFn, void*, unsigned, long, long, long, long, unsigned));                  \
    if (!on()) return real.get()(fn, data, num_threads, start, end, incr, chunk, flags);                \
    ParallelCall call{fn, data, true};                                                                   \
    fork_join(num_threads,                                                                               \
              [&] { real.get()(team_member, &call, num_threads, start, end, incr, chunk, flags); });     \
  }
PARALLEL_LOOP(GOMP_parallel_loop_static)
PARALLEL_LOOP(GOMP_parallel_loop_dynamic)
PARALLEL_LOOP(GOMP_parallel_loop_guided)
PARALLEL_LOOP(GOMP_parallel_loop_nonmonotonic_dynamic)
PARALLEL_LOOP(GOMP_parallel_loop_nonmonotonic_guided)

#define PARALLEL_LOOP_RUNTIME(name)                                                                   \
  void name(OutlinedFn fn, void* data, unsigned num_threads, long start, long end, long incr,         \
            unsigned flags) {                                                                         \
    REAL(name, void, (OutlinedFn, void*, unsigned, long, long, long, unsigned));                     \
    if (!on()) return real.get()(fn, data, num_threads, start, end, incr, flags);                    \
    ParallelCall call{fn, data, true};                                                                \
    fork_join(num_threads, [&] { real.get()(team_member, &call, num_threads, start, end, incr, flags); }); \
  }
PARALLEL_LOOP_RUNTIME(GOMP_parallel_loop_runtime)
PARALLEL_LOOP_RUNTIME(GOMP_parallel_loop_nonmonotonic_runtime)
PARALLEL_LOOP_RUNTIME(GOMP_parallel_loop_maybe_nonmonotonic_runtime)

// GCC before 4.9: GOMP_parallel_start, the outlined function called directly,
// GOMP_parallel_end.
void GOMP_parallel_start(OutlinedFn fn, void* data, unsigned num_threads) {
  REAL(GOMP_parallel_start, void, (OutlinedFn, void*, unsigned));
  bool record = false;
  ParallelCall* call = old_style_begin(fn, data, num_threads, record);
  if (!call) return real.get()(fn, data, num_threads);
  real.get()(record ? team_member : fn, record ? static_cast<void*>(call) : data, num_threads);
  old_style_master_begin();
}

#define OLD_PARALLEL_LOOP(name)                                                                         \
  void name(OutlinedFn fn, void* data, unsigned num_threads, long start, long end, long incr, long chunk) { \
    REAL(name, void, (OutlinedFn, void*, unsigned, long, long, long, long));                           \
    bool record = false;                                                                                \
    ParallelCall* call = old_style_begin(fn, data, num_threads, record);                               \
    if (!call) return real.get()(fn, data, num_threads, start, end, incr, chunk);                       \
    real.get()(record ? team_member : fn, record ? static_cast<void*>(call) : data, num_threads, start, end, \
               incr, chunk);                                                                            \
    old_style_master_begin();                                                                           \
  }
OLD_PARALLEL_LOOP(GOMP_parallel_loop_static_start)
OLD_PARALLEL_LOOP(GOMP_parallel_loop_dynamic_start)
OLD_PARALLEL_LOOP(GOMP_parallel_loop_guided_start)

void GOMP_parallel_loop_runtime_start(OutlinedFn fn, void* data, unsigned num_threads, long start, long end,
                                      long incr) {
  REAL(GOMP_parallel_loop_runtime_start, void, (OutlinedFn, void*, unsigned, long, long, long));
  bool record = false;
  ParallelCall* call = old_style_begin(fn, data, num_threads, record);
  if (!call) return real.get()(fn, data, num_threads, start, end, incr);
  real.get()(record ? team_member : fn, record ? static_cast<void*>(call) : data, num_threads, start, end, incr);
  old_style_master_begin();
}

void GOMP_parallel_sections_start(OutlinedFn fn, void* data, unsigned num_threads, unsigned count) {
  REAL(GOMP_parallel_sections_start, void, (OutlinedFn, void*, unsigned, unsigned));
  bool record = false;
  ParallelCall* call = old_style_begin(fn, data, num_threads, record);
  if (!call) return real.get()(fn, data, num_threads, count);
  real.get()(record ? team_member : fn, record ? static_cast<void*>(call) : data, num_threads, count);
  old_style_master_begin();
}

void GOMP_parallel_end(void) {
  REAL(GOMP_parallel_end, void, (void));
  OldStyleParallel& s = t_old_parallel;
  if (s.overflow > 0) {
    --s.overflow;
    return real.get()();
  }
  int d = s.depth - 1;
  bool record = d >= 0 && s.recorded[d];
  if (record) {
    workshare_leave(&WorkshareState::loop, kFor);
    workshare_leave(&WorkshareState::sections, kSections);
    closing_barrier(true);  // the workers run theirs in team_member
    team_end();
    leave(kParallel);
    if (s.encountering[d]) join_begin();
    t_workshare = s.saved[d];
  }
  real.get()();
  if (d >= 0) s.depth = d;
  if (record) join_end();
}

void GOMP_teams_reg(OutlinedFn fn, void* data, unsigned num_teams, unsigned thread_limit, unsigned flags) {
  REAL(GOMP_teams_reg, void, (OutlinedFn, void*, unsigned, unsigned, unsigned));
  if (!on()) return real.get()(fn, data, num_teams, thread_limit, flags);
  // Each team's initial thread runs the function: one `omp teams` per team.
  struct Teams {
    static void run(void* p) {
      auto* c = static_cast<ParallelCall*>(p);
      if (!active()) return c->fn(c->data);
      enter(kTeams);
      c->fn(c->data);
      leave(kTeams);
    }
  };
  ParallelCall call{fn, data, false};
  real.get()(Teams::run, &call, num_teams, thread_limit, flags);
}

// --- barriers ---------------------------------------------------------------

void GOMP_barrier(void) {
  REAL(GOMP_barrier, void, (void));
  if (!on() || t_pomp2.barriers) return real.get()();
  enter(kBarrier);
  real.get()();
  leave(kBarrier);
}

bool GOMP_barrier_cancel(void) {
  REAL(GOMP_barrier_cancel, bool, (void));
  if (!on() || t_pomp2.barriers) return real.get()();
  enter(kBarrier);
  bool r = real.get()();
  leave(kBarrier);
  return r;
}

// --- critical, atomic, ordered ----------------------------------------------

void GOMP_critical_start(void) {
  REAL(GOMP_critical_start, void, (void));
  if (!on()) return real.get()();
  enter(kCritical);
  real.get()();
  lock_acquired(LockKind::OmpCritical, &g_unnamed_critical);
}

void GOMP_critical_end(void) {
  REAL(GOMP_critical_end, void, (void));
  if (!on()) return real.get()();
  lock_released(LockKind::OmpCritical, &g_unnamed_critical);
  real.get()();
  leave(kCritical);
}

void GOMP_critical_name_start(void** pptr) {
  REAL(GOMP_critical_name_start, void, (void**));
  if (!on()) return real.get()(pptr);
  enter(kCritical);
  real.get()(pptr);
  lock_acquired(LockKind::OmpCritical, pptr);
}

void GOMP_critical_name_end(void** pptr) {
  REAL(GOMP_critical_name_end, void, (void**));
  if (!on()) return real.get()(pptr);
  lock_released(LockKind::OmpCritical, pptr);
  real.get()(pptr);
  leave(kCritical);
}

void GOMP_atomic_start(void) {
  REAL(GOMP_atomic_start, void, (void));
  if (!on()) return real.get()();
  enter(kAtomic);
  real.get()();
  lock_acquired(LockKind::OmpAtomic, &g_atomic_lock);
}

void GOMP_atomic_end(void) {
  REAL(GOMP_atomic_end, void, (void));
  if (!on()) return real.get()();
  lock_released(LockKind::OmpAtomic, &g_atomic_lock);
  real.get()();
  leave(kAtomic);
}

void GOMP_ordered_start(void) {
  REAL(GOMP_ordered_start, void, (void));
  if (!on()) return real.get()();
  enter(kOrdered);
  real.get()();
  lock_acquired(LockKind::OmpOrdered, &g_ordered_lock);
}

void GOMP_ordered_end(void) {
  REAL(GOMP_ordered_end, void, (void));
  if (!on()) return real.get()();
  lock_released(LockKind::OmpOrdered, &g_ordered_lock);
  real.get()();
  leave(kOrdered);
}

// --- single -----------------------------------------------------------------

bool GOMP_single_start(void) {
  REAL(GOMP_single_start, bool, (void));
  if (!on()) return real.get()();
  enter(kSingle);
  bool r = real.get()();
  leave(kSingle);
  return r;
}

void* GOMP_single_copy_start(void) {
  REAL(GOMP_single_copy_start, void*, (void));
  if (!on()) return real.get()();
  enter(kSingle);
  void* r = real.get()();
  leave(kSingle);
  return r;
}

// --- loops --------------------------------------------------------------------

#define LOOP_START(name, params, args)                \
  bool name params {                                  \
    REAL(name, bool, params);                         \
    if (!on() || t_pomp2.loops) return real.get() args; \
    workshare_enter(&WorkshareState::loop, kFor, true); \
    return real.get() args;                           \
  }
#define LOOP_NEXT(name, params, args)                  \
  bool name params {                                   \
    REAL(name, bool, params);                          \
    if (!on() || t_pomp2.loops) return real.get() args; \
    workshare_enter(&WorkshareState::loop, kFor, false); \
    return real.get() args;                            \
  }

#define LONG_CHUNKED (long start, long end, long incr, long chunk, long* istart, long* iend)
#define LONG_CHUNKED_ARGS (start, end, incr, chunk, istart, iend)
#define LONG_RUNTIME (long start, long end, long incr, long* istart, long* iend)
#define LONG_RUNTIME_ARGS (start, end, incr, istart, iend)
#define LONG_NEXT (long* istart, long* iend)
#define LONG_NEXT_ARGS (istart, iend)
#define ULL_CHUNKED (bool up, ull start, ull end, ull incr, ull chunk, ull* istart, ull* iend)
#define ULL_CHUNKED_ARGS (up, start, end, incr, chunk, istart, iend)
#define ULL_RUNTIME (bool up, ull start, ull end, ull incr, ull* istart, ull* iend)
#define ULL_RUNTIME_ARGS (up, start, end, incr, istart, iend)
#define ULL_NEXT (ull* istart, ull* iend)
#define ULL_NEXT_ARGS (istart, iend)

#define LOOP_KIND(kind)                                                                  \
  LOOP_START(GOMP_loop_##kind##_start, LONG_CHUNKED, LONG_CHUNKED_ARGS)                  \
  LOOP_NEXT(GOMP_loop_##kind##_next, LONG_NEXT, LONG_NEXT_ARGS)                          \
  LOOP_START(GOMP_loop_ull_##kind##_start, ULL_CHUNKED, ULL_CHUNKED_ARGS)                \
  LOOP_NEXT(GOMP_loop_ull_##kind##_next, ULL_NEXT, ULL_NEXT_ARGS)
#define LOOP_RUNTIME_KIND(kind)                                                          \
  LOOP_START(GOMP_loop_##kind##_start, LONG_RUNTIME, LONG_RUNTIME_ARGS)                  \
  LOOP_NEXT(GOMP_loop_##kind##_next, LONG_NEXT, LONG_NEXT_ARGS)                          \
  LOOP_START(GOMP_loop_ull_##kind##_start, ULL_RUNTIME, ULL_RUNTIME_ARGS)                \
  LOOP_NEXT(GOMP_loop_ull_##kind##_next, ULL_NEXT, ULL_NEXT_ARGS)

LOOP_KIND(static)
LOOP_KIND(dynamic)
LOOP_KIND(guided)
LOOP_KIND(nonmonotonic_dynamic)
LOOP_KIND(nonmonotonic_guided)
LOOP_KIND(ordered_static)
LOOP_KIND(ordered_dynamic)
LOOP_KIND(ordered_guided)
LOOP_RUNTIME_KIND(runtime)
LOOP_RUNTIME_KIND(nonmonotonic_runtime)
LOOP_RUNTIME_KIND(maybe_nonmonotonic_runtime)
LOOP_RUNTIME_KIND(ordered_runtime)

// OpenMP 5.0 entry points (schedule as an argument, reductions, doacross).
LOOP_START(GOMP_loop_start,
           (long start, long end, long incr, long sched, long chunk, long* istart, long* iend, uintptr_t* reductions,
            void** mem),
           (start, end, incr, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_ordered_start,
           (long start, long end, long incr, long sched, long chunk, long* istart, long* iend, uintptr_t* reductions,
            void** mem),
           (start, end, incr, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_ull_start,
           (bool up, ull start, ull end, ull incr, long sched, ull chunk, ull* istart, ull* iend,
            uintptr_t* reductions, void** mem),
           (up, start, end, incr, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_ull_ordered_start,
           (bool up, ull start, ull end, ull incr, long sched, ull chunk, ull* istart, ull* iend,
            uintptr_t* reductions, void** mem),
           (up, start, end, incr, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_doacross_start,
           (unsigned ncounts, long* counts, long sched, long chunk, long* istart, long* iend, uintptr_t* reductions,
            void** mem),
           (ncounts, counts, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_ull_doacross_start,
           (unsigned ncounts, ull* counts, long sched, ull chunk, ull* istart, ull* iend, uintptr_t* reductions,
            void** mem),
           (ncounts, counts, sched, chunk, istart, iend, reductions, mem))
LOOP_START(GOMP_loop_doacross_static_start, (unsigned ncounts, long* counts, long chunk, long* istart, long* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_doacross_dynamic_start, (unsigned ncounts, long* counts, long chunk, long* istart, long* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_doacross_guided_start, (unsigned ncounts, long* counts, long chunk, long* istart, long* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_doacross_runtime_start, (unsigned ncounts, long* counts, long* istart, long* iend),
           (ncounts, counts, istart, iend))
LOOP_START(GOMP_loop_ull_doacross_static_start, (unsigned ncounts, ull* counts, ull chunk, ull* istart, ull* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_ull_doacross_dynamic_start, (unsigned ncounts, ull* counts, ull chunk, ull* istart, ull* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_ull_doacross_guided_start, (unsigned ncounts, ull* counts, ull chunk, ull* istart, ull* iend),
           (ncounts, counts, chunk, istart, iend))
LOOP_START(GOMP_loop_ull_doacross_runtime_start, (unsigned ncounts, ull* counts, ull* istart, ull* iend),
           (ncounts, counts, istart, iend))

void GOMP_loop_end(void) {
  REAL(GOMP_loop_end, void, (void));
  if (!on()) return real.get()();
  workshare_leave(&WorkshareState::loop, kFor);
  enter(kBarrier);
  real.get()();
  leave(kBarrier);
}

bool GOMP_loop_end_cancel(void) {
  REAL(GOMP_loop_end_cancel, bool, (void));
  if (!on()) return real.get()();
  workshare_leave(&WorkshareState::loop, kFor);
  enter(kBarrier);
  bool r = real.get()();
  leave(kBarrier);
  return r;
}

void GOMP_loop_end_nowait(void) {
  REAL(GOMP_loop_end_nowait, void, (void));
  if (on()) workshare_leave(&WorkshareState::loop, kFor);
  real.get()();
}

// --- sections -----------------------------------------------------------------

unsigned GOMP_sections_start(unsigned count) {
  REAL(GOMP_sections_start, unsigned, (unsigned));
  if (!on()) return real.get()(count);
  workshare_enter(&WorkshareState::sections, kSections, true);
  return real.get()(count);
}

unsigned GOMP_sections2_start(unsigned count, uintptr_t* reductions, void** mem) {
  REAL(GOMP_sections2_start, unsigned, (unsigned, uintptr_t*, void**));
  if (!on()) return real.get()(count, reductions, mem);
  workshare_enter(&WorkshareState::sections, kSections, true);
  return real.get()(count, reductions, mem);
}

unsigned GOMP_sections_next(void) {
  REAL(GOMP_sections_next, unsigned, (void));
  if (!on()) return real.get()();
  workshare_enter(&WorkshareState::sections, kSections, false);
  return real.get()();
}

void GOMP_sections_end(void) {
  REAL(GOMP_sections_end, void, (void));
  if (!on()) return real.get()();
  workshare_leave(&WorkshareState::sections, kSections);
  enter(kBarrier);
  real.get()();
  leave(kBarrier);
}

bool GOMP_sections_end_cancel(void) {
  REAL(GOMP_sections_end_cancel, bool, (void));
  if (!on()) return real.get()();
  workshare_leave(&WorkshareState::sections, kSections);
  enter(kBarrier);
  bool r = real.get()();
  leave(kBarrier);
  return r;
}

void GOMP_sections_end_nowait(void) {
  REAL(GOMP_sections_end_nowait, void, (void));
  if (on()) workshare_leave(&WorkshareState::sections, kSections);
  real.get()();
}

// --- tasks --------------------------------------------------------------------

void GOMP_task(OutlinedFn fn, void* data, CopyFn cpyfn, long arg_size, long arg_align, bool if_clause,
               unsigned flags, void** depend, int priority, void* detach) {
  REAL(GOMP_task, void, (OutlinedFn, void*, CopyFn, long, long, bool, unsigned, void**, int, void*));
  // A detachable task's event handle is written into the first word of its data
  // by libgomp: such tasks keep their layout and are not recorded.
  if (!on() || (flags & kTaskFlagDetach) || arg_size < 0 || arg_align <= 0)
    return real.get()(fn, data, cpyfn, arg_size, arg_align, if_clause, flags, depend, priority, detach);
  long align = arg_align < static_cast<long>(alignof(TaskHeader)) ? static_cast<long>(alignof(TaskHeader)) : arg_align;
  size_t offset = (sizeof(TaskHeader) + static_cast<size_t>(align) - 1) & ~(static_cast<size_t>(align) - 1);
  uint64_t id = next_task_id();
  TaskSource source{TaskHeader{fn, id, offset}, cpyfn, data, arg_size};
  task_create(id);
  real.get()(run_task, &source, copy_task, static_cast<long>(offset) + arg_size, align, if_clause, flags, depend,
             priority, detach);
}

void GOMP_taskwait(void) {
  REAL(GOMP_taskwait, void, (void));
  if (!on()) return real.get()();
  enter(kTaskwait);
  real.get()();
  leave(kTaskwait);
}

void GOMP_taskwait_depend(void** depend) {
  REAL(GOMP_taskwait_depend, void, (void**));
  if (!on()) return real.get()(depend);
  enter(kTaskwait);
  real.get()(depend);
  leave(kTaskwait);
}

void GOMP_taskyield(void) {
  REAL(GOMP_taskyield, void, (void));
  if (!on()) return real.get()();
  enter(kTaskyield);
  real.get()();
  leave(kTaskyield);
}

// Taskgroups and taskloops: see t_taskgroups and taskloop() above.
void GOMP_taskgroup_start(void) {
  REAL(GOMP_taskgroup_start, void, (void));
  bool record = on();
  if (t_taskgroup_depth < kMaxTaskgroups) {
    uint64_t bit = 1ull << t_taskgroup_depth;
    t_taskgroups = record ? (t_taskgroups | bit) : (t_taskgroups & ~bit);
  }
  ++t_taskgroup_depth;
  if (record) enter(kTaskgroup);
  real.get()();
}

void GOMP_taskgroup_end(void) {
  REAL(GOMP_taskgroup_end, void, (void));
  bool recorded = false;
  if (t_taskgroup_depth > 0) {
    --t_taskgroup_depth;
    recorded = t_taskgroup_depth < kMaxTaskgroups && (t_taskgroups >> t_taskgroup_depth) & 1;
  }
  real.get()();
  if (recorded) leave(kTaskgroup);
}

void GOMP_taskloop(OutlinedFn fn, void* data, CopyFn cpyfn, long arg_size, long arg_align, unsigned flags,
                   unsigned long num_tasks, int priority, long start, long end, long step) {
  REAL(GOMP_taskloop, void,
       (OutlinedFn, void*, CopyFn, long, long, unsigned, unsigned long, int, long, long, long));
  if (!on()) return real.get()(fn, data, cpyfn, arg_size, arg_align, flags, num_tasks, priority, start, end, step);
  taskloop(flags, [&] {
    real.get()(fn, data, cpyfn, arg_size, arg_align, flags, num_tasks, priority, start, end, step);
  });
}

void GOMP_taskloop_ull(OutlinedFn fn, void* data, CopyFn cpyfn, long arg_size, long arg_align, unsigned flags,
                       unsigned long num_tasks, int priority, ull start, ull end, ull step) {
  REAL(GOMP_taskloop_ull, void,
       (OutlinedFn, void*, CopyFn, long, long, unsigned, unsigned long, int, ull, ull, ull));
  if (!on()) return real.get()(fn, data, cpyfn, arg_size, arg_align, flags, num_tasks, priority, start, end, step);
  taskloop(flags, [&] {
    real.get()(fn, data, cpyfn, arg_size, arg_align, flags, num_tasks, priority, start, end, step);
  });
}

// --- lock routines (C, and Fortran's trailing-underscore names) ----------------

#define LOCK_SET(name, kind)                     \
  void name(void* lock) {                        \
    REAL(name, void, (void*));                   \
    if (!on()) return real.get()(lock);          \
    enter(kLock);                                \
    real.get()(lock);                            \
    lock_acquired(kind, lock);                   \
    leave(kLock);                                \
  }
#define LOCK_UNSET(name, kind)                   \
  void name(void* lock) {                        \
    REAL(name, void, (void*));                   \
    if (!on()) return real.get()(lock);          \
    lock_released(kind, lock);                   \
    real.get()(lock);                            \
  }
// A test of a lock, with libgomp and libomp alike: the libomp tool records
// nothing of it (t_lock_test, and the call runs as an InsideCall); a test that
// took the lock is an `omp test lock` call that acquired it, one that found it
// taken is folded into the thread's run of failed tests (FORMAT.md 7.2).
#define LOCK_TEST(name, kind)                                                  \
  int name(void* lock) {                                                       \
    REAL(name, int, (void*));                                                  \
    trace::PollingCall call(g_region[kTestLock], active());                    \
    int r;                                                                     \
    t_lock_test = true; /* for the OMPT tool */                                \
    {                                                                          \
      trace::InsideCall inside;                                                \
      r = real.get()(lock);                                                    \
    }                                                                          \
    t_lock_test = false;                                                       \
    if (call.finish(r != 0)) lock_acquired(kind, lock, call.exit());           \
    return r;                                                                  \
  }

LOCK_SET(omp_set_lock, LockKind::OmpLock)
LOCK_UNSET(omp_unset_lock, LockKind::OmpLock)
LOCK_TEST(omp_test_lock, LockKind::OmpLock)
LOCK_SET(omp_set_nest_lock, LockKind::OmpNestLock)
LOCK_UNSET(omp_unset_nest_lock, LockKind::OmpNestLock)
LOCK_TEST(omp_test_nest_lock, LockKind::OmpNestLock)
LOCK_SET(omp_set_lock_, LockKind::OmpLock)
LOCK_UNSET(omp_unset_lock_, LockKind::OmpLock)
LOCK_TEST(omp_test_lock_, LockKind::OmpLock)
LOCK_SET(omp_set_nest_lock_, LockKind::OmpNestLock)
LOCK_UNSET(omp_unset_nest_lock_, LockKind::OmpNestLock)
LOCK_TEST(omp_test_nest_lock_, LockKind::OmpNestLock)

}  // extern "C"

namespace {
__attribute__((constructor)) void rondo_openmp_init() { initialize(); }
}  // namespace
