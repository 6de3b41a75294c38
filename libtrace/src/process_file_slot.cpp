#include "process_file_slot.h"

#include "high_descriptor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

namespace rondo::trace {
namespace {

std::string numbered(const std::string& stem, int image) {
  return image == 1 ? stem + ".rnd" : stem + "." + std::to_string(image) + ".rnd";
}

// Links the unnamed file to `path`: through /proc (any user), else by the
// descriptor itself (needs CAP_DAC_READ_SEARCH). errno from the last attempt.
bool link_unnamed(int fd, const std::string& path) {
  char proc_path[64];
  std::snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fd);
  if (linkat(AT_FDCWD, proc_path, AT_FDCWD, path.c_str(), AT_SYMLINK_FOLLOW) == 0) return true;
  if (errno == EEXIST) return false;
  return linkat(fd, "", AT_FDCWD, path.c_str(), AT_EMPTY_PATH) == 0;
}

// Whether `fd` is still the file the slot made: a program may close every
// descriptor (a forked child before exec, a daemon) and reuse the number.
bool still_ours(const ProcessFileSlot& slot) {
  struct stat now {};
  return slot.fd >= 0 && fstat(slot.fd, &now) == 0 && now.st_dev == slot.device && now.st_ino == slot.inode;
}

void remember_identity(ProcessFileSlot& slot) {
  struct stat st {};
  if (slot.fd >= 0 && fstat(slot.fd, &st) == 0) {
    slot.device = st.st_dev;
    slot.inode = st.st_ino;
  }
}

}  // namespace

bool make_directories(const std::string& dir) {
  for (size_t i = 1; i <= dir.size(); ++i) {
    if (i == dir.size() || dir[i] == '/') {
      std::string part = dir.substr(0, i);
      if (mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
  }
  return true;
}

ProcessFileSlot create_named_process_file(const std::string& stem) {
  ProcessFileSlot slot;
  for (int image = 1; image <= 1000; ++image) {
    std::string path = numbered(stem, image);
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) {
      slot.fd = move_descriptor_high(fd);
      slot.named = true;
      slot.path = path;
      remember_identity(slot);
      return slot;
    }
    if (errno != EEXIST) break;
  }
  return slot;
}

ProcessFileSlot reserve_process_file(const std::string& dir, const std::string& stem) {
  ProcessFileSlot slot;
  if (!make_directories(dir)) return slot;
  int fd = open(dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
  if (fd >= 0) {
    slot.fd = move_descriptor_high(fd);
    remember_identity(slot);
    return slot;
  }
  // EOPNOTSUPP (or EISDIR on kernels before 3.11): this file system cannot
  // make unnamed files, so the file gets its name now; release_process_file()
  // removes it again if nothing is recorded.
  if (errno == EOPNOTSUPP || errno == EISDIR || errno == EINVAL) return create_named_process_file(stem);
  return slot;
}

std::string name_process_file(ProcessFileSlot& slot, const std::string& stem) {
  if (!still_ours(slot)) {
    slot.fd = -1;  // closed by the program: the number is not ours to close
    return "";
  }
  if (slot.named) return slot.path;
  for (int image = 1; image <= 1000; ++image) {
    std::string path = numbered(stem, image);
    if (link_unnamed(slot.fd, path)) {
      slot.named = true;
      slot.path = path;
      return path;
    }
    if (errno != EEXIST) break;
  }
  return "";
}

void release_process_file(ProcessFileSlot& slot) {
  if (still_ours(slot)) {
    if (slot.named) unlink(slot.path.c_str());
    close(slot.fd);
  }
  slot = ProcessFileSlot{};
}

void open_lazy_libc_files_now() {
  // A new thread gets a malloc arena of its own; freeing more than the trim
  // threshold (128 KiB) from it shrinks its heap, which is when glibc reads
  // /proc/sys/vm/overcommit_memory (once per process). The blocks stay below
  // the mmap threshold so that they come from the arena.
  std::thread([] {
    constexpr size_t kBlock = 96 << 10;
    void* volatile blocks[4];
    for (auto& b : blocks) {
      b = std::malloc(kBlock);
      if (b) static_cast<volatile char*>(b)[kBlock - 1] = 0;
    }
    for (auto& b : blocks) std::free(b);
  }).join();
}

}  // namespace rondo::trace
