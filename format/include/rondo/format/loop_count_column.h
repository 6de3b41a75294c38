// The trip-count columns of one thread's loops (FORMAT.md 10.2), read from the
// thread's THREAD_STRUCTURE chunks when asked instead of held in memory: a long
// run has as many counts as loop occurrences (4.2 x 10^7 for a 10^9-event run of
// bench/longrun), while the index kept here grows only with the chunks (one
// entry per chunk and loop that has counts in it). Decoded chunks are cached per
// calling thread (a few at a time), so replay, which takes the counts of each
// loop in order, decodes each chunk about once.
//
// Prefix sums of the counts (prefix()) let a seek skip a whole run of loop
// occurrences in one step: the iterations of occurrences [a, b) of a loop are
// prefix(b) - prefix(a), and with them the events and the occurrences of inner
// loops those iterations hold (ThreadTrace::expand_times). They cost 8 bytes
// per (chunk, loop) entry of the index (the sum before the entry's first
// count, kept when the chunk is indexed at load) and 8 bytes per count of a
// decoded chunk in the per-thread cache (the sums inside the chunk, made when
// it is decoded), plus 8 bytes per count held in memory (add_count). A prefix
// sum costs what at() costs: a binary search over the loop's entries and, when
// its chunk is not cached, one decode of that chunk.
#pragma once

#include <cstdint>
#include <vector>

#include "rondo/format/chunk.h"
#include "rondo/format/thread_data.h"

namespace rondo::format {

// Names the calling thread's cache of decoded count chunks for CountHint:
// unique for the process's lifetime (thread ids are reused, these never are),
// 0 until the thread first decodes a chunk.
extern constinit thread_local uint64_t t_count_cache_key;

// Where the last count read through it came from, for at() with a hint: the
// following counts of the same loop in the same decoded chunk are then read
// without a search. A hint belongs to one loop; it points into the cache of the
// thread that made it, and is used only on that thread (a copy of it used on
// another thread, as a cursor may be, takes the slow path and is made again).
struct CountHint {
  uint64_t lo = 0, hi = 0;  // the loop's occurrences the decoded chunk holds: [lo, hi)
  // The loop's counts in that chunk (counts[i - lo]), valid while the cache
  // slot's stamp still reads `stamp_value` (a slot gets a new stamp whenever it
  // is emptied or filled): at() reads a count through the hint inline.
  const uint32_t* counts = nullptr;
  const uint64_t* stamp = nullptr;
  uint64_t stamp_value = 0;
  uint64_t cache = 0;  // t_count_cache_key of the thread whose cache it points into
};

class LoopCountColumns {
 public:
  LoopCountColumns();
  // While the thread is loaded: `batch` is `chunk` decoded; its counts become
  // the next ones of their loops. Chunks must be added in sequence order.
  void add_chunk(const ChunkRef& chunk, const StructureBatch& batch);
  // A count that has no chunk to be read from again (a checkpoint's, for a
  // thread that never ended): appended after the loop's counts from chunks.
  void add_count(uint32_t loop, uint32_t count);
  void resize(size_t loops);

  size_t loops() const { return loops_.size(); }
  // Occurrences of `loop` that have a count.
  uint64_t size(uint32_t loop) const { return loops_[loop].total; }
  // The count of occurrence `i` (< size(loop)) of `loop`. Throws FormatError if
  // the chunk no longer decodes (the file changed after it was loaded).
  uint32_t at(uint32_t loop, uint64_t i) const;
  // The same, fast for increasing `i` of one loop: `hint` (one per loop) keeps
  // the chunk the last count came from.
  uint32_t at(uint32_t loop, uint64_t i, CountHint& hint) const {
    if (__builtin_expect(hint.cache == t_count_cache_key && hint.stamp && *hint.stamp == hint.stamp_value &&
                             i >= hint.lo && i < hint.hi,
                         1))
      return hint.counts[i - hint.lo];
    return at_and_hint(loop, i, hint);
  }
  // Every count of `loop`, in order (O(occurrences): for inspection, not replay).
  std::vector<uint32_t> all(uint32_t loop) const;
  // Iterations of occurrences [0, i) of `loop` (i <= size(loop)): the sum of
  // their counts. Throws FormatError like at().
  uint64_t prefix(uint32_t loop, uint64_t i) const;

 private:
  struct Span {
    uint32_t chunk;  // index into chunks_
    uint64_t first;  // index of the loop's first count in that chunk
    uint64_t sum;    // iterations of the loop's counts before `first`
  };
  struct Loop {
    std::vector<Span> spans;    // chunks holding counts of this loop, in order
    std::vector<uint32_t> tail;  // add_count()'s, after the spans
    std::vector<uint64_t> tail_sum;  // iterations before each tail count
    uint64_t from_chunks = 0, total = 0;
    uint64_t sum_from_chunks = 0, sum_total = 0;  // iterations of the counts from chunks, of all
  };
  friend struct DecodedCountChunk;
  uint32_t at_and_hint(uint32_t loop, uint64_t i, CountHint& hint) const;  // at() past its hint
  struct Located;
  // Count `i` (< from_chunks) of `loop` in its decoded chunk (cached).
  Located locate(uint32_t loop, uint64_t i) const;
  uint64_t id_;  // tells apart the columns in the per-thread cache (addresses are reused)
  std::vector<ChunkRef> chunks_;
  std::vector<Loop> loops_;
};

}  // namespace rondo::format
