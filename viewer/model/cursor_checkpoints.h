// Checkpoints of the rows' EventCursors: positions already reached, by time, so
// that a seek starts from the nearest checkpoint before its time instead of
// walking the grammar from the thread's start (at 10^6 events a deep seek from
// the start walked the structure for 80-90 ms; from a checkpoint it walks at
// most the distance between two of them).
//
// The full view, the first frame, seeks every row pixel by pixel from start to
// end and leaves a checkpoint at each seek that walked far enough, so every
// later frame starts within about 1/pixels of the run of its window. A
// checkpoint is an EventCursor copy that released its decoded timestamp chunk
// (EventCursor::release_chunk): it holds the grammar state and the decoder's
// place, and resumes there without decoding while the reader's cache of decoded
// chunks still holds that chunk (format/reader_chunk_cache.h). Memory is bounded: all rows together
// keep at most `budget_bytes`; past it, the row holding most loses every other
// checkpoint (the spacing doubles, the walk from one to the next too).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>

#include "rondo/format/reader.h"

namespace rondo::viewer {

class CursorCheckpoints {
 public:
  static constexpr size_t kDefaultBudget = size_t{32} << 20;
  // Events a seek must have walked past the checkpoint it started from before
  // its result is kept: closer checkpoints would cost memory and save little.
  static constexpr uint64_t kMinGap = 4096;

  explicit CursorCheckpoints(size_t budget_bytes = kDefaultBudget) : budget_(budget_bytes) {}

  // A cursor on `thread` whose next() returns the first event at or after
  // `ticks`, exactly as EventCursor::seek_ticks would place it.
  format::EventCursor seek(const format::ThreadTrace& thread, uint64_t ticks);
  // Moves `cursor` forward to the first event at or after `ticks`
  // (EventCursor::advance_to_ticks), from a checkpoint when one lies ahead of it.
  void advance(format::EventCursor& cursor, const format::ThreadTrace& thread, uint64_t ticks);

  size_t bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
  }
  size_t count() const;
  size_t budget() const { return budget_; }
  // The memory one checkpoint of `thread` is counted for.
  static size_t checkpoint_bytes(const format::ThreadTrace& thread);

 private:
  struct Row {
    std::map<uint64_t, format::EventCursor> at;  // ticks -> cursor at the first event at or after them
    size_t each = 0;                               // checkpoint_bytes of the thread
  };
  // The checkpoint with the largest time <= ticks, or null.
  const format::EventCursor* before(Row& row, uint64_t ticks) const;
  // Keeps `cursor` (standing at the first event at or after `ticks`) when it is
  // more than kMinGap events past `from` (the position its walk began at).
  void keep(Row& row, const format::ThreadTrace& thread, const format::EventCursor& cursor, uint64_t ticks,
            uint64_t from);
  void thin_largest();

  size_t budget_;
  // Rows of one frame may be computed in strips on several threads
  // (model/row_strips.h): the map is locked, the walks between checkpoints are not.
  mutable std::mutex mutex_;
  size_t bytes_ = 0;
  std::unordered_map<const format::ThreadTrace*, Row> rows_;
};

}  // namespace rondo::viewer
