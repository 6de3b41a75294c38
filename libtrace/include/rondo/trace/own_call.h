// Records an interceptor makes of the call it holds: the thread's outermost
// intercepted call, which raised InterceptState::inside when it began (so that
// nothing else records while it runs: not the library it calls, not Rondo's own
// bookkeeping, not a nested interceptor) and decided then whether it records.
// These skip the `inside` test every other record makes; the caller vouches that
// it holds the outermost call and records it. The MPI module's Call and PollCall
// (interceptors/mpi/mpi_tracking.h) are the users.
#pragma once

#include <cstdint>

#include "rondo/trace/runtime.h"

namespace rondo::trace {

// Always inlined, so that the stack position is the wrapper's (runtime.h).
__attribute__((always_inline)) inline void own_enter(uint32_t region, uint64_t at, uint32_t site = 0) {
  uintptr_t stack = stack_position();
  RecordGuard g{RecordGuard::OwnCall{}};
  if (g.ok()) g.thread_recorder().enter(region, at, stack, site);
}
// Always inlined too: a wrapper's LEAVE is on the path back to the program.
__attribute__((always_inline)) inline void own_leave(uint32_t region, uint64_t at) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (g.ok()) g.thread_recorder().leave(region, at);
}
inline void own_event(const format::EventKey& key, const int64_t* data, uint64_t at) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (g.ok()) g.writer().event(key, at, data);
}
// The call's ENTER and a record made at the same instant (the message of a
// blocking send), under one guard: what own_enter() then own_event() record,
// at the cost of one. Always inlined, for the stack position as own_enter().
__attribute__((always_inline)) inline void own_enter_event(uint32_t region, uint64_t at, uint32_t site,
                                                           const format::EventKey& key, const int64_t* data) {
  uintptr_t stack = stack_position();
  RecordGuard g{RecordGuard::OwnCall{}};
  if (!g.ok()) return;
  g.thread_recorder().enter(region, at, stack, site);
  g.writer().event(key, at, data);
}
// A record made at the call's exit (the message of a completed blocking
// receive), then the call's LEAVE at the same instant, under one guard.
__attribute__((always_inline)) inline void own_event_leave(const format::EventKey& key, const int64_t* data,
                                                           uint32_t region, uint64_t at) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (!g.ok()) return;
  g.writer().event(key, at, data);
  g.thread_recorder().leave(region, at);
}
// One unsuccessful poll, folded into the thread's run of polls (poll_fold.h).
inline void own_failed_poll(uint32_t region, uint64_t entry, uint64_t exit) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (g.ok()) g.writer().poll(region, entry, exit);
}
// The same, counted and not timed (g_polls_counted): the clock is read only
// when the poll opens a run of its function.
inline void own_counted_poll(uint32_t region) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (g.ok()) g.writer().poll_counted(region, [] { return ticks(); });
}

}  // namespace rondo::trace
