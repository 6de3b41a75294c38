/* Creates and joins THREADS threads (default 1000), a few at a time (BATCH,
 * default 8), each returning its number.
 *
 *   many_threads [THREADS] [BATCH] */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void* identity(void* arg) { return arg; }

int main(int argc, char** argv) {
  int threads = argc > 1 ? atoi(argv[1]) : 1000;
  int batch = argc > 2 ? atoi(argv[2]) : 8;
  if (threads < 0 || batch < 1 || batch > 64) return 2;
  long sum = 0;
  for (int first = 0; first < threads; first += batch) {
    pthread_t t[64];
    int n = threads - first < batch ? threads - first : batch;
    for (int i = 0; i < n; ++i)
      if (pthread_create(&t[i], NULL, identity, (void*)(long)(first + i)) != 0) return 1;
    for (int i = 0; i < n; ++i) {
      void* r = NULL;
      pthread_join(t[i], &r);
      sum += (long)r;
    }
  }
  printf("many_threads: %d threads, sum %ld\n", threads, sum);
  return sum == (long)threads * (threads - 1) / 2 ? 0 : 1;
}
