/* THREADS threads (default 4) each take one mutex ROUNDS times (default 2000)
 * and hold it while they update a shared counter: a lock every thread waits for.
 *
 *   contention [THREADS] [ROUNDS] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_barrier_t start;
static long counter = 0;
static volatile double sink = 0;
static int rounds = 2000;

static void* contend(void* arg) {
  (void)arg;
  pthread_barrier_wait(&start);  /* everybody starts together */
  for (int i = 0; i < rounds; ++i) {
    pthread_mutex_lock(&lock);
    for (int k = 0; k < 200; ++k) sink += k;  /* hold it a little */
    ++counter;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 4;
  if (argc > 2) rounds = atoi(argv[2]);
  pthread_t t[64];
  if (threads < 1 || threads > 64 || rounds < 0) return 2;
  pthread_barrier_init(&start, NULL, (unsigned)threads);
  for (int i = 0; i < threads; ++i) pthread_create(&t[i], NULL, contend, NULL);
  for (int i = 0; i < threads; ++i) pthread_join(t[i], NULL);
  pthread_barrier_destroy(&start);
  printf("contention: counter %ld\n", counter);
  return counter == (long)threads * rounds ? 0 : 1;
}
