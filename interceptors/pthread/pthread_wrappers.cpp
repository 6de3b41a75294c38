// The pthread module (librondo-pthread.so): POSIX threads, mutexes, rwlocks,
// spinlocks, condition variables, barriers and semaphores.
//
// Every wrapper is a region named after the function. A lock wrapper's region is
// the time spent *getting* the lock; THREAD_ACQUIRE_LOCK (when it was obtained)
// and THREAD_RELEASE_LOCK (when it is given back) show when it is *held*, with the
// lock's address as data (lock_kinds.h). pthread_cond_wait gives its mutex back
// for the time it waits, and says so.
//
// pthread_create wraps the start routine: the new thread records THREAD_BEGIN
// (data: the creating thread's location) before the application's code and
// THREAD_END after it (also on pthread_exit and cancellation, which unwind
// through the wrapper); the creating thread records THREAD_CREATE with the new
// thread's location as data, which it waits for (bounded) before returning.
//
// Not recorded: calls made by runtime libraries for their own purposes
// (interpose.h: Rondo, OpenMP and MPI libraries), calls inside another wrapped
// call (trace::InsideCall), threads the runtime starts for itself (created while
// its recorder is busy, or from fork handlers), and threads that a library starts
// from inside an intercepted call (an MPI progress thread started by MPI_Init):
// those never record anything.
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <unordered_map>

#include "module.h"
#include "lock_kinds.h"
#include "rondo/format/records.h"
#include "rondo/trace/poll_fold.h"
#include "rondo/trace/runtime.h"

namespace {

using rondo::format::EventKey;
using rondo::format::EventKind;
using rondo::interpose::LockKind;
using rondo::interpose::Real;
namespace trace = rondo::trace;

// ---------------------------------------------------------------------------
// Regions

enum RegionIndex : int {
  kCreate, kJoin, kTryJoin, kTimedJoin, kDetach,
  kMutexLock, kMutexTrylock, kMutexTimedlock, kMutexClocklock, kMutexUnlock,
  kRdlock, kWrlock, kTryRdlock, kTryWrlock, kTimedRdlock, kTimedWrlock, kClockRdlock, kClockWrlock, kRwUnlock,
  kSpinLock, kSpinTrylock, kSpinUnlock,
  kCondWait, kCondTimedwait, kCondClockwait, kCondSignal, kCondBroadcast,
  kBarrierWait,
  kSemWait, kSemTimedwait, kSemClockwait, kSemTrywait, kSemPost,
  kRegionCount
};
const char* const kRegionNames[kRegionCount] = {
    "pthread_create", "pthread_join", "pthread_tryjoin_np", "pthread_timedjoin_np", "pthread_detach",
    "pthread_mutex_lock", "pthread_mutex_trylock", "pthread_mutex_timedlock", "pthread_mutex_clocklock",
    "pthread_mutex_unlock",
    "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "pthread_rwlock_tryrdlock", "pthread_rwlock_trywrlock",
    "pthread_rwlock_timedrdlock", "pthread_rwlock_timedwrlock", "pthread_rwlock_clockrdlock",
    "pthread_rwlock_clockwrlock", "pthread_rwlock_unlock",
    "pthread_spin_lock", "pthread_spin_trylock", "pthread_spin_unlock",
    "pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait", "pthread_cond_signal",
    "pthread_cond_broadcast",
    "pthread_barrier_wait",
    "sem_wait", "sem_timedwait", "sem_clockwait", "sem_trywait", "sem_post",
};
rondo::interpose::Module<kRegionCount> g_module(kRegionNames, rondo::format::RegionRole::Pthread);

inline bool active(const void* caller) { return g_module.active(caller); }

using Region = rondo::interpose::ModuleRegion<g_module>;

// `at`: the event's ticks (0: now).
void lock_event(EventKind kind, LockKind lock, const volatile void* address, uint64_t at = 0) {
  EventKey key{kind, 0, {static_cast<int64_t>(lock)}};
  int64_t data[1] = {static_cast<int64_t>(reinterpret_cast<uintptr_t>(const_cast<const void*>(address)))};
  if (at)
    trace::record_event_at(key, data, at);
  else
    trace::record_event(key, data);
}
inline void acquired(LockKind lock, const volatile void* address, uint64_t at = 0) {
  lock_event(EventKind::ThreadAcquireLock, lock, address, at);
}

// A trylock: one that found the lock taken (EBUSY) is folded into the thread's
// run of failed tries (rondo/trace/poll_fold.h); one that took it, or failed
// otherwise, is recorded as a call, whose acquisition shares its exit's ticks
// (so it lies inside the call). Recording never changes errno.
template <typename Try>
int try_lock(uint32_t region, LockKind kind, const volatile void* lock, Try&& attempt) {
  trace::PollingCall call(region, true);
  int rc = rondo::interpose::inside(attempt);
  int saved = errno;
  if (call.finish(rc != EBUSY) && rc == 0) acquired(kind, lock, call.exit());
  errno = saved;
  return rc;
}

inline void released(LockKind lock, const volatile void* address) { lock_event(EventKind::ThreadReleaseLock, lock, address); }

void thread_event(EventKind kind, int64_t value) {
  EventKey key{kind, 0, {}};
  trace::record_event(key, &value);
}

// Runs the real function as one call: nothing it does inside is recorded.
using rondo::interpose::inside;

// A tiny lock for the module's own tables: a pthread mutex
// would be intercepted by this very module.
class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire))
      while (flag_.load(std::memory_order_relaxed)) sched_yield();
  }
  void unlock() { flag_.store(false, std::memory_order_release); }
  void reset() { flag_.store(false); }

 private:
  std::atomic<bool> flag_{false};
};

