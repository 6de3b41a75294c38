/* Waiting in pthread synchronisation with amounts known in advance, for the
 * threads section of `rondo stats` (pthread module).
 *
 *   pthread_waits [THREADS] [STEP_MS]     (default 4 10)
 *
 * The main thread takes a mutex, then starts THREADS workers. Worker k sleeps
 * k x STEP_MS and waits at a barrier of the workers: it waits there about
 * (THREADS - 1 - k) x STEP_MS for the last one. Then every worker asks for the
 * mutex, which the main thread gives back (THREADS + 2) x STEP_MS after starting
 * them: each worker waits for it at least 2 x STEP_MS. A last thread is detached
 * (pthread_detach); it sleeps STEP_MS and posts a semaphore that the main thread
 * waits for; the workers are joined. The program ends once the detached thread
 * has ended (Linux: /proc/self/task). */
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t barrier;
static sem_t done;
static int step = 10;
static long counter = 0;

static void sleep_ms(int ms) {
  struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&t, &t) != 0) {
  }
}

/* Threads of the process (the tracer's own included). */
static int tasks(void) {
  DIR* d = opendir("/proc/self/task");
  if (!d) return 0;
  int n = 0;
  for (struct dirent* e; (e = readdir(d)) != NULL;)
    if (e->d_name[0] != '.') ++n;
  closedir(d);
  return n;
}

static void* worker(void* arg) {
  int k = (int)(long)arg;
  sleep_ms(k * step);
  pthread_barrier_wait(&barrier);
  pthread_mutex_lock(&lock);
  ++counter;
  pthread_mutex_unlock(&lock);
  return NULL;
}

static void* detached(void* arg) {
  (void)arg;
  sleep_ms(step);
  sem_post(&done);
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  if (argc > 2) step = atoi(argv[2]);
  if (threads < 1 || threads > 64 || step < 0) {
    fprintf(stderr, "usage: %s [THREADS<=64] [STEP_MS]\n", argv[0]);
    return 2;
  }
  pthread_t t[64], d;
  pthread_barrier_init(&barrier, NULL, (unsigned)threads);
  sem_init(&done, 0, 0);
  pthread_mutex_lock(&lock);
  for (int k = 0; k < threads; ++k) pthread_create(&t[k], NULL, worker, (void*)(long)k);
  sleep_ms((threads + 2) * step);
  pthread_mutex_unlock(&lock);
  for (int k = 0; k < threads; ++k) pthread_join(t[k], NULL);
  int before_detached = tasks();
  if (pthread_create(&d, NULL, detached, NULL) != 0 || pthread_detach(d) != 0) return 1;
  sem_wait(&done);
  pthread_barrier_destroy(&barrier);
  printf("pthread_waits: %d workers, step %d ms, counter %ld\n", threads, step, counter);
  if (counter != threads) return 1;
  /* The detached thread may still be on its way out: wait (bounded) until it
   * is gone from /proc/self/task, so that the trace has all of it. */
  for (int i = 0; i < 5000 && tasks() > before_detached; ++i) sleep_ms(1);
  return 0;
}
