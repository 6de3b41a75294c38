#include "rondo/format/data_columns.h"

#include <algorithm>

#include "rondo/format/error.h"
#include "rondo/format/reader_chunk_cache.h"

namespace rondo::format {

DataColumns::DataColumns() : cache_key_(DecodedChunkCache::new_owner()) {}

DataColumns::~DataColumns() { DecodedChunkCache::instance().forget(cache_key_); }

void DataColumns::add_chunk(const ChunkRef& chunk, const StructureBatch& batch) {
  if (batch.data_groups.empty()) return;
  const auto index = static_cast<uint32_t>(chunks_.size());
  Chunk c{chunk, {}, 0};
  for (const StructureBatch::DataGroup& g : batch.data_groups) {
    const uint64_t n = g.records * g.width;
    if (n == 0) continue;
    if (n > UINT32_MAX - c.values) throw FormatError("more data values in one chunk than a reader holds");
    if (spans_.size() <= g.event) spans_.resize(g.event + 1), totals_.resize(g.event + 1);
    // A chunk may hold an event's values in several groups: they follow each
    // other in its column and in the decoded chunk alike.
    auto same = std::find_if(c.ranges.begin(), c.ranges.end(), [&](const auto& r) { return r.first == g.event; });
    if (same == c.ranges.end()) {
      c.ranges.push_back({g.event, DecodedDataChunk::Range{totals_[g.event], 0, 0}});
      spans_[g.event].push_back(Span{index, totals_[g.event]});
      same = c.ranges.end() - 1;
    }
    same->second.count += static_cast<uint32_t>(n);
    totals_[g.event] += n;
    c.values += n;
  }
  // Each event's values sit together in the decoded chunk, in the order the
  // events first appear.
  uint32_t start = 0;
  for (auto& [event, range] : c.ranges) {
    range.start = start;
    start += range.count;
  }
  if (!c.ranges.empty()) chunks_.push_back(std::move(c));
}

void DataColumns::resize(size_t events) {
  spans_.resize(events);
  totals_.resize(events);
}

DecodedData DataColumns::decode(uint32_t index) const {
  const Chunk& c = chunks_[index];
  auto decoded = std::make_shared<DecodedDataChunk>();
  DecodedDataChunk& d = *decoded;
  uint32_t largest = 0;
  for (const auto& [event, range] : c.ranges) largest = std::max(largest, event);
  d.ranges.resize(largest + 1);
  for (const auto& [event, range] : c.ranges) d.ranges[event] = range;
  d.values.resize(c.values);  // unwritten: the decode writes every value (checked below)
  std::vector<uint32_t> written(d.ranges.size(), 0);
  try {
    auto payload = c.ref.payload();
    decode_event_data_into(payload.data(), payload.size(), [&](uint32_t event, uint64_t values) -> int64_t* {
      if (event >= d.ranges.size() || values > d.ranges[event].count - written[event]) return nullptr;
      int64_t* out = d.values.data() + d.ranges[event].start + written[event];
      written[event] += static_cast<uint32_t>(values);
      return out;
    });
  } catch (const FormatError&) {
    written.assign(written.size(), 0);
  }
  // A chunk that changed since the load checked it: zeros, as past a column's end.
  for (const auto& [event, range] : c.ranges)
    if (written[event] != range.count) std::fill_n(d.values.data() + range.start, range.count, 0);
  return decoded;
}

DecodedData DataColumns::chunk_holding(uint32_t id, uint64_t v, uint8_t width) const {
  if (id >= spans_.size() || v + width > totals_[id]) return nullptr;
  const std::vector<Span>& spans = spans_[id];
  auto after = std::upper_bound(spans.begin(), spans.end(), v, [](uint64_t x, const Span& s) { return x < s.first; });
  if (after == spans.begin()) return nullptr;
  const uint32_t index = std::prev(after)->chunk;
  auto value = DecodedChunkCache::instance().get(cache_key_, index, [&]() -> DecodedChunkCache::Decoded {
    DecodedData d = decode(index);
    return {d, d->values.size() * sizeof(int64_t) + d->ranges.size() * sizeof(DecodedDataChunk::Range)};
  });
  return std::static_pointer_cast<const DecodedDataChunk>(value);
}

}  // namespace rondo::format
