/* A C program calling a Fortran binding that its MPI Fortran library would
 * provide, without that library being loaded: under `rondo record` the name
 * resolves to Rondo's wrapper, which finds no original behind it. It must say
 * so once, stop recording, and fail the call with MPI_ERR_INTERN (never run the
 * C function in its place).
 *
 * Usage: fortran_missing   (1 rank) */
#include <dlfcn.h>
#include <mpi.h>
#include <stdio.h>

typedef void (*comm_rank_f)(MPI_Fint *comm, MPI_Fint *rank, MPI_Fint *ierror);

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  comm_rank_f fn = (comm_rank_f)dlsym(RTLD_DEFAULT, "mpi_comm_rank_");
  if (!fn) {
    printf("fortran_missing: no mpi_comm_rank_ in this process\n");
    MPI_Finalize();
    return 2;
  }
  MPI_Fint comm = MPI_Comm_c2f(MPI_COMM_WORLD), rank = -1, ierror = MPI_SUCCESS;
  for (int i = 0; i < 2; ++i) fn(&comm, &rank, &ierror);
  printf("fortran_missing: ierror %d, MPI_ERR_INTERN %d, rank %d\n", (int)ierror, MPI_ERR_INTERN, (int)rank);
  MPI_Finalize();
  return 0;
}
