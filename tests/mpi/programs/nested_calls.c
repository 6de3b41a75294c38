/* MPI calls that the MPI library makes from inside other MPI calls, for
 * tests/mpi/test_mpi_requests.cpp: a user reduction operation (run inside
 * MPI_Allreduce) and a communicator error handler (run inside an MPI_Send to a
 * rank that does not exist) each call MPI_Comm_rank. The program itself calls
 * MPI_Comm_rank once. Prints how often the library ran each callback.
 * Usage: nested_calls ROUNDS */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int op_calls = 0, handler_calls = 0;

static void sum_op(void* in, void* inout, int* len, MPI_Datatype* type) {
  (void)type;
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  ++op_calls;
  for (int i = 0; i < *len; ++i) ((int*)inout)[i] += ((int*)in)[i];
}

static void on_error(MPI_Comm* comm, int* code, ...) {
  (void)code;
  int rank;
  MPI_Comm_rank(*comm, &rank);
  ++handler_calls;
}

int main(int argc, char** argv) {
  int rounds = argc > 1 ? atoi(argv[1]) : 10;
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  PMPI_Comm_size(MPI_COMM_WORLD, &size);
  MPI_Op op;
  MPI_Op_create(sum_op, 1, &op);
  MPI_Errhandler handler;
  MPI_Comm_create_errhandler(on_error, &handler);
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, handler);
  int sum = 0, failed = 0;
  for (int r = 0; r < rounds; ++r) {
    int one = 1;
    MPI_Allreduce(&one, &sum, 1, MPI_INT, op, MPI_COMM_WORLD);
    if (MPI_Send(&one, 1, MPI_INT, size, 0, MPI_COMM_WORLD) != MPI_SUCCESS) ++failed;
  }
  printf("nested_calls: rank %d rounds %d sum %d failed %d op_calls %d handler_calls %d\n", rank, rounds, sum, failed,
         op_calls, handler_calls);
  MPI_Finalize();
  return 0;
}
