// Records of MPI-IO and of one-sided synchronisation, in the shapes the I/O
// module gives POSIX files (FORMAT.md, "I/O records", paradigm 2 MPI-IO) and
// the RMA_SYNC record (FORMAT.md, "RMA synchronisation kinds").
#pragma once

#include <mpi.h>

#include <cstdint>

#include "rondo/format/records.h"

namespace rondo::mpi {

// A file opened by MPI_File_open (after the real call succeeded): defines its
// I/O handle and records IO_CREATE_HANDLE with the access mode as POSIX open
// flags. `record`: the call is recorded (Call::on()).
void file_opened(MPI_File file, const char* path, int amode, bool record);
// MPI_File_close: IO_DESTROY_HANDLE of the file opened as `file` (taken before
// the real call resets the caller's handle).
void file_closed(MPI_File file, bool record);

// One data operation on a file: IO_OPERATION_BEGIN (bytes requested, file
// offset or -1) at the call's entry, IO_OPERATION_COMPLETE (bytes transferred,
// -1 on failure) at its exit. Nothing for a file not opened through the wrappers.
class FileOperation {
 public:
  FileOperation(MPI_File file, format::IoOperation op, int64_t requested, int64_t offset, bool record);
  // After the real call: `rc` its result, `status` what it transferred.
  void complete(int rc, const MPI_Status* status, MPI_Datatype type);

 private:
  uint32_t handle_ = 0;
  format::IoOperation op_;
  bool on_ = false;
};

// A completed synchronisation call on `win` (MPI_Win_fence, _lock, _flush, ...).
void record_rma_sync(MPI_Win win, format::RmaSyncKind kind);

}  // namespace rondo::mpi
