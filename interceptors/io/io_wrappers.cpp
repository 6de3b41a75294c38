// The io module (librondo-io.so): POSIX I/O on file descriptors and ISO C stream
// I/O, recorded as regions named after the function (the *64 variants, which are
// the same functions on 64-bit Linux, under the name without "64"), with I/O
// events on a handle per file:
//   open, openat, creat, fopen, fdopen     IO_CREATE_HANDLE (p0: open flags)
//   close, fclose                          IO_DESTROY_HANDLE
//   read, pread, readv, fread              IO_OPERATION_BEGIN (op read, d0 bytes asked,
//   write, pwrite, writev, fwrite            d1 offset or -1) and IO_OPERATION_COMPLETE
//   lseek, fsync, fdatasync, fflush          (d0 bytes transferred, -1: failure)
// A handle is defined once per path and paradigm (POSIX or ISO C), so reopening
// a file refers to the same handle; descriptors the program did not open through
// these functions (stdin, pipes, sockets, inherited ones) get one named after
// what /proc/self/fd says they are.
//
// Not recorded: I/O of runtime libraries for their own purposes (interpose.h:
// Rondo's trace files, OpenMP and MPI libraries), I/O inside another intercepted
// call (MPI-IO, which the MPI module records), and stdio functions other than
// those above (printf, fputs, ...; the writes they make inside the C library do
// not go through the interposed symbols).
#undef _FORTIFY_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>

#include "module.h"
#include "rondo/format/records.h"
#include "rondo/trace/runtime.h"

namespace {

using rondo::format::EventKey;
using rondo::format::EventKind;
using rondo::format::IoOperation;
using rondo::interpose::Real;
namespace trace = rondo::trace;

constexpr uint32_t kPosix = 0, kIsoC = 1;  // IoHandle paradigms (FORMAT.md)

enum RegionIndex : int {
  kOpen, kOpenat, kCreat, kClose, kRead, kWrite, kPread, kPwrite, kReadv, kWritev, kLseek, kFsync, kFdatasync,
  kFopen, kFdopen, kFclose, kFread, kFwrite, kFflush,
  kRegionCount
};
const char* const kRegionNames[kRegionCount] = {
    "open", "openat", "creat", "close", "read", "write", "pread", "pwrite", "readv", "writev", "lseek", "fsync",
    "fdatasync", "fopen", "fdopen", "fclose", "fread", "fwrite", "fflush",
};
rondo::interpose::Module<kRegionCount> g_module(kRegionNames, rondo::format::RegionRole::Io);

inline bool active(const void* caller) { return g_module.active(caller); }

using Region = rondo::interpose::ModuleRegion<g_module>;

using rondo::interpose::inside;

// ---------------------------------------------------------------------------
// Handles

class SpinLock {
 public:
  void lock() {
    while (flag_.exchange(true, std::memory_order_acquire))
      while (flag_.load(std::memory_order_relaxed)) {
      }
  }
  void unlock() { flag_.store(false, std::memory_order_release); }
  void reset() { flag_.store(false); }

