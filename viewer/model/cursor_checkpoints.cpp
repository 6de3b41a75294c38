#include "cursor_checkpoints.h"

#include <algorithm>
#include <iterator>

namespace rondo::viewer {

using format::EventCursor;
using format::ThreadTrace;

size_t CursorCheckpoints::checkpoint_bytes(const ThreadTrace& thread) {
  // The cursor itself, its per-loop and per-event column cursors, a nesting
  // stack of typical depth, and the map node holding it.
  constexpr size_t kStack = 16 * 32, kNode = 64;
  return sizeof(EventCursor) + thread.loops().size() * sizeof(uint32_t) + thread.events().size() * sizeof(uint64_t) +
         kStack + kNode;
}

size_t CursorCheckpoints::count() const {
  size_t n = 0;
  for (const auto& [thread, row] : rows_) n += row.at.size();
  return n;
}

const EventCursor* CursorCheckpoints::before(Row& row, uint64_t ticks) const {
  auto it = row.at.upper_bound(ticks);
  return it == row.at.begin() ? nullptr : &std::prev(it)->second;
}

EventCursor CursorCheckpoints::seek(const ThreadTrace& thread, uint64_t ticks) {
  Row& row = rows_[&thread];
  const EventCursor* from = before(row, ticks);
  EventCursor cursor = from ? *from : EventCursor(thread);
  uint64_t start = cursor.position();
  cursor.advance_to_ticks(ticks);
  keep(row, thread, cursor, ticks, start);
  return cursor;
}

void CursorCheckpoints::advance(EventCursor& cursor, const ThreadTrace& thread, uint64_t ticks) {
  Row& row = rows_[&thread];
  // A checkpoint helps when it stands past the cursor: its walk is already
  // done, and a copy resumes at its place in its timestamp chunk without
  // decoding (the chunk comes back from the reader's cache of decoded chunks).
  const EventCursor* from = before(row, ticks);
  if (from && from->position() > cursor.position()) cursor = *from;
  uint64_t start = cursor.position();
  cursor.advance_to_ticks(ticks);
  keep(row, thread, cursor, ticks, start);
}

void CursorCheckpoints::keep(Row& row, const ThreadTrace& thread, const EventCursor& cursor, uint64_t ticks,
                             uint64_t from) {
  if (cursor.position() < from + kMinGap || budget_ == 0) return;
  if (row.each == 0) row.each = checkpoint_bytes(thread);
  auto [kept, added] = row.at.emplace(ticks, cursor);
  if (!added) return;
  kept->second.release_chunk();  // a checkpoint holds no chunk memory (format/reader_chunk_cache.h)
  bytes_ += row.each;
  while (bytes_ > budget_) thin_largest();
}

void CursorCheckpoints::thin_largest() {
  Row* largest = nullptr;
  for (auto& [thread, row] : rows_)
    if (!largest || row.at.size() * row.each > largest->at.size() * largest->each) largest = &row;
  if (!largest || largest->at.empty()) {
    bytes_ = 0;
    return;
  }
  // Every other checkpoint goes, so those left stay evenly spread.
  bool drop = largest->at.size() == 1;
  for (auto it = largest->at.begin(); it != largest->at.end(); drop = !drop) {
    if (drop) {
      it = largest->at.erase(it);
      bytes_ -= largest->each;
    } else {
      ++it;
    }
  }
}

}  // namespace rondo::viewer
