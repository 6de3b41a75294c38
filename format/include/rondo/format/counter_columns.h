// Hardware/software counter values per event (FORMAT.md 8.4, THREAD_COUNTERS).
//
// A thread recorded with counters has, for every event, one value per counter:
// the counter's reading (accumulated since the thread started counting) at that
// event. The values are data, never identity: the grammar does not see them, so
// loops are found exactly as without counters. They are stored per batch, one
// column per counter, as differences between consecutive events (a counter read
// at the enter and the leave of a short call differs by little), then zstd.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rondo::format {

// At most this many counters per thread (PAPI event sets on common processors
// hold fewer hardware counters than this).
constexpr uint32_t kMaxCounters = 16;

struct CounterChunk {
  uint64_t first_index = 0;       // thread event index of the first event
  uint64_t count = 0;             // events
  std::vector<uint32_t> metrics;  // Metric definition ids, one per counter
  std::vector<uint64_t> values;   // count x metrics.size(), event-major
};

// Payload of a THREAD_COUNTERS chunk (uncompressed; the chunk codec compresses it).
void encode_counters(uint64_t first_index, const std::vector<uint32_t>& metrics, const uint64_t* values,
                     size_t count, std::vector<uint8_t>& out);
// Throws FormatError on a malformed payload.
CounterChunk decode_counters(const uint8_t* data, size_t size);

}  // namespace rondo::format
