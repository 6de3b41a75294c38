// Per-thread content of a trace: the grammar (event, sequence and loop
// definitions), the columns that hold per-occurrence data, the timestamp stream
// and the statistics summary. FORMAT.md, "Thread chunks", specifies the bytes.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "rondo/format/encoding.h"
#include "rondo/format/records.h"

namespace rondo::format {

struct EventDef {
  EventKey key;
  uint8_t params = 0;  // how many of key.params are meaningful
  uint8_t data = 0;    // data fields per occurrence (in the EventData column)
};
// Byte counts of one occurrence of `def` whose data fields are `data`, in
// either file layout (records.h).
inline TransferBytes transfer_bytes(const EventDef& def, const int64_t* data) {
  return transfer_bytes(def.key, def.params, data);
}

struct SequenceDef {
  std::vector<Token> tokens;
  bool loop_body = false;  // made as the repeated unit of a loop (not a call)
};

struct LoopDef {
  Token body;  // one iteration; a Sequence when the repeated unit has several tokens
};

// Section tags inside a THREAD_STRUCTURE chunk.
enum class SectionTag : uint8_t {
  EventDefs = 1, SequenceDefs = 2, LoopDefs = 3, Tokens = 4, LoopCounts = 5, EventData = 6, Checkpoint = 7
};

// What one THREAD_STRUCTURE chunk holds: new definitions and the next values of
// each column. Writers fill it while recording; readers decode it.
struct StructureBatch {
  std::vector<std::pair<uint32_t, EventDef>> event_defs;
  std::vector<std::pair<uint32_t, SequenceDef>> sequence_defs;
  std::vector<std::pair<uint32_t, LoopDef>> loop_defs;
  std::vector<Token> tokens;  // continuation of the thread's top-level token stream
  std::vector<std::pair<uint32_t, uint32_t>> loop_counts;  // (loop id, iterations), in recording order
  std::vector<uint32_t> data_events;  // event id of each data record, in recording order
  std::vector<uint8_t> data_widths;   // values in each record (EventDef::data of its event)
  std::vector<int64_t> data_values;   // the records' values, concatenated
  // The EventData section's groups (FORMAT.md 8.1.6): every record of one event
  // in the chunk, `records` x `width` values. decode() lists them either way;
  // without values, they are all a reader learns of the section.
  struct DataGroup {
    uint32_t event = 0;
    uint64_t records = 0;
    uint8_t width = 0;
  };
  std::vector<DataGroup> data_groups;
  // What the thread would still write if it ended now (calls and loops still
  // open): used by readers only when the thread never ended (a killed job), so
  // that its events replay up to the last complete batch.
  bool has_checkpoint = false;
  std::vector<Token> checkpoint_tokens;
  std::vector<std::pair<uint32_t, uint32_t>> checkpoint_counts;  // (loop id, iterations), in column order

