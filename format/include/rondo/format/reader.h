// Reading a trace directory (FORMAT.md). Opening is cheap: each process file is
// memory-mapped and its chunk headers indexed; a thread's grammar and columns are
// decoded the first time that thread is used, timestamps one chunk at a time
// while replaying.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rondo/format/chunk.h"
#include "rondo/format/data_columns.h"
#include "rondo/format/definitions.h"
#include "rondo/format/error.h"
#include "rondo/format/loop_count_column.h"
#include "rondo/format/reader_chunk_cache.h"
#include "rondo/format/thread_data.h"

namespace rondo::format {

// Times a reader gives lie in [-kTimeLimitNs, kTimeLimitNs] (FORMAT.md 11.3), so
// that the difference of any two is a valid int64.
constexpr int64_t kTimeLimitNs = (int64_t{1} << 62) - 1;
// a + b for sums of durations, saturated at the ends of int64: a damaged trace
// can make each term as large as kTimeLimitNs, and several add up past int64.
inline int64_t add_ns(int64_t a, int64_t b) {
  int64_t sum;
  if (__builtin_add_overflow(a, b, &sum)) return b > 0 ? INT64_MAX : INT64_MIN;
  return sum;
}

// A read-only memory mapping of a whole file.
class MappedFile {
 public:
  explicit MappedFile(const std::string& path);  // throws FormatError naming the path
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// One decoded event.
struct Event {
  uint64_t index = 0;  // position in the thread's event order
  uint64_t ticks = 0;  // raw clock ticks (see ProcessReader::to_ns)
  uint32_t id = 0;     // event id in the thread's grammar
  const EventDef* def = nullptr;
  int64_t data[kMaxData] = {};
  EventKind kind() const { return def->key.kind; }
};

class ProcessReader;

// Where the event a cursor last returned sits in the grammar: one enclosing loop
// occurrence. Loop ids are the thread's; occurrences of one loop are numbered in
// replay order (the order of the loop's count column, FORMAT.md 10.2), so
// (loop, occurrence, iteration) names one iteration of the thread uniquely.
struct LoopFrame {
  uint32_t loop = 0;         // loop id in the thread's grammar
  uint32_t occurrence = 0;   // 0-based: which occurrence of this loop in the thread
  uint32_t iteration = 0;    // 0-based iteration of that occurrence
  uint32_t iterations = 0;   // the occurrence's trip count (its value in the count column)
  uint64_t first_event = 0;  // index of the first event of this iteration
  bool operator==(const LoopFrame&) const = default;
};

// Everything recorded by one thread: grammar, columns, timestamp chunk index.
class ThreadTrace {
 public:
  ThreadTrace();
  ~ThreadTrace();  // its decoded chunks leave the DecodedChunkCache
  ThreadTrace(const ThreadTrace&) = delete;
  ThreadTrace& operator=(const ThreadTrace&) = delete;
  uint32_t index() const { return index_; }
  const ProcessReader& process() const { return *process_; }

  const std::vector<EventDef>& events() const { return events_; }
  const std::vector<SequenceDef>& sequences() const { return sequences_; }
  const std::vector<LoopDef>& loops() const { return loops_; }
  const std::vector<Token>& top_level() const { return top_level_; }
  // Iteration counts of each occurrence of a loop, in the order the occurrences
  // appear: how many there are, one of them, or all of them (a copy, O(occurrences);
  // the counts are read from the file when asked, see loop_count_column.h).
  uint64_t loop_occurrences(uint32_t loop) const { return loop_counts_.size(loop); }
  uint32_t loop_count(uint32_t loop, uint64_t occurrence) const { return loop_counts_.at(loop, occurrence); }
  // The same, fast for one loop's occurrences in increasing order (CountHint).
  uint32_t loop_count(uint32_t loop, uint64_t occurrence, CountHint& hint) const {
    return loop_counts_.at(loop, occurrence, hint);
  }
  std::vector<uint32_t> loop_counts(uint32_t loop) const { return loop_counts_.all(loop); }
  // Iterations of the first `occurrences` occurrences of a loop (<= loop_occurrences):
  // a prefix sum of its counts, O(log occurrences) (LoopCountColumns::prefix).
  uint64_t loop_iterations_before(uint32_t loop, uint64_t occurrences) const {
    return loop_counts_.prefix(loop, occurrences);
  }
  // Tokens of one iteration of a loop.
  const std::vector<Token>& loop_body(uint32_t loop) const { return loop_lists_[loop]; }

