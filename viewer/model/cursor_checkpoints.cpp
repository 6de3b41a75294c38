#include "cursor_checkpoints.h"

#include <algorithm>
#include <iterator>

namespace rondo::viewer {

using format::EventCursor;
using format::ThreadTrace;

size_t CursorCheckpoints::checkpoint_bytes(const ThreadTrace& thread) {
  // The cursor itself, its per-loop and per-event column cursors, a nesting
  // stack of typical depth, and the map node holding it.
  constexpr size_t kStack = 16 * 40, kNode = 64;  // 16 levels of 40 bytes (EventCursor::Level)
  return sizeof(EventCursor) + thread.loops().size() * sizeof(uint32_t) + thread.events().size() * sizeof(uint64_t) +
         kStack + kNode;
}

size_t CursorCheckpoints::count() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& [thread, row] : rows_) n += row.at.size();
  return n;
}

const EventCursor* CursorCheckpoints::before(Row& row, uint64_t ticks) const {
  auto it = row.at.upper_bound(ticks);
  return it == row.at.begin() ? nullptr : &std::prev(it)->second;
}

EventCursor CursorCheckpoints::seek(const ThreadTrace& thread, uint64_t ticks) {
  std::unique_lock lock(mutex_);
  Row& row = rows_[&thread];  // (a reference to an unordered_map's element outlives inserts)
  const EventCursor* from = before(row, ticks);
  EventCursor cursor = from ? *from : EventCursor(thread);
  lock.unlock();
  uint64_t start = cursor.position();
  cursor.advance_to_ticks(ticks);
  lock.lock();
  keep(row, thread, cursor, ticks, start);
  return cursor;
}

namespace {

// The timestamp chunk holding event `index` (SIZE_MAX past the last one).
size_t chunk_of(const ThreadTrace& thread, uint64_t index) {
  const auto& info = thread.timestamp_chunks();
  auto it = std::upper_bound(info.begin(), info.end(), index,
                             [](uint64_t i, const format::TimestampChunkInfo& c) { return i < c.first_index; });
  if (it == info.begin()) return SIZE_MAX;
  --it;
  return index - it->first_index < it->count ? static_cast<size_t>(it - info.begin()) : SIZE_MAX;
}

// Walking the structure from `at` to `to` (both in one timestamp chunk, which
// the cursor at `at` has decoded) against copying a checkpoint at `to` whose
// chunk is no longer cached, which decompresses that chunk and decodes it up
// to `to`. Measured with callgrind (bench/viewer/frame_profile) on
// nested_loops: walking costs about 40 instructions an event, a decompression
// about 1,000 events' walk, decoding a timestamp about 1/7 of an event's walk.
bool cheaper_to_walk(const ThreadTrace& thread, uint64_t at, uint64_t to) {
  size_t chunk = chunk_of(thread, at);
  if (chunk == SIZE_MAX || chunk != chunk_of(thread, to)) return false;
  uint64_t offset = to - thread.timestamp_chunks()[chunk].first_index;
  return to - at < 1000 + offset / 7;
}

}  // namespace

void CursorCheckpoints::advance(EventCursor& cursor, const ThreadTrace& thread, uint64_t ticks) {
  std::unique_lock lock(mutex_);
  Row& row = rows_[&thread];
  // A checkpoint helps when it stands past the cursor: its walk is already
  // done, and a copy resumes at its place in its timestamp chunk without
  // decoding while that chunk is still cached (format/reader_chunk_cache.h).
  // When the cache has let it go, the copy decompresses it and decodes up to
  // its place: within the chunk the cursor has decoded already, walking on
  // costs less then.
  const EventCursor* from = before(row, ticks);
  if (from && from->position() > cursor.position() &&
      (from->chunk_at_hand() || !cheaper_to_walk(thread, cursor.position(), from->position())))
    cursor = *from;
  lock.unlock();
  uint64_t start = cursor.position();
  cursor.advance_to_ticks(ticks);
  lock.lock();
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
