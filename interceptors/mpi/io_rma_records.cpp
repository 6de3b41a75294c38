#include "io_rma_records.h"

#include <fcntl.h>

#include <mutex>
#include <unordered_map>

#include "mpi_tracking.h"
#include "rondo/trace/runtime.h"

namespace rondo::mpi {

using format::EventKey;
using format::EventKind;

namespace {

constexpr uint32_t kMpiIoParadigm = 2;  // FORMAT.md, IoHandle definition

// Open files: MPI_File -> I/O handle id. Opens and closes are rare and every
// operation does real I/O, so one mutex costs nothing that shows.
struct Files {
  std::mutex mutex;
  std::unordered_map<MPI_File, uint32_t> ids;
};
Files& files() {
  static Files* f = new Files;  // never destroyed: wrappers may run during exit
  return *f;
}

bool lookup(MPI_File file, uint32_t& id) {
  std::lock_guard lock(files().mutex);
  auto it = files().ids.find(file);
  if (it == files().ids.end()) return false;
  id = it->second;
  return true;
}

// MPI_MODE_* as the POSIX open flags IO_CREATE_HANDLE holds for every paradigm.
int64_t open_flags(int amode) {
  int64_t flags = (amode & MPI_MODE_RDWR) ? O_RDWR : (amode & MPI_MODE_WRONLY) ? O_WRONLY : O_RDONLY;
  if (amode & MPI_MODE_CREATE) flags |= O_CREAT;
  if (amode & MPI_MODE_EXCL) flags |= O_EXCL;
  if (amode & MPI_MODE_APPEND) flags |= O_APPEND;
  return flags;
}

}  // namespace

void file_opened(MPI_File file, const char* path, int amode, bool record) {
  uint32_t id = trace::define_io_handle(path ? path : "", kMpiIoParadigm);
  {
    std::lock_guard lock(files().mutex);
    files().ids[file] = id;
  }
  if (record) record_in_call(EventKey{EventKind::IoCreateHandle, id, {open_flags(amode)}}, nullptr);
}

void file_closed(MPI_File file, bool record) {
  uint32_t id = 0;
  {
    std::lock_guard lock(files().mutex);
    auto it = files().ids.find(file);
    if (it == files().ids.end()) return;
    id = it->second;
    files().ids.erase(it);
  }
  if (record) record_in_call(EventKey{EventKind::IoDestroyHandle, id, {}}, nullptr);
}

FileOperation::FileOperation(MPI_File file, format::IoOperation op, int64_t requested, int64_t offset, bool record)
    : op_(op) {
  if (!record || !lookup(file, handle_)) return;
  on_ = true;
  const int64_t data[2] = {requested, offset};
  record_in_call(EventKey{EventKind::IoOperationBegin, handle_, {static_cast<int64_t>(op_)}}, data);
}

void FileOperation::complete(int rc, const MPI_Status* status, MPI_Datatype type) {
  if (!on_) return;
  int64_t done = -1;
  if (rc == MPI_SUCCESS) {
    int count = 0;
    done = PMPI_Get_count(status, type, &count) == MPI_SUCCESS && count != MPI_UNDEFINED ? bytes(count, type) : 0;
  }
  record_in_call(EventKey{EventKind::IoOperationComplete, handle_, {static_cast<int64_t>(op_)}}, &done);
}

void record_rma_sync(MPI_Win win, format::RmaSyncKind kind) {
  record_in_call(EventKey{EventKind::RmaSync, 0, {window_id(win), static_cast<int64_t>(kind)}}, nullptr);
}

}  // namespace rondo::mpi
