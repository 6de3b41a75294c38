/* A time-step loop whose messages change size every step, as a halo exchange
 * does when atoms move: the sizes are per-occurrence data, so the steps must
 * still be one loop, and every size must be read back exactly. Needs 2 ranks.
 * Step i of rank r (its partner is 1 - r), sizes in bytes:
 *   MPI_Irecv + MPI_Send (tag 1) + MPI_Wait   halo(i, r)  = 8 * (50 + (37 i + 11 r) % 97)
 *   MPI_Isend (tag 2) + MPI_Recv + MPI_Wait   extra(i, r) = 4 * (10 + (13 i + r) % 31)
 *   MPI_Send (tag 3); partner MPI_Probe + MPI_Recv   probed(i, r) = 1 + (7 i + r) % 50
 *   MPI_Allreduce of 1 + i % 5 doubles
 *   MPI_Put into the partner's window        put(i, r)   = 8 * (1 + (i + r) % 9), between 2 fences
 * tests/mpi/test_sizes_as_data.cpp repeats these formulas.
 * Usage: varying_sizes STEPS (default 50) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>

static int halo(int i, int r) { return 8 * (50 + (37 * i + 11 * r) % 97); }
static int extra(int i, int r) { return 4 * (10 + (13 * i + r) % 31); }
static int probed(int i, int r) { return 1 + (7 * i + r) % 50; }
static int put(int i, int r) { return 8 * (1 + (i + r) % 9); }

static char out[2048], in[2048], window_memory[2048];

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (size != 2) {
    if (rank == 0) fprintf(stderr, "varying_sizes: needs 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  int steps = argc > 1 ? atoi(argv[1]) : 50;
  int partner = 1 - rank, failures = 0;
  MPI_Win win;
  MPI_Win_create(window_memory, sizeof window_memory, 1, MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  for (int i = 0; i < steps; ++i) {
    MPI_Request req;
    MPI_Status st;
    int n;
    MPI_Irecv(in, sizeof in, MPI_BYTE, partner, 1, MPI_COMM_WORLD, &req);
    MPI_Send(out, halo(i, rank), MPI_BYTE, partner, 1, MPI_COMM_WORLD);
    MPI_Wait(&req, &st);
    MPI_Get_count(&st, MPI_BYTE, &n);
    failures += n != halo(i, partner);

    MPI_Isend(out, extra(i, rank), MPI_BYTE, partner, 2, MPI_COMM_WORLD, &req);
    MPI_Recv(in, sizeof in, MPI_BYTE, partner, 2, MPI_COMM_WORLD, &st);
    MPI_Wait(&req, MPI_STATUS_IGNORE);
    MPI_Get_count(&st, MPI_BYTE, &n);
    failures += n != extra(i, partner);

    if (rank == 0) {
      MPI_Send(out, probed(i, rank), MPI_BYTE, partner, 3, MPI_COMM_WORLD);
    } else {
      MPI_Probe(partner, 3, MPI_COMM_WORLD, &st);
      MPI_Get_count(&st, MPI_BYTE, &n);
      failures += n != probed(i, partner);
      MPI_Recv(in, n, MPI_BYTE, partner, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }

    double values[5] = {1, 2, 3, 4, 5}, sums[5];
    MPI_Allreduce(values, sums, 1 + i % 5, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);

    MPI_Win_fence(0, win);
    MPI_Put(out, put(i, rank), MPI_BYTE, partner, 0, put(i, rank), MPI_BYTE, win);
    MPI_Win_fence(0, win);
  }
  MPI_Win_free(&win);
  if (rank == 0) printf("varying_sizes: %d steps %s\n", steps, failures ? "FAILED" : "ok");
  MPI_Finalize();
  return failures != 0;
}
