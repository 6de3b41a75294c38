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
namespace detail {
// Fills `p` as a posted call of `region` at `at`, with the record `key` (and
// its one data value) when not null; the ENTER's fields are the caller's.
__attribute__((always_inline)) inline void fill_posted(Recorder::PostedCall& p, const format::EventKey* key,
                                                       const int64_t* data, uint32_t region, uint64_t at) {
  p.record = key != nullptr;
  if (key) {
    p.key = *key;
    p.data[0] = data[0];
  }
  p.at = at;
  p.region = region;
}
}  // namespace detail

// The call's ENTER, with a record made at the same instant when `key` is not
// null (the message of a blocking send; records with one data value at most,
// data[0]: PostedCall keeps one), posted to be written once the real
// call has returned (Recorder::PostedCall), so that the grammar's work is not
// between the program and the call. Written at once when it cannot be posted.
__attribute__((always_inline)) inline void own_post_enter(uint32_t region, uint64_t at, uint32_t site,
                                                          const format::EventKey* key, const int64_t* data) {
  uintptr_t stack = stack_position();
  RecordGuard g{RecordGuard::OwnCall{}};
  if (!g.ok()) return;
  Recorder& r = g.thread_recorder();
  if (__builtin_expect(r.may_post(), 1)) {
    Recorder::PostedCall& p = r.next_post();
    detail::fill_posted(p, key, data, region, at);
    p.stack = stack;
    p.site = site;
    p.enter = true;
    r.post();
    return;
  }
  r.enter(region, at, stack, site);
  if (key) g.writer().event(*key, at, data);
}
// A record made at the call's exit when `key` is not null (the message of a
// completed blocking receive; one data value at most), then the call's LEAVE at the same instant,
// posted to be written at the thread's next record (Recorder::PostedCall), so
// that the grammar's work is not between the call and the program. Written at
// once when it cannot be posted.
__attribute__((always_inline)) inline void own_post_leave(const format::EventKey* key, const int64_t* data,
                                                          uint32_t region, uint64_t at) {
  RecordGuard g{RecordGuard::OwnCall{}};
  if (!g.ok()) return;
  Recorder& r = g.thread_recorder();
  if (__builtin_expect(r.may_post(), 1)) {
    Recorder::PostedCall& p = r.next_post();
    detail::fill_posted(p, key, data, region, at);
    p.enter = false;
    r.post();
    return;
  }
  if (key) g.writer().event(*key, at, data);
  r.leave(region, at);
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