// ---------------------------------------------------------------------------
// Threads

int futex(std::atomic<int32_t>* word, int op, int32_t value, const timespec* timeout) {
  return static_cast<int>(syscall(SYS_futex, reinterpret_cast<int32_t*>(word), op, value, timeout, nullptr, 0));
}

// Shared by the creating and the created thread; the last one to let go frees it.
struct StartInfo {
  void* (*routine)(void*);
  void* arg;
  int64_t parent;   // location of the creating thread, -1: unknown
  bool internal;    // started from inside an intercepted call: never records
  std::atomic<int32_t> published{0};  // futex word: the child has set `child`
  int64_t child = -1;
  std::atomic<int> refs{2};
};

void release(StartInfo* s) {
  if (s->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    trace::InsideCall call;
    delete s;
  }
}

void publish(StartInfo* s, int64_t location) {
  s->child = location;
  s->published.store(1, std::memory_order_release);
  futex(&s->published, FUTEX_WAKE_PRIVATE, 1, nullptr);
}

// The created thread's location, or -1 when it did not say within a bound: a
// thread created while this one holds a lock the new thread needs before it can
// start recording (the dynamic loader's lock, in a library constructor) must not
// deadlock the program.
int64_t wait_for_child(StartInfo* s) {
  constexpr int64_t kLimitNs = 1000000000;
  int64_t waited = 0;
  while (s->published.load(std::memory_order_acquire) == 0 && waited < kLimitNs) {
    timespec step{0, 10000000};
    futex(&s->published, FUTEX_WAIT_PRIVATE, 0, &step);
    waited += step.tv_nsec;
  }
  return s->published.load(std::memory_order_acquire) ? s->child : -1;
}

// pthread_t -> location, for pthread_join's THREAD_WAIT.
struct Threads {
  SpinLock lock;
  std::unordered_map<pthread_t, int64_t> locations;
};
Threads& threads() {
  static Threads* t = [] {
    trace::InsideCall call;
    return new Threads;
  }();
  return *t;
}
void remember(pthread_t t, int64_t location) {
  Threads& th = threads();
  trace::InsideCall call;  // the map allocates
  th.lock.lock();
  th.locations[t] = location;
  th.lock.unlock();
}
int64_t forget(pthread_t t) {
  Threads& th = threads();
  trace::InsideCall call;
  th.lock.lock();
  int64_t location = -1;
  if (auto it = th.locations.find(t); it != th.locations.end()) {
    location = it->second;
    th.locations.erase(it);
  }
  th.lock.unlock();
  return location;
}

// Records THREAD_END when the start routine returns, calls pthread_exit or is
// cancelled (both unwind through here).
struct ThreadEndRecorder {
  ~ThreadEndRecorder() { thread_event(EventKind::ThreadEnd, 0); }
};

void* start_thread(void* p) {
  auto* s = static_cast<StartInfo*>(p);
  void* (*routine)(void*) = s->routine;
  void* arg = s->arg;
  if (s->internal) {
    ++trace::t_intercept.inside;  // for the whole life of this thread
    publish(s, -1);
    release(s);
    return routine(arg);
  }
  int64_t me = -1;
  if (trace::g_recording.load(std::memory_order_relaxed)) {
    if (trace::Recorder* r = trace::recorder()) me = r->index;
  }
  if (me >= 0) thread_event(EventKind::ThreadBegin, s->parent);
  publish(s, me);
  release(s);
  if (me < 0) return routine(arg);
  ThreadEndRecorder end;
  return routine(arg);
}