 private:
  std::atomic<bool> flag_{false};
};

SpinLock g_handles_lock;
std::unordered_map<std::string, uint32_t>* g_handles[2];  // per paradigm: path -> handle id

// Rondo's own work (the path strings, the table, the definition) runs as an
// intercepted call, so that the memory module never records its allocations as
// the application's: callers build the path inside inside() too.
uint32_t handle_for(const std::string& path, uint32_t paradigm) {
  trace::InsideCall call;  // allocations, the runtime's mutex
  g_handles_lock.lock();
  auto& map = *g_handles[paradigm];
  auto it = map.find(path);
  if (it != map.end()) {
    uint32_t id = it->second;
    g_handles_lock.unlock();
    return id;
  }
  g_handles_lock.unlock();
  uint32_t id = trace::define_io_handle(path, paradigm);
  g_handles_lock.lock();
  auto [slot, inserted] = map.try_emplace(path, id);
  id = slot->second;  // another thread may have defined it meanwhile: keep one
  g_handles_lock.unlock();
  return id;
}

// Descriptor -> handle id + 1 (0: unknown), per paradigm; stdio streams are
// found through their descriptor.
constexpr int kMaxFd = 1 << 16;
std::atomic<uint32_t> g_fd_handle[2][kMaxFd];

std::string absolute(const char* path, int dirfd = AT_FDCWD) {
  if (!path) return "";
  if (path[0] == '/') return path;
  char base[4096];
  if (dirfd == AT_FDCWD) {
    if (!getcwd(base, sizeof base)) return path;
  } else {
    char link[64];
    std::snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
    ssize_t n = readlink(link, base, sizeof base - 1);
    if (n <= 0) return path;
    base[n] = '\0';
  }
  std::string out = base;
  if (out.empty() || out.back() != '/') out += '/';
  return out + path;
}

std::string describe_fd(int fd) {
  if (fd == 0) return "<stdin>";
  if (fd == 1) return "<stdout>";
  if (fd == 2) return "<stderr>";
  char link[64], target[4096];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return "<fd " + std::to_string(fd) + ">";
  target[n] = '\0';
  return target;
}

void bind_fd(int fd, uint32_t paradigm, uint32_t handle) {
  if (fd >= 0 && fd < kMaxFd) g_fd_handle[paradigm][fd].store(handle + 1, std::memory_order_relaxed);
}

void unbind_fd(int fd, uint32_t paradigm) {
  if (fd >= 0 && fd < kMaxFd) g_fd_handle[paradigm][fd].store(0, std::memory_order_relaxed);
}

// The handle of a descriptor, defined from /proc/self/fd when it is not known.
uint32_t handle_of(int fd, uint32_t paradigm) {
  if (fd >= 0 && fd < kMaxFd) {
    uint32_t h = g_fd_handle[paradigm][fd].load(std::memory_order_relaxed);
    if (h) return h - 1;
  }
  uint32_t h;
  {
    trace::InsideCall call;
    h = handle_for(describe_fd(fd), paradigm);
  }
  bind_fd(fd, paradigm, h);
  return h;
}

uint32_t handle_of(FILE* f) {
  int fd = f ? fileno(f) : -1;
  return handle_of(fd, kIsoC);
}

void io_event(EventKind kind, uint32_t handle, int64_t p0, const int64_t* data) {
  EventKey key{kind, handle, {p0}};
  trace::record_event(key, data);
}

void created(uint32_t handle, int64_t flags) { io_event(EventKind::IoCreateHandle, handle, flags, nullptr); }
void destroyed(uint32_t handle) { io_event(EventKind::IoDestroyHandle, handle, 0, nullptr); }

// One data operation: begin before the real call, complete after.
class Operation {
 public:
  Operation(uint32_t handle, IoOperation op, int64_t requested, int64_t offset) : handle_(handle), op_(op) {
    int64_t data[2] = {requested, offset};
    io_event(EventKind::IoOperationBegin, handle_, static_cast<int64_t>(op_), data);
  }
  void complete(int64_t transferred) {
    io_event(EventKind::IoOperationComplete, handle_, static_cast<int64_t>(op_), &transferred);
  }

