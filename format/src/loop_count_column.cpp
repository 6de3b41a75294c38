#include "rondo/format/loop_count_column.h"

#include <algorithm>
#include <array>
#include <atomic>

#include "rondo/format/error.h"

namespace rondo::format {

namespace {
std::atomic<uint64_t> g_next_id{1};
std::atomic<uint64_t> g_next_cache_key{1};
}  // namespace

constinit thread_local uint64_t t_count_cache_key = 0;

// One structure chunk's counts, grouped by loop: the counts of loop l are
// counts[start[l] .. start[l + 1]); sums[k] is the sum of the counts of the
// same loop before counts[k] in this chunk.
struct DecodedCountChunk {
  uint64_t owner = 0;  // LoopCountColumns::id_, 0: empty slot
  uint32_t chunk = 0;
  // For least-recently-used replacement, by locate(): counts read through a
  // hint (inline, loop_count_column.h) leave it as it is.
  uint64_t used = 0;
  uint64_t stamp = 0;  // new whenever the slot is emptied or filled (CountHint::stamp)
  std::vector<uint32_t> start, counts;
  std::vector<uint64_t> sums;

  void decode(const LoopCountColumns& c, uint32_t index) {
    auto payload = c.chunks_[index].payload();
    StructureBatch batch;
    batch.decode_loop_counts(payload.data(), payload.size());
    start.assign(c.loops_.size() + 1, 0);
    for (auto& [loop, count] : batch.loop_counts)
      if (loop < c.loops_.size()) ++start[loop + 1];
    for (size_t l = 1; l < start.size(); ++l) start[l] += start[l - 1];
    counts.resize(start.back());
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (auto& [loop, count] : batch.loop_counts)
      if (loop < c.loops_.size()) counts[next[loop]++] = count;
    sums.resize(counts.size());
    for (size_t l = 0; l + 1 < start.size(); ++l) {
      uint64_t sum = 0;
      for (uint32_t k = start[l]; k < start[l + 1]; ++k) {
        sums[k] = sum;
        sum += counts[k];
      }
    }
    owner = c.id_;
    chunk = index;
    stamp = next_stamp();
  }
  // Stamps are per calling thread, like the cache.
  static uint64_t next_stamp() {
    static thread_local uint64_t last = 0;
    return ++last;
  }
};

namespace {

// Per calling thread, so that concurrent readers of one trace share nothing
// mutable. Replay interleaves the loops of neighbouring chunks (an outer loop's
// count is written after its inner loops' counts), hence a few slots.
constexpr size_t kCachedChunks = 8;
thread_local std::array<DecodedCountChunk, kCachedChunks> t_cache;
thread_local uint64_t t_clock = 0;

// The prefix sums asked for last, per calling thread: a seek that bisects over
// a loop's iterations asks for the sums at its starting occurrences again at
// every probe.
struct PrefixMemo {
  uint64_t owner = 0;  // LoopCountColumns::id_, 0: empty
  uint32_t loop = 0;
  uint64_t i = 0, sum = 0;
};
constexpr size_t kPrefixMemos = 64;
thread_local std::array<PrefixMemo, kPrefixMemos> t_prefix_memo;

}  // namespace

LoopCountColumns::LoopCountColumns() : id_(g_next_id.fetch_add(1, std::memory_order_relaxed)) {}

void LoopCountColumns::add_chunk(const ChunkRef& chunk, const StructureBatch& batch) {
  if (batch.loop_counts.empty()) return;
  auto index = static_cast<uint32_t>(chunks_.size());
  chunks_.push_back(chunk);
  // A chunk stores each loop's counts as a group (FORMAT.md 8.1.5): a run of
  // one loop's counts is indexed at once.
  const auto& counts = batch.loop_counts;
  for (size_t k = 0; k < counts.size();) {
    const uint32_t loop = counts[k].first;
    uint64_t n = 0, sum = 0;
    for (; k < counts.size() && counts[k].first == loop; ++k, ++n) sum += counts[k].second;
    if (loops_.size() <= loop) loops_.resize(loop + 1);
    Loop& l = loops_[loop];
    if (l.spans.empty() || l.spans.back().chunk != index)
      l.spans.push_back(Span{index, l.from_chunks, l.sum_from_chunks});
    l.from_chunks += n;
    l.total += n;
    l.sum_from_chunks += sum;
    l.sum_total += sum;
  }
}

void LoopCountColumns::add_count(uint32_t loop, uint32_t count) {
  if (loops_.size() <= loop) loops_.resize(loop + 1);
  Loop& l = loops_[loop];
  l.tail.push_back(count);
  l.tail_sum.push_back(l.sum_total);
  ++l.total;
  l.sum_total += count;
}

void LoopCountColumns::resize(size_t loops) { loops_.resize(loops); }

struct LoopCountColumns::Located {
  const DecodedCountChunk* chunk;
  uint64_t k;  // position of the count in chunk->counts
  const Span* span;
};

LoopCountColumns::Located LoopCountColumns::locate(uint32_t loop, uint64_t i) const {
  const Loop& l = loops_[loop];
  auto span = std::upper_bound(l.spans.begin(), l.spans.end(), i,
                               [](uint64_t x, const Span& s) { return x < s.first; }) - 1;
  DecodedCountChunk* hit = nullptr;
  for (DecodedCountChunk& d : t_cache)
    if (d.owner == id_ && d.chunk == span->chunk) {
      hit = &d;
      break;
    }
  if (!hit) {
    hit = &*std::min_element(t_cache.begin(), t_cache.end(),
                             [](const DecodedCountChunk& a, const DecodedCountChunk& b) { return a.used < b.used; });
    hit->owner = 0;  // stays empty if the decode throws
    hit->stamp = DecodedCountChunk::next_stamp();  // hints to the old content are stale
    hit->decode(*this, span->chunk);
  }
  hit->used = ++t_clock;
  uint64_t k = hit->start[loop] + (i - span->first);
  if (k >= hit->start[loop + 1]) throw FormatError("a loop count chunk changed after it was read");
  return Located{hit, k, &*span};
}

uint32_t LoopCountColumns::at(uint32_t loop, uint64_t i) const {
  const Loop& l = loops_[loop];
  if (i >= l.from_chunks) return l.tail.at(i - l.from_chunks);
  Located at = locate(loop, i);
  return at.chunk->counts[at.k];
}

uint32_t LoopCountColumns::at_and_hint(uint32_t loop, uint64_t i, CountHint& hint) const {
  const Loop& l = loops_[loop];
  if (i >= l.from_chunks) return l.tail.at(i - l.from_chunks);
  Located at = locate(loop, i);
  hint.lo = at.span->first;
  hint.hi = at.span->first + (at.chunk->start[loop + 1] - at.chunk->start[loop]);
  hint.counts = at.chunk->counts.data() + at.chunk->start[loop];
  hint.stamp = &at.chunk->stamp;
  hint.stamp_value = at.chunk->stamp;
  if (t_count_cache_key == 0) t_count_cache_key = g_next_cache_key.fetch_add(1, std::memory_order_relaxed);
  hint.cache = t_count_cache_key;
  return at.chunk->counts[at.k];
}

uint64_t LoopCountColumns::prefix(uint32_t loop, uint64_t i) const {
  const Loop& l = loops_[loop];
  if (i >= l.total) return l.sum_total;
  if (i >= l.from_chunks) return l.tail_sum[i - l.from_chunks];
  if (i == 0) return 0;
  PrefixMemo& memo = t_prefix_memo[(i * 31 + loop) % kPrefixMemos];
  if (memo.owner == id_ && memo.loop == loop && memo.i == i) return memo.sum;
  Located at = locate(loop, i);
  uint64_t sum = at.span->sum + at.chunk->sums[at.k];
  memo = PrefixMemo{id_, loop, i, sum};
  return sum;
}

std::vector<uint32_t> LoopCountColumns::all(uint32_t loop) const {
  std::vector<uint32_t> out(size(loop));
  for (uint64_t i = 0; i < out.size(); ++i) out[i] = at(loop, i);
  return out;
}

}  // namespace rondo::format