Real<int (*)(pthread_t*, const pthread_attr_t*, void* (*)(void*), void*)> real_create("pthread_create");
Real<int (*)(pthread_t, void**)> real_join("pthread_join");
Real<int (*)(pthread_t, void**)> real_tryjoin("pthread_tryjoin_np");
Real<int (*)(pthread_t, void**, const timespec*)> real_timedjoin("pthread_timedjoin_np");
Real<int (*)(pthread_t)> real_detach("pthread_detach");
Real<pid_t (*)()> real_fork("fork");

template <typename F>
int record_join(RegionIndex region, pthread_t thread, F&& call) {
  Region r(region);
  int rc = inside(call);
  if (rc == 0) thread_event(EventKind::ThreadWait, forget(thread));
  return rc;
}

// ---------------------------------------------------------------------------
// Read-write locks: which way a thread holds each (for the kind of its release).

struct HeldRwlock {
  const void* lock;
  LockKind kind;
};
constexpr int kMaxHeldRwlocks = 16;
thread_local HeldRwlock t_held[kMaxHeldRwlocks] __attribute__((tls_model("initial-exec")));
thread_local int t_held_count __attribute__((tls_model("initial-exec"))) = 0;

void hold(const void* lock, LockKind kind) {
  if (t_held_count < kMaxHeldRwlocks) t_held[t_held_count++] = HeldRwlock{lock, kind};
}
LockKind unhold(const void* lock) {
  for (int i = t_held_count - 1; i >= 0; --i) {
    if (t_held[i].lock != lock) continue;
    LockKind kind = t_held[i].kind;
    for (int j = i; j + 1 < t_held_count; ++j) t_held[j] = t_held[j + 1];
    --t_held_count;
    return kind;
  }
  return LockKind::RwlockRead;  // taken before recording started, or too many held
}

// ---------------------------------------------------------------------------
// Start-up

__attribute__((constructor)) void rondo_pthread_init() {
  g_module.start([] { (void)threads(); });
}

}  // namespace

// ---------------------------------------------------------------------------
// The wrappers

