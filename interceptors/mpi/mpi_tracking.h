// State the MPI wrappers share: communicators (ids and world-rank tables),
// pending requests, and helpers that record MPI events. Used from the C and the
// Fortran wrappers alike. Everything here calls PMPI_* only, so nothing it does is
// recorded.
#pragma once

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "handle_cache.h"
#include "rondo/format/records.h"
#include "rondo/trace/own_call.h"
#include "rondo/trace/runtime.h"

namespace rondo::mpi {

using format::CollectiveOp;

// Region id of an MPI function, e.g. region("MPI_Send").
uint32_t region(const char* name);

// The guard Call and PollCall share: `inside` raised for the wrapper's whole
// lifetime (from before the derived constructor to after its destructor); on_
// for the thread's outermost call while the process records.
class HeldCall {
 protected:
  __attribute__((always_inline)) HeldCall() {
    trace::InterceptState& s = trace::t_intercept;
    if (s.inside++ != 0) return;  // inside another call: runs unrecorded
    s.stack = trace::stack_position();
    on_ = trace::g_recording.load(std::memory_order_relaxed);
  }
  __attribute__((always_inline)) ~HeldCall() {
    trace::InterceptState& s = trace::t_intercept;
    if (--s.inside == 0) s.call_ticks = 0;  // the outermost call ends (0 already when not recorded)
  }
  // The call's entry, which becomes its instant until real() moves it to the exit.
  __attribute__((always_inline)) uint64_t start() { return trace::t_intercept.call_ticks = trace::ticks(); }
  bool on_ = false;
};

// One intercepted call. The thread's one guard, trace::InterceptState, is read
// and written once when the call begins and once when it ends: `inside` is
// raised for the whole wrapper, the real function and the module's own
// bookkeeping alike, so that nothing else records meanwhile (what the MPI
// library does inside, an MPI function it calls itself, the allocations and
// locks of the bookkeeping, a signal handler that interrupts either), and the
// call's instant (call_ticks) lives beside it. Only the outermost call of the
// thread records, and only while the process records: its enter, its leave and
// the MPI records it makes (trace/own_call.h). Records of the call share its
// timestamps: sends and posts its entry, receives and completions its exit
// (real() moves call_ticks there).
//
// A blocking point-to-point call has one message record at one end: a send's
// at its entry, a receive's at its exit. Its wrapper makes the record first
// (MessageRecord) and hands it to the constructor or to leave_with(), which
// post it with the ENTER or the LEAVE under one guard (trace::own_post_enter,
// own_post_leave): on a ping-pong's critical path (a receive's exit, then the
// next send's entry) only the clock is read and the records are kept; the
// grammar takes them once the send has returned.
struct MessageRecord {
  format::EventKey key;
  int64_t data[1] = {0};  // bytes (kind_shape: one data field)
  bool present = false;   // false: no message (MPI_PROC_NULL, an invalid handle)
};

class Call : HeldCall {
 public:
  __attribute__((always_inline)) explicit Call(uint32_t region) : region_(region) {
    if (!on_) return;
    uint32_t site = trace::call_site();  // call_sites.h; before the clock
    trace::own_enter(region_, start(), site);
  }
  // The call and the record `entry_record()` returns (called only when the
  // call records, before the clock is read), at its entry.
  template <typename MakeRecord>
  __attribute__((always_inline)) Call(uint32_t region, MakeRecord&& entry_record) : region_(region) {
    if (!on_) return;
    uint32_t site = trace::call_site();
    const MessageRecord r = entry_record();
    const uint64_t at = start();
    trace::own_post_enter(region_, at, site, r.present ? &r.key : nullptr, r.data);
  }
  // After the real call: `r` at the call's exit, and the call ends there (the
  // destructor records nothing more).
  __attribute__((always_inline)) void leave_with(const MessageRecord& r) {
    if (!on_) return;
    on_ = false;
    trace::own_post_leave(r.present ? &r.key : nullptr, r.data, region_, trace::t_intercept.call_ticks);
  }
  __attribute__((always_inline)) ~Call() {
    if (on_) trace::own_leave(region_, trace::t_intercept.call_ticks);
  }
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;
  bool on() const { return on_; }