  uint64_t event_count() const { return event_count_; }  // events with timestamps on disk
  const std::vector<TimestampChunkInfo>& timestamp_chunks() const { return ts_info_; }
  bool has_summary() const { return has_summary_; }
  const ThreadSummary& summary() const { return summary_; }
  uint64_t first_ticks() const { return ts_info_.empty() ? 0 : ts_info_.front().first_ticks; }
  uint64_t last_ticks() const { return ts_info_.empty() ? 0 : ts_info_.back().last_ticks; }
  // True when the thread's data ends early (killed job, lost chunk): events after
  // the last complete chunk are missing.
  bool truncated() const { return truncated_; }

  // Number of events of the next occurrence of `t`, advancing the column cursors
  // (next count of each loop, next value of each event's data) past it: as
  // expand_times(t, 1, ...).
  uint64_t expand_count(Token t, std::vector<uint32_t>& loop_cursor, std::vector<uint64_t>& data_cursor) const {
    return expand_times(t, 1, loop_cursor, data_cursor);
  }
  // Number of events of the next `times` occurrences of `t`, one after the
  // other, advancing the column cursors past all of them. The occurrences of a
  // loop they hold are consecutive in its count column, so their iterations are
  // a difference of two prefix sums (LoopCountColumns::prefix) and the loop's
  // body is then counted once for all of them: the cost grows with the grammar
  // below `t` (times a binary search per loop), never with `times` or with loop
  // occurrences. Returns kVariable when a needed loop count is missing
  // (truncated trace); the cursors are then partly advanced.
  uint64_t expand_times(Token t, uint64_t times, std::vector<uint32_t>& loop_cursor,
                        std::vector<uint64_t>& data_cursor) const;
  // The same for `times` passes over the token list [list, list + len) (a loop body).
  uint64_t expand_list(const Token* list, uint32_t len, uint64_t times, std::vector<uint32_t>& loop_cursor,
                       std::vector<uint64_t>& data_cursor) const;
  // Events in one expansion of `t` when that number never varies and no event in it
  // carries data (so skipping it needs no column), else kVariable.
  uint64_t fixed_size(Token t) const;
  static constexpr uint64_t kVariable = UINT64_MAX;
  // Data columns: values of event `id`, EventDef::data per occurrence, whole.
  // Decoded from the file on the first call for any event (load_data()) and
  // kept: the grammar, the call tree and the loops never need them, and on an
  // MPI trace they are most of a thread's structure. EventCursor does not use
  // them: it reads one chunk's values at a time (data_columns.h).
  const std::vector<int64_t>& data_values(uint32_t id) const {
    load_data();
    return data_values_[id];
  }
  // How many values data_values(id) holds, known without decoding them.
  uint64_t data_value_count(uint32_t id) const { return data_columns_.size(id); }
  // Decodes every data column now, once; thread-safe. Data that turns out
  // damaged (its chunk passed the checksum and the load's checks, so only a
  // badly written file) ends the decoding there: what follows reads as 0, and
  // data_problem() says where (empty: no damage).
  void load_data() const;
  const std::string& data_problem() const {
    load_data();
    return data_problem_;
  }

  // Counters (FORMAT.md 8.4): the Metric ids the thread counted (empty when it
  // counted none), and the readings at event `index` (one per metric id), or
  // null for an event without readings (past the last counter chunk).
  const std::vector<uint32_t>& counter_metrics() const { return counter_metrics_; }
  const uint64_t* counters_at(uint64_t index) const {
    size_t m = counter_metrics_.size();
    if (m == 0 || index >= counter_values_.size() / m) return nullptr;
    return counter_values_.data() + index * m;
  }