extern "C" {

int pthread_create(pthread_t* thread, const pthread_attr_t* attr, void* (*routine)(void*), void* arg) {
  auto real = real_create.get();
  if (!real) return EAGAIN;
  if (!g_module.ready() || !trace::g_recording.load(std::memory_order_relaxed))
    return real(thread, attr, routine, arg);
  // Threads that runtime libraries create count too (not only the application's
  // pthread_create calls): an OpenMP runtime's pool threads run the program's code.
  bool internal = trace::t_intercept.inside != 0;
  int64_t parent = -1;
  if (!internal) {
    // The runtime starting a thread for itself (its recorder is busy, or it is a
    // thread that never records): not the application's thread, left alone.
    trace::RecordGuard probe;
    if (!probe.ok()) return real(thread, attr, routine, arg);
    parent = trace::t_recorder->index;
  }
  StartInfo* s;
  {
    trace::InsideCall call;
    s = new (std::nothrow) StartInfo{routine, arg, parent, internal};
  }
  if (!s) return real(thread, attr, routine, arg);
  if (internal) {
    int rc = real(thread, attr, start_thread, s);
    if (rc != 0) {
      s->refs.store(1);
      release(s);
    }
    return rc;
  }
  Region region(kCreate);
  uint64_t created_at = rondo::trace::ticks();
  int rc = inside([&] { return real(thread, attr, start_thread, s); });
  if (rc != 0) {
    s->refs.store(1);
    release(s);
    return rc;
  }
  int64_t child = wait_for_child(s);
  release(s);
  remember(*thread, child);
  // Stamped with the time of the call, before the new thread's THREAD_BEGIN.
  trace::RecordGuard g;
  if (g.ok()) {
    EventKey key{EventKind::ThreadCreate, 0, {}};
    g.writer().event(key, created_at, &child);
  }
  return rc;
}

int pthread_join(pthread_t thread, void** result) {
  auto real = real_join.get();
  if (!active(CALLER)) return real(thread, result);
  return record_join(kJoin, thread, [&] { return real(thread, result); });
}

int pthread_tryjoin_np(pthread_t thread, void** result) {
  auto real = real_tryjoin.get();
  if (!real) return ENOSYS;
  if (!active(CALLER)) return real(thread, result);
  return record_join(kTryJoin, thread, [&] { return real(thread, result); });
}

int pthread_timedjoin_np(pthread_t thread, void** result, const timespec* abstime) {
  auto real = real_timedjoin.get();
  if (!real) return ENOSYS;
  if (!active(CALLER)) return real(thread, result, abstime);
  return record_join(kTimedJoin, thread, [&] { return real(thread, result, abstime); });
}

// A detached thread is never joined: its pthread_t leaves the table (the C
// library may give it to a later thread).
int pthread_detach(pthread_t thread) {
  auto real = real_detach.get();
  if (!real) return ENOSYS;
  if (!active(CALLER)) return real(thread);
  Region r(kDetach);
  int rc = inside([&] { return real(thread); });
  if (rc == 0) forget(thread);
  return rc;
}

// fork() runs the runtime's fork handlers, which start a thread of its own in the
// child: inside the call, that thread is not taken for the application's.
pid_t fork(void) {
  auto real = real_fork.get();
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  pid_t pid = inside([&] { return real(); });
  if (pid == 0) threads().lock.reset();  // a thread that held it does not exist here
  return pid;
}

// --- mutexes ---------------------------------------------------------------

#define REAL(name, type) static Real<type> real_##name(#name)

int pthread_mutex_lock(pthread_mutex_t* m) {
  REAL(pthread_mutex_lock, int (*)(pthread_mutex_t*));
  auto real = real_pthread_mutex_lock.get();
  if (!active(CALLER)) return real(m);
  Region r(kMutexLock);
  int rc = inside([&] { return real(m); });
  if (rc == 0) acquired(LockKind::Mutex, m);
  return rc;
}

int pthread_mutex_trylock(pthread_mutex_t* m) {
  REAL(pthread_mutex_trylock, int (*)(pthread_mutex_t*));
  auto real = real_pthread_mutex_trylock.get();
  if (!active(CALLER)) return real(m);
  return try_lock(g_module.region(kMutexTrylock), LockKind::Mutex, m, [&] { return real(m); });
}

int pthread_mutex_timedlock(pthread_mutex_t* m, const timespec* abstime) {
  REAL(pthread_mutex_timedlock, int (*)(pthread_mutex_t*, const timespec*));
  auto real = real_pthread_mutex_timedlock.get();
  if (!active(CALLER)) return real(m, abstime);
  Region r(kMutexTimedlock);
  int rc = inside([&] { return real(m, abstime); });
  if (rc == 0) acquired(LockKind::Mutex, m);
  return rc;
}

// glibc 2.30: the steady-clock waits libstdc++ uses for wait_for/try_lock_for.
int pthread_mutex_clocklock(pthread_mutex_t* m, clockid_t clock, const timespec* abstime) {
  REAL(pthread_mutex_clocklock, int (*)(pthread_mutex_t*, clockid_t, const timespec*));
  auto real = real_pthread_mutex_clocklock.get();
  if (!real) return ENOSYS;
  if (!active(CALLER)) return real(m, clock, abstime);
  Region r(kMutexClocklock);
  int rc = inside([&] { return real(m, clock, abstime); });
  if (rc == 0) acquired(LockKind::Mutex, m);
  return rc;
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
  REAL(pthread_mutex_unlock, int (*)(pthread_mutex_t*));
  auto real = real_pthread_mutex_unlock.get();
  if (!active(CALLER)) return real(m);
  Region r(kMutexUnlock);
  released(LockKind::Mutex, m);  // before: the next owner's acquisition comes after it in time
  return inside([&] { return real(m); });
}

// --- read-write locks ------------------------------------------------------

#define RWLOCK_WRAPPER(name, region, kind, ...)                        \
  do {                                                                 \
    auto real = real_##name.get();                                     \
    if (!active(CALLER)) return real(__VA_ARGS__);                     \
    Region r(region);                                                  \
    int rc = inside([&] { return real(__VA_ARGS__); });                \
    if (rc == 0) {                                                     \
      hold(rw, kind);                                                  \
      acquired(kind, rw);                                              \
    }                                                                  \
    return rc;                                                         \
  } while (0)

int pthread_rwlock_rdlock(pthread_rwlock_t* rw) {
  REAL(pthread_rwlock_rdlock, int (*)(pthread_rwlock_t*));
  RWLOCK_WRAPPER(pthread_rwlock_rdlock, kRdlock, LockKind::RwlockRead, rw);
}
int pthread_rwlock_wrlock(pthread_rwlock_t* rw) {
  REAL(pthread_rwlock_wrlock, int (*)(pthread_rwlock_t*));
  RWLOCK_WRAPPER(pthread_rwlock_wrlock, kWrlock, LockKind::RwlockWrite, rw);
}
// The try forms fold their failures (try_lock).
#define RWLOCK_TRY_WRAPPER(name, index, kind)                                         \
  do {                                                                                \
    auto real = real_##name.get();                                                    \
    if (!active(CALLER)) return real(rw);                                             \
    int rc = try_lock(g_module.region(index), kind, rw, [&] { return real(rw); });    \
    if (rc == 0) hold(rw, kind);                                                      \
    return rc;                                                                        \
  } while (0)

int pthread_rwlock_tryrdlock(pthread_rwlock_t* rw) {
  REAL(pthread_rwlock_tryrdlock, int (*)(pthread_rwlock_t*));
  RWLOCK_TRY_WRAPPER(pthread_rwlock_tryrdlock, kTryRdlock, LockKind::RwlockRead);
}
int pthread_rwlock_trywrlock(pthread_rwlock_t* rw) {
  REAL(pthread_rwlock_trywrlock, int (*)(pthread_rwlock_t*));
  RWLOCK_TRY_WRAPPER(pthread_rwlock_trywrlock, kTryWrlock, LockKind::RwlockWrite);
}
int pthread_rwlock_timedrdlock(pthread_rwlock_t* rw, const timespec* abstime) {
  REAL(pthread_rwlock_timedrdlock, int (*)(pthread_rwlock_t*, const timespec*));
  RWLOCK_WRAPPER(pthread_rwlock_timedrdlock, kTimedRdlock, LockKind::RwlockRead, rw, abstime);
}
int pthread_rwlock_timedwrlock(pthread_rwlock_t* rw, const timespec* abstime) {
  REAL(pthread_rwlock_timedwrlock, int (*)(pthread_rwlock_t*, const timespec*));
  RWLOCK_WRAPPER(pthread_rwlock_timedwrlock, kTimedWrlock, LockKind::RwlockWrite, rw, abstime);
}

int pthread_rwlock_clockrdlock(pthread_rwlock_t* rw, clockid_t clock, const timespec* abstime) {
  REAL(pthread_rwlock_clockrdlock, int (*)(pthread_rwlock_t*, clockid_t, const timespec*));
  if (!real_pthread_rwlock_clockrdlock.get()) return ENOSYS;
  RWLOCK_WRAPPER(pthread_rwlock_clockrdlock, kClockRdlock, LockKind::RwlockRead, rw, clock, abstime);
}
int pthread_rwlock_clockwrlock(pthread_rwlock_t* rw, clockid_t clock, const timespec* abstime) {
  REAL(pthread_rwlock_clockwrlock, int (*)(pthread_rwlock_t*, clockid_t, const timespec*));
  if (!real_pthread_rwlock_clockwrlock.get()) return ENOSYS;
  RWLOCK_WRAPPER(pthread_rwlock_clockwrlock, kClockWrlock, LockKind::RwlockWrite, rw, clock, abstime);
}

int pthread_rwlock_unlock(pthread_rwlock_t* rw) {
  REAL(pthread_rwlock_unlock, int (*)(pthread_rwlock_t*));
  auto real = real_pthread_rwlock_unlock.get();
  if (!active(CALLER)) return real(rw);
  Region r(kRwUnlock);
  released(unhold(rw), rw);
  return inside([&] { return real(rw); });
}

// --- spinlocks ---------------------------------------------------------------

int pthread_spin_lock(pthread_spinlock_t* s) {
  REAL(pthread_spin_lock, int (*)(pthread_spinlock_t*));
  auto real = real_pthread_spin_lock.get();
  if (!active(CALLER)) return real(s);
  Region r(kSpinLock);
  int rc = inside([&] { return real(s); });
  if (rc == 0) acquired(LockKind::Spinlock, s);
  return rc;
}

int pthread_spin_trylock(pthread_spinlock_t* s) {
  REAL(pthread_spin_trylock, int (*)(pthread_spinlock_t*));
  auto real = real_pthread_spin_trylock.get();
  if (!active(CALLER)) return real(s);
  return try_lock(g_module.region(kSpinTrylock), LockKind::Spinlock, s, [&] { return real(s); });
}

int pthread_spin_unlock(pthread_spinlock_t* s) {
  REAL(pthread_spin_unlock, int (*)(pthread_spinlock_t*));
  auto real = real_pthread_spin_unlock.get();
  if (!active(CALLER)) return real(s);
  Region r(kSpinUnlock);
  released(LockKind::Spinlock, s);
  return inside([&] { return real(s); });
}

// --- condition variables -----------------------------------------------------

// The mutex is given back while waiting and held again afterwards (also when the
// wait timed out: pthread_cond_timedwait reacquires it in every case).
int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
  REAL(pthread_cond_wait, int (*)(pthread_cond_t*, pthread_mutex_t*));
  auto real = real_pthread_cond_wait.get();
  if (!active(CALLER)) return real(c, m);
  Region r(kCondWait);
  released(LockKind::Mutex, m);
  int rc = inside([&] { return real(c, m); });
  acquired(LockKind::Mutex, m);
  return rc;
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* abstime) {
  REAL(pthread_cond_timedwait, int (*)(pthread_cond_t*, pthread_mutex_t*, const timespec*));
  auto real = real_pthread_cond_timedwait.get();
  if (!active(CALLER)) return real(c, m, abstime);
  Region r(kCondTimedwait);
  released(LockKind::Mutex, m);
  int rc = inside([&] { return real(c, m, abstime); });
  acquired(LockKind::Mutex, m);
  return rc;
}

