// The recording runtime of one process (internal API for interceptors).
//
// One Recorder per thread turns events into batches (format::ThreadWriter). Full
// batches go to a background thread that compresses them and appends them to the
// process file, so the application thread never waits for the disk. Everything is
// flushed at exit, on thread exit, and from handlers of fatal signals; a fork()ed
// child records into a file of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "rondo/format/definitions.h"
#include "rondo/format/writer.h"
#include "rondo/trace/clock.h"

namespace rondo::trace {

struct Recorder {
  explicit Recorder(uint32_t index);
  format::ThreadWriter writer;
  uint32_t index;
  // Set while this thread is inside the recorder: makes nested calls (an
  // intercepted function used by the recorder itself) no-ops, and lets exit and
  // crash handlers wait for a consistent state.
  std::atomic<uint32_t> busy{0};
  bool finished = false;
};

// True once the process is being recorded (RONDO_TRACE_DIR set and start-up done).
extern std::atomic<bool> g_recording;

// The calling thread's recorder, created on first use; null when not recording,
// on an internal thread, or after the thread's recorder was finished.
Recorder* recorder_slow();
extern thread_local Recorder* t_recorder __attribute__((tls_model("initial-exec")));
inline Recorder* recorder() {
  Recorder* r = t_recorder;
  if (__builtin_expect(r != nullptr, 1)) return r;
  return recorder_slow();
}

// Non-zero while an interceptor runs the real function it wraps: what that
// function does internally (an MPI library taking locks, doing I/O, calling
// other MPI functions) is not recorded.
extern thread_local int t_inside_call __attribute__((tls_model("initial-exec")));
struct InsideCall {
  InsideCall() { ++t_inside_call; }
  ~InsideCall() { --t_inside_call; }
  InsideCall(const InsideCall&) = delete;
  InsideCall& operator=(const InsideCall&) = delete;
};

// Marks the recorder busy for the lifetime of the guard; `ok()` is false when the
// thread is already inside the recorder (re-entrant call) or not recording.
class RecordGuard {
 public:
  RecordGuard() {
    if (!g_recording.load(std::memory_order_relaxed) || t_inside_call) return;
    Recorder* r = recorder();
    if (!r || r->busy.load(std::memory_order_relaxed)) return;
    r->busy.store(1, std::memory_order_relaxed);
    std::atomic_signal_fence(std::memory_order_seq_cst);
    r_ = r;
  }
  ~RecordGuard() {
    if (r_) {
      std::atomic_signal_fence(std::memory_order_seq_cst);
      r_->busy.store(0, std::memory_order_release);
    }
  }
  RecordGuard(const RecordGuard&) = delete;
  RecordGuard& operator=(const RecordGuard&) = delete;
  bool ok() const { return r_ != nullptr; }
  format::ThreadWriter& writer() const { return r_->writer; }

 private:
  Recorder* r_ = nullptr;
};

// Hot-path helpers.
inline void record_enter(uint32_t region) {
  RecordGuard g;
  if (g.ok()) g.writer().enter(region, ticks());
}
inline void record_leave(uint32_t region) {
  RecordGuard g;
  if (g.ok()) g.writer().leave(region, ticks());
}
void record_event(const format::EventKey& key, const int64_t* data = nullptr);
// The same with a given timestamp: an interceptor that records a call's entry or
// exit and a record belonging to that instant (a send at the start of MPI_Send, a
// completion at the end of MPI_Wait) gives both the same ticks: one clock read
// less, and a zero time delta, which costs almost nothing on disk.
inline void record_enter_at(uint32_t region, uint64_t at) {
  RecordGuard g;
  if (g.ok()) g.writer().enter(region, at);
}
inline void record_leave_at(uint32_t region, uint64_t at) {
  RecordGuard g;
  if (g.ok()) g.writer().leave(region, at);
}
void record_event_at(const format::EventKey& key, const int64_t* data, uint64_t at);

// Definitions (thread-safe; ids are dense and stable for the process).
uint32_t define_string(std::string_view s);
uint32_t define_region(std::string_view name, format::RegionRole role = format::RegionRole::Function,
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
// Replaces the process definition (e.g. to set the MPI rank once known).
void update_process(const std::function<void(format::ProcessDef&)>& change);

// Reports an internal problem once on stderr and stops recording; the program goes on.
void disable(const std::string& why);
// Prints a message prefixed "rondo: " on stderr (when RONDO_VERBOSE is set, or always for warnings).
void inform(const std::string& message, bool warning);

// Starts recording if RONDO_TRACE_DIR is set (idempotent; called by every library's
// constructor). Returns whether the process is recorded.
bool start();
// Writes every thread's data and the end record (idempotent). Called at exit.
void stop();

}  // namespace rondo::trace