 private:
  uint32_t handle_;
  IoOperation op_;
};

int64_t iov_bytes(const struct iovec* iov, int count) {
  int64_t n = 0;
  for (int i = 0; iov && i < count; ++i) n += static_cast<int64_t>(iov[i].iov_len);
  return n;
}

// open() flags of an fopen() mode string.
int64_t mode_flags(const char* mode) {
  if (!mode) return 0;
  bool plus = std::strchr(mode, '+') != nullptr;
  switch (mode[0]) {
    case 'r': return plus ? O_RDWR : O_RDONLY;
    case 'w': return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC;
    case 'a': return (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
    default: return 0;
  }
}

bool has_mode_argument(int flags) {
#ifdef O_TMPFILE
  if ((flags & O_TMPFILE) == O_TMPFILE) return true;
#endif
  return (flags & O_CREAT) != 0;
}

// ---------------------------------------------------------------------------
// Shared bodies

template <typename Real>
int do_open(RegionIndex region, const void* caller, Real&& real, const char* path, int dirfd, int flags) {
  if (!active(caller)) {
    int fd = real();
    if (fd >= 0) unbind_fd(fd, kPosix);
    return fd;
  }
  Region r(region);
  int fd = inside(real);
  if (fd >= 0) {
    uint32_t h = inside([&] { return handle_for(absolute(path, dirfd), kPosix); });
    bind_fd(fd, kPosix, h);
    created(h, flags);
  }
  return fd;
}

template <typename Real>
ssize_t do_transfer(RegionIndex region, const void* caller, IoOperation op, int fd, int64_t requested,
                    int64_t offset, Real&& real) {
  if (!active(caller)) return real();
  Region r(region);
  Operation o(handle_of(fd, kPosix), op, requested, offset);
  ssize_t n = inside(real);
  int saved = errno;
  o.complete(n < 0 ? -1 : static_cast<int64_t>(n));
  errno = saved;
  return n;
}

template <typename Real>
int do_sync(RegionIndex region, const void* caller, int fd, Real&& real) {
  if (!active(caller)) return real();
  Region r(region);
  Operation o(handle_of(fd, kPosix), IoOperation::Sync, 0, -1);
  int rc = inside(real);
  int saved = errno;
  o.complete(rc == 0 ? 0 : -1);
  errno = saved;
  return rc;
}

template <typename Real>
off_t do_seek(const void* caller, int fd, off_t offset, Real&& real) {
  if (!active(caller)) return real();
  Region r(kLseek);
  Operation o(handle_of(fd, kPosix), IoOperation::Seek, 0, static_cast<int64_t>(offset));
  off_t pos = inside(real);
  int saved = errno;
  o.complete(pos < 0 ? -1 : 0);
  errno = saved;
  return pos;
}

template <typename Real>
FILE* do_fopen(RegionIndex region, const void* caller, const char* path, const char* mode, Real&& real) {
  if (!active(caller)) {
    FILE* f = real();
    if (f) unbind_fd(fileno(f), kIsoC);
    return f;
  }
  Region r(region);
  FILE* f = inside(real);
  if (f) {
    int saved = errno;
    uint32_t h = path ? inside([&] { return handle_for(absolute(path), kIsoC); }) : handle_of(fileno(f), kIsoC);
    bind_fd(fileno(f), kIsoC, h);
    created(h, mode_flags(mode));
    errno = saved;
  }
  return f;
}

// ---------------------------------------------------------------------------
// Start-up

__attribute__((constructor)) void rondo_io_init() {
  g_module.start([] {
    g_handles[kPosix] = new std::unordered_map<std::string, uint32_t>;
    g_handles[kIsoC] = new std::unordered_map<std::string, uint32_t>;
    // A fork()ed child has only the forking thread: a lock another thread held is free.
    pthread_atfork(nullptr, nullptr, [] { g_handles_lock.reset(); });
  });
}

}  // namespace

// ---------------------------------------------------------------------------
// The wrappers

#define REAL(name, type) static Real<type> real(#name)

extern "C" {

// --- descriptors: open and close -----------------------------------------------

#define OPEN_WRAPPER(name)                                                                \
  int name(const char* path, int flags, ...) {                                            \
    REAL(name, int (*)(const char*, int, ...));                                           \
    mode_t mode = 0;                                                                      \
    if (has_mode_argument(flags)) {                                                       \
      va_list ap;                                                                         \
      va_start(ap, flags);                                                                \
      mode = static_cast<mode_t>(va_arg(ap, int));                                        \
      va_end(ap);                                                                         \
    }                                                                                     \
    auto f = real.get();                                                                  \
    if (!f) {                                                                             \
      errno = ENOSYS;                                                                     \
      return -1;                                                                          \
    }                                                                                     \
    return do_open(kOpen, CALLER, [&] { return f(path, flags, mode); }, path, AT_FDCWD, flags); \
  }
OPEN_WRAPPER(open)
OPEN_WRAPPER(open64)

#define OPENAT_WRAPPER(name)                                                                    \
  int name(int dirfd, const char* path, int flags, ...) {                                       \
    REAL(name, int (*)(int, const char*, int, ...));                                            \
    mode_t mode = 0;                                                                            \
    if (has_mode_argument(flags)) {                                                             \
      va_list ap;                                                                               \
      va_start(ap, flags);                                                                      \
      mode = static_cast<mode_t>(va_arg(ap, int));                                              \
      va_end(ap);                                                                               \
    }                                                                                           \
    auto f = real.get();                                                                        \
    if (!f) {                                                                                   \
      errno = ENOSYS;                                                                           \
      return -1;                                                                                \
    }                                                                                           \
    return do_open(kOpenat, CALLER, [&] { return f(dirfd, path, flags, mode); }, path, dirfd, flags); \
  }
OPENAT_WRAPPER(openat)
OPENAT_WRAPPER(openat64)

#define CREAT_WRAPPER(name)                                                                         \
  int name(const char* path, mode_t mode) {                                                         \
    REAL(name, int (*)(const char*, mode_t));                                                       \
    auto f = real.get();                                                                            \
    return do_open(kCreat, CALLER, [&] { return f(path, mode); }, path, AT_FDCWD,                   \
                   O_CREAT | O_WRONLY | O_TRUNC);                                                   \
  }
CREAT_WRAPPER(creat)
CREAT_WRAPPER(creat64)

int close(int fd) {
  REAL(close, int (*)(int));
  auto f = real.get();
  if (!active(CALLER)) {
    unbind_fd(fd, kPosix);
    return f(fd);
  }
  Region r(kClose);
  uint32_t h = fd >= 0 && fd < kMaxFd ? g_fd_handle[kPosix][fd].load(std::memory_order_relaxed) : 0;
  if (h) destroyed(h - 1);
  unbind_fd(fd, kPosix);
  return inside([&] { return f(fd); });
}

// --- descriptors: data --------------------------------------------------------------

ssize_t read(int fd, void* buf, size_t n) {
  REAL(read, ssize_t (*)(int, void*, size_t));
  auto f = real.get();
  return do_transfer(kRead, CALLER, IoOperation::Read, fd, static_cast<int64_t>(n), -1,
                     [&] { return f(fd, buf, n); });
}

ssize_t write(int fd, const void* buf, size_t n) {
  REAL(write, ssize_t (*)(int, const void*, size_t));
  auto f = real.get();
  return do_transfer(kWrite, CALLER, IoOperation::Write, fd, static_cast<int64_t>(n), -1,
                     [&] { return f(fd, buf, n); });
}

#define PREAD_WRAPPER(name, off_type)                                                          \
  ssize_t name(int fd, void* buf, size_t n, off_type offset) {                                 \
    REAL(name, ssize_t (*)(int, void*, size_t, off_type));                                     \
    auto f = real.get();                                                                       \
    return do_transfer(kPread, CALLER, IoOperation::Read, fd, static_cast<int64_t>(n),         \
                       static_cast<int64_t>(offset), [&] { return f(fd, buf, n, offset); });   \
  }
PREAD_WRAPPER(pread, off_t)
PREAD_WRAPPER(pread64, off64_t)

#define PWRITE_WRAPPER(name, off_type)                                                         \
  ssize_t name(int fd, const void* buf, size_t n, off_type offset) {                           \
    REAL(name, ssize_t (*)(int, const void*, size_t, off_type));                               \
    auto f = real.get();                                                                       \
    return do_transfer(kPwrite, CALLER, IoOperation::Write, fd, static_cast<int64_t>(n),       \
                       static_cast<int64_t>(offset), [&] { return f(fd, buf, n, offset); });   \
  }
PWRITE_WRAPPER(pwrite, off_t)
PWRITE_WRAPPER(pwrite64, off64_t)

ssize_t readv(int fd, const struct iovec* iov, int count) {
  REAL(readv, ssize_t (*)(int, const struct iovec*, int));
  auto f = real.get();
  return do_transfer(kReadv, CALLER, IoOperation::Read, fd, iov_bytes(iov, count), -1,
                     [&] { return f(fd, iov, count); });
}

ssize_t writev(int fd, const struct iovec* iov, int count) {
  REAL(writev, ssize_t (*)(int, const struct iovec*, int));
  auto f = real.get();
  return do_transfer(kWritev, CALLER, IoOperation::Write, fd, iov_bytes(iov, count), -1,
                     [&] { return f(fd, iov, count); });
}

off_t lseek(int fd, off_t offset, int whence) {
  REAL(lseek, off_t (*)(int, off_t, int));
  auto f = real.get();
  return do_seek(CALLER, fd, offset, [&] { return f(fd, offset, whence); });
}

off64_t lseek64(int fd, off64_t offset, int whence) {
  REAL(lseek64, off64_t (*)(int, off64_t, int));
  auto f = real.get();
  return do_seek(CALLER, fd, offset, [&] { return f(fd, offset, whence); });
}

int fsync(int fd) {
  REAL(fsync, int (*)(int));
  auto f = real.get();
  return do_sync(kFsync, CALLER, fd, [&] { return f(fd); });
}

int fdatasync(int fd) {
  REAL(fdatasync, int (*)(int));
  auto f = real.get();
  return do_sync(kFdatasync, CALLER, fd, [&] { return f(fd); });
}

// --- streams -------------------------------------------------------------------------------

FILE* fopen(const char* path, const char* mode) {
  REAL(fopen, FILE* (*)(const char*, const char*));
  auto f = real.get();
  return do_fopen(kFopen, CALLER, path, mode, [&] { return f(path, mode); });
}

FILE* fopen64(const char* path, const char* mode) {
  REAL(fopen64, FILE* (*)(const char*, const char*));
  auto f = real.get();
  return do_fopen(kFopen, CALLER, path, mode, [&] { return f(path, mode); });
}

FILE* fdopen(int fd, const char* mode) {
  REAL(fdopen, FILE* (*)(int, const char*));
  auto f = real.get();
  if (!active(CALLER)) return f(fd, mode);
  Region r(kFdopen);
  FILE* stream = inside([&] { return f(fd, mode); });
  if (stream) {
    int saved = errno;
    // The stream is the descriptor's file, seen through stdio.
    uint32_t h = inside([&] { return handle_for(describe_fd(fd), kIsoC); });
    bind_fd(fd, kIsoC, h);
    created(h, mode_flags(mode));
    errno = saved;
  }
  return stream;
}

int fclose(FILE* stream) {
  REAL(fclose, int (*)(FILE*));
  auto f = real.get();
  int fd = stream ? fileno(stream) : -1;
  if (!active(CALLER)) {
    unbind_fd(fd, kIsoC);
    unbind_fd(fd, kPosix);
    return f(stream);
  }
  Region r(kFclose);
  uint32_t h = fd >= 0 && fd < kMaxFd ? g_fd_handle[kIsoC][fd].load(std::memory_order_relaxed) : 0;
  if (h) destroyed(h - 1);
  unbind_fd(fd, kIsoC);
  unbind_fd(fd, kPosix);  // the descriptor is closed inside fclose, out of sight
  return inside([&] { return f(stream); });
}

size_t fread(void* ptr, size_t size, size_t count, FILE* stream) {
  REAL(fread, size_t (*)(void*, size_t, size_t, FILE*));
  auto f = real.get();
  if (!active(CALLER)) return f(ptr, size, count, stream);
  Region r(kFread);
  Operation o(handle_of(stream), IoOperation::Read, static_cast<int64_t>(size * count), -1);
  size_t n = inside([&] { return f(ptr, size, count, stream); });
  o.complete(static_cast<int64_t>(n * size));
  return n;
}

size_t fwrite(const void* ptr, size_t size, size_t count, FILE* stream) {
  REAL(fwrite, size_t (*)(const void*, size_t, size_t, FILE*));
  auto f = real.get();
  if (!active(CALLER)) return f(ptr, size, count, stream);
  Region r(kFwrite);
  Operation o(handle_of(stream), IoOperation::Write, static_cast<int64_t>(size * count), -1);
  size_t n = inside([&] { return f(ptr, size, count, stream); });
  o.complete(static_cast<int64_t>(n * size));
  return n;
}

int fflush(FILE* stream) {
  REAL(fflush, int (*)(FILE*));
  auto f = real.get();
  if (!active(CALLER)) return f(stream);
  Region r(kFflush);
  if (!stream) return inside([&] { return f(stream); });  // every stream: no one handle
  Operation o(handle_of(stream), IoOperation::Flush, 0, -1);
  int rc = inside([&] { return f(stream); });
  int saved = errno;
  o.complete(rc == 0 ? 0 : -1);
  errno = saved;
  return rc;
}

}  // extern "C"
