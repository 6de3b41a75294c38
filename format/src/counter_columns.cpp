#include "rondo/format/counter_columns.h"

#include "rondo/format/encoding.h"

namespace rondo::format {

void encode_counters(uint64_t first_index, const std::vector<uint32_t>& metrics, const uint64_t* values,
                     size_t count, std::vector<uint8_t>& out) {
  ByteWriter w(out);
  w.varint(first_index);
  w.varint(count);
  const size_t m = metrics.size();
  w.varint(m);
  for (uint32_t id : metrics) w.varint(id);
  // Column by column: the deltas of one counter repeat with the loop they come
  // from, which zstd packs well; interleaving counters would break the pattern.
  for (size_t j = 0; j < m; ++j) w.svarint_deltas(count, 0, [&](size_t i) { return values[i * m + j]; });
}

CounterChunk decode_counters(const uint8_t* data, size_t size) {
  ByteReader r(data, size, "counter chunk");
  CounterChunk c;
  c.first_index = r.varint();
  c.count = r.varint();
  uint64_t m = r.count();
  if (m > kMaxCounters) r.fail("more counters than a thread may have");
  for (uint64_t j = 0; j < m; ++j) c.metrics.push_back(r.varint32());
  // Every value takes at least one byte.
  if (m > 0 && c.count > r.remaining() / m) r.fail("more values than the chunk holds");
  c.values.resize(c.count * m);
  for (uint64_t j = 0; j < m; ++j) {
    uint64_t v = 0;
    for (uint64_t i = 0; i < c.count; ++i) {
      v += static_cast<uint64_t>(r.svarint());
      c.values[i * m + j] = v;
    }
  }
  if (!r.done()) r.fail("bytes after the last value");
  return c;
}

}  // namespace rondo::format
