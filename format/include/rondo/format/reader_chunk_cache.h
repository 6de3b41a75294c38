// Decoded chunks shared by every EventCursor of the process: timestamp chunks,
// and the data values of structure chunks (data_columns.h).
//
// A timestamp chunk (FORMAT.md 8.2) is stored as zstd-compressed deltas; a
// cursor must decompress it before it can read a timestamp. Readers that seek
// again and again into the same chunks (the viewer draws every frame from seeks,
// the analyzer replays a window after a profile) would decompress the same chunk
// each time. So decompressed chunks are immutable buffers shared through
// shared_ptr: a cursor holds the one it reads, a cursor copy shares it (with the
// decoder's position in it), and this cache keeps the most recently used ones.
//
// Memory bound: the cache holds at most budget() bytes of decoded chunks
// (default kDefaultBudget, 32 MiB, for all readers of the process together;
// the least recently used chunk goes first). Beyond it, each cursor that is
// reading holds its current timestamp chunk (at most 10 bytes per event of a
// chunk, 16,384 events a chunk as the recorder writes them) and its current
// data chunk (8 bytes per data value of one structure chunk). A cursor that
// let go of its chunks (EventCursor::release_chunk) holds none.
//
// Thread-safe: cursors on several threads share it (a mutex around the index;
// decompression itself runs outside the lock).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "rondo/format/chunk.h"

namespace rondo::format {

using DecodedDeltas = std::shared_ptr<const std::vector<uint8_t>>;

class DecodedChunkCache {
 public:
  static constexpr size_t kDefaultBudget = size_t{32} << 20;

  // The one cache of the process (what the memory bound is stated for).
  static DecodedChunkCache& instance();
  // A key no other owner of the process has (owners' addresses are reused).
  static uint64_t new_owner();

  // The decompressed deltas of timestamp chunk `chunk` of the thread known as
  // `owner` (ThreadTrace's cache key), whose stored chunk is `ref`: from the
  // cache, or decompressed now (throws FormatError as decode_timestamp_residuals).
  DecodedDeltas get(uint64_t owner, uint32_t chunk, const ChunkRef& ref);
  // Any other decoded chunk, under its own owner key (never a thread's timestamp
  // key): from the cache, or made now by decode(), which returns it with its
  // size in bytes (and may throw: nothing is kept then).
  using Decoded = std::pair<std::shared_ptr<const void>, size_t>;
  std::shared_ptr<const void> get(uint64_t owner, uint32_t chunk, const std::function<Decoded()>& decode);
  // Drops every chunk of `owner` (its thread is closed).
  void forget(uint64_t owner);
  // Changes the bound (0: keep nothing); evicts down to it at once.
  void set_budget(size_t bytes);

  struct Stats {
    uint64_t decodes = 0;  // chunks decompressed since the process started
    uint64_t hits = 0;     // requests served without decompressing
    size_t bytes = 0;      // held now
    size_t chunks = 0;     // held now
    size_t budget = 0;
  };
  Stats stats() const;

 private:
  using Key = std::pair<uint64_t, uint32_t>;
  struct Entry {
    std::shared_ptr<const void> value;
    size_t bytes = 0;
    std::list<Key>::iterator age;  // position in lru_
  };
  void evict_to(size_t bytes);  // mutex held

  mutable std::mutex mutex_;
  std::map<Key, Entry> entries_;
  std::list<Key> lru_;  // most recently used first
  size_t bytes_ = 0;
  size_t budget_ = kDefaultBudget;
  uint64_t decodes_ = 0, hits_ = 0;
};

}  // namespace rondo::format