 private:
  friend class ProcessReader;
  const ProcessReader* process_ = nullptr;
  uint32_t index_ = 0;
  std::vector<EventDef> events_;
  std::vector<SequenceDef> sequences_;
  std::vector<LoopDef> loops_;
  std::vector<std::vector<Token>> loop_lists_;
  std::vector<Token> top_level_;
  LoopCountColumns loop_counts_;
  std::vector<uint64_t> fixed_sequence_size_;  // per sequence, or kVariable
  // The data columns' index, from the load's check of each chunk (their
  // sizes, and the chunks to decode them from).
  DataColumns data_columns_;
  // The columns whole, per event id (occurrences x EventDef::data), filled by
  // load_data() from data_columns_'s chunks.
  mutable std::vector<std::vector<int64_t>> data_values_;
  mutable std::once_flag data_once_;
  mutable std::string data_problem_;
  std::vector<TimestampChunkInfo> ts_info_;
  std::vector<ChunkRef> ts_chunks_;
  std::vector<uint32_t> counter_metrics_;
  std::vector<uint64_t> counter_values_;  // events x counter_metrics_.size()
  uint64_t event_count_ = 0;
  ThreadSummary summary_;
  bool has_summary_ = false;
  bool truncated_ = false;
  uint64_t cache_key_ = 0;  // names this thread in the DecodedChunkCache, unique in the process
  // The timestamp chunk holding event `index`; FormatError when it is missing.
  size_t timestamp_chunk_of(uint64_t index) const;
  friend class EventCursor;
  friend class ForwardTimestamps;
};

// One thread's timestamps by event index, read forward without the grammar:
// for callers that know from the structure alone which events they need (the
// first event of each loop iteration). Each chunk is taken from the
// DecodedChunkCache and decoded at once, in one tight loop, into the ticks of
// its events (a chunk's worth of memory), which at() then reads by index: a
// caller asks for one timestamp every few events, millions of times.
//
// With `read_ahead`, a thread of its own decodes the chunk after the one being
// read meanwhile (a third of the work of a walk over a loop trace's iterations
// is decoding its timestamps): for a caller that has a core to spare. The
// answers are the same.
class ForwardTimestamps {
 public:
  explicit ForwardTimestamps(const ThreadTrace& thread, bool read_ahead = false);
  ~ForwardTimestamps();
  ForwardTimestamps(const ForwardTimestamps&) = delete;
  ForwardTimestamps& operator=(const ForwardTimestamps&) = delete;
  // Timestamp of event `index` (< event_count()). `index` must not be below the
  // previous call's (the same again is free). Throws FormatError when the chunk
  // holding it is missing, std::out_of_range when `index` is past the events or
  // goes back.
  uint64_t at(uint64_t index) {
    const uint64_t k = index - base_;
    if (__builtin_expect(k < ticks_.size() && index >= last_, 1)) {
      last_ = index;
      return ticks_[k];
    }
    return enter_chunk(index);
  }

 private:
  class ReadAhead;
  uint64_t enter_chunk(uint64_t index);  // at() outside the chunk decoded (or an error)
  // The ticks of timestamp chunk `chunk` of `thread` into `out`.
  static void decode_chunk(const ThreadTrace& thread, size_t chunk, std::vector<uint64_t>& out);
  const ThreadTrace* t_;
  uint64_t base_ = 0;             // index of ticks_[0]
  uint64_t last_ = 0;             // the index asked for last
  std::vector<uint64_t> ticks_;   // the decoded chunk's timestamps
  std::unique_ptr<ReadAhead> ahead_;  // null: every chunk is decoded by at()
};

// The trip counts of a thread's loops in replay order, for walks over the
// structure: each loop's occurrences are read one after the other (CountHint).
class LoopCountCursors {
 public:
  explicit LoopCountCursors(const ThreadTrace& thread)
      : t_(&thread), next_(thread.loops().size(), 0), hints_(thread.loops().size()) {}
  // The count of `loop`'s next occurrence, and that occurrence's number; false
  // when the column holds no further count (the thread's data ends there).
  bool next(uint32_t loop, uint32_t& occurrence, uint32_t& count) {
    if (next_[loop] >= t_->loop_occurrences(loop)) return false;
    occurrence = next_[loop]++;
    count = t_->loop_count(loop, occurrence, hints_[loop]);
    return true;
  }

