// Writing traces. ThreadWriter turns one thread's events into batches (grammar,
// columns, timestamps); encode_batch turns a batch into chunks; ProcessFile
// appends chunks to a process file. The recorder runs the first on the
// application thread and the other two on a background thread; importers and
// tests run all three in line.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "rondo/format/chunk.h"
#include "rondo/format/counter_columns.h"
#include "rondo/format/error.h"
#include "rondo/format/grammar_builder.h"
#include "rondo/format/uninitialized_allocator.h"

namespace rondo::format {

// A batch's timestamp slots are allocated ahead and each is written before it
// is read, so zero-filling them (a batch's worth of stores on the application
// thread, every batch) would be wasted.
using TickVector = std::vector<uint64_t, UninitializedAllocator<uint64_t>>;

// Everything a thread produced since its previous batch.
struct Batch {
  uint32_t thread = 0;
  uint32_t first_sequence = 0;  // chunk sequence numbers first_sequence.. in encode order
  StructureBatch structure;
  uint64_t first_index = 0;     // thread event index of ticks[0]
  TickVector ticks;
  bool final = false;           // carries the thread summary
  ThreadSummary summary;
  // Counters (empty without): metric ids, and per event of `ticks` one value
  // each, event-major.
  std::vector<uint32_t> counter_metrics;
  std::vector<uint64_t> counter_values;
};

// Number of chunks encode_batch makes for `b` (what the sequence numbers count).
uint32_t batch_chunk_count(const Batch& b);
// The chunks of a batch, in sequence order, compressed with zstd at `level`.
// `time_unit` > 1 rounds the timestamps to multiples of that many ticks
// (FORMAT.md 8.2.2; the file must then be version 3).
std::vector<std::vector<uint8_t>> encode_batch(const Batch& b, int level, uint64_t time_unit = 1);

class ThreadWriter {
 public:
  using Sink = std::function<void(Batch&&)>;
  // `events_per_batch` bounds memory: a batch is handed to `sink` when it holds that
  // many events (and at flush()).
  ThreadWriter(uint32_t thread, Sink sink, size_t events_per_batch = 1 << 14);

  // The fast path of enter() and leave(), inlined into every hook and wrapper
  // (a call through the PLT and a second prologue would cost more than it
  // does): a call that repeats a known short call (GrammarBuilder). False,
  // with nothing changed, when the general enter() or leave() must run: the
  // call is not such a call, or the writer is held (hold()).
  __attribute__((always_inline)) bool try_enter(uint32_t region, uint64_t ticks, uint64_t tag) {
    return finish_fast(try_enter_stamp(region, ticks, tag));
  }
  __attribute__((always_inline)) bool try_leave(uint32_t region, uint64_t ticks) {
    return finish_fast(try_leave_stamp(region, ticks));
  }
  // The same in two steps, for a caller that must call no function on its
  // fast path (a hook that then needs no stack frame, runtime.h): Full means
  // the event was recorded and the batch has no room left, and make_room()
  // must come before the next event.
  enum class Fast : uint8_t { Declined, Done, Full };
  __attribute__((always_inline)) Fast try_enter_stamp(uint32_t region, uint64_t ticks, uint64_t tag) {
    if (__builtin_expect(hold_ != 0, 0) || !builder_.try_enter_short(region, ticks, tag)) return Fast::Declined;
    return stamp_unheld(ticks);
  }
  __attribute__((always_inline)) Fast try_leave_stamp(uint32_t region, uint64_t ticks) {
    if (__builtin_expect(hold_ != 0, 0) || !builder_.try_leave_short(region, ticks)) return Fast::Declined;
    return stamp_unheld(ticks);
  }
  void make_room() { out_of_room(); }
  // `tag`: an opaque value kept with the open call (open_tag()).
  void enter(uint32_t region, uint64_t ticks, uint64_t tag = 0) {
    if (__builtin_expect(polled_ != 0, 0)) end_polls(ticks);
    uint32_t id = builder_.enter_event(region);
    builder_.enter(id, region, ticks, tag);
    stamp(ticks);  // last: a flush it triggers must see this event in the grammar
  }
  // An enter made from a call site (call_sites.h): p0 of the ENTER is `site`
  // (the call-site id + 1), so each site is an event of its own.
  void enter_from(uint32_t region, uint32_t site, uint64_t ticks, uint64_t tag = 0) {
    if (__builtin_expect(polled_ != 0, 0)) end_polls(ticks);
    EventKey key{EventKind::Enter, region, {static_cast<int64_t>(site)}};
    uint32_t id = builder_.event_id(key);
    builder_.enter(id, region, ticks, tag);
    stamp(ticks);
  }
  void leave(uint32_t region, uint64_t ticks) {
    if (__builtin_expect(polled_ != 0, 0)) end_polls(ticks);
    uint32_t id = builder_.leave_event(region);
    builder_.leave(id, region, ticks);
    stamp(ticks);
  }

