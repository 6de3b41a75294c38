/* One-sided communication and MPI-IO from a real program, for the README's
 * promise that both are recorded with their bytes. REPS times, on every rank:
 *   MPI_Win_fence; MPI_Put of PUT ints to the next rank; MPI_Get of GET ints
 *   from the previous rank; MPI_Win_fence; MPI_Accumulate (MPI_SUM) of ACC
 *   ints to the next rank; MPI_Win_fence
 * The window has a separate part for each (put, get, accumulate), so every
 * access lies inside the target's window and no two of one epoch overlap,
 * as MPI requires of a fence epoch.
 * then, once: every rank writes REPS blocks of BLOCK bytes at its own offsets
 * of one shared file with MPI_File_write_at, closes it, opens it again and
 * reads them back with MPI_File_read_at; rank 0 prints a checksum.
 *
 * Usage: rma_io REPS   (PUT 16, GET 8, ACC 4 ints; BLOCK 4096 bytes) */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kPut = 16, kGet = 8, kAcc = 4, kBlock = 4096 };

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int reps = argc > 1 ? atoi(argv[1]) : 5;
  int right = (rank + 1) % size, left = (rank + size - 1) % size;

  int window[kPut + kGet + kAcc];  // [put | get | accumulate]
  int put[kPut], got[kGet], acc[kAcc];
  for (int i = 0; i < kPut + kGet + kAcc; ++i) window[i] = rank;
  for (int i = 0; i < kPut; ++i) put[i] = rank * 100 + i;
  for (int i = 0; i < kAcc; ++i) acc[i] = 1;
  MPI_Win win;
  MPI_Win_create(window, sizeof window, sizeof(int), MPI_INFO_NULL, MPI_COMM_WORLD, &win);
  long sum = 0;
  for (int r = 0; r < reps; ++r) {
    MPI_Win_fence(0, win);
    MPI_Put(put, kPut, MPI_INT, right, 0, kPut, MPI_INT, win);
    MPI_Get(got, kGet, MPI_INT, left, kPut, kGet, MPI_INT, win);
    MPI_Win_fence(0, win);
    MPI_Accumulate(acc, kAcc, MPI_INT, right, kPut + kGet, kAcc, MPI_INT, MPI_SUM, win);
    MPI_Win_fence(0, win);
    sum += got[0];
  }
  MPI_Win_free(&win);

  char block[kBlock];
  MPI_File file;
  MPI_File_open(MPI_COMM_WORLD, "rma_io.dat", MPI_MODE_CREATE | MPI_MODE_WRONLY, MPI_INFO_NULL, &file);
  for (int r = 0; r < reps; ++r) {
    memset(block, 'a' + (rank + r) % 26, sizeof block);
    MPI_Offset at = ((MPI_Offset)r * size + rank) * kBlock;
    MPI_File_write_at(file, at, block, kBlock, MPI_BYTE, MPI_STATUS_IGNORE);
  }
  MPI_File_close(&file);
  MPI_File_open(MPI_COMM_WORLD, "rma_io.dat", MPI_MODE_RDONLY, MPI_INFO_NULL, &file);
  long letters = 0;
  for (int r = 0; r < reps; ++r) {
    MPI_Offset at = ((MPI_Offset)r * size + rank) * kBlock;
    MPI_File_read_at(file, at, block, kBlock, MPI_BYTE, MPI_STATUS_IGNORE);
    letters += block[kBlock - 1];
  }
  MPI_File_close(&file);
  long total = 0;
  MPI_Reduce(&letters, &total, 1, MPI_LONG, MPI_SUM, 0, MPI_COMM_WORLD);
  if (rank == 0) printf("rma_io: %d ranks, %d reps, window sum %ld, letters %ld\n", size, reps, sum, total);
  MPI_Finalize();
  return 0;
}
