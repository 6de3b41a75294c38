// The baseline that counters are measured against: one PAPI_read of an event
// set holding the named events, timed alone on this thread. Rondo reads the
// thread's event set once per recorded event, so a counter costs "PAPI's own
// read" when the traced cost per event minus the 0-counter cost equals this.
// PAPI is started with thread support, as any tool that counts each thread of
// a program must (Rondo does): PAPI_read then finds the calling thread's
// context, which costs a few dozen instructions more than without. And the
// process has a second thread, as every traced program has (Rondo's writer,
// the program's own threads): glibc's read() then takes its multi-threaded
// path, with the cancellation checks of a blocking system call.
//
//   papi_read_cost CALLS EVENT[,EVENT...]   prints the ns per PAPI_read
#include <papi.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_done = PTHREAD_COND_INITIALIZER;
static int g_finished = 0;

// The second thread: waits, without running, until the measurement is over.
static void* idle(void* unused) {
  (void)unused;
  pthread_mutex_lock(&g_lock);
  while (!g_finished) pthread_cond_wait(&g_done, &g_lock);
  pthread_mutex_unlock(&g_lock);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s CALLS EVENT[,EVENT...]\n", argv[0]);
    return 2;
  }
  long calls = atol(argv[1]);
  if (PAPI_library_init(PAPI_VER_CURRENT) != PAPI_VER_CURRENT) {
    fprintf(stderr, "papi_read_cost: PAPI_library_init failed\n");
    return 1;
  }
  if (PAPI_thread_init(pthread_self) != PAPI_OK) {
    fprintf(stderr, "papi_read_cost: PAPI_thread_init failed\n");
    return 1;
  }
  int set = PAPI_NULL;
  if (PAPI_create_eventset(&set) != PAPI_OK) return 1;
  int added = 0;
  for (char* name = strtok(argv[2], ","); name; name = strtok(NULL, ",")) {
    int rc = PAPI_add_named_event(set, name);
    if (rc != PAPI_OK) {
      fprintf(stderr, "papi_read_cost: %s: %s\n", name, PAPI_strerror(rc));
      return 1;
    }
    ++added;
  }
  long long values[16];
  if (added > 16 || PAPI_start(set) != PAPI_OK) return 1;
  pthread_t other;
  if (pthread_create(&other, NULL, idle, NULL) != 0) return 1;
  double t0 = now_s();
  for (long i = 0; i < calls; ++i) PAPI_read(set, values);
  double t1 = now_s();
  pthread_mutex_lock(&g_lock);
  g_finished = 1;
  pthread_cond_signal(&g_done);
  pthread_mutex_unlock(&g_lock);
  pthread_join(other, NULL);
  printf("%.1f\n", (t1 - t0) * 1e9 / (double)calls);
  return 0;
}