  bool empty() const {
    return event_defs.empty() && sequence_defs.empty() && loop_defs.empty() && tokens.empty() &&
           loop_counts.empty() && data_events.empty() && !has_checkpoint;
  }
  void clear();
  void encode(std::vector<uint8_t>& out) const;
  // `with_values` false leaves data_events, data_widths and data_values empty:
  // the values are checked to be there (every varint complete) and skipped,
  // for a reader that decodes them later, and only if asked
  // (decode_event_data()): the data of an MPI trace is most of its structure.
  void decode(const uint8_t* data, size_t size, bool with_values = true);
  // decode() of the loop counts alone, the other sections skipped by their
  // lengths: what a loop count column needs when it reads a chunk again.
  void decode_loop_counts(const uint8_t* data, size_t size);
};

// The values of a THREAD_STRUCTURE payload's EventData section, appended group
// by group to columns[event] (records in order, `width` values each, as
// data_values holds them). `columns` must have an entry for every event the
// section names. Throws FormatError on damage; the columns then hold the groups
// before the damaged one.
void decode_event_data(const uint8_t* data, size_t size, std::vector<std::vector<int64_t>>& columns);
// The same, each group's values written where place(event, values) says: at
// least `values` int64s (records x width, record by record), or null for an
// event the caller does not know (FormatError "data for an undefined event").
void decode_event_data_into(const uint8_t* data, size_t size,
                            const std::function<int64_t*(uint32_t event, uint64_t values)>& place);

// Timestamps of a run of consecutive events of one thread, in raw clock ticks,
// stored as deltas between consecutive events. In a loop the same sequence of
// deltas recurs (with jitter), which zstd turns into a fraction of a byte per
// event. (Predicting each delta from the previous one of the same event was
// measured and lost: with real jitter, the difference of two noisy values is
// noisier than either.) Decoding needs no knowledge of the events.
struct TimestampChunkInfo {
  uint64_t first_index = 0;  // index of the first event in the thread's event order
  uint64_t count = 0;
  uint64_t first_ticks = 0;
  uint64_t last_ticks = 0;
  // Ticks per stored delta step (FORMAT.md 8.2.2): 1 stores every tick
  // (lossless); a larger unit means the writer rounded every timestamp to the
  // nearest multiple of it (`rondo record --time-resolution`), so each decoded
  // timestamp lies within unit / 2 ticks of the clock reading.
  uint64_t unit = 1;
  uint8_t codec = 0;  // the codec byte as stored (8.2)
};
// Payload of a THREAD_TIMESTAMPS chunk: the fixed part above, readable without
// decompression, then the residual block (zstd at `level`, raw when level is 0).
// `unit` > 1 rounds the timestamps to multiples of `unit` ticks and stores the
// deltas in that unit (format version 3).
void encode_timestamps(uint64_t first_index, const uint64_t* ticks, size_t count, int level,
                       std::vector<uint8_t>& out, uint64_t unit = 1);
TimestampChunkInfo decode_timestamp_info(const uint8_t* data, size_t size);
// The decompressed residual bytes of a timestamp chunk payload.
std::vector<uint8_t> decode_timestamp_residuals(const uint8_t* data, size_t size);

// Reverses encode_timestamps one event at a time.
class TimestampDecoder {
 public:
  void reset(const TimestampChunkInfo& info, const uint8_t* deltas, const uint8_t* end);
  // Timestamp of the next event. Inline for the common cases, a delta of one
  // or two bytes (up to 8191 ticks either way: every replay and seek decodes
  // one per event); the rest, and every error, out of line.
  uint64_t next() {
    if (!first_ && remaining_ != 0 && end_ - p_ >= 2) {
      uint64_t raw = p_[0];
      if (raw < 0x80) {
        p_ += 1;
      } else if (p_[1] < 0x80) {
        raw = (raw & 0x7f) | (static_cast<uint64_t>(p_[1]) << 7);
        p_ += 2;
      } else {
        return next_slow();
      }
      --remaining_;
      current_ += static_cast<uint64_t>(zigzag_decode(raw)) * unit_;
      return current_;
    }
    return next_slow();
  }
  uint64_t remaining() const { return remaining_; }
  // The next n timestamps into out[0..n), in one loop (as n calls of next()).
  void next_n(uint64_t* out, size_t n);

