/* Every name a Fortran binding is exported under, called from C: the MPI
 * Fortran libraries are loaded with dlopen (RTLD_GLOBAL), and each name is
 * looked up in the whole process, which under `rondo record` finds Rondo's
 * wrapper first. Rank 0 sends one message through each of mpi_send, mpi_send_,
 * mpi_send__, MPI_SEND and mpi_send_f08_ (the last with no ierror, as an mpi_f08
 * caller omitting it); rank 1 receives each through the same spelling of
 * mpi_recv. Message i carries i + 1 INTEGERs with tag i.
 *
 * Usage: fortran_names LIBMPI_MPIFH LIBMPI_USEMPIF08   (2 ranks) */
#include <dlfcn.h>
#include <mpi.h>
#include <stdio.h>
#include <string.h>

typedef void (*send_f)(void *buf, MPI_Fint *count, MPI_Fint *type, MPI_Fint *dest, MPI_Fint *tag, MPI_Fint *comm,
                       MPI_Fint *ierror);
typedef void (*recv_f)(void *buf, MPI_Fint *count, MPI_Fint *type, MPI_Fint *source, MPI_Fint *tag, MPI_Fint *comm,
                       MPI_Fint *status, MPI_Fint *ierror);

int main(int argc, char **argv) {
  MPI_Init(&argc, &argv);
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (argc < 3 || size != 2) {
    fprintf(stderr, "usage: fortran_names LIBMPI_MPIFH LIBMPI_USEMPIF08, on 2 ranks\n");
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  for (int i = 1; i <= 2; ++i)
    if (!dlopen(argv[i], RTLD_NOW | RTLD_GLOBAL)) {
      fprintf(stderr, "fortran_names: %s\n", dlerror());
      MPI_Abort(MPI_COMM_WORLD, 2);
    }
  const char *sends[] = {"mpi_send", "mpi_send_", "mpi_send__", "MPI_SEND", "mpi_send_f08_"};
  const char *recvs[] = {"mpi_recv", "mpi_recv_", "mpi_recv__", "MPI_RECV", "mpi_recv_f08_"};
  MPI_Fint comm = MPI_Comm_c2f(MPI_COMM_WORLD), type = MPI_Type_c2f(MPI_INT);
  MPI_Fint buf[8], status[sizeof(MPI_Status) / sizeof(MPI_Fint)];
  int errors = 0;
  for (int i = 0; i < 5; ++i) {
    int f08 = strstr(sends[i], "f08") != NULL;
    MPI_Fint count = i + 1, tag = i, peer = 1 - rank, ierror = -1;
    if (rank == 0) {
      send_f fn = (send_f)dlsym(RTLD_DEFAULT, sends[i]);
      if (!fn) {
        fprintf(stderr, "fortran_names: no %s\n", sends[i]);
        MPI_Abort(MPI_COMM_WORLD, 2);
      }
      for (int k = 0; k < 8; ++k) buf[k] = 100 * i + k;
      fn(buf, &count, &type, &peer, &tag, &comm, f08 ? NULL : &ierror);
      if (!f08 && ierror != MPI_SUCCESS) ++errors;
    } else {
      recv_f fn = (recv_f)dlsym(RTLD_DEFAULT, recvs[i]);
      if (!fn) {
        fprintf(stderr, "fortran_names: no %s\n", recvs[i]);
        MPI_Abort(MPI_COMM_WORLD, 2);
      }
      memset(buf, 0, sizeof buf);
      fn(buf, &count, &type, &peer, &tag, &comm, status, f08 ? NULL : &ierror);
      if ((!f08 && ierror != MPI_SUCCESS) || buf[i] != 100 * i + i) ++errors;
    }
  }
  if (errors) fprintf(stderr, "fortran_names: rank %d: %d errors\n", rank, errors);
  if (rank == 0) printf("fortran_names: 5 spellings\n");
  MPI_Finalize();
  return errors ? 1 : 0;
}
