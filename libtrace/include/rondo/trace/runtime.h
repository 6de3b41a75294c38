// The recording runtime of one process (internal API for interceptors).
//
// One Recorder per thread turns events into batches (format::ThreadWriter). Full
// batches go to a background thread that compresses them and appends them to the
// process file, so the application thread never waits for the disk. Everything is
// flushed at exit, at _exit()/_Exit(), before exec(), on thread exit, and from
// handlers of fatal signals; a fork()ed child and an exec()ed image record into
// files of their own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rondo/format/definitions.h"
#include "rondo/format/writer.h"
#include "rondo/trace/call_sites.h"
#include "rondo/trace/clock.h"
#include "rondo/trace/counters.h"
#include "rondo/trace/signal_deferral.h"

namespace rondo::trace {

// Where on its thread's stack a region was entered: the stack pointer of the
// function that owns the call (the instrumented function, the interceptor's
// wrapper, the caller of rondo_enter). Calls whose position lies below the stack
// pointer a thread resumes at (longjmp, a caught exception) were skipped.
__attribute__((always_inline)) inline uintptr_t stack_position() {
  uintptr_t sp;
#if defined(__x86_64__)
  asm volatile("mov %%rsp, %0" : "=r"(sp));
#elif defined(__aarch64__)
  asm volatile("mov %0, sp" : "=r"(sp));
#else
  sp = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
#endif
  return sp;
}

struct Recorder {
  explicit Recorder(uint32_t index);
  // The open calls are the writer's (ThreadWriter::open_region()), each with
  // its stack position as its tag.
  format::ThreadWriter writer;
  uint32_t index;
  // This thread's PAPI event set; null without --counters. Set it with
  // set_counters().
  ThreadCounters* counters = nullptr;
  void set_counters(ThreadCounters* c) {
    counters = c;
    if (c) writer.hold(kReadCounters); else writer.release(kReadCounters);
  }
  // What an enter or leave must do first, as writer hold bits (so the fast
  // path tests them with the writer's own, in one branch): read the counters,
  // replay events deferred by a signal handler. kDeferred is set by a handler
  // only while the recorder is not busy, and read after busy is set, so no
  // handler's write is missed.
  // kNoCounterClock: the clock is not the processor's counter, which the
  // hooks' fast path reads (record_enter_hook()).
  // kPosted: a call's records are kept to be written later (PostedCall).
  static constexpr uint32_t kReadCounters = format::ThreadWriter::kFirstOwnerHold,
                            kDeferred = format::ThreadWriter::kFirstOwnerHold << 1,
                            kNoCounterClock = format::ThreadWriter::kFirstOwnerHold << 2,
                            kPosted = format::ThreadWriter::kFirstOwnerHold << 3;
  // What before_event() does: any of these held makes an enter or leave take
  // the general path, which does it first.
  static constexpr uint32_t kBeforeEvent = kReadCounters | kDeferred | kPosted;
  // `site`: the call site's id + 1 (call_sites.h), 0: none. The fast path is
  // the writer's (a repeated short call); everything else is enter_general().
  __attribute__((always_inline)) void enter(uint32_t region, uint64_t at, uintptr_t stack, uint32_t site = 0) {
    if (__builtin_expect(site == 0, 1) && __builtin_expect(writer.try_enter(region, at, stack), 1)) return;
    enter_general(region, at, stack, site);
  }
  // A leave of a call that is not the innermost one closes the calls above it
  // first, each with its own leave (they were skipped by a jump the runtime did
  // not see), so every enter keeps its leave. (The fast path needs no check:
  // only the leave of the innermost call completes a pending short call.)
  __attribute__((always_inline)) void leave(uint32_t region, uint64_t at) {
    if (__builtin_expect(writer.try_leave(region, at), 1)) return;
    leave_general(region, at);
  }
  void enter_general(uint32_t region, uint64_t at, uintptr_t stack, uint32_t site);
  void leave_general(uint32_t region, uint64_t at);
  // enter() and leave() without the work that comes first (before_event()).
  void enter_now(uint32_t region, uint64_t at, uintptr_t stack, uint32_t site);
  void leave_now(uint32_t region, uint64_t at);
  // Closes, innermost first, the open calls entered below `stack` (deeper on
  // the stack), at `at`.
  void close_below(uintptr_t stack, uint64_t at);
  // The open calls, outermost first.
  struct OpenCall {
    uint32_t region;
    uintptr_t stack;
  };
  std::vector<OpenCall> open_calls() const;

