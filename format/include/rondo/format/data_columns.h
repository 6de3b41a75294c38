// The data columns of one thread (FORMAT.md 8.1.6: message sizes, peers, tags,
// requests, ...), read from the thread's THREAD_STRUCTURE chunks when replay
// reaches them instead of decoded whole: on an MPI trace they are most of a
// thread's structure (62 MB of values for the 11 million events of the 4-rank
// halo trace of bench/analysis), and a replay needs only the chunk it stands
// in. The index kept here grows with the chunks (one entry per chunk and event
// id that has data in it); a decoded chunk holds the values of one batch.
//
// Every event's data is written in the structure chunk of the batch it was
// recorded in, so a replay in event order reads the chunks one after the other
// and holds one at a time (EventCursor). Decoded chunks are shared through the
// process's DecodedChunkCache (reader_chunk_cache.h), so seeks that come back
// to a chunk do not decode it again.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "rondo/format/chunk.h"
#include "rondo/format/thread_data.h"
#include "rondo/format/uninitialized_allocator.h"

namespace rondo::format {

// One structure chunk's values: those of event id e are
// values[ranges[e].start .. + ranges[e].count), and are the values
// [ranges[e].first, ranges[e].first + ranges[e].count) of the id's column.
// Ids with no data in the chunk have count 0.
struct DecodedDataChunk {
  struct Range {
    uint64_t first = 0;
    uint32_t start = 0, count = 0;
  };
  std::vector<Range> ranges;  // by event id
  std::vector<int64_t, UninitializedAllocator<int64_t>> values;  // each written by the decode before use
  // Values v .. v + width of `id`'s column when this chunk holds them all, else null.
  const int64_t* find(uint32_t id, uint64_t v, uint8_t width) const {
    if (id >= ranges.size()) return nullptr;
    const Range& r = ranges[id];
    if (v < r.first || v - r.first + width > r.count) return nullptr;
    return values.data() + r.start + (v - r.first);
  }
};
using DecodedData = std::shared_ptr<const DecodedDataChunk>;

class DataColumns {
 public:
  DataColumns();
  ~DataColumns();  // drops its chunks from the cache
  DataColumns(const DataColumns&) = delete;
  DataColumns& operator=(const DataColumns&) = delete;
  // While the thread is loaded: `batch` is `chunk` decoded (its data groups
  // checked); its values become the next ones of their events' columns. Chunks
  // must be added in sequence order.
  void add_chunk(const ChunkRef& chunk, const StructureBatch& batch);
  void resize(size_t events);  // every event id of the thread, so that lookups index safely
  // Values in the column of event `id` (occurrences x its data width).
  uint64_t size(uint32_t id) const { return id < totals_.size() ? totals_[id] : 0; }
  // The decoded chunk holding values [v, v + width) of `id`'s column, from the
  // cache or decoded now; null when no chunk holds them (past the column's
  // end). A chunk that no longer decodes (the file changed after the load
  // checked it) reads as zeros.
  DecodedData chunk_holding(uint32_t id, uint64_t v, uint8_t width) const;
  // The structure chunks that hold data, in order (for a reader that decodes
  // whole columns: ThreadTrace::load_data()).
  size_t chunks() const { return chunks_.size(); }
  const ChunkRef& chunk_ref(size_t i) const { return chunks_[i].ref; }

 private:
  struct Span {
    uint32_t chunk;  // index into chunks_
    uint64_t first;  // the event's first value in that chunk
  };
  struct Chunk {
    ChunkRef ref;
    std::vector<std::pair<uint32_t, DecodedDataChunk::Range>> ranges;  // (event id, its range), by first appearance
    uint64_t values = 0;
  };
  DecodedData decode(uint32_t chunk) const;
  uint64_t cache_key_;  // names these columns in the DecodedChunkCache
  std::vector<Chunk> chunks_;
  std::vector<std::vector<Span>> spans_;  // by event id, in column order
  std::vector<uint64_t> totals_;           // by event id
};

}  // namespace rondo::format
