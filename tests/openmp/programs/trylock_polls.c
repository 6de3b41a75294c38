/* Spins on pthread_mutex_trylock, pthread_spin_trylock, pthread_rwlock_tryrdlock
 * and pthread_rwlock_trywrlock while another thread holds the lock, and prints
 * how many tries each took and how many failed. The holder lets go only after
 * `first_run` failed tries (told through an atomic, which records nothing), so
 * each phase has at least that many, in one run of consecutive failures.
 * Usage: trylock_polls [first_run] */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

enum { kMutex, kSpin, kRead, kWrite, kPhases };
static const char* kNames[kPhases] = {"pthread_mutex_trylock", "pthread_spin_trylock", "pthread_rwlock_tryrdlock",
                                      "pthread_rwlock_trywrlock"};

static pthread_mutex_t mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_spinlock_t spin;
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static atomic_int held = -1;     /* the phase whose lock the holder holds */
static atomic_int release = -1;  /* the phase whose lock the holder may give back */

static void wait_for(atomic_int* v, int value) {
  while (atomic_load(v) != value) sched_yield();
}

static void* holder(void* arg) {
  (void)arg;
  for (int phase = 0; phase < kPhases; ++phase) {
    switch (phase) {
      case kMutex: pthread_mutex_lock(&mutex); break;
      case kSpin: pthread_spin_lock(&spin); break;
      case kRead: pthread_rwlock_wrlock(&rw); break;  /* a writer: reads fail */
      default: pthread_rwlock_rdlock(&rw); break;     /* a reader: writes fail */
    }
    atomic_store(&held, phase);
    wait_for(&release, phase);
    switch (phase) {
      case kMutex: pthread_mutex_unlock(&mutex); break;
      case kSpin: pthread_spin_unlock(&spin); break;
      default: pthread_rwlock_unlock(&rw); break;
    }
  }
  return NULL;
}

static int try_once(int phase) {
  switch (phase) {
    case kMutex: return pthread_mutex_trylock(&mutex);
    case kSpin: return pthread_spin_trylock(&spin);
    case kRead: return pthread_rwlock_tryrdlock(&rw);
    default: return pthread_rwlock_trywrlock(&rw);
  }
}

int main(int argc, char** argv) {
  long first_run = argc > 1 ? atol(argv[1]) : 100;
  pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
  pthread_t t;
  pthread_create(&t, NULL, holder, NULL);
  for (int phase = 0; phase < kPhases; ++phase) {
    wait_for(&held, phase);
    long calls = 0, failed = 0;
    for (;;) {
      ++calls;
      if (try_once(phase) == 0) break;
      if (++failed == first_run) atomic_store(&release, phase);
    }
    if (phase == kMutex) pthread_mutex_unlock(&mutex);
    else if (phase == kSpin) pthread_spin_unlock(&spin);
    else pthread_rwlock_unlock(&rw);
    printf("polls: %s calls=%ld failed=%ld runs=1\n", kNames[phase], calls, failed);
  }
  pthread_join(t, NULL);
  return 0;
}