 private:
  const ThreadTrace* t_;
  std::vector<uint32_t> next_;
  std::vector<CountHint> hints_;
};

// Replays one thread's events in order, with timestamps and data.
class EventCursor {
 public:
  explicit EventCursor(const ThreadTrace& thread);
  // A copy stands where the original stands (same next event, loop frames and
  // open calls) and shares its decoded timestamp chunk and the decoder's place
  // in it (decoded chunks are immutable, reader_chunk_cache.h): its next() reads
  // on without decoding anything again. A copy costs the grammar state (nesting
  // depth + one cursor per loop and per event column) plus a shared pointer.
  EventCursor(const EventCursor& other) = default;
  EventCursor& operator=(const EventCursor& other) = default;
  EventCursor(EventCursor&&) noexcept = default;
  EventCursor& operator=(EventCursor&&) noexcept = default;
  // Lets go of the decoded timestamp chunk but keeps the decoder's place in
  // it, for a cursor kept for later (the viewer's checkpoints): it then holds no
  // chunk memory (its data chunk and its loop count hints go too, and are
  // looked up again when needed). Its next use takes the chunk back without
  // decoding while the DecodedChunkCache (or another cursor) still holds it,
  // else decompresses it again and decodes up to its position.
  void release_chunk();
  // True when the cursor's next read needs no decompression: it holds its
  // decoded chunk, or released it and the chunk is still held elsewhere.
  bool chunk_at_hand() const { return deltas_ || !released_.expired(); }
  // Next event; false at the end of the thread's readable data.
  bool next(Event& e);
  // Skips the remaining iterations of the innermost loop being replayed (the
  // current iteration finishes normally). Iterations of a fixed-size body are
  // skipped arithmetically; timestamps resume exactly. Returns events skipped.
  uint64_t skip_loop();
  // Positions the cursor so that next() returns the first event at or after `ticks`.
  void seek_ticks(uint64_t ticks);
  // Moves forward only: next() returns the first event at or after `ticks` that
  // is not before the event it would have returned anyway. The structure is
  // walked from the current position, not from the thread's start, so that a
  // reader jumping forward again and again (the viewer, pixel by pixel) pays for
  // the structure between its jumps once.
  void advance_to_ticks(uint64_t ticks);
  uint64_t position() const { return index_; }  // index of the event next() returns

  // The loops enclosing the event next() last returned, outermost first (empty
  // outside any loop, and before the first next()). An iteration with no events
  // (its body holds only loops that ran 0 times) is never current, so iteration
  // numbers may skip it. Costs O(grammar nesting depth); next() itself does no
  // extra work for it beyond one store and one increment per loop iteration.
  void loop_frames(std::vector<LoopFrame>& out) const;
  // Changes whenever loop_frames() may have changed: when a loop occurrence starts
  // or ends, when an iteration starts, and after a seek or skip. A replay that
  // follows loops calls loop_frames() only when this differs from the value it saw
  // at the previous event.
  uint64_t loop_generation() const { return loop_generation_; }
  // Regions of the calls entered and not yet left before the event next() returns,
  // outermost first: what a reader that starts at a seek needs to know about the
  // calls it is inside. Sequences and loop iterations already passed hold whole
  // calls, so only the enter/leave events passed directly at each grammar level
  // count: O(nesting depth + tokens passed at each level) (the top level of a
  // loop-heavy thread is short). Added for the viewer; reads state only.
  void open_calls(std::vector<uint32_t>& regions) const;

 private:
  struct Level {
    const Token* list;
    uint32_t len;
    uint32_t pos;
    uint32_t remaining;    // iterations left after the current one
    uint32_t loop;         // loop id, or UINT32_MAX for a sequence
    uint32_t count;        // loops: the occurrence's trip count
    uint64_t first_event;  // loops: index of the first event of the current iteration
  };
  bool step(uint32_t& event_id);           // structure only: next event id
  bool timed_step(uint32_t& event_id, uint64_t& ticks);
  // Makes decoder_ stand at event index_ in the timestamp chunk holding it: takes
  // back a released chunk, or gets the chunk from the cache and decodes up to index_.
  void position_decoder();
  void drop_chunk();  // forgets the decoded chunk (the cursor moved elsewhere)
  // next()'s values [at, at + width) of event `id` past the data chunk it holds:
  // takes the chunk holding them; null (read as zeros) past the column's end.
  const int64_t* data_from_chunk_holding(uint32_t id, uint64_t at, uint8_t width);
  void skip_structure_to(uint64_t target);  // structure only, without timestamps
  // At a loop level between two iterations: skips the most whole iterations of
  // it that end at or before `target` (doubling, then bisecting, on their event counts).
  void skip_iterations_to(Level& l, uint64_t target);
  void restart();

