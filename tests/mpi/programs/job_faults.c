/* Faults of a parallel job, for tests/mpi/test_job_faults.cpp. Every rank runs
 * LAPS laps of a ring exchange (one MPI_Sendrecv each: to the next rank, from
 * the previous one), then:
 *   job_faults finish LAPS          every rank finalizes (the reference run)
 *   job_faults exit LAPS RANK       RANK leaves with exit(0) without MPI_Finalize;
 *                                   the others wait in MPI_Barrier until the
 *                                   launcher ends the job
 *   job_faults abort LAPS RANK      RANK calls MPI_Abort(MPI_COMM_WORLD, 3); the
 *                                   others wait in MPI_Barrier
 *   job_faults kill LAPS RANK       after one MPI_Barrier, RANK kills itself
 *                                   with SIGKILL (before its first batch of
 *                                   events is written); the others wait in a
 *                                   second MPI_Barrier
 *   job_faults hang LAPS RANK       RANK sends with MPI_Ssend to the next rank,
 *                                   which never receives it: once MPI_Probe shows
 *                                   it the message (RANK is inside MPI_Ssend), it
 *                                   sends RANK SIGTERM, as a user stopping a hung
 *                                   job (the ranks share a host); the others
 *                                   wait in MPI_Barrier
 *   job_faults forever 0            laps without end, until the job is killed
 * Rank 0 prints one line once the laps are done (flushed: it must reach the
 * launcher even when the job is taken down next). */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *mode = argc > 1 ? argv[1] : "finish";
  long laps = argc > 2 ? atol(argv[2]) : 100;
  int faulty = argc > 3 ? atoi(argv[3]) : 1;
  int forever = strcmp(mode, "forever") == 0;
  int out = rank, in = -1;
  for (long lap = 0; forever || lap < laps; ++lap)
    MPI_Sendrecv(&out, 1, MPI_INT, (rank + 1) % size, 0, &in, 1, MPI_INT, (rank + size - 1) % size, 0,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  if (in != (rank + size - 1) % size) {
    fprintf(stderr, "job_faults: rank %d received %d\n", rank, in);
    return 1;
  }
  if (rank == 0) {
    printf("job_faults: %d ranks, %ld laps done, then %s\n", size, laps, mode);
    fflush(stdout);
  }
  if (rank == faulty && strcmp(mode, "exit") == 0) exit(0);
  if (rank == faulty && strcmp(mode, "abort") == 0) MPI_Abort(MPI_COMM_WORLD, 3);
  if (strcmp(mode, "hang") == 0) {
    int pid = (int)getpid(), *pids = malloc(sizeof(int) * (size_t)size);
    MPI_Allgather(&pid, 1, MPI_INT, pids, 1, MPI_INT, MPI_COMM_WORLD);
    int next = (faulty + 1) % size;
    if (rank == faulty) MPI_Ssend(&out, 1, MPI_INT, next, 99, MPI_COMM_WORLD); /* never received */
    if (rank == next) {
      MPI_Probe(faulty, 99, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      kill(pids[faulty], SIGTERM);
    }
    free(pids);
  }
  if (strcmp(mode, "kill") == 0) {
    MPI_Barrier(MPI_COMM_WORLD); /* rank 0 has printed its line */
    if (rank == faulty) raise(SIGKILL);
  }
  if (strcmp(mode, "finish") != 0) MPI_Barrier(MPI_COMM_WORLD); /* never completes */
  MPI_Finalize();
  return 0;
}
