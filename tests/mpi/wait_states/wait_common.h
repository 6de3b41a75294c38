/* Shared by the wait-state programs. Each makes one rank (or all but one) late
 * by sleeping a known time before an MPI call, `reps` times, so that the
 * analyzer finds exactly `reps` waiting calls per waiting rank, each waiting
 * about `ms` milliseconds. The MPI calls are made inside a Rondo API region: the
 * call site the analyzer reports. Arguments: reps ms. */
#include <errno.h>
#include <mpi.h>
#include <rondo/rondo.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Never shorter than asked (nanosleep resumes after signals). */
static inline void sleep_ms(int ms) {
  struct timespec left = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&left, &left) == -1 && errno == EINTR) {
  }
}

typedef struct {
  int rank, size, reps, ms;
} Job;

static inline Job start(int *argc, char ***argv, int min_ranks) {
  MPI_Init(argc, argv);
  Job j;
  MPI_Comm_rank(MPI_COMM_WORLD, &j.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &j.size);
  j.reps = *argc > 1 ? atoi((*argv)[1]) : 3;
  j.ms = *argc > 2 ? atoi((*argv)[2]) : 200;
  if (j.size < min_ranks) {
    if (j.rank == 0) fprintf(stderr, "%s needs at least %d ranks\n", (*argv)[0], min_ranks);
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  return j;
}

/* Every program but the barrier one starts with a barrier: the ranks leave
 * MPI_Init at different times, and the first late call should wait `ms`. */
static inline void start_together(void) { MPI_Barrier(MPI_COMM_WORLD); }

/* One MPI operation of a step (both sides, per rank), phase 0 or 1. */
typedef void (*Step)(const Job *j, int phase);

static inline long long monotonic_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* `reps` steps inside region `region`: a rank for which `late` is true sleeps
 * before its part of the step. Then prints, for each step, when this rank began
 * its MPI part by CLOCK_MONOTONIC (one clock for every rank of a node):
 * "wait_states: rank R step S entered NS", S counting on across calls. From
 * these a test knows how long each rank really waited, which on a loaded
 * machine can be less than the sleep (a rank can start its step late). */
static inline void late_steps(const Job *j, const char *region, int late, int phase, Step step) {
  enum { kMaxSteps = 256 };
  static int steps_before = 0;
  long long entered[kMaxSteps];
  rondo_region_t r = rondo_region(region);
  for (int i = 0; i < j->reps; ++i) {
    rondo_enter(r);
    if (late) sleep_ms(j->ms);
    if (i < kMaxSteps) entered[i] = monotonic_ns();
    step(j, phase);
    rondo_leave(r);
  }
  for (int i = 0; i < j->reps && i < kMaxSteps; ++i)
    printf("wait_states: rank %d step %d entered %lld\n", j->rank, steps_before + i, entered[i]);
  fflush(stdout);
  steps_before += j->reps;
}

/* Point to point: `reps` blocking steps in region `<pattern>_blocking`, then
 * `reps` nonblocking ones in `<pattern>_nonblocking`; rank `late_rank` is late. */
static inline void two_phases(const Job *j, const char *pattern, int late_rank, Step step) {
  char name[64];
  for (int phase = 0; phase < 2; ++phase) {
    snprintf(name, sizeof name, "%s_%s", pattern, phase == 0 ? "blocking" : "nonblocking");
    late_steps(j, name, j->rank == late_rank, phase, step);
  }
}
