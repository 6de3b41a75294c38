// Folded polling (FORMAT.md 7.2, "Folded polls").
//
// Programs that wait by polling (MPI_Test / MPI_Testany / MPI_Iprobe in a loop, a
// spin on pthread_mutex_trylock or omp_test_lock) call the same function millions
// of times and find nothing almost every time. Recording each unsuccessful poll
// as an ENTER and a LEAVE costs two recorder events per poll; instead, a run of
// unsuccessful polls of one call is kept as a count, the first entry, the last
// exit and the exact statistics of the polls (ThreadWriter::poll), and written as
// one POLLS pair when the run ends: at the poll that finds something, at any
// other event of the thread, and when the thread's recording is flushed (thread
// end, exit, exec, fatal signal). A poll therefore costs its two clock reads and
// a few additions; with `--poll-times count` only the additions (the polls are
// counted, not timed).
#pragma once

#include <cstdint>

#include "rondo/trace/runtime.h"

namespace rondo::trace {

// One unsuccessful poll of `region`, from `entry` to `exit` ticks, folded into
// the calling thread's run of polls.
inline void record_failed_poll(uint32_t region, uint64_t entry, uint64_t exit) {
  RecordGuard g;
  if (g.ok())
    g.writer().poll(region, entry, exit);
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_poll(*d, region, entry, exit);
}

// The same for a poll counted, not timed (g_polls_counted): the clock is read
// only when the poll opens a run of its function (or when a signal handler's
// poll must be kept until the handler returns).
inline void record_counted_poll(uint32_t region) {
  RecordGuard g;
  if (g.ok()) {
    g.writer().poll_counted(region, [] { return ticks(); });
  } else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0)) {
    const uint64_t now = ticks();
    defer_poll(*d, region, now, now);
  }
}

// One call of a polling function. Construct it before the real call (when the
// call is to be recorded at all: `on`), and call finish() once after it. With
// polls counted, not timed (g_polls_counted), no clock is read for a poll that
// finds nothing, and one that finds something is a call of 0 ns at its return.
class PollingCall {
 public:
  __attribute__((always_inline)) PollingCall(uint32_t region, bool on) : region_(region), on_(on) {
    if (on_ && __builtin_expect(!g_polls_counted, 1)) entry_ = ticks();
  }
  // `found`: the poll found what it polls for (or failed in a way worth keeping:
  // an error). Then the call's ENTER is recorded now, stamped with its entry, and
  // the wrapper records what it found at exit(); the LEAVE follows (at exit())
  // when this object goes out of scope. Otherwise the poll is folded and nothing
  // is recorded. Returns whether the call is recorded.
  // (A clock reading is never 0, so entry_ == 0 says the poll is counted.)
  __attribute__((always_inline)) bool finish(bool found) {
    if (!on_) return false;
    const bool counted = __builtin_expect(entry_ == 0, 0);
    if (!found) {
      if (counted)
        record_counted_poll(region_);
      else
        record_failed_poll(region_, entry_, ticks());
      on_ = false;
      return false;
    }
    exit_ = ticks();
    if (counted) entry_ = exit_;
    record_enter_at(region_, entry_);
    entered_ = true;
    return true;
  }
  // The poll's return, where what it found is recorded (after finish() returned true).
  uint64_t exit() const { return exit_; }
  ~PollingCall() {
    if (entered_) record_leave_at(region_, exit_);
  }
  PollingCall(const PollingCall&) = delete;
  PollingCall& operator=(const PollingCall&) = delete;
  bool on() const { return on_; }
  uint64_t entry() const { return entry_; }

 private:
  uint32_t region_;
  bool on_;
  bool entered_ = false;
  uint64_t entry_ = 0, exit_ = 0;  // entry_ 0: not timed (counted, or not recorded)
};

}  // namespace rondo::trace
