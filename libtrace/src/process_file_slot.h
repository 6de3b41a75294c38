// The descriptor of the process file, made where the program cannot race with it.
//
// A single-threaded program may juggle its descriptors: a shell redirecting a
// builtin's output runs fcntl(1, F_DUPFD, 10), close(1), dup2(file, 1), write,
// dup2(saved, 1). Nothing else of the program opens a file in between, so it
// knows fd 1 is free until its dup2(). Rondo's writer thread is another thread:
// a file it opened in that window would get fd 1, the program's dup2() would
// silently put the program's file there, and from then on the trace would be
// written into the program's file (or, after the next dup2, to its stdout),
// while a close() of it would close the program's redirect.
//
// So the runtime's threads open no descriptor while the program runs. The
// process file is made before main (in start(), or in a fork()ed child's
// handler, both while only one thread runs), unnamed (O_TMPFILE) where the
// file system allows it, and moved far above the numbers programs use
// (high_descriptor.h). It is
// given its name at the first write, with linkat(), which takes no descriptor.
// A process that records nothing (a launcher such as mpirun) never names it
// and leaves no file behind, even when it is killed.
#pragma once

#include <sys/types.h>

#include <string>

namespace rondo::trace {

struct ProcessFileSlot {
  int fd = -1;         // the reserved descriptor; -1 when none could be made
  bool named = false;  // made under its final name (no O_TMPFILE here): `path`
  std::string path;
  dev_t device = 0;  // the file's identity, to tell it from another file that a
  ino_t inode = 0;   // program put at the same number after closing this one
};

// Makes `dir` (with its parents) and a descriptor for the process file in it.
// `stem` is dir/host.pid: a file that must be made under its name (the file
// system has no O_TMPFILE) takes the first free of stem.rnd, stem.2.rnd, ...
// On failure the slot has fd -1 and the caller goes on without it.
ProcessFileSlot reserve_process_file(const std::string& dir, const std::string& stem);

// The name of the reserved file, linking it into the directory first when it
// has none yet: stem.rnd, or for a later image of the same pid (exec) the
// first free of stem.2.rnd, stem.3.rnd, ... Returns "" when it cannot be
// linked; the slot keeps its descriptor then, and the caller releases it. When
// the program has closed the descriptor (a forked child closing everything
// before exec), returns "" and forgets it.
std::string name_process_file(ProcessFileSlot& slot, const std::string& stem);

// Creates stem.rnd (or the first free stem.N.rnd) with O_EXCL and returns its
// descriptor, moved high, and its path; fd -1 with errno set on failure. Used
// where no slot was reserved.
ProcessFileSlot create_named_process_file(const std::string& stem);

// Gives up a slot that was never written: closes it, and removes the file when
// it was made under its name.
void release_process_file(ProcessFileSlot& slot);

// Makes the C library open, now, the files it would otherwise open lazily on
// one of the runtime's threads: glibc reads /proc/sys/vm/overcommit_memory the
// first time a thread's malloc arena gives memory back. Call before main.
void open_lazy_libc_files_now();

// Creates the directories of `dir`. False (errno set) on failure.
bool make_directories(const std::string& dir);

}  // namespace rondo::trace