 private:
  uint64_t next_slow();
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t remaining_ = 0;
  uint64_t current_ = 0;
  uint64_t unit_ = 1;
  bool first_ = true;
};

// Exact integer statistics kept while recording (DESIGN.md, point 6), in ticks.
struct DurationStats {
  uint64_t count = 0;
  uint64_t sum = 0;
  uint64_t min = std::numeric_limits<uint64_t>::max();
  uint64_t max = 0;
  void add(uint64_t d) {
    ++count;
    sum += d;
    if (d < min) min = d;
    if (d > max) max = d;
  }
  void merge(const DurationStats& o) {
    count += o.count;
    sum += o.sum;
    if (o.min < min) min = o.min;
    if (o.max > max) max = o.max;
  }
};

// Sums of squared tick durations overflow 64 bits for calls of a few seconds.
using uint128 = unsigned __int128;

struct RegionStats {
  DurationStats inclusive;  // per call
  uint64_t exclusive_sum = 0;
  // Sum over the same calls of duration², for the standard deviation; exact, so
  // that merging threads in any grouping gives the same result.
  uint128 inclusive_sum_squares = 0;
  void add_call(uint64_t duration, uint64_t child_ticks) {
    inclusive.add(duration);
    exclusive_sum += duration - (duration < child_ticks ? duration : child_ticks);
    inclusive_sum_squares += static_cast<uint128>(duration) * duration;
  }
  void merge(const RegionStats& o) {
    inclusive.merge(o.inclusive);
    exclusive_sum += o.exclusive_sum;
    inclusive_sum_squares += o.inclusive_sum_squares;
  }
};

// A run of unsuccessful polls of one call (MPI_Test that found nothing, a failed
// trylock, ...), accumulated while the program keeps polling and written as one
// EventKind::Polls pair when the run ends (FORMAT.md 7.2, "Folded polls"). The
// polls keep their exact statistics as calls of their region.
struct FoldedPolls {
  uint32_t region = 0;
  uint64_t first_ticks = 0;  // entry of the first poll (counted: return of the first poll)
  uint64_t last_ticks = 0;   // exit of the last poll (counted: the run's end)
  RegionStats calls;         // one call per poll; a poll has no callees, so exclusive = inclusive
  // The polls were counted, not timed (`--poll-times count`): each is a call of
  // 0 ticks, and no clock was read for it.
  bool counted = false;
  uint64_t count() const { return calls.inclusive.count; }
  void add(uint64_t entry, uint64_t exit) {
    if (calls.inclusive.count == 0) first_ticks = entry;
    last_ticks = exit;
    calls.add_call(exit - entry, 0);
  }
  void add_counted() { calls.add_call(0, 0); }
};

struct LoopStats {
  DurationStats occurrences;  // duration of each loop occurrence
  uint64_t iterations = 0;
};

// One iteration of a loop on one thread: its occurrence (the position of its
// count in the loop's count column) and its number in that occurrence, from 0.
struct IterationTicks {
  uint64_t occurrence = 0;
  uint32_t iteration = 0;
  uint64_t ticks = 0;  // its duration
  bool operator==(const IterationTicks&) const = default;
};
constexpr size_t kSlowIterationsKept = 5;

// The durations of one loop's iterations on one thread, kept by the recorder as
// iterations end (FORMAT.md 8.3, section 12.4 for what an iteration's duration
// is), so that loop statistics need no replay: exact sums for the mean and the
// spread, the extremes, the slowest iterations, and how many lie above mean + 3
// standard deviations (kUnknown: more than the recorder could keep count of).
struct IterationStats {
  DurationStats durations;
  uint128 sum_squares = 0;
  static constexpr uint64_t kUnknown = UINT64_MAX;
  uint64_t outliers = 0;
  // At most kSlowIterationsKept: longest first, equal durations by occurrence, then iteration.
  std::vector<IterationTicks> slowest;
};

// mean + 3 standard deviations of `count` durations with these sums: above it an
// iteration is an outlier. The one formula the recorder and the analyzer share.
long double outlier_threshold(uint64_t count, uint64_t sum, uint128 sum_squares);

// THREAD_SUMMARY: written when a thread ends (normally or in a crash handler).
struct ThreadSummary {
  uint64_t events = 0;
  uint64_t first_ticks = 0, last_ticks = 0;
  uint32_t open_regions = 0;  // calls still open when the summary was taken (crash, exit inside a call)
  uint32_t event_definitions = 0;  // size of the thread's event table
  // False for summaries written before region sums of squares were recorded.
  bool has_sum_squares = false;
  std::vector<RegionStats> regions;      // by region id
  std::vector<DurationStats> sequences;  // by sequence id
  std::vector<LoopStats> loops;          // by loop id
  // False for summaries written before iterations were timed while recording.
  bool has_iteration_stats = false;
  std::vector<IterationStats> iterations;  // by loop id, as `loops`
  void encode(std::vector<uint8_t>& out) const;
  void decode(const uint8_t* data, size_t size);
};

}  // namespace rondo::format
