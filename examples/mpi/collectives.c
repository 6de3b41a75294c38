/* A tour of MPI collectives, each with a known volume. Every round runs, on
 * MPI_COMM_WORLD with root 0 and `count` ints (4 bytes each) per block:
 *
 *   operation               bytes sent (all ranks)   bytes received (all ranks)
 *   MPI_Barrier             0                        0
 *   MPI_Bcast               4c                       4c(p-1)
 *   MPI_Reduce              4c p                     4c
 *   MPI_Allreduce           4c p                     4c p
 *   MPI_Gather              4c p                     4c p
 *   MPI_Scatter             4c p                     4c p
 *   MPI_Allgather           4c p                     4c p^2
 *   MPI_Alltoall            4c p^2                   4c p^2
 *   MPI_Reduce_scatter_block 4c p^2                  4c p
 *   MPI_Scan                4c p                     4c p
 *   MPI_Ibcast + MPI_Wait   4c                       4c(p-1)
 *   MPI_Iallreduce + MPI_Wait 4c p                   4c p
 *
 * that is 12 operations per rank and round, 4c(2 + 7p + 2p^2) bytes sent in all
 * per round. Results are checked; the program exits with 1 if one is wrong.
 *
 *   rondo record -o coll.rondo -- mpirun -np 4 ./mpi_collectives 256 10
 *   rondo stats coll.rondo
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int errors = 0;

static void expect(int ok, const char *what, int rank) {
  if (!ok) {
    fprintf(stderr, "collectives: rank %d: wrong result of %s\n", rank, what);
    ++errors;
  }
}

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, p;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &p);
  int c = argc > 1 ? atoi(argv[1]) : 256;
  int rounds = argc > 2 ? atoi(argv[2]) : 1;
  if (c < 1) c = 1;
  if (rounds < 0) rounds = 0;

  size_t block = (size_t)c, all = (size_t)c * (size_t)p;
  int *a = malloc(all * sizeof(int));
  int *b = malloc(all * sizeof(int));
  for (int round = 0; round < rounds; ++round) {
    MPI_Barrier(MPI_COMM_WORLD);

    for (size_t i = 0; i < block; ++i) a[i] = rank == 0 ? (int)i + round : -1;
    MPI_Bcast(a, c, MPI_INT, 0, MPI_COMM_WORLD);
    expect(a[block - 1] == c - 1 + round, "MPI_Bcast", rank);

    for (size_t i = 0; i < block; ++i) a[i] = rank + 1;
    MPI_Reduce(a, b, c, MPI_INT, MPI_SUM, 0, MPI_COMM_WORLD);
    if (rank == 0) expect(b[0] == p * (p + 1) / 2, "MPI_Reduce", rank);

    MPI_Allreduce(a, b, c, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    expect(b[block - 1] == p * (p + 1) / 2, "MPI_Allreduce", rank);

    for (size_t i = 0; i < block; ++i) a[i] = rank;
    MPI_Gather(a, c, MPI_INT, b, c, MPI_INT, 0, MPI_COMM_WORLD);
    if (rank == 0) expect(b[all - 1] == p - 1, "MPI_Gather", rank);

    for (size_t i = 0; i < all; ++i) a[i] = (int)(i / block);
    MPI_Scatter(a, c, MPI_INT, b, c, MPI_INT, 0, MPI_COMM_WORLD);
    expect(b[0] == rank, "MPI_Scatter", rank);

    for (size_t i = 0; i < block; ++i) a[i] = rank;
    MPI_Allgather(a, c, MPI_INT, b, c, MPI_INT, MPI_COMM_WORLD);
    expect(b[all - 1] == p - 1, "MPI_Allgather", rank);

    for (size_t i = 0; i < all; ++i) a[i] = rank * 1000 + (int)(i / block);
    MPI_Alltoall(a, c, MPI_INT, b, c, MPI_INT, MPI_COMM_WORLD);
    expect(b[all - 1] == (p - 1) * 1000 + rank, "MPI_Alltoall", rank);

    for (size_t i = 0; i < all; ++i) a[i] = 1;
    MPI_Reduce_scatter_block(a, b, c, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    expect(b[0] == p, "MPI_Reduce_scatter_block", rank);

    for (size_t i = 0; i < block; ++i) a[i] = 1;
    MPI_Scan(a, b, c, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    expect(b[0] == rank + 1, "MPI_Scan", rank);

    MPI_Request request;
    for (size_t i = 0; i < block; ++i) a[i] = rank == 0 ? 7 : 0;
    MPI_Ibcast(a, c, MPI_INT, 0, MPI_COMM_WORLD, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
    expect(a[0] == 7, "MPI_Ibcast", rank);

    for (size_t i = 0; i < block; ++i) a[i] = 2;
    MPI_Iallreduce(a, b, c, MPI_INT, MPI_SUM, MPI_COMM_WORLD, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
    expect(b[0] == 2 * p, "MPI_Iallreduce", rank);
  }

  if (rank == 0) {
    long long n = 4LL * c, pp = p;
    printf("collectives: %d ranks, %d rounds of 12 operations on blocks of %d ints\n", p, rounds, c);
    printf("  per round, all ranks: Barrier 0 B, Bcast %lld B, Reduce %lld B, Allreduce %lld B, Gather %lld B, "
           "Scatter %lld B, Allgather %lld B, Alltoall %lld B, Reduce_scatter_block %lld B, Scan %lld B, "
           "Ibcast %lld B, Iallreduce %lld B sent\n",
           n, n * pp, n * pp, n * pp, n * pp, n * pp, n * pp * pp, n * pp * pp, n * pp, n, n * pp);
    printf("  total: %lld operations, %lld bytes sent\n", 12LL * rounds * pp, rounds * n * (2 + 7 * pp + 2 * pp * pp));
  }
  free(a);
  free(b);
  MPI_Finalize();
  return errors ? 1 : 0;
}