  // Writes what was kept to be written later: the posted call (PostedCall),
  // then the events deferred by signal handlers, if any (not from a handler).
  void settle() {
    if (__builtin_expect(writer.held(kDeferred | kPosted), 0)) settle_kept();
  }

  // Records of the thread's calls kept to be written later, off the program's
  // critical path: a ping-pong's latency is the receive's exit plus the next
  // send's entry, and the grammar builder's work there is most of what
  // tracing adds to it (issue 13). Posted by the MPI module for a call's ENTER
  // and the message record made with it (a blocking send: written once the
  // real call returned), and for the message record and LEAVE at a call's exit
  // (a blocking receive: written at the thread's next record); at most
  // kMaxPosted at a time (a receive's exit, then the next send's entry).
  // kPosted is held meanwhile, so whatever the thread records next, of any
  // kind, and the flushes at thread end, exit, fork and crash (which call
  // settle()) write them first, in the order and at the times they were made.
  // Set and written only inside the recorder (busy), so a crash flush from
  // another thread sees whole ones (finish_all() waits until the thread is not
  // busy).
  struct PostedCall {
    format::EventKey key;  // the message record, when `record`
    int64_t data[1] = {0};
    uint64_t at = 0;
    uintptr_t stack = 0;   // the ENTER's stack position
    uint32_t region = 0;
    uint32_t site = 0;     // the ENTER's call site (call_sites.h), 0: none
    bool enter = false;    // ENTER then record; else record then LEAVE
    bool record = false;
  };
  static constexpr uint32_t kMaxPosted = 2;
  // Whether a call may be posted now: not while counters are read (an ENTER's
  // readings belong to its time), nor while a handler's events wait (they are
  // written after the posted calls, so a posted call must be newer), and only
  // where there is room.
  bool may_post() const { return !writer.held(kReadCounters | kDeferred) && posted_count_ < kMaxPosted; }
  // Posting, in place (only when may_post()): fill the slot next_post()
  // gives, after those already posted, then post() keeps it and holds kPosted.
  PostedCall& next_post() { return posted_[posted_count_]; }
  void post() {
    ++posted_count_;
    writer.hold(kPosted);
  }

 private:
  void settle_kept();
  void write_posted();
  PostedCall posted_[kMaxPosted];
  uint32_t posted_count_ = 0;
  void close_above(uint32_t region, uint64_t at);
  // What comes before an enter or leave when the writer is held by us:
  // settle(), then read the counters.
  void before_event();
  void replay_deferred();

