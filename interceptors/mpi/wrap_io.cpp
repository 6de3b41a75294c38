// MPI-IO: files and the bytes each read and write moved.
#include "io_rma_records.h"
#include "wrap_common.h"

using namespace rondo::mpi;
using rondo::format::IoOperation;

namespace {

using ReadFn = int (*)(MPI_File, void*, int, MPI_Datatype, MPI_Status*);
using ReadAtFn = int (*)(MPI_File, MPI_Offset, void*, int, MPI_Datatype, MPI_Status*);
using WriteFn = int (*)(MPI_File, const void*, int, MPI_Datatype, MPI_Status*);
using WriteAtFn = int (*)(MPI_File, MPI_Offset, const void*, int, MPI_Datatype, MPI_Status*);

template <typename F>
int file_io(uint32_t region_id, MPI_File file, IoOperation op, int count, MPI_Datatype type, MPI_Offset offset,
            MPI_Status* status, F&& fn) {
  Call call(region_id);
  MPI_Status local;
  MPI_Status* st = status_or(status, local);
  FileOperation operation(file, op, bytes(count, type), offset, call.on());
  int rc = real([&] { return fn(st); });
  operation.complete(rc, st, type);
  return rc;
}

}  // namespace

extern "C" {

int MPI_File_open(MPI_Comm comm, const char* filename, int amode, MPI_Info info, MPI_File* fh) {
  RONDO_MPI_REGION("MPI_File_open");
  Call call(rondo_region_id);
  int rc = real([&] { return PMPI_File_open(comm, filename, amode, info, fh); });
  if (rc == MPI_SUCCESS) file_opened(*fh, filename, amode, call.on());
  return rc;
}

int MPI_File_close(MPI_File* fh) {
  RONDO_MPI_REGION("MPI_File_close");
  Call call(rondo_region_id);
  MPI_File handle = *fh;
  int rc = real([&] { return PMPI_File_close(fh); });
  if (rc == MPI_SUCCESS) file_closed(handle, call.on());
  return rc;
}

#define RONDO_MPI_FILE_READ(name, op)                                                                        \
  int name(MPI_File fh, void* buf, int count, MPI_Datatype type, MPI_Status* status) {                      \
    RONDO_MPI_REGION(#name);                                                                                 \
    return file_io(rondo_region_id, fh, op, count, type, -1, status,                                         \
                   [&](MPI_Status* st) { return P##name(fh, buf, count, type, st); });                       \
  }
#define RONDO_MPI_FILE_READ_AT(name, op)                                                                     \
  int name(MPI_File fh, MPI_Offset offset, void* buf, int count, MPI_Datatype type, MPI_Status* status) {   \
    RONDO_MPI_REGION(#name);                                                                                 \
    return file_io(rondo_region_id, fh, op, count, type, offset, status,                                     \
                   [&](MPI_Status* st) { return P##name(fh, offset, buf, count, type, st); });               \
  }
#define RONDO_MPI_FILE_WRITE(name, op)                                                                       \
  int name(MPI_File fh, const void* buf, int count, MPI_Datatype type, MPI_Status* status) {                \
    RONDO_MPI_REGION(#name);                                                                                 \
    return file_io(rondo_region_id, fh, op, count, type, -1, status,                                         \
                   [&](MPI_Status* st) { return P##name(fh, buf, count, type, st); });                       \
  }
#define RONDO_MPI_FILE_WRITE_AT(name, op)                                                                    \
  int name(MPI_File fh, MPI_Offset offset, const void* buf, int count, MPI_Datatype type, MPI_Status* status) { \
    RONDO_MPI_REGION(#name);                                                                                 \
    return file_io(rondo_region_id, fh, op, count, type, offset, status,                                     \
                   [&](MPI_Status* st) { return P##name(fh, offset, buf, count, type, st); });               \
  }

RONDO_MPI_FILE_READ(MPI_File_read, IoOperation::Read)
RONDO_MPI_FILE_READ(MPI_File_read_all, IoOperation::Read)
RONDO_MPI_FILE_READ_AT(MPI_File_read_at, IoOperation::Read)
RONDO_MPI_FILE_READ_AT(MPI_File_read_at_all, IoOperation::Read)
RONDO_MPI_FILE_WRITE(MPI_File_write, IoOperation::Write)
RONDO_MPI_FILE_WRITE(MPI_File_write_all, IoOperation::Write)
RONDO_MPI_FILE_WRITE_AT(MPI_File_write_at, IoOperation::Write)
RONDO_MPI_FILE_WRITE_AT(MPI_File_write_at_all, IoOperation::Write)

RONDO_MPI_PLAIN(MPI_File_seek, (MPI_File fh, MPI_Offset offset, int whence), (fh, offset, whence))
RONDO_MPI_PLAIN(MPI_File_sync, (MPI_File fh), (fh))
RONDO_MPI_PLAIN(MPI_File_set_view,
                (MPI_File fh, MPI_Offset disp, MPI_Datatype etype, MPI_Datatype filetype, const char* datarep,
                 MPI_Info info),
                (fh, disp, etype, filetype, datarep, info))

}  // extern "C"
