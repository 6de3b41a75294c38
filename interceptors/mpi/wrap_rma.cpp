// One-sided communication: windows, transfers and synchronisation.
#include "io_rma_records.h"
#include "wrap_common.h"

using namespace rondo::mpi;
using rondo::format::EventKind;

extern "C" {

int MPI_Win_create(void* base, MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, MPI_Win* win) {
  RONDO_MPI_REGION("MPI_Win_create");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Win_create(base, size, disp_unit, info, comm, win); });
  if (rc == MPI_SUCCESS) window_created(*win);
  return rc;
}

int MPI_Win_allocate(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void* baseptr, MPI_Win* win) {
  RONDO_MPI_REGION("MPI_Win_allocate");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Win_allocate(size, disp_unit, info, comm, baseptr, win); });
  if (rc == MPI_SUCCESS) window_created(*win);
  return rc;
}

int MPI_Win_allocate_shared(MPI_Aint size, int disp_unit, MPI_Info info, MPI_Comm comm, void* baseptr, MPI_Win* win) {
  RONDO_MPI_REGION("MPI_Win_allocate_shared");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Win_allocate_shared(size, disp_unit, info, comm, baseptr, win); });
  if (rc == MPI_SUCCESS) window_created(*win);
  return rc;
}

int MPI_Win_create_dynamic(MPI_Info info, MPI_Comm comm, MPI_Win* win) {
  RONDO_MPI_REGION("MPI_Win_create_dynamic");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_Win_create_dynamic(info, comm, win); });
  if (rc == MPI_SUCCESS) window_created(*win);
  return rc;
}

RONDO_MPI_PLAIN(MPI_Win_free, (MPI_Win * win), (win))

int MPI_Put(const void* origin, int origin_count, MPI_Datatype origin_type, int target, MPI_Aint target_disp,
            int target_count, MPI_Datatype target_type, MPI_Win win) {
  RONDO_MPI_REGION("MPI_Put");
  Call call(rondo_region_id);
  if (call.on()) record_rma(EventKind::RmaPut, target, win, bytes(origin_count, origin_type));
  return real([&] {
    return PMPI_Put(origin, origin_count, origin_type, target, target_disp, target_count, target_type, win);
  });
}

int MPI_Get(void* origin, int origin_count, MPI_Datatype origin_type, int target, MPI_Aint target_disp,
            int target_count, MPI_Datatype target_type, MPI_Win win) {
  RONDO_MPI_REGION("MPI_Get");
  Call call(rondo_region_id);
  if (call.on()) record_rma(EventKind::RmaGet, target, win, bytes(origin_count, origin_type));
  return real([&] {
    return PMPI_Get(origin, origin_count, origin_type, target, target_disp, target_count, target_type, win);
  });
}

int MPI_Accumulate(const void* origin, int origin_count, MPI_Datatype origin_type, int target, MPI_Aint target_disp,
                   int target_count, MPI_Datatype target_type, MPI_Op op, MPI_Win win) {
  RONDO_MPI_REGION("MPI_Accumulate");
  Call call(rondo_region_id);
  if (call.on()) record_rma(EventKind::RmaAccumulate, target, win, bytes(origin_count, origin_type));
  return real([&] {
    return PMPI_Accumulate(origin, origin_count, origin_type, target, target_disp, target_count, target_type, op, win);
  });
}

// A synchronisation call: recorded as its region, with an RMA_SYNC record of
// `kind` on `win` when it returns.
#define RONDO_MPI_RMA_SYNC(name, kind, params, args, win)              \
  int name params {                                                   \
    RONDO_MPI_REGION(#name);                                          \
    Call call(rondo_region_id);                                       \
    int rc = real([&] { return P##name args; });                      \
    if (call.on() && rc == MPI_SUCCESS) record_rma_sync(win, kind);   \
    return rc;                                                        \
  }

using rondo::format::RmaSyncKind;
RONDO_MPI_RMA_SYNC(MPI_Win_fence, RmaSyncKind::Fence, (int assert_flags, MPI_Win win), (assert_flags, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_lock, RmaSyncKind::Lock, (int lock_type, int rank, int assert_flags, MPI_Win win),
                   (lock_type, rank, assert_flags, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_unlock, RmaSyncKind::Unlock, (int rank, MPI_Win win), (rank, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_lock_all, RmaSyncKind::LockAll, (int assert_flags, MPI_Win win), (assert_flags, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_unlock_all, RmaSyncKind::UnlockAll, (MPI_Win win), (win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_flush, RmaSyncKind::Flush, (int rank, MPI_Win win), (rank, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_flush_all, RmaSyncKind::FlushAll, (MPI_Win win), (win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_flush_local, RmaSyncKind::FlushLocal, (int rank, MPI_Win win), (rank, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_flush_local_all, RmaSyncKind::FlushLocalAll, (MPI_Win win), (win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_sync, RmaSyncKind::Sync, (MPI_Win win), (win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_post, RmaSyncKind::Post, (MPI_Group group, int assert_flags, MPI_Win win),
                   (group, assert_flags, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_start, RmaSyncKind::Start, (MPI_Group group, int assert_flags, MPI_Win win),
                   (group, assert_flags, win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_complete, RmaSyncKind::Complete, (MPI_Win win), (win), win)
RONDO_MPI_RMA_SYNC(MPI_Win_wait, RmaSyncKind::Wait, (MPI_Win win), (win), win)

}  // extern "C"
