// The runtime's descriptors live far above the numbers programs use on purpose.
//
// A shell's `exec 4>file` puts the program's file at fd 4 with dup2(), which
// silently closes whatever was there: a pipe of the runtime at 4 would become
// the program's file, and the runtime would write into it. Programs and shells
// pick their numbers low (a shell's user descriptors are 0-9, the ones it
// saves from 10 up), so the runtime keeps its own from the middle of the
// descriptor limit up.
#pragma once

namespace rondo::trace {

// Moves `fd` to the lowest free number from half the descriptor limit (at
// most 512, at least 10), close-on-exec, and closes the old number. Returns
// `fd` unchanged when the limit leaves no room, or when fd < 0.
int move_descriptor_high(int fd);

// pipe2(O_CLOEXEC) with both ends moved high. False (errno set) on failure.
bool high_pipe(int fds[2]);

}  // namespace rondo::trace
