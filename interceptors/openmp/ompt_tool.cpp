// LLVM's (and Intel's) OpenMP runtime: an OMPT tool. libomp looks up
// ompt_start_tool in the process when it initializes; this preloaded library
// provides it, and records the same regions and events as the libgomp wrappers
// (omp_events.h), so that one program built with gcc and with clang gives the
// same counts.
//
// Mapping differences that need care:
//  - The barrier that ends a parallel region (`omp implicit barrier`) is the
//    implicit barrier with no code address (team workers) or with the code
//    address of the parallel region it ends (the encountering thread). libomp
//    tells a worker that this barrier (and its implicit task) ended only when
//    it wakes for the next region, or at exit: its idle time in between is not
//    the region's. The team's master publishes when the barrier completed (the
//    end of its own wait, JoinRelease below) and the workers close their barrier
//    and `omp parallel` at that time, so that every thread's regions end where
//    the barrier released the team, as with libgomp.
//  - omp_test_lock reports mutex_acquire even when it fails, with nothing after
//    it: test locks record only their successful acquisitions, no region.
//    libomp 14 reports it with the kind of omp_set_lock: the module's own
//    omp_test_lock (gomp_wrappers.cpp) marks the call for the tool.
//  - The tasks of a taskloop are part of the `omp taskloop` region, as with
//    libgomp (whose interface does not show them).
//  - A nested acquisition of an omp_nest_lock_t reports nest_lock(begin)
//    instead of mutex_acquired, and a release that keeps it held nest_lock(end).
#include <omp-tools.h>

#include <atomic>
#include <cstdint>

#include "omp_events.h"