 private:
  uint32_t region_;
};

// One call of a polling function (MPI_Test*, MPI_Iprobe, MPI_Improbe): guarded
// and timed as a Call, but its ENTER is recorded only once the poll has found
// something; a poll that finds nothing is folded into the thread's run of
// unsuccessful polls (rondo/trace/poll_fold.h) and nothing else is recorded.
class PollCall : HeldCall {
 public:
  __attribute__((always_inline)) explicit PollCall(uint32_t region) : region_(region) {
    if (on_ && __builtin_expect(!trace::g_polls_counted, 1)) entry_ = start();
  }
  // After the real call (which moved call_ticks to its exit): whether it is
  // recorded, i.e. found something (or failed); the wrapper then records what
  // it found, and the LEAVE follows when this object goes out of scope. With
  // polls counted, not timed (`--poll-times count`), no clock was read so far:
  // a poll that finds nothing reads none, one that finds something is a call
  // of 0 ns at its return, where its records are stamped.
  // (A clock reading is never 0, so entry_ == 0 says the poll is counted.)
  __attribute__((always_inline)) bool found(bool something) {
    if (!on_) return false;
    const bool counted = __builtin_expect(entry_ == 0, 0);
    if (!something) {
      if (counted)
        trace::own_counted_poll(region_);
      else
        trace::own_failed_poll(region_, entry_, trace::t_intercept.call_ticks);
      return false;
    }
    if (counted) entry_ = start();
    trace::own_enter(region_, entry_);
    entered_ = true;
    return true;
  }
  __attribute__((always_inline)) ~PollCall() {
    if (entered_) trace::own_leave(region_, trace::t_intercept.call_ticks);
  }
  PollCall(const PollCall&) = delete;
  PollCall& operator=(const PollCall&) = delete;