  const ThreadTrace* t_;
  std::vector<Level> stack_;
  size_t top_pos_ = 0;
  std::vector<uint32_t> loop_cursor_;
  // Per loop, where its last count came from (made on first use): replay takes
  // each loop's counts in order, mostly from the chunk the previous one came from.
  std::vector<CountHint> loop_hints_;
  std::vector<uint64_t> data_cursor_;
  // The structure chunk whose data values the last event with data read (null:
  // none yet, or released): replay reads the chunks in order, one at a time.
  DecodedData data_chunk_;
  uint64_t index_ = 0;
  size_t chunk_ = SIZE_MAX;
  uint64_t chunk_end_ = 0;
  DecodedDeltas deltas_;  // decoded chunk chunk_ (null: none, or released)
  std::weak_ptr<const std::vector<uint8_t>> released_;  // chunk_'s deltas after release_chunk()
  TimestampDecoder decoder_;  // points into chunk_'s deltas
  bool have_pending_ = false;
  Event pending_;
  uint64_t loop_generation_ = 0;
};

// One process file: definitions and its threads.
class ProcessReader {
 public:
  explicit ProcessReader(const std::string& path);
  const std::string& path() const { return path_; }
  const ProcessDefinitions& defs() const { return defs_; }
  int32_t rank() const { return defs_.process.rank; }
  size_t thread_count() const { return thread_ids_.size(); }
  // Thread by position (0..thread_count-1); decoded on first use, thread-safe.
  const ThreadTrace& thread(size_t i) const;
  // How many of its threads thread() has decoded so far: answers that need no
  // events (summaries) must leave this at 0, as their cost depends on it.
  size_t threads_decoded() const { return decoded_.load(std::memory_order_relaxed); }
  // The statistics summary of thread `i`, read alone (without decoding the
  // thread): what flat profiles and `rondo info` need, at a cost independent of
  // the trace's length. False when the thread has none (it did not end cleanly)
  // or when a gap in its chunks lies before it (FORMAT.md 5.4): then its events
  // end at the gap and no longer confirm the summary, and the thread is truncated.
  bool thread_summary(size_t i, ThreadSummary& out) const;
  // The summary that thread_summary() refuses because of a gap before it: what the
  // recorder counted, which the readable events can no longer confirm. For
  // reports ("N events recorded, M readable"), never for statistics.
  bool unconfirmed_summary(size_t i, ThreadSummary& out) const;
  uint32_t thread_index(size_t i) const { return thread_ids_[i]; }
  const std::vector<std::string>& problems() const { return scan_.problems; }
  bool truncated() const;
  bool ended() const { return ended_; }  // the process wrote its end record
  uint64_t file_size() const { return file_->size(); }
  // The format version in the file header (4.1): 3 when timestamps may be rounded (8.2.2).
  uint16_t version() const { return static_cast<uint16_t>(file_->data()[8] | (file_->data()[9] << 8)); }

  // Converts raw ticks to nanoseconds since this process's clock start, then adds
  // the offset to rank 0 (interpolated between init and finalize measurements).
  // Clamped to [-kTimeLimitNs, kTimeLimitNs] (only a damaged clock gets there).
  // Inline: an MPI scan converts millions of record times, and a call to it
  // was a tenth of the scan (its result then waits on the whole chain).
  int64_t to_ns(uint64_t ticks) const;
  double ticks_per_ns() const { return ticks_per_ns_; }
  // Uses `reference`'s tick-to-time mapping: processes on one host that count the
  // same TSC then compare tick for tick, instead of each carrying the small error
  // of its own rate estimate.
  void share_clock_mapping(const ProcessReader& reference);
  // Nanoseconds between this process's first and last clock readings (0: no end reading).
  uint64_t clock_span_ns() const;

