/* Polls for a message with each MPI polling call in turn (MPI_Test, MPI_Testany,
 * MPI_Testsome, MPI_Testall, MPI_Iprobe, MPI_Improbe) and prints, on rank 1, how
 * many calls it made, how many found nothing and in how many runs of
 * consecutive unsuccessful polls (what the recorder folds into one POLLS pair
 * each). Rank 0 sends each phase's message only after rank 1 has polled in vain
 * `first_run` times and told it so, so every phase has at least that many
 * unsuccessful polls, whatever the speed of the machine.
 * Usage: polls [first_run]  (2 ranks) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

enum { kTest, kTestany, kTestsome, kTestall, kIprobe, kImprobe, kPhases };
static const char* kNames[kPhases] = {"MPI_Test", "MPI_Testany", "MPI_Testsome", "MPI_Testall", "MPI_Iprobe",
                                      "MPI_Improbe"};

/* One poll; returns whether it found the message (and received it). */
static int poll_once(int phase, MPI_Request* req, int* value) {
  int flag = 0, index = -1, outcount = 0, indices[1];
  MPI_Message message;
  MPI_Status status;
  switch (phase) {
    case kTest: MPI_Test(req, &flag, MPI_STATUS_IGNORE); return flag;
    case kTestany: MPI_Testany(1, req, &index, &flag, MPI_STATUS_IGNORE); return flag;
    case kTestsome: MPI_Testsome(1, req, &outcount, indices, MPI_STATUSES_IGNORE); return outcount > 0;
    case kTestall: MPI_Testall(1, req, &flag, MPI_STATUSES_IGNORE); return flag;
    case kIprobe:
      MPI_Iprobe(0, phase, MPI_COMM_WORLD, &flag, &status);
      if (flag) MPI_Recv(value, 1, MPI_INT, 0, phase, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      return flag;
    default:
      MPI_Improbe(0, phase, MPI_COMM_WORLD, &flag, &message, &status);
      if (flag) MPI_Mrecv(value, 1, MPI_INT, &message, MPI_STATUS_IGNORE);
      return flag;
  }
}

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "polls: run on 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  long first_run = argc > 1 ? atol(argv[1]) : 100;
  for (int phase = 0; phase < kPhases; ++phase) {
    int value = -1, go = 1;
    if (rank == 0) {
      MPI_Recv(&go, 1, MPI_INT, 1, 100 + phase, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      value = phase;
      MPI_Send(&value, 1, MPI_INT, 1, phase, MPI_COMM_WORLD);
      continue;
    }
    MPI_Request req = MPI_REQUEST_NULL;
    if (phase < kIprobe) MPI_Irecv(&value, 1, MPI_INT, 0, phase, MPI_COMM_WORLD, &req);
    long calls = 0, failed = 0, runs = 0;
    int in_run = 0, told = 0;
    for (;;) {
      ++calls;
      if (poll_once(phase, &req, &value)) break;
      ++failed;
      if (!in_run) ++runs;
      in_run = 1;
      if (!told && failed == first_run) {
        MPI_Send(&go, 1, MPI_INT, 0, 100 + phase, MPI_COMM_WORLD);  /* a recorded call: the run ends */
        told = 1;
        in_run = 0;
      }
    }
    if (value != phase) fprintf(stderr, "polls: phase %d received %d\n", phase, value);
    printf("polls: %s calls=%ld failed=%ld runs=%ld\n", kNames[phase], calls, failed, runs);
    fflush(stdout);
  }
  MPI_Finalize();
  return 0;
}