int pthread_cond_clockwait(pthread_cond_t* c, pthread_mutex_t* m, clockid_t clock, const timespec* abstime) {
  REAL(pthread_cond_clockwait, int (*)(pthread_cond_t*, pthread_mutex_t*, clockid_t, const timespec*));
  auto real = real_pthread_cond_clockwait.get();
  if (!real) return ENOSYS;
  if (!active(CALLER)) return real(c, m, clock, abstime);
  Region r(kCondClockwait);
  released(LockKind::Mutex, m);
  int rc = inside([&] { return real(c, m, clock, abstime); });
  acquired(LockKind::Mutex, m);
  return rc;
}

int pthread_cond_signal(pthread_cond_t* c) {
  REAL(pthread_cond_signal, int (*)(pthread_cond_t*));
  auto real = real_pthread_cond_signal.get();
  if (!active(CALLER)) return real(c);
  Region r(kCondSignal);
  return inside([&] { return real(c); });
}

int pthread_cond_broadcast(pthread_cond_t* c) {
  REAL(pthread_cond_broadcast, int (*)(pthread_cond_t*));
  auto real = real_pthread_cond_broadcast.get();
  if (!active(CALLER)) return real(c);
  Region r(kCondBroadcast);
  return inside([&] { return real(c); });
}