 public:
  // kBusy while this thread is inside the recorder: makes nested calls (an
  // intercepted function used by the recorder itself, a signal handler that
  // interrupted it) no-ops, and lets exit and crash handlers wait for a
  // consistent state. kInHandler while a signal handler runs on the thread
  // (set by the compiler module's trampoline, signal_context.h): its events
  // go to `deferred` (signal_deferral.h), since the recorder may allocate.
  static constexpr uint32_t kBusy = 1, kInHandler = 2;
  std::atomic<uint32_t> busy{0};
  // Stack position of the outermost handler frame while kInHandler is set: a
  // thread running above it has left the handler by a jump.
  uintptr_t handler_stack = 0;
  SignalDeferral deferred;
  bool finished = false;
};

// True once the process is being recorded (RONDO_TRACE_DIR set and start-up done).
extern std::atomic<bool> g_recording;

// `rondo record --poll-times count` (RONDO_POLL_TIMES=count): the MPI module's
// test and probe calls are counted, not timed (poll_fold.h). Set before
// recording starts, never changed after.
extern bool g_polls_counted;

// The calling thread's recorder, created on first use; null when not recording,
// on an internal thread, or after the thread's recorder was finished.
// The hot-path thread_locals are declared constinit: without it every access
// from another library first tests for (and may call) a TLS init function.
Recorder* recorder_slow();
extern thread_local constinit Recorder* t_recorder __attribute__((tls_model("initial-exec")));
// Set by the compiler module's signal trampoline while a handler runs on a thread
// that has no recorder yet: the stack position of the outermost handler frame
// (0: none). Creating a recorder allocates and takes locks, which a handler must
// not (it may have interrupted malloc), so recorder_slow() creates none below
// that frame: what such a handler records is left out and counted
// (handler_events_left_out()). A jump out of the handler ends it (the stack is
// above that frame again).
extern thread_local constinit uintptr_t t_unrecorded_handler_stack __attribute__((tls_model("initial-exec")));
// Events left out that way in this process so far.
uint64_t handler_events_left_out();
inline Recorder* recorder() {
  Recorder* r = t_recorder;
  if (__builtin_expect(r != nullptr, 1)) return r;
  return recorder_slow();
}

// Creates the recorder of a location that is not the calling thread (a GPU
// stream, see extra_locations.h), with `def` (its index is assigned here) as its
// Thread definition; null when not recording.
Recorder* new_location_recorder(format::ThreadDef def);

// What the calling thread is doing as interceptors see it: one thread-local
// block, so that a wrapper reads and writes it once when its call begins and
// once when it ends (InsideCall, or the MPI module's Call).
struct InterceptState {
  // Non-zero while an interceptor runs a call it wraps: the real function, and
  // for the MPI module also its own work around it (tables of requests and
  // communicators, MPI_Init's set-up). What happens meanwhile (an MPI library
  // taking locks, doing I/O, calling other MPI functions; Rondo's own
  // allocations and locks) is not the application's: nothing records it, except
  // the interceptor that holds the thread's outermost call, which records that
  // call itself (RecordGuard(OwnCall)).
  int inside = 0;
  // Where the outermost call began: a jump above it (siglongjmp out of a signal
  // handler that interrupted a wrapped read, an MPI error handler that longjmps
  // out of a wrapper) ends it (resume_at_stack).
  uintptr_t stack = 0;
  // The instant the outermost call's own records are stamped with while that
  // call is recorded: its entry until the real function returns, its exit
  // afterwards; 0 when no recorded call is open. A record that belongs to the
  // call's entry or exit (a send at the start of MPI_Send, a completion at the
  // end of MPI_Wait) then costs no clock read of its own.
  uint64_t call_ticks = 0;
};
extern thread_local constinit InterceptState t_intercept __attribute__((tls_model("initial-exec")));

// Raises `inside` for its lifetime (nested guards nest).
struct InsideCall {
  __attribute__((always_inline)) InsideCall() {
    InterceptState& s = t_intercept;
    if (s.inside++ == 0) s.stack = stack_position();
  }
  ~InsideCall() { --t_intercept.inside; }
  InsideCall(const InsideCall&) = delete;
  InsideCall& operator=(const InsideCall&) = delete;
};

// Marks the recorder busy for the lifetime of the guard; `ok()` is false when the
// thread is already inside the recorder (re-entrant call) or not recording, and,
// for an ordinary caller, when it is inside an intercepted call. OwnCall: the
// caller is the interceptor holding the thread's outermost intercepted call,
// which records that call although `inside` is raised (it decided so when the
// call began). Inside a signal handler (Recorder::kInHandler) the guard is not
// ok(): the caller asks handler_recorder() and keeps the event with defer_*()
// instead.
class RecordGuard {
 public:
  struct OwnCall {};
  // (Whether recording is on is read once, in acquire(), after the recorder is
  // marked busy: see there.)
  RecordGuard() {
    if (t_intercept.inside) return;
    acquire();
  }
  __attribute__((always_inline)) explicit RecordGuard(OwnCall) { acquire(); }
  ~RecordGuard() {
    if (r_) {
      std::atomic_signal_fence(std::memory_order_seq_cst);
      r_->busy.store(0, std::memory_order_release);
    }
  }
  RecordGuard(const RecordGuard&) = delete;
  RecordGuard& operator=(const RecordGuard&) = delete;
  bool ok() const { return r_ != nullptr; }
  // The writer, after the events deferred by handlers (an enter or leave
  // replays them itself).
  format::ThreadWriter& writer() const {
    r_->settle();
    return r_->writer;
  }
  Recorder& thread_recorder() const { return *r_; }

