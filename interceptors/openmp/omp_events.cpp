#include "omp_events.h"

#include <pthread.h>

#include "interpose.h"

namespace rondo::omp {

using format::EventKey;
using format::EventKind;

uint32_t g_region[kRegionCount];
std::atomic<bool> g_ready{false};
constinit thread_local bool t_lock_test = false;

namespace {

const char* const kRegionNames[kRegionCount] = {
    "omp parallel", "omp for", "omp sections", "omp single", "omp barrier", "omp critical", "omp atomic",
    "omp ordered", "omp task", "omp taskwait", "omp taskgroup", "omp taskloop", "omp taskyield", "omp lock",
    "omp teams", "omp implicit barrier", "omp fork", "omp join", "omp test lock",
};

std::atomic<uint64_t> g_next_task{1};
pthread_once_t g_once = PTHREAD_ONCE_INIT;

void define_regions() {
  if (!trace::start()) return;
  trace::InsideCall call;  // defining takes the runtime's mutexes: not the program's
  for (int i = 0; i < kRegionCount; ++i)
    g_region[i] = trace::define_region(kRegionNames[i], format::RegionRole::OpenMp);
  g_ready.store(true, std::memory_order_release);
}

// `at`: the event's ticks (0: now).
void record(EventKind kind, int64_t param, const int64_t* data, uint64_t at = 0) {
  EventKey key{kind, 0, {param}};
  if (at)
    trace::record_event_at(key, data, at);
  else
    trace::record_event(key, data);
}

}  // namespace

bool initialize() {
  pthread_once(&g_once, define_regions);
  return g_ready.load(std::memory_order_acquire);
}

void lock_acquired(interpose::LockKind kind, const void* lock, uint64_t at) {
  int64_t id = static_cast<int64_t>(reinterpret_cast<uintptr_t>(lock));
  record(EventKind::ThreadAcquireLock, static_cast<int64_t>(kind), &id, at);
}

void lock_released(interpose::LockKind kind, const void* lock) {
  int64_t id = static_cast<int64_t>(reinterpret_cast<uintptr_t>(lock));
  record(EventKind::ThreadReleaseLock, static_cast<int64_t>(kind), &id);
}

namespace {

// Per thread: the parallel regions it encountered and has not joined yet (bit d:
// the region at depth d). A pool thread's state outlives its teams, so a region
// is only ever closed by the thread that opened it.
constexpr int kMaxForkDepth = 64;
struct ForkJoinState {
  int depth = 0;
  uint64_t forked = 0;     // THREAD_FORK recorded: THREAD_JOIN will be
  uint64_t fork_open = 0;  // `omp fork` entered, own implicit task not started
  uint64_t join_open = 0;  // `omp join` entered
};
thread_local ForkJoinState t_forkjoin __attribute__((tls_model("initial-exec")));

uint64_t bit(int depth) { return depth >= 0 && depth < kMaxForkDepth ? 1ull << depth : 0; }

}  // namespace

void fork_begin(int64_t requested_threads) {
  ForkJoinState& s = t_forkjoin;
  uint64_t b = bit(s.depth++);
  if (!b || !active()) return;
  record(EventKind::ThreadFork, requested_threads, nullptr);
  enter(kFork);
  s.forked |= b;
  s.fork_open |= b;
}

bool fork_end() {
  ForkJoinState& s = t_forkjoin;
  uint64_t b = bit(s.depth - 1);
  if (!(s.fork_open & b)) return false;
  s.fork_open &= ~b;
  leave(kFork);
  return true;
}

void join_begin() {
  ForkJoinState& s = t_forkjoin;
  uint64_t b = bit(s.depth - 1);
  if (!(s.forked & b) || (s.join_open & b)) return;
  enter(kJoin);
  s.join_open |= b;
}

void join_end() {
  ForkJoinState& s = t_forkjoin;
  if (s.depth == 0) return;
  uint64_t b = bit(--s.depth);
  if (s.fork_open & b) leave(kFork);  // its implicit task never started here (or was not recorded)
  if (s.join_open & b) leave(kJoin);
  if (s.forked & b) record(EventKind::ThreadJoin, 0, nullptr);
  s.forked &= ~b;
  s.fork_open &= ~b;
  s.join_open &= ~b;
}
namespace {
interpose::Real<int (*)()> real_omp_get_num_threads("omp_get_num_threads");
}  // namespace

int team_size() {
  auto f = real_omp_get_num_threads.get();
  return f ? f() : 0;
}

void team_begin(int64_t team_size) { record(EventKind::ThreadTeamBegin, team_size, nullptr); }
void team_end(uint64_t at) {
  if (!at) return record(EventKind::ThreadTeamEnd, 0, nullptr);
  EventKey key{EventKind::ThreadTeamEnd, 0, {0}};
  trace::record_event_at(key, nullptr, at);
}

uint64_t next_task_id() { return g_next_task.fetch_add(1, std::memory_order_relaxed); }

void task_create(uint64_t id) {
  int64_t v = static_cast<int64_t>(id);
  record(EventKind::ThreadTaskCreate, 0, &v);
}
void task_switch(uint64_t id) {
  int64_t v = static_cast<int64_t>(id);
  record(EventKind::ThreadTaskSwitch, 0, &v);
}
void task_complete(uint64_t id) {
  int64_t v = static_cast<int64_t>(id);
  record(EventKind::ThreadTaskComplete, 0, &v);
}

}  // namespace rondo::omp
