// Datatypes. The wrappers cache each datatype's size per thread
// (handle_cache.h); MPI may give a freed datatype's handle to the next one
// created, so freeing one invalidates those caches. MPI_Type_free is not
// recorded as a region (only the calls that move data are).
#include "handle_cache.h"
#include "wrap_common.h"

using namespace rondo::mpi;

extern "C" int MPI_Type_free(MPI_Datatype* type) {
  handles_freed();
  int rc = PMPI_Type_free(type);
  handles_freed();
  return rc;
}
