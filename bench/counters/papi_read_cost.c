// The baseline that counters are measured against: one PAPI_read of an event
// set holding the named events, timed alone on this thread. Rondo reads the
// thread's event set once per recorded event, so a counter costs "PAPI's own
// read" when the traced cost per event minus the 0-counter cost equals this.
//
//   papi_read_cost CALLS EVENT[,EVENT...]   prints the ns per PAPI_read
#include <papi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
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
  double t0 = now_s();
  for (long i = 0; i < calls; ++i) PAPI_read(set, values);
  double t1 = now_s();
  printf("%.1f\n", (t1 - t0) * 1e9 / (double)calls);
  return 0;
}