  // Reasons for try_enter() and try_leave() to decline, one bit each (none:
  // 0). kHeldByPolls and kHeldByCounters are the writer's own (a run of folded
  // polls is open; every event stamps counters); the bits from kFirstOwnerHold
  // up are its owner's, for work that must come before the next enter or leave
  // (the recording runtime: events deferred by a signal handler, counters to
  // read). One test on the fast path covers them all.
  static constexpr uint32_t kHeldByPolls = 1, kHeldByCounters = 2, kFirstOwnerHold = 1u << 8;
  void hold(uint32_t bits) { hold_ |= bits; }
  void release(uint32_t bits) { hold_ &= ~bits; }
  bool held(uint32_t bits) const { return (hold_ & bits) != 0; }
  // Any other event: identity in `key`, per-occurrence values in `data`
  // (kind_shape(key.kind).data of them). Always inlined: an MPI message
  // record takes this path once per call.
  __attribute__((always_inline)) void event(const EventKey& key, uint64_t ticks, const int64_t* data = nullptr) {
    if (__builtin_expect(polled_ != 0, 0)) end_polls(ticks);
    const uint32_t id = builder_.expected_event_id(key);
    if (const uint8_t width = builder_.event(id).data) {
      structure_.data_events.push_back(id);
      structure_.data_widths.push_back(width);
      for (uint8_t k = 0; k < width; ++k) structure_.data_values.push_back(data ? data[k] : 0);
    }
    builder_.leaf(id, ticks);
    stamp(ticks);
  }

  // One unsuccessful poll of `region` (a call that found nothing: MPI_Test with
  // the flag false, a failed trylock) from `entry` to `exit`. Consecutive
  // unsuccessful polls are folded into one run, at the cost of a few additions
  // per poll; a run may alternate between up to kPolledPerRun functions (hpcc
  // polls MPI_Test and MPI_Testany in turn). The run is written, one POLLS pair
  // per function (FORMAT.md 7.2), when it ends: at any other event of this
  // thread, at a poll of one function too many, at flush().
  void poll(uint32_t region, uint64_t entry, uint64_t exit) {
    poll_run(region, [&] { return new_poll_run(region, entry); })->add(entry, exit);
  }
  // The same for a poll that is counted, not timed (`--poll-times count`): no
  // clock is read for it. `now()` (the current ticks) is called only when the
  // poll opens its function's run, which is stamped then, just after the poll
  // returned. Such a run ends at the thread's next event, whose timestamp its
  // last record takes (or at the time given to end_polls()).
  template <typename Now>
  void poll_counted(uint32_t region, Now&& now) {
    poll_run(region, [&] {
      const uint64_t at = now();
      FoldedPolls* run = new_poll_run(region, at);
      run->counted = true;
      run->first_ticks = run->last_ticks = at;
      return run;
    })->add_counted();
  }
  // A whole run of folded polls at once (importers): ends the current run and
  // writes `run`.
  void polls(const FoldedPolls& run) {
    end_polls(run.first_ticks);
    polls_[0] = run;
    polled_ = 1;
    hold(kHeldByPolls);
    end_polls(run.last_ticks);
  }
  // Writes the current run of folded polls, if any. `at`: when the run ended
  // (the next event's ticks, or now), the last record of a counted run;
  // kUnknownEnd leaves it at the run's start.
  static constexpr uint64_t kUnknownEnd = UINT64_MAX;
  void end_polls(uint64_t at);
  uint64_t pending_polls() const {
    uint64_t n = 0;
    for (uint32_t i = 0; i < polled_; ++i) n += polls_[i].count();
    return n;
  }
  static constexpr uint32_t kPolledPerRun = 4;

  // Hands everything recorded so far to the sink. `final` also flattens the open
  // calls and attaches the summary (thread end, exit, crash).
  void flush(bool final);
  uint64_t events() const { return flushed_index_ + stamped(); }

  // Counters: from now on every event carries one value per metric id, the
  // values in counter_slot() at that moment (whoever reads the counters writes
  // them there before an enter or leave; other events repeat the last reading).
  // Call before the thread's first event; at most kMaxCounters.
  void set_counters(const std::vector<uint32_t>& metric_ids);
  // Where the readings for the next event go: its own slot in the batch's
  // counter column, so a reading is stored where it is read, with no copy.
  uint64_t* counter_slot() { return counter_next_; }
  uint32_t counters() const { return counters_; }
  uint32_t depth() const { return builder_.depth(); }
  // The open call at `depth` (1 = outermost .. depth()): its region and tag.
  uint32_t open_region(uint32_t depth) const { return builder_.open_region(depth); }
  uint64_t open_tag(uint32_t depth) const { return builder_.open_tag(depth); }

