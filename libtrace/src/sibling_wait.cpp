#include "sibling_wait.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "rondo/format/chunk.h"

namespace rondo::trace {

namespace {

using format::ChunkKind;

// The pid in a process file name of `host` ("host.pid.rnd", "host.pid.N.rnd"
// for a later exec image), or 0 when the name is not one of that host's.
pid_t pid_of(const char* name, const std::string& host) {
  size_t len = std::strlen(name);
  if (len <= host.size() + 5 || std::strncmp(name, host.data(), host.size()) != 0 || name[host.size()] != '.' ||
      std::strcmp(name + len - 4, ".rnd") != 0)
    return 0;
  char* end = nullptr;
  long pid = std::strtol(name + host.size() + 1, &end, 10);
  return pid > 0 && end && (*end == '.') ? static_cast<pid_t>(pid) : 0;
}

// Whether the file at `path` ends with a whole PROCESS_END chunk (the last
// chunk a process writes). Its payload is a few bytes: the chunk is checked
// by scanning the file's tail behind a file header.
bool has_ended(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return true;  // gone: nothing to wait for
  struct stat st {};
  uint8_t tail[64];
  ssize_t n = 0;
  if (fstat(fd, &st) == 0 && st.st_size >= static_cast<off_t>(format::kFileHeaderSize + format::kChunkHeaderSize)) {
    off_t from = std::max<off_t>(static_cast<off_t>(format::kFileHeaderSize), st.st_size - static_cast<off_t>(sizeof tail));
    n = ::pread(fd, tail, static_cast<size_t>(st.st_size - from), from);
  }
  ::close(fd);
  if (n <= 0) return false;
  std::vector<uint8_t> image = format::file_header();
  size_t header = image.size();
  for (size_t size = format::kChunkHeaderSize + 1; size <= static_cast<size_t>(n); ++size) {
    image.resize(header);
    image.insert(image.end(), tail + n - size, tail + n);
    format::ScanResult scan = format::scan_chunks(image.data(), image.size());
    if (scan.chunks.size() == 1 && scan.problems.empty() && !scan.truncated &&
        scan.chunks[0].header.kind == ChunkKind::ProcessEnd)
      return true;
  }
  return false;
}

// Whether some other live process of `host` records into `dir` and has not
// ended its file yet.
bool someone_still_flushing(const std::string& dir, const std::string& host) {
  DIR* d = opendir(dir.c_str());
  if (!d) return false;
  bool waiting = false;
  pid_t self = getpid();
  while (dirent* e = readdir(d)) {
    pid_t pid = pid_of(e->d_name, host);
    if (pid == 0 || pid == self) continue;
    if (kill(pid, 0) != 0 && errno == ESRCH) continue;  // no such process (any more)
    if (!has_ended(dir + "/" + e->d_name)) {
      waiting = true;
      break;
    }
  }
  closedir(d);
  return waiting;
}

}  // namespace

void wait_for_sibling_ends(const std::string& dir, const std::string& host, int limit_ms) {
  constexpr int kStepMs = 5;
  for (int waited = 0; waited < limit_ms && someone_still_flushing(dir, host); waited += kStepMs) {
    timespec step{0, kStepMs * 1000000L};
    nanosleep(&step, nullptr);
  }
}

}  // namespace rondo::trace
