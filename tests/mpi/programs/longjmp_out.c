/* longjmp out of an MPI call, for tests/mpi/test_job_faults.cpp: an error
 * handler on MPI_COMM_WORLD jumps back to the program (a way out of a failed
 * call some programs use), leaving the MPI wrapper it was called from without
 * returning. JUMPS times: MPI_Send to a rank that does not exist, whose error
 * handler longjmps back. Then WRITES write() calls of 8 bytes to /dev/null,
 * which the io module must still record, and a barrier.
 *
 * Usage: longjmp_out JUMPS WRITES */
#include <fcntl.h>
#include <mpi.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static jmp_buf back;

static void jump_back(MPI_Comm *comm, int *code, ...) {
  (void)comm;
  (void)code;
  longjmp(back, 1);
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int jumps = argc > 1 ? atoi(argv[1]) : 3;
  int writes = argc > 2 ? atoi(argv[2]) : 10;
  MPI_Errhandler handler;
  MPI_Comm_create_errhandler(jump_back, &handler);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, handler);
  volatile int jumped = 0;
  for (int i = 0; i < jumps; ++i) {
    if (setjmp(back) == 0) {
      int value = i;
      MPI_Send(&value, 1, MPI_INT, size + 7, 0, MPI_COMM_WORLD);
    } else {
      ++jumped;
    }
  }
  int fd = open("/dev/null", O_WRONLY);
  char bytes[8] = "rondo..";
  int written = 0;
  for (int i = 0; i < writes; ++i) written += write(fd, bytes, sizeof bytes) == (ssize_t)sizeof bytes;
  close(fd);
  MPI_Barrier(MPI_COMM_WORLD);
  if (rank == 0) printf("longjmp_out: %d ranks, %d jumps, %d writes\n", size, jumped, written);
  MPI_Errhandler_free(&handler);
  MPI_Finalize();
  return 0;
}
