/* The collectives and communicator calls not in examples/mpi/collectives.c:
 * MPI_Alltoallw, the nonblocking v-variants and scans, neighbor collectives on a
 * periodic 1-D Cartesian communicator, MPI_Comm_idup and MPI_Dist_graph_create.
 * Every rank contributes one int per peer (4 bytes), `rounds` times. */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rounds = argc > 1 ? atoi(argv[1]) : 3;
  int p, rank;
  MPI_Comm_size(MPI_COMM_WORLD, &p);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  int *send = calloc((size_t)p, sizeof(int)), *recv = calloc((size_t)p, sizeof(int));
  int *counts = malloc((size_t)p * sizeof(int)), *displs = malloc((size_t)p * sizeof(int));
  MPI_Datatype *types = malloc((size_t)p * sizeof(MPI_Datatype));
  int *wdispls = malloc((size_t)p * sizeof(int));
  for (int i = 0; i < p; ++i) counts[i] = 1, displs[i] = i, types[i] = MPI_INT, wdispls[i] = i * (int)sizeof(int);
  int dims[1] = {p}, periods[1] = {1};
  MPI_Comm ring;
  MPI_Cart_create(MPI_COMM_WORLD, 1, dims, periods, 0, &ring);
  for (int r = 0; r < rounds; ++r) {
    MPI_Request req;
    MPI_Alltoallw(send, counts, wdispls, types, recv, counts, wdispls, types, MPI_COMM_WORLD);
    MPI_Igatherv(send, 1, MPI_INT, recv, counts, displs, MPI_INT, 0, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Iscatterv(send, counts, displs, MPI_INT, recv, 1, MPI_INT, 0, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Iallgatherv(send, 1, MPI_INT, recv, counts, displs, MPI_INT, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Ialltoallv(send, counts, displs, MPI_INT, recv, counts, displs, MPI_INT, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Ireduce_scatter_block(send, recv, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Iscan(send, recv, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Iexscan(send, recv, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &req);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Neighbor_allgather(send, 1, MPI_INT, recv, 1, MPI_INT, ring);
    MPI_Neighbor_alltoall(send, 1, MPI_INT, recv, 1, MPI_INT, ring);
  }
  /* A communicator made by MPI_Comm_idup carries one message per rank pair in a ring. */
  MPI_Comm copy;
  MPI_Request req;
  MPI_Comm_idup(MPI_COMM_WORLD, &copy, &req);
  MPI_Wait(&req, MPI_STATUS_IGNORE);
  int token = rank;
  MPI_Sendrecv_replace(&token, 1, MPI_INT, (rank + 1) % p, 5, (rank + p - 1) % p, 5, copy, MPI_STATUS_IGNORE);
  MPI_Comm graph;
  int dest = (rank + 1) % p, degree = 1, weight = 1;
  MPI_Dist_graph_create(MPI_COMM_WORLD, 1, &rank, &degree, &dest, &weight, MPI_INFO_NULL, 0, &graph);
  MPI_Comm_free(&graph);
  MPI_Comm_free(&copy);
  MPI_Comm_free(&ring);
  if (rank == 0) printf("more_collectives: %d ranks, %d rounds\n", p, rounds);
  free(send), free(recv), free(counts), free(displs), free(types), free(wdispls);
  MPI_Finalize();
  return 0;
}
