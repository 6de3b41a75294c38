/* Preloaded into the ranks of a test job: gethostname() answers
 * "rondo-test-host-<rank>", so every rank looks like it runs on a host of its
 * own and the MPI module measures clock offsets by ping-pong instead of taking
 * 0 for ranks that share rank 0's host. Processes that are not ranks (mpirun,
 * its daemons, rondo itself) get the real name. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int gethostname(char *name, size_t len) {
  const char *rank = getenv("OMPI_COMM_WORLD_RANK");
  if (!rank || !*rank) {
    int (*real)(char *, size_t) = (int (*)(char *, size_t))dlsym(RTLD_NEXT, "gethostname");
    return real ? real(name, len) : -1;
  }
  if (len == 0) return -1;
  snprintf(name, len, "rondo-test-host-%s", rank);
  return 0;
}
