#include "omp_events.h"

#include <pthread.h>

namespace rondo::omp {

using format::EventKey;
using format::EventKind;

uint32_t g_region[kRegionCount];
std::atomic<bool> g_ready{false};
thread_local bool t_lock_test = false;

namespace {

const char* const kRegionNames[kRegionCount] = {
    "omp parallel", "omp for", "omp sections", "omp single", "omp barrier", "omp critical", "omp atomic",
    "omp ordered", "omp task", "omp taskwait", "omp taskgroup", "omp taskloop", "omp taskyield", "omp lock",
    "omp teams",
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

void record(EventKind kind, int64_t param, const int64_t* data) {
  EventKey key{kind, 0, {param}};
  trace::record_event(key, data);
}

}  // namespace

bool initialize() {
  pthread_once(&g_once, define_regions);
  return g_ready.load(std::memory_order_acquire);
}

void lock_acquired(interpose::LockKind kind, const void* lock) {
  int64_t id = static_cast<int64_t>(reinterpret_cast<uintptr_t>(lock));
  record(EventKind::ThreadAcquireLock, static_cast<int64_t>(kind), &id);
}

void lock_released(interpose::LockKind kind, const void* lock) {
  int64_t id = static_cast<int64_t>(reinterpret_cast<uintptr_t>(lock));
  record(EventKind::ThreadReleaseLock, static_cast<int64_t>(kind), &id);
}

void fork(int64_t requested_threads) { record(EventKind::ThreadFork, requested_threads, nullptr); }
void join() { record(EventKind::ThreadJoin, 0, nullptr); }
void team_begin(int64_t team_size) { record(EventKind::ThreadTeamBegin, team_size, nullptr); }
void team_end() { record(EventKind::ThreadTeamEnd, 0, nullptr); }

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
