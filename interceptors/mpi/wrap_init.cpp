// MPI_Init, MPI_Init_thread, MPI_Finalize, MPI_Abort.
#include "call_site_names.h"
#include "wrap_common.h"

#include "rondo/trace/extra_locations.h"

using namespace rondo::mpi;

namespace {
__attribute__((constructor)) void rondo_mpi_module_init() {
  if (rondo::trace::start()) rondo::interpose::register_call_site_names();
}
}  // namespace

extern "C" {

int MPI_Init(int* argc, char*** argv) {
  RONDO_MPI_REGION("MPI_Init");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Init(argc, argv); });
  if (rc == MPI_SUCCESS) after_init();
  return rc;
}

int MPI_Init_thread(int* argc, char*** argv, int required, int* provided) {
  RONDO_MPI_REGION("MPI_Init_thread");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Init_thread(argc, argv, required, provided); });
  if (rc == MPI_SUCCESS) after_init();
  return rc;
}

int MPI_Finalize(void) {
  RONDO_MPI_REGION("MPI_Finalize");
  Call call(rondo_region_id);
  before_finalize();
  rondo::trace::run_flush_hooks();  // GPU activity reaches the trace before the job may end
  return real([&] { return PMPI_Finalize(); });
}

int MPI_Abort(MPI_Comm comm, int errorcode) {
  RONDO_MPI_REGION("MPI_Abort");
  {
    Call call(rondo_region_id);
  }
  // The job is about to be taken down: write everything now, with the call to
  // MPI_Abort as the last event.
  before_abort();
  return PMPI_Abort(comm, errorcode);
}

}  // extern "C"