 private:
  __attribute__((always_inline)) void acquire() {
    Recorder* r = t_recorder;
    if (__builtin_expect(r == nullptr, 0)) {
      // No recorder yet: none is made while not recording (a program linked
      // with the API but run untraced pays this load, not a call).
      if (!g_recording.load(std::memory_order_relaxed)) return;
      r = recorder_slow();
      if (!r) return;
    }
    if (__builtin_expect(r->busy.load(std::memory_order_relaxed) != 0, 0)) {
      if (!left_handler(r)) return;
    } else {
      r->busy.store(Recorder::kBusy, std::memory_order_relaxed);
      std::atomic_signal_fence(std::memory_order_seq_cst);
    }
    // Whether recording is on is read only now, after the busy mark: the
    // thread that finishes the recorders clears g_recording, fences every
    // thread and only then reads their busy flags (src/thread_fence.h), so
    // either it sees ours and waits, or we see recording stopped here and leave
    // the recorder alone.
    if (__builtin_expect(!g_recording.load(std::memory_order_relaxed), 0)) {
      r->busy.store(0, std::memory_order_release);
      return;
    }
    r_ = r;
  }
  // busy was not 0. When it says a handler runs but the thread has left the
  // handler by a jump the runtime did not see (its trampoline never returned),
  // this is ordinary code again: marks the recorder busy and returns true.
  static bool left_handler(Recorder* r);
  Recorder* r_ = nullptr;
};

// After a RecordGuard that is not ok(): the thread's recorder when a signal
// handler runs on the thread and may record (the recorder was not interrupted),
// else null. Cheap when not recording.
inline Recorder* handler_recorder() {
  Recorder* r = t_recorder;
  if (__builtin_expect(r == nullptr, 1) || r->busy.load(std::memory_order_relaxed) != Recorder::kInHandler) return nullptr;
  return g_recording.load(std::memory_order_relaxed) && !t_intercept.inside ? r : nullptr;
}

// Inside a signal handler (handler_recorder()): keep an event in the thread's
// deferred list (signal_deferral.h), to be recorded at its next event outside
// the handler. Async-signal-safe; marks the recorder busy meanwhile.
void defer_enter(Recorder& r, uint32_t region, uint64_t at, uintptr_t stack, uint32_t site);
void defer_leave(Recorder& r, uint32_t region, uint64_t at);
void defer_event(Recorder& r, const format::EventKey& key, const int64_t* data, uint64_t at);
void defer_poll(Recorder& r, uint32_t region, uint64_t entry, uint64_t exit);
void defer_resume(Recorder& r, uintptr_t stack, uint64_t at);

// The out-of-line parts of record_enter_hook() and record_leave_hook(): the
// guarded path of record_enter_from() and record_leave_guarded(); and, with the
// recorder marked busy and the event's time read, the rest of an event the
// writer's fast path declined (Fast::Declined) or recorded into a full batch
// (Fast::Full), after which they mark the recorder not busy.
void record_enter_unhurried(uint32_t region, uintptr_t stack);
void record_leave_unhurried(uint32_t region);
void finish_enter_hook(Recorder& r, format::ThreadWriter::Fast fast, uint32_t region, uint64_t at, uintptr_t stack);
void finish_leave_hook(Recorder& r, format::ThreadWriter::Fast fast, uint32_t region, uint64_t at);

// Hot-path helpers. Always inlined, so that the stack position is the wrapper's.
// The clock is read once the recorder is ready (its creation on a thread's
// first event is not part of that event's call).
// `site`: from call_site() (0: none).
__attribute__((always_inline)) inline void record_enter_from(uint32_t region, uintptr_t stack, uint32_t site = 0) {
  RecordGuard g;
  if (g.ok())
    g.thread_recorder().enter(region, ticks(), stack, site);
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_enter(*d, region, ticks(), stack, site);
}
// The call site of the wrapper's caller (call_sites.h): 0 unless call sites are
// on. Take it before reading the clock, so that the capture is not the call's time.
__attribute__((always_inline)) inline uint32_t call_site() {
  return __builtin_expect(g_callstack_depth != 0, 0) ? capture_call_site() : 0;
}
// record_leave() through the guard (the out-of-line part of record_leave_hook()).
inline void record_leave_guarded(uint32_t region) {
  RecordGuard g;
  if (g.ok())
    g.thread_recorder().leave(region, ticks());
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_leave(*d, region, ticks());
}

// record_enter_from() and record_leave_guarded() for hooks that do nothing else
// (the compiler module's, rondo_enter/rondo_leave) and for wrappers'
// record_enter()/record_leave(): their fast path calls no
// function but in tail position, so such a hook needs no stack frame and saves
// no register. Whatever the fast path does not cover (no recorder yet, a
// wrapped call or the recorder busy, anything but a
// repeated short call, a full batch) goes to the out-of-line functions below,
// which do what the guarded path does. Without the processor's counter as the
// clock the writer is held (Recorder::kNoCounterClock), so every event takes
// the out-of-line path, which reads the clock again.
// The body both share: `unhurried()` when the guard's checks fail, `fast(r,
// at)` (the writer's try_*_stamp) with the recorder busy and the time read,
// `finish(r, fast, at)` for what it declined or a full batch.
template <typename Unhurried, typename FastPath, typename Finish>
__attribute__((always_inline)) inline void record_hooked(Unhurried unhurried, FastPath fast_path, Finish finish) {
  Recorder* r = t_recorder;
  if (__builtin_expect(r == nullptr || t_intercept.inside != 0 || r->busy.load(std::memory_order_relaxed) != 0, 0))
    return unhurried();
  r->busy.store(Recorder::kBusy, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  // Read after the busy mark, as in RecordGuard::acquire().
  if (__builtin_expect(!g_recording.load(std::memory_order_relaxed), 0))
    return r->busy.store(0, std::memory_order_release);
  const uint64_t at = counter_ticks();
  const format::ThreadWriter::Fast fast = fast_path(*r, at);
  if (__builtin_expect(fast != format::ThreadWriter::Fast::Done, 0)) return finish(*r, fast, at);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r->busy.store(0, std::memory_order_release);
}
__attribute__((always_inline)) inline void record_enter_hook(uint32_t region, uintptr_t stack) {
  record_hooked([=]() __attribute__((always_inline)) { record_enter_unhurried(region, stack); },
                [=](Recorder& r, uint64_t at)
                    __attribute__((always_inline)) { return r.writer.try_enter_stamp(region, at, stack); },
                [=](Recorder& r, format::ThreadWriter::Fast fast, uint64_t at)
                    __attribute__((always_inline)) { finish_enter_hook(r, fast, region, at, stack); });
}
__attribute__((always_inline)) inline void record_leave_hook(uint32_t region) {
  record_hooked([=]() __attribute__((always_inline)) { record_leave_unhurried(region); },
                [=](Recorder& r, uint64_t at) __attribute__((always_inline)) { return r.writer.try_leave_stamp(region, at); },
                [=](Recorder& r, format::ThreadWriter::Fast fast, uint64_t at)
                    __attribute__((always_inline)) { finish_leave_hook(r, fast, region, at); });
}
// A wrapper's enter and leave of its call: the hooks' path, or the guarded
// one when the enter has a call site.
__attribute__((always_inline)) inline void record_enter(uint32_t region, uint32_t site = 0) {
  if (__builtin_expect(site == 0, 1))
    record_enter_hook(region, stack_position());
  else
    record_enter_from(region, stack_position(), site);
}
__attribute__((always_inline)) inline void record_leave(uint32_t region) { record_leave_hook(region); }
void record_event(const format::EventKey& key, const int64_t* data = nullptr);
// The same with a given timestamp: an interceptor that records a call's entry or
// exit and a record belonging to that instant (a send at the start of MPI_Send, a
// completion at the end of MPI_Wait) gives both the same ticks: one clock read
// less, and a zero time delta, which costs almost nothing on disk.
__attribute__((always_inline)) inline void record_enter_at(uint32_t region, uint64_t at, uint32_t site = 0) {
  uintptr_t stack = stack_position();
  RecordGuard g;
  if (g.ok())
    g.thread_recorder().enter(region, at, stack, site);
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_enter(*d, region, at, stack, site);
}
inline void record_leave_at(uint32_t region, uint64_t at) {
  RecordGuard g;
  if (g.ok())
    g.thread_recorder().leave(region, at);
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_leave(*d, region, at);
}
// The calling thread resumes with its stack pointer at `stack` (a longjmp lands,
// an exception is caught): the calls entered below it end now.
void resume_at_stack(uintptr_t stack);
// Inline, like the enter and leave: an MPI wrapper records its message here.
inline void record_event_at(const format::EventKey& key, const int64_t* data, uint64_t at) {
  RecordGuard g;
  if (g.ok())
    g.writer().event(key, at, data);
  else if (Recorder* d = handler_recorder(); __builtin_expect(d != nullptr, 0))
    defer_event(*d, key, data, at);
}

// Definitions (thread-safe; ids are dense and stable for the process).
uint32_t define_string(std::string_view s);
uint32_t define_region(std::string_view name, format::RegionRole role = format::RegionRole::Function,
                       std::string_view file = {}, uint32_t line = 0);
// A region id for a definition that cannot be made where it is needed (a signal
// handler may not allocate or lock): lock-free and async-signal-safe. The id may
// be recorded at once; define_reserved_region() gives it its name later, from
// an ordinary context. Until then readers show it as an unknown region.
uint32_t reserve_region();
// Defines a region reserved by reserve_region() (once per id). When no region of
// that name exists yet, define_region(name) returns this id from now on.
void define_reserved_region(uint32_t id, std::string_view name, format::RegionRole role = format::RegionRole::Function,
                            std::string_view file = {}, uint32_t line = 0);
// Defines a communicator (and its groups) and returns its id; thread-safe.
uint32_t define_communicator(std::string_view name, const std::vector<int32_t>& world_ranks, uint32_t parent,
                             uint32_t instance, const std::vector<int32_t>* remote_world_ranks = nullptr);
// Defines an I/O handle (file) by path and paradigm; returns its id.
uint32_t define_io_handle(std::string_view path, uint32_t paradigm);
// Defines a metric (MetricSample records refer to it) and returns its id. mode:
// 0 accumulated from the start, 1 absolute value, 2 relative to the previous
// sample (FORMAT.md, "Metric").
uint32_t define_metric(std::string_view name, std::string_view unit, uint8_t mode);
// Writes (or replaces) call site `id` (call_sites.cpp).
void define_call_site(uint32_t id, const format::CallSiteDef& def);
// Replaces the process definition (e.g. to set the MPI rank once known).
void update_process(const std::function<void(format::ProcessDef&)>& change);

// Reports an internal problem once on stderr and stops recording; the program goes on.
void disable(const std::string& why);
// Prints a message prefixed "rondo: " on stderr (when RONDO_VERBOSE is set, or always for warnings).
void inform(const std::string& message, bool warning);

// Starts recording if RONDO_TRACE_DIR is set (idempotent; called by every library's
// constructor). Returns whether the process is recorded.
bool start();
// Writes every thread's data and the end record (idempotent). Called at exit,
// and by the wrappers of _exit() and _Exit(), after which no atexit handler runs.
void stop();
// exec(): the new image replaces this one, so the process file is ended first
// (as by stop()). Returns whether it was; pass that to exec_failed(), which
// resumes recording into the same file when the exec() returned.
bool stop_for_exec();
// As stop(), but safe in any context, a signal handler included (_exit() may be
// called there): the flusher thread writes the trace, as after a fatal signal,
// with bounded waits for locks the interrupted code may hold.
void stop_now();
void exec_failed(bool stopped);
// Called by the wrapper of pthread_exit() (idempotent, any thread): when the
// main thread exits this way the process must end, with status 0, once its
// last application thread has ended, although the runtime's own threads live
// on; the flusher thread watches for that moment and calls exit(0).
void main_thread_exits();
// Whether the calling process is the one this runtime records: false in the
// child of vfork() (or posix_spawn), which shares the parent's memory and must
// not touch its trace.
bool own_process();

}  // namespace rondo::trace