namespace {

using namespace rondo::omp;
using rondo::interpose::LockKind;

// Task data values. Implicit tasks that opened `omp parallel` are marked, so
// their end closes it even if recording started in between; so are the team
// master's (thread 0) and the encountering thread's (which forked the team).
constexpr uint64_t kImplicitEntered = 1;
constexpr uint64_t kImplicitMaster = 2;
constexpr uint64_t kImplicitEncountering = 4;
constexpr uint64_t kExplicitTask = 1ull << 63;
constexpr uint64_t kTaskStarted = 1ull << 62;
constexpr uint64_t kTaskUntied = 1ull << 61;
constexpr uint64_t kTaskIdMask = kTaskUntied - 1;

constexpr int kMaxDepth = 64;

// Per thread: code addresses of the parallel regions this thread encountered
// (to recognise their closing barriers), the sync regions it is in (recorded or
// not, for their ends), the tasks it runs (innermost last).
struct ThreadState {
  const void* parallel_code[kMaxDepth];
  int parallel_depth = 0;
  int8_t sync_region[kMaxDepth];  // Region, or -1 when not recorded
  uint64_t sync_parallel[kMaxDepth];  // for a region's closing barrier: the region's id
  bool sync_master[kMaxDepth];        // ... and whether this thread is the team's master
  uint64_t sync_entered[kMaxDepth];   // ticks of the barrier's enter
  int sync_depth = 0;
  uint64_t released_at = 0;  // a worker's closing barrier ended then: its implicit task too
  uint64_t tasks[kMaxDepth];
  int task_depth = 0;
  bool lock_wait = false;  // inside omp_set_(nest_)lock, before getting it
  int taskloop = 0;        // inside a taskloop construct
};
thread_local ThreadState t_state;

// When the barrier ending each parallel region released the team, published by
// the team's master for its workers. Regions are numbered in the order they
// start (parallel_data's value); slot id % kJoinSlots holds region id. A worker
// that finds its slot reused (more than kJoinSlots regions since) ends its
// barrier when it hears of it.
struct JoinRelease {
  std::atomic<uint64_t> id{0};
  std::atomic<uint64_t> ticks{0};
};
constexpr uint64_t kJoinSlots = 1024;
JoinRelease g_join[kJoinSlots];
std::atomic<uint64_t> g_next_parallel{1};

void publish_release(uint64_t id, uint64_t ticks) {
  JoinRelease& slot = g_join[id % kJoinSlots];
  if (slot.id.load(std::memory_order_acquire) == id) slot.ticks.store(ticks, std::memory_order_release);
}

// The release of region `id`, no earlier than `floor` (this thread's arrival:
// clocks of different cores may differ slightly) and no later than now; now
// when it is not known.
uint64_t release_of(uint64_t id, uint64_t floor) {
  uint64_t now = rondo::trace::ticks();
  JoinRelease& slot = g_join[id % kJoinSlots];
  uint64_t before = slot.id.load(std::memory_order_acquire);
  uint64_t t = slot.ticks.load(std::memory_order_acquire);
  uint64_t after = slot.id.load(std::memory_order_acquire);
  if (id == 0 || before != id || after != id || t == 0) return now;
  if (t < floor) t = floor;
  return t < now ? t : now;
}

// --- parallel regions -------------------------------------------------------------

void on_parallel_begin(ompt_data_t*, const ompt_frame_t*, ompt_data_t* parallel, unsigned int requested,
                       int flags, const void* codeptr) {
  if (flags & ompt_parallel_league) return;  // teams
  ThreadState& s = t_state;
  if (s.parallel_depth < kMaxDepth) s.parallel_code[s.parallel_depth] = codeptr;
  ++s.parallel_depth;
  if (parallel) {
    uint64_t id = g_next_parallel.fetch_add(1, std::memory_order_relaxed);
    parallel->value = id;
    JoinRelease& slot = g_join[id % kJoinSlots];
    slot.id.store(id, std::memory_order_relaxed);
    slot.ticks.store(0, std::memory_order_release);
  }
  fork_begin(requested);
}

void on_parallel_end(ompt_data_t*, ompt_data_t*, int flags, const void*) {
  if (flags & ompt_parallel_league) return;
  ThreadState& s = t_state;
  if (s.parallel_depth > 0) --s.parallel_depth;
  join_end();
}

void on_implicit_task(ompt_scope_endpoint_t endpoint, ompt_data_t*, ompt_data_t* task, unsigned int team_size,
                      unsigned int index, int flags) {
  if (flags & ompt_task_initial) return;  // the initial task of a thread or of a team of a league
  if (endpoint == ompt_scope_begin) {
    task->value = 0;
    t_pomp2.closing_barrier = false;
    t_state.released_at = 0;
    if (!active()) return;
    task->value = kImplicitEntered | (index == 0 ? kImplicitMaster : 0) | (fork_end() ? kImplicitEncountering : 0);
    enter(kParallel);
    team_begin(team_size);
  } else if (endpoint == ompt_scope_end) {
    uint64_t value = task->value;
    uint64_t at = t_state.released_at;
    task->value = 0;
    t_state.released_at = 0;
    t_pomp2.closing_barrier = false;
    if (!(value & kImplicitEntered)) return;
    if (at) {  // a worker told late: its task ended with the barrier
      team_end(at);
      rondo::trace::record_leave_at(g_region[kParallel], at);
    } else {
      team_end();
      leave(kParallel);
    }
    if (value & kImplicitEncountering) join_begin();
  }
}

// --- worksharing ---------------------------------------------------------------------

int work_region(int work_type) {
  switch (work_type) {
    case ompt_work_loop:
    case 10: case 11: case 12: case 13:  // OpenMP 5.2: loop_static, loop_dynamic, loop_guided, loop_other
      return kFor;
    case ompt_work_sections: return kSections;
    case ompt_work_single_executor:
    case ompt_work_single_other: return kSingle;
    case ompt_work_taskloop: return kTaskloop;
    default: return -1;  // workshare, distribute, scope: no region
  }
}

void on_work(ompt_work_t work_type, ompt_scope_endpoint_t endpoint, ompt_data_t*, ompt_data_t*, uint64_t,
             const void*) {
  if (work_type == ompt_work_taskloop) t_state.taskloop += endpoint == ompt_scope_begin ? 1 : -1;
  int region = work_region(work_type);
  if (region == kFor && t_pomp2.loops) return;  // an OPARI2 loop: pomp2_adapter.cpp records it
  if (region < 0 || !active()) return;
  if (endpoint == ompt_scope_begin)
    enter(static_cast<Region>(region));
  else if (endpoint == ompt_scope_end)
    leave(static_cast<Region>(region));
}

// --- barriers, taskwait, taskgroup --------------------------------------------------

int sync_region(int kind, const void* codeptr) {
  switch (kind) {
    case 3:  // ompt_sync_region_barrier_explicit
    case 8:  // ompt_sync_region_barrier_implicit_workshare
      return kBarrier;
    case 9:  // ompt_sync_region_barrier_implicit_parallel
      return kImplicitBarrier;
    case 1:  // ompt_sync_region_barrier (deprecated)
    case 2: {  // ompt_sync_region_barrier_implicit (deprecated): workshare or parallel end
      if (codeptr == nullptr) return kImplicitBarrier;
      const ThreadState& s = t_state;
      if (s.parallel_depth > 0 && s.parallel_depth <= kMaxDepth && s.parallel_code[s.parallel_depth - 1] == codeptr)
        return kImplicitBarrier;
      return kBarrier;
    }
    case 5: return kTaskwait;   // ompt_sync_region_taskwait
    case 6: return kTaskgroup;  // ompt_sync_region_taskgroup
    default: return -1;  // 4 implementation, 7 reduction, 10 teams
  }
}

void on_sync_region(ompt_sync_region_t kind, ompt_scope_endpoint_t endpoint, ompt_data_t* parallel, ompt_data_t* task,
                    const void* codeptr) {
  ThreadState& s = t_state;
  if (endpoint == ompt_scope_begin) {
    int region = active() ? sync_region(kind, codeptr) : -1;
    if (region == kBarrier && t_pomp2.barriers) region = -1;  // an OPARI2 barrier: pomp2_adapter.cpp
    // The region already ended in OPARI2's barrier, which held the waiting.
    if (region == kImplicitBarrier && t_pomp2.closing_barrier) region = -1;
    int d = s.sync_depth++;
    if (d >= kMaxDepth) return;
    s.sync_region[d] = static_cast<int8_t>(region);
    if (region < 0) return;
    uint64_t now = rondo::trace::ticks();
    s.sync_entered[d] = now;
    if (region == kImplicitBarrier) {
      s.sync_parallel[d] = parallel ? parallel->value : 0;
      s.sync_master[d] = task && (task->value & kImplicitMaster);
    }
    rondo::trace::record_enter_at(g_region[region], now);
  } else if (endpoint == ompt_scope_end) {
    if (s.sync_depth == 0) return;
    int d = --s.sync_depth;
    int region = d < kMaxDepth ? s.sync_region[d] : -1;
    if (region < 0) return;
    if (region != kImplicitBarrier) return leave(static_cast<Region>(region));
    if (s.sync_master[d]) {  // the team has arrived: its workers end their wait now too
      uint64_t now = rondo::trace::ticks();
      publish_release(s.sync_parallel[d], now);
      rondo::trace::record_leave_at(g_region[kImplicitBarrier], now);
    } else {
      uint64_t at = release_of(s.sync_parallel[d], s.sync_entered[d]);
      s.released_at = at;
      rondo::trace::record_leave_at(g_region[kImplicitBarrier], at);
    }
  }
}

// --- mutual exclusion -----------------------------------------------------------------

int mutex_region(int kind) {
  switch (kind) {
    case ompt_mutex_lock:
    case ompt_mutex_nest_lock: return kLock;
    case ompt_mutex_critical: return kCritical;
    case ompt_mutex_atomic: return kAtomic;
    case ompt_mutex_ordered: return kOrdered;
    default: return -1;  // test locks
  }
}

LockKind lock_kind(int kind) {
  switch (kind) {
    case ompt_mutex_lock:
    case ompt_mutex_test_lock: return LockKind::OmpLock;
    case ompt_mutex_nest_lock:
    case ompt_mutex_test_nest_lock: return LockKind::OmpNestLock;
    case ompt_mutex_critical: return LockKind::OmpCritical;
    case ompt_mutex_atomic: return LockKind::OmpAtomic;
    default: return LockKind::OmpOrdered;
  }
}

const void* lock_id(ompt_wait_id_t id) { return reinterpret_cast<const void*>(static_cast<uintptr_t>(id)); }

void on_mutex_acquire(ompt_mutex_t kind, unsigned int, unsigned int, ompt_wait_id_t, const void*) {
  int region = t_lock_test ? -1 : mutex_region(kind);
  if (region < 0 || !active()) return;
  enter(static_cast<Region>(region));
  if (region == kLock) t_state.lock_wait = true;
}

void on_mutex_acquired(ompt_mutex_t kind, ompt_wait_id_t id, const void*) {
  if (!active()) return;
  lock_acquired(lock_kind(kind), lock_id(id));
  if ((kind == ompt_mutex_lock || kind == ompt_mutex_nest_lock) && t_state.lock_wait) {
    t_state.lock_wait = false;
    leave(kLock);
  }
}

void on_mutex_released(ompt_mutex_t kind, ompt_wait_id_t id, const void*) {
  if (!active()) return;
  lock_released(lock_kind(kind), lock_id(id));
  if (kind == ompt_mutex_critical || kind == ompt_mutex_atomic || kind == ompt_mutex_ordered)
    leave(static_cast<Region>(mutex_region(kind)));
}

void on_nest_lock(ompt_scope_endpoint_t endpoint, ompt_wait_id_t id, const void*) {
  if (!active()) return;
  if (endpoint == ompt_scope_begin) {
    lock_acquired(LockKind::OmpNestLock, lock_id(id));
    if (t_state.lock_wait) {
      t_state.lock_wait = false;
      leave(kLock);
    }
  } else if (endpoint == ompt_scope_end) {
    lock_released(LockKind::OmpNestLock, lock_id(id));
  }
}

// --- tasks ----------------------------------------------------------------------------------

void on_task_create(ompt_data_t*, const ompt_frame_t*, ompt_data_t* task, int flags, int, const void*) {
  if (!task) return;
  task->value = 0;
  // A taskloop's tasks are the taskloop (libgomp's are not seen one by one).
  if (!(flags & ompt_task_explicit) || t_state.taskloop > 0 || !active()) return;
  uint64_t id = next_task_id();
  task->value = kExplicitTask | (id & kTaskIdMask) | ((flags & ompt_task_untied) ? kTaskUntied : 0);
  task_create(id);
}

// A task's `omp task` region is its execution on the thread that starts it. A
// tied task runs there to its end (tasks it waits for nest inside it). An untied
// task may be suspended and resumed by another thread: its region ends where it
// is first suspended, and the later parts record THREAD_TASK_SWITCH (and, where it
// ends, THREAD_TASK_COMPLETE) only, so that every thread's regions stay nested
// and each task is one `omp task`, as with libgomp (which runs untied tasks tied).
void on_task_schedule(ompt_data_t* prior, ompt_task_status_t status, ompt_data_t* next) {
  ThreadState& s = t_state;
  auto on_top = [&](uint64_t id) { return s.task_depth > 0 && s.task_depth <= kMaxDepth && s.tasks[s.task_depth - 1] == id; };
  if (prior && (prior->value & kExplicitTask)) {
    uint64_t id = prior->value & kTaskIdMask;
    bool ends = status == ompt_task_complete || status == ompt_task_cancel || status == ompt_task_detach;
    bool leaves_thread = !ends && (prior->value & kTaskUntied) && (status == ompt_task_switch || status == ompt_task_yield);
    if (ends && active()) task_complete(id);
    if ((ends || leaves_thread) && on_top(id)) {
      --s.task_depth;
      if (active()) leave(kTask);
    }
  }
  if (next && (next->value & kExplicitTask) && active()) {
    uint64_t id = next->value & kTaskIdMask;
    if (!(next->value & kTaskStarted)) {
      next->value |= kTaskStarted;
      if (s.task_depth < kMaxDepth) {
        s.tasks[s.task_depth++] = id;
        enter(kTask);
      }
    }
    task_switch(id);
  }
}

// --- registration ---------------------------------------------------------------------------

int initialize_tool(ompt_function_lookup_t lookup, int, ompt_data_t*) {
  auto set_callback = reinterpret_cast<ompt_set_callback_t>(lookup("ompt_set_callback"));
  if (!set_callback) return 0;
  auto set = [&](ompt_callbacks_t event, auto fn) { set_callback(event, reinterpret_cast<ompt_callback_t>(fn)); };
  set(ompt_callback_parallel_begin, on_parallel_begin);
  set(ompt_callback_parallel_end, on_parallel_end);
  set(ompt_callback_implicit_task, on_implicit_task);
  set(ompt_callback_work, on_work);
  set(ompt_callback_sync_region, on_sync_region);
  set(ompt_callback_mutex_acquire, on_mutex_acquire);
  set(ompt_callback_mutex_acquired, on_mutex_acquired);
  set(ompt_callback_mutex_released, on_mutex_released);
  set(ompt_callback_nest_lock, on_nest_lock);
  set(ompt_callback_task_create, on_task_create);
  set(ompt_callback_task_schedule, on_task_schedule);
  return 1;
}

void finalize_tool(ompt_data_t*) {}

}  // namespace

extern "C" ompt_start_tool_result_t* ompt_start_tool(unsigned int, const char*) {
  static ompt_start_tool_result_t result = {initialize_tool, finalize_tool, {0}};
  if (!initialize()) return nullptr;  // not recording: libomp runs without a tool
  return &result;
}
