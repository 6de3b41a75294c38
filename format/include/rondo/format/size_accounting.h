// Where the bytes of a trace go (`rondo info --sizes`): per thread and in total,
// how much of the files the definitions, the grammar, the timestamps, the
// per-event data and the summaries take, on disk and decoded. Computed from the
// chunk headers and the section headers inside structure chunks, without
// replaying events (FORMAT.md 5, 8).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "rondo/format/reader.h"

namespace rondo::format {

enum class SizePart : uint8_t {
  Definitions,  // PROCESS_DEFS and PROCESS_END chunks (regions, strings, threads, clocks, ...)
  Grammar,      // THREAD_STRUCTURE sections: event/sequence/loop definitions, tokens, checkpoints
  LoopCounts,   // THREAD_STRUCTURE LoopCounts sections: the trip count columns
  EventData,    // THREAD_STRUCTURE EventData sections: per-occurrence data (sizes, requests, ...)
  Timestamps,   // THREAD_TIMESTAMPS chunks
  Summaries,    // THREAD_SUMMARY chunks
  Framing,      // file headers, chunk headers, unknown chunks and sections
};
constexpr size_t kSizeParts = 7;
const char* size_part_name(SizePart p);  // "definitions", "grammar", "loop_counts", ...

struct PartBytes {
  uint64_t stored = 0;   // bytes on disk
  uint64_t decoded = 0;  // after decompression (chunk codec, and the timestamp delta block)
};

struct SizeAccount {
  std::array<PartBytes, kSizeParts> parts{};
  uint64_t events = 0;  // events with timestamps on disk
  PartBytes& operator[](SizePart p) { return parts[static_cast<size_t>(p)]; }
  const PartBytes& operator[](SizePart p) const { return parts[static_cast<size_t>(p)]; }
  uint64_t stored() const;
  uint64_t decoded() const;
  void add(const SizeAccount& o);
};

struct ThreadSizes {
  int32_t rank = -1;       // the process's MPI rank (-1: none)
  size_t process = 0;      // position in the trace
  uint32_t thread = 0;     // thread index in its process
  SizeAccount account;
};

struct TraceSizes {
  SizeAccount total;                // every byte of every process file
  SizeAccount process_level;        // the process-scope chunks and file headers, all processes
  std::vector<ThreadSizes> threads;  // by process, then thread index
};

// A structure chunk is compressed as a whole: its stored bytes are split among
// its sections in proportion to their decoded sizes (exact for raw chunks, an
// estimate for compressed ones). Damaged chunks the scanner skipped count nowhere.
TraceSizes trace_sizes(const TraceReader& trace);

}  // namespace rondo::format