 private:
  void load_thread(ThreadTrace& t) const;
  // Thread `thread`'s chunks a reader may use, in sequence order (FORMAT.md 5.4);
  // `gap`: some chunk of the thread lies beyond a missing or doubled number.
  std::vector<const ChunkRef*> usable_chunks(uint32_t thread, bool& gap) const;
  std::string path_;
  std::unique_ptr<MappedFile> file_;
  ScanResult scan_;
  ProcessDefinitions defs_;
  std::vector<uint32_t> thread_ids_;
  mutable std::vector<std::unique_ptr<ThreadTrace>> threads_;
  mutable std::vector<std::unique_ptr<std::once_flag>> loaded_;
  mutable std::atomic<size_t> decoded_{0};
  bool ended_ = false;
  double ticks_per_ns_ = 1.0;
  uint64_t map_ticks_ = 0, map_ns_ = 0;  // a (ticks, ns) pair of the mapping in use
  // to_ns() as FORMAT.md 11.3 specifies it, with its two divisions.
  int64_t to_ns_as_specified(uint64_t ticks) const;
  // The constants of to_ns()'s fast path, set with the mapping (prepare_to_ns()):
  // reciprocals that stand for the divisions, and what the drift correction adds.
  void prepare_to_ns();
  double ns_per_tick_ = 1.0;
  bool drift_ = false;
  double start_shift_ = 0, inv_span_ = 0, offset_ = 0, offset_change_ = 0;
  double margin_scale_ = 0, margin_base_ = 0;
};

// base + r, clamped to [-kTimeLimitNs, kTimeLimitNs] (FORMAT.md 11.3): the
// clock records of a damaged file can put any time out of range, and a
// difference of two times must stay defined wherever statistics take one.
inline int64_t clamped_ns_sum(int64_t base, int64_t r) {
  int64_t sum;
  if (__builtin_add_overflow(base, r, &sum)) return r > 0 ? kTimeLimitNs : -kTimeLimitNs;
  return std::clamp(sum, -kTimeLimitNs, kTimeLimitNs);
}

// The fast path of to_ns(): see prepare_to_ns() in reader.cpp for why it rounds
// as FORMAT.md 11.3's computation does wherever it does not fall back to it.
inline int64_t ProcessReader::to_ns(uint64_t ticks) const {
  const auto delta = static_cast<double>(static_cast<int64_t>(ticks - map_ticks_));
  const double since_map = delta * ns_per_tick_;
  double offset = offset_, drift = 0;
  if (drift_) {
    drift = (since_map + start_shift_) * inv_span_ * offset_change_;
    offset += drift;
  }
  const double x = since_map + offset;
  if (std::fabs(x) < 0x1p50) {  // (beyond, halves are not apart from their neighbours)
    const double margin = std::fabs(since_map) * margin_scale_ + margin_base_ + 0x1p-47 * std::fabs(drift);
    const auto whole = static_cast<int64_t>(x);
    const double fraction = x - static_cast<double>(whole);  // exact, in (-1, 1)
    // Not within `margin` of a half (so not a half): rounds as saturating_ns() would.
    if (std::fabs(std::fabs(fraction) - 0.5) > margin)
      return clamped_ns_sum(static_cast<int64_t>(map_ns_), whole + (fraction > 0.5) - (fraction < -0.5));
  }
  return to_ns_as_specified(ticks);
}

// A trace directory: every process file in it.
class TraceReader {
 public:
  explicit TraceReader(const std::string& dir);  // throws FormatError with a reason a user can act on
  const std::string& dir() const { return dir_; }
  const std::vector<std::unique_ptr<ProcessReader>>& processes() const { return processes_; }
  uint64_t bytes_on_disk() const { return bytes_; }
  // True also when a process file could not be read at all (see problems()).
  bool truncated() const;
  std::vector<std::string> problems() const;  // every damage report, prefixed with its file

 private:
  std::string dir_;
  std::vector<std::unique_ptr<ProcessReader>> processes_;
  // Files that are no readable process file (bad header, empty), left out
  // when at least one other file of the directory reads; their errors.
  std::vector<std::string> unreadable_;
  uint64_t bytes_ = 0;
};

}  // namespace rondo::format