// --- barriers and semaphores -------------------------------------------------

int pthread_barrier_wait(pthread_barrier_t* b) {
  REAL(pthread_barrier_wait, int (*)(pthread_barrier_t*));
  auto real = real_pthread_barrier_wait.get();
  if (!active(CALLER)) return real(b);
  Region r(kBarrierWait);
  return inside([&] { return real(b); });
}

int sem_wait(sem_t* s) {
  REAL(sem_wait, int (*)(sem_t*));
  auto real = real_sem_wait.get();
  if (!active(CALLER)) return real(s);
  Region r(kSemWait);
  return inside([&] { return real(s); });
}

int sem_timedwait(sem_t* s, const timespec* abstime) {
  REAL(sem_timedwait, int (*)(sem_t*, const timespec*));
  auto real = real_sem_timedwait.get();
  if (!active(CALLER)) return real(s, abstime);
  Region r(kSemTimedwait);
  return inside([&] { return real(s, abstime); });
}

int sem_clockwait(sem_t* s, clockid_t clock, const timespec* abstime) {
  REAL(sem_clockwait, int (*)(sem_t*, clockid_t, const timespec*));
  auto real = real_sem_clockwait.get();
  if (!real) {
    errno = ENOSYS;
    return -1;
  }
  if (!active(CALLER)) return real(s, clock, abstime);
  Region r(kSemClockwait);
  return inside([&] { return real(s, clock, abstime); });
}

int sem_trywait(sem_t* s) {
  REAL(sem_trywait, int (*)(sem_t*));
  auto real = real_sem_trywait.get();
  if (!active(CALLER)) return real(s);
  Region r(kSemTrywait);
  return inside([&] { return real(s); });
}

int sem_post(sem_t* s) {
  REAL(sem_post, int (*)(sem_t*));
  auto real = real_sem_post.get();
  if (!active(CALLER)) return real(s);
  Region r(kSemPost);
  return inside([&] { return real(s); });
}

}  // extern "C"