 private:
  uint32_t region_;
  bool entered_ = false;
  uint64_t entry_ = 0;  // 0: not timed (counted, or not recorded)
};

// Runs the real MPI function inside the wrapper's Call or PollCall (which keep
// it unrecorded); what the outermost recorded call records afterwards belongs
// to its exit. A nested call (inside > 1) leaves the outer call's instant alone.
template <typename F>
__attribute__((always_inline)) inline int real(F&& f) {
  int rc = f();
  trace::InterceptState& s = trace::t_intercept;
  if (s.call_ticks != 0 && s.inside == 1) s.call_ticks = trace::ticks();
  return rc;
}

// Records `key` (with `data`) at the current call's instant, when the thread is
// in its outermost recorded MPI call; otherwise nothing.
inline void record_in_call(const format::EventKey& key, const int64_t* data = nullptr) {
  const trace::InterceptState& s = trace::t_intercept;
  if (s.inside == 1 && s.call_ticks != 0) trace::own_event(key, data, s.call_ticks);
}

// Communicators.
uint32_t comm_id(MPI_Comm comm);  // 0 is MPI_COMM_WORLD
// World rank of `rank` in `comm` (the remote group for intercommunicators);
// -1 for MPI_ANY_SOURCE, -2 for MPI_PROC_NULL (no message at all).
int world_rank(MPI_Comm comm, int rank);
// Called after every call that creates communicators (collective over its members).
void comm_created(MPI_Comm parent, MPI_Comm created, const char* how);
void comm_freed(MPI_Comm comm);
// MPI_Comm_idup: `created` is defined when `request` completes (it cannot be
// queried before).
void pending_comm(MPI_Comm parent, MPI_Comm created, MPI_Request request);
int comm_size(MPI_Comm comm);  // remote size for intercommunicators
// Whether this process is the root of a rooted collective on `comm` (for an
// intercommunicator: the root group's process that passed MPI_ROOT).
bool is_root(MPI_Comm comm, int root);

// What every blocking send and receive asks, inline on the message path: a
// datatype's size from the thread's cache, and a record on MPI_COMM_WORLD,
// whose ranks are world ranks. What needs more (a datatype seen first, another
// communicator, MPI_PROC_NULL) is in mpi_tracking.cpp.
namespace detail {
extern thread_local HandleCache<MPI_Datatype, int, 4> t_type_sizes __attribute__((tls_model("initial-exec")));
int64_t type_size_uncached(MPI_Datatype type);
// A message's identity is where it goes (peer, tag, communicator); its size is
// per-occurrence data (FORMAT.md 7.2), so that messages whose size changes from
// call to call (halo exchanges) still repeat as one grammar event.
inline format::EventKey message_key(format::EventKind kind, int peer_world, int tag, uint32_t comm) {
  format::EventKey k;
  k.kind = kind;
  k.params = {peer_world, tag, comm, 0};
  return k;
}
inline MessageRecord message_record(format::EventKind kind, int peer_world, int tag, uint32_t comm,
                                    int64_t bytes) {
  MessageRecord r;
  r.key = message_key(kind, peer_world, tag, comm);
  r.data[0] = bytes;
  r.present = true;
  return r;
}
MessageRecord send_record_elsewhere(int dest, int tag, MPI_Comm comm, int64_t n);
MessageRecord recv_record_elsewhere(const MPI_Status& status, MPI_Comm comm);
// The bytes a status says were received. Open MPI's MPI_Status holds them in a
// field of its public struct (mpi.h), which PMPI_Get_count only reads back, at
// about 40 instructions a call; other libraries are asked.
#if defined(OMPI_MAJOR_VERSION)
inline int64_t received_bytes(const MPI_Status& status) { return static_cast<int64_t>(status._ucount); }
#else
int64_t received_bytes(const MPI_Status& status);
#endif
}  // namespace detail

// The size of `type` in bytes (0 for MPI_DATATYPE_NULL or an invalid type).
inline int64_t type_size(MPI_Datatype type) {
  if (const int* cached = detail::t_type_sizes.find(type)) return *cached;
  return detail::type_size_uncached(type);
}
inline int64_t bytes(int count, MPI_Datatype type) { return static_cast<int64_t>(count) * type_size(type); }
inline int64_t bytes(MPI_Count count, MPI_Datatype type) { return static_cast<int64_t>(count) * type_size(type); }

// Point-to-point records.
void record_send(int dest, int tag, MPI_Comm comm, int64_t n);           // blocking send
void record_recv(const MPI_Status& status, MPI_Comm comm);               // completed blocking receive
// The same records made for Call to record (see there).
inline MessageRecord send_record(int dest, int tag, MPI_Comm comm, int64_t n) {
  if (__builtin_expect(comm == MPI_COMM_WORLD && dest >= 0, 1))
    return detail::message_record(format::EventKind::MpiSend, dest, tag, 0, n);
  return detail::send_record_elsewhere(dest, tag, comm, n);
}
inline MessageRecord recv_record(const MPI_Status& status, MPI_Comm comm) {
  if (__builtin_expect(comm == MPI_COMM_WORLD && status.MPI_SOURCE >= 0, 1))
    return detail::message_record(format::EventKind::MpiRecv, status.MPI_SOURCE, status.MPI_TAG, 0,
                                  detail::received_bytes(status));
  return detail::recv_record_elsewhere(status, comm);
}
// A probe that found a message (MPI_Probe, MPI_Mprobe, MPI_Iprobe/MPI_Improbe
// with the flag true): the message's source, tag and size, read from `status`
// exactly as record_recv reads them. Not a receive: nothing is matched to it.
void record_probe(const MPI_Status& status, MPI_Comm comm);
// Nonblocking and persistent requests. Each request the program starts gets an
// id of its own; its completion is recorded exactly once, by the call that
// completes it. Handles are no identity: a library may hand the same handle to
// several live requests (Open MPI 4.1 returns one shared, already completed
// request for eager MPI_Isends that finished at once), so every handle keeps the
// requests bound to it, oldest first. `slot` is the address of the caller's
// request variable (C or Fortran); a completion from the same address takes the
// request that was bound there, otherwise the oldest one.
//
// A send is recorded *before* the real call starts it (a receiver may complete
// it before the call returns), so the request id is drawn first and bound to
// the handle afterwards:
//   PendingSend p = begin_send(dest, tag, comm, n, record);  real call;  p.bind(request, slot)
struct PendingSend {
  uint64_t id = 0;  // 0: nothing to track (MPI_PROC_NULL)
  int peer = -1, tag = 0;
  uint32_t comm = 0;
  int64_t bytes = 0;
  bool persistent = false;
  // A nonpersistent send whose call returned MPI_REQUEST_NULL completed inside
  // the call: its completion is recorded at once.
  void bind(MPI_Request request, const void* slot) const;
};
PendingSend begin_send(int dest, int tag, MPI_Comm comm, int64_t n, bool persistent, bool record);
void post_recv(MPI_Request request, const void* slot, int source, int tag, MPI_Comm comm, bool persistent,
               bool record);
// Re-posts persistent requests; called before the real MPI_Start(all).
void start(MPI_Request request, const void* slot);
// After a completion call: `handle` as it was before the call, its status, and
// the address of the caller's variable that held it.
void completed(MPI_Request handle, const MPI_Status& status, const void* slot);
// MPI_Request_free: an active request freed this way completes unseen and is
// counted as never completed.
void request_freed(MPI_Request handle, const void* slot);
// Requests started and never seen completing (still pending, or freed while
// active); reported at MPI_Finalize.
uint64_t requests_never_completed();

// Collectives: begin before the real call, end after.
void collective_begin();
void collective_end(CollectiveOp op, MPI_Comm comm, int root, int64_t sent, int64_t received);
// MPI_Comm_free: the communicator's id must be taken before the call frees the
// handle; `comm_id` is that id.
void comm_free_end(uint32_t comm_id);

// RMA.
uint32_t window_id(MPI_Win win);
void window_created(MPI_Win win);
void record_rma(format::EventKind kind, int target, MPI_Win win, int64_t n);
// MPI-IO and RMA synchronisation records: io_rma_records.h.

// MPI_Init / MPI_Finalize hooks: ranks, communicators and clock offsets.
void after_init();
void before_finalize();
// Flushes the trace before MPI_Abort takes the job down.
void before_abort();

}  // namespace rondo::mpi
