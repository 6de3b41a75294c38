// The lock kinds of THREAD_ACQUIRE_LOCK / THREAD_RELEASE_LOCK (parameter p0).
// The lock id (d0) is the address of the lock object (the mutex, the critical
// section's lock variable, the omp_lock_t, ...). Numbers are stored in traces:
// never renumber, only add.
#pragma once

#include <cstdint>

namespace rondo::interpose {

enum class LockKind : int64_t {
  Mutex = 1,         // pthread_mutex_t
  RwlockRead = 2,    // pthread_rwlock_t held for reading
  RwlockWrite = 3,   // pthread_rwlock_t held for writing
  Spinlock = 4,      // pthread_spinlock_t
  OmpCritical = 10,  // omp critical (named or not)
  OmpLock = 11,      // omp_lock_t
  OmpNestLock = 12,  // omp_nest_lock_t
  OmpOrdered = 13,   // omp ordered
  OmpAtomic = 14,    // omp atomic done with a lock by the runtime
};

}  // namespace rondo::interpose