 private:
  // A store and a count-down: ticks_ is allocated ahead (stamped() of its
  // slots are used), so the hot path has no capacity check and stays inlined.
  __attribute__((always_inline)) void stamp(uint64_t ticks) {
    *next_tick_++ = ticks;
    if (__builtin_expect(counters_ != 0, 0)) stamp_counters();
    if (__builtin_expect(--room_ == 0, 0)) out_of_room();
  }
  // stamp() when not held (no counters), leaving the batch's end to the caller.
  __attribute__((always_inline)) Fast stamp_unheld(uint64_t ticks) {
    *next_tick_++ = ticks;
    return __builtin_expect(--room_ == 0, 0) ? Fast::Full : Fast::Done;
  }
  __attribute__((always_inline)) bool finish_fast(Fast f) {
    if (__builtin_expect(f == Fast::Full, 0)) out_of_room();
    return f != Fast::Declined;
  }
  size_t stamped() const { return static_cast<size_t>(next_tick_ - ticks_.data()); }
  // The batch is full (flush) or its slots are used up (more slots, up to the batch size).
  void out_of_room();
  // Gives ticks_ `slots` slots, keeping the stamped ones, and the counter
  // column one slot per tick slot plus the next event's.
  void allocate_ticks(size_t slots);
  // The event just stamped keeps the readings in its slot; the next event's
  // slot starts with the same readings, which an enter or leave overwrites and
  // any other event keeps. The column grows with the tick slots, so there is
  // always room for the next event's slot.
  void stamp_counters() {
    const uint64_t* now = counter_next_;
    counter_next_ += counters_;
    for (uint32_t i = 0; i < counters_; ++i) counter_next_[i] = now[i];
  }

  uint32_t thread_;
  Sink sink_;
  size_t events_per_batch_;
  StructureBatch structure_;
  GrammarBuilder builder_;
  TickVector ticks_;  // slots for this batch's timestamps; the first stamped() are set
  uint64_t* next_tick_ = nullptr;  // the next free slot
  size_t room_;  // events until the slots are used up (at most until the batch is full)
  uint64_t flushed_index_ = 0;  // thread event index of ticks_[0]
  uint64_t first_ticks_ = 0, last_ticks_ = 0;
  bool any_ = false;
  uint32_t next_sequence_ = 0;
  // The run of unsuccessful polls not yet written: one entry per function
  // polled in it, in the order of their first polls.
  FoldedPolls polls_[kPolledPerRun];
  uint32_t polled_ = 0;
  uint32_t hold_ = 0;  // see hold()
  uint32_t last_polled_ = 0;  // the entry of polls_ that the last poll went to
  // The entry of the current run for `region`; `open()` makes it when there is
  // none. Almost always the function polled last, in a run already open.
  template <typename Open>
  __attribute__((always_inline)) FoldedPolls* poll_run(uint32_t region, Open&& open) {
    FoldedPolls* run = polls_ + last_polled_;
    if (__builtin_expect(polled_ != 0 && run->region == region, 1)) return run;
    run = find_poll_run(region);
    return run ? run : open();
  }
  FoldedPolls* find_poll_run(uint32_t region);  // the current run's, else nullptr
  // A run of `region`'s polls, opened now (`at`: when, should a run of a fifth
  // function have to end first).
  FoldedPolls* new_poll_run(uint32_t region, uint64_t at);
  uint32_t counters_ = 0;
  std::vector<uint32_t> counter_metrics_;
  // The batch's readings, event-major, followed by the next event's slot,
  // where counter_next_ points.
  std::vector<uint64_t> counter_column_;
  uint64_t* counter_next_ = nullptr;
};

// An append-only process file. append() may be called from several threads (the
// background writer, a crash handler): each chunk gets its own byte range from an
// atomic counter and is written with pwrite, so chunks never interleave.
class ProcessFile {
 public:
  // Creates the file (with its header). Throws FormatError naming the path.
  // `version`: the file header's (format version 3 when timestamps are rounded).
  explicit ProcessFile(const std::string& path, uint16_t version = kLosslessFormatVersion);
  // Takes over `fd`, an empty file open for writing (the recording runtime
  // makes it ahead of time), and writes the header at its start. `path` names
  // it in errors. Throws FormatError; `fd` is closed either way.
  ProcessFile(int fd, const std::string& path, uint16_t version);
  ~ProcessFile();
  ProcessFile(const ProcessFile&) = delete;
  ProcessFile& operator=(const ProcessFile&) = delete;
  // Returns false (and keeps the reason in error()) when the write failed; from
  // then on nothing more is appended. A chunk that would pass the file size
  // limit (RLIMIT_FSIZE) fails with EFBIG without being written, so no SIGXFSZ.
  bool append(const std::vector<uint8_t>& chunk);
  const std::string& path() const { return path_; }
  std::string error() const;
  void sync();

 private:
  void write_header(uint16_t version);

  std::string path_;
  int fd_ = -1;
  std::atomic<uint64_t> offset_{0};
  std::atomic<int> error_{0};
};

}  // namespace rondo::format
