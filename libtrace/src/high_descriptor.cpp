#include "high_descriptor.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

namespace rondo::trace {
namespace {

int high_descriptor_floor() {
  rlimit limit{};
  rlim_t most = getrlimit(RLIMIT_NOFILE, &limit) == 0 ? limit.rlim_cur : 1024;
  if (most == RLIM_INFINITY) most = 1 << 20;
  return static_cast<int>(std::clamp<rlim_t>(most / 2, 10, 512));
}

}  // namespace

int move_descriptor_high(int fd) {
  if (fd < 0) return fd;
  int moved = fcntl(fd, F_DUPFD_CLOEXEC, high_descriptor_floor());
  if (moved < 0) return fd;
  // The number is ours now; dup3() onto it changes nothing for the kernel but
  // tells ThreadSanitizer, which does not follow fcntl(F_DUPFD), that `moved`
  // is the same pipe (its writes then order the flusher after the signal).
  dup3(fd, moved, O_CLOEXEC);
  close(fd);
  return moved;
}

bool high_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return false;
  fds[0] = move_descriptor_high(fds[0]);
  fds[1] = move_descriptor_high(fds[1]);
  return true;
}

}  // namespace rondo::trace
