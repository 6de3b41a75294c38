/* Every pthread synchronisation the pthread module records, with counts known
 * in advance. THREADS workers (default 4), ROUNDS rounds (default 10); per
 * worker: ROUNDS x (pthread_rwlock_rdlock, pthread_rwlock_wrlock,
 * pthread_rwlock_tryrdlock (succeeds: no writer then), 3 pthread_rwlock_unlock,
 * pthread_spin_lock, pthread_spin_unlock, 2 pthread_barrier_wait,
 * pthread_mutex_trylock on a mutex of its own (succeeds), pthread_mutex_unlock),
 * then one sem_wait. The main thread: THREADS sem_post, then one round of the
 * condition variable: the workers wait (pthread_cond_wait, as often as needed)
 * until main sets a flag and calls pthread_cond_broadcast once.
 *
 *   pthread_tour [THREADS] [ROUNDS] */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static pthread_spinlock_t spin;
static pthread_barrier_t barrier;
static sem_t sem;
static pthread_mutex_t flag_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t flag_cond = PTHREAD_COND_INITIALIZER;
static int flag = 0;
static int rounds = 10;
static long shared_value = 0;

static void* worker(void* arg) {
  (void)arg;
  pthread_mutex_t own = PTHREAD_MUTEX_INITIALIZER;
  long seen = 0;
  for (int r = 0; r < rounds; ++r) {
    pthread_rwlock_rdlock(&rw);
    seen += shared_value;
    pthread_rwlock_unlock(&rw);
    pthread_rwlock_wrlock(&rw);
    ++shared_value;
    pthread_rwlock_unlock(&rw);
    pthread_barrier_wait(&barrier);  /* nobody writes between here and the next barrier */
    int busy = pthread_rwlock_tryrdlock(&rw);
    if (busy == 0) {
      seen += shared_value;
      pthread_rwlock_unlock(&rw);
    }
    pthread_barrier_wait(&barrier);
    if (busy != 0) return (void*)1;
    pthread_spin_lock(&spin);
    ++seen;
    pthread_spin_unlock(&spin);
    if (pthread_mutex_trylock(&own) != 0) return (void*)1;
    pthread_mutex_unlock(&own);
  }
  sem_wait(&sem);
  pthread_mutex_lock(&flag_lock);
  while (!flag) pthread_cond_wait(&flag_cond, &flag_lock);
  pthread_mutex_unlock(&flag_lock);
  (void)seen;
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  if (argc > 2) rounds = atoi(argv[2]);
  if (threads < 1 || threads > 64 || rounds < 1) return 2;
  pthread_spin_init(&spin, PTHREAD_PROCESS_PRIVATE);
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  sem_init(&sem, 0, 0);
  pthread_t t[64];
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, worker, NULL);
  for (int i = 0; i < threads; ++i) sem_post(&sem);
  pthread_mutex_lock(&flag_lock);
  flag = 1;
  pthread_cond_broadcast(&flag_cond);
  pthread_mutex_unlock(&flag_lock);
  int failed = 0;
  for (int i = 0; i < threads; ++i) {
    void* r = NULL;
    pthread_join(t[i], &r);
    if (r) failed = 1;
  }
  printf("pthread_tour: %d threads, %d rounds, value %ld%s\n", threads, rounds, shared_value, failed ? ", FAILED" : "");
  return failed || shared_value != (long)threads * rounds;
}
