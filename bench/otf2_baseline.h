// OTF2 baseline for Rondo's benchmarks.
//
// Writes a single-threaded enter/leave event stream as a real OTF2 archive (libotf2, serial collectives),
// measures its on-disk size (raw and per-file zstd-compressed), and reads it back with the OTF2 reader to
// build a flat profile or to measure pure replay throughput. All functions throw std::runtime_error on failure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace rondo::bench {

// One enter or leave of region `region` (index into the region name table); a single thread, time-ordered.
struct SimpleEvent {
  uint64_t timestamp;
  uint32_t region;
  bool enter;
};

struct Otf2WriteResult {
  uint64_t bytes_on_disk;  // total size of all regular files of the archive
  double seconds;          // wall time of the whole write (archive open .. archive close)
};

// File name of the anchor file inside the archive directory written by write_otf2().
inline constexpr const char* kOtf2ArchiveName = "traces";

// Path of the anchor file ("<dir>/traces.otf2") of an archive written by write_otf2().
std::string otf2_anchor_path(const std::string& dir);

// Write `events` (one location, one process, regions named region_names[i]) as an OTF2 archive in directory
// `dir` (created; removed first if it exists), using the real OTF2 library with serial collectives.
// Timestamps are written as they are; `timer_resolution` is their rate in ticks per second (default 1e9:
// nanoseconds; pass the trace's tick rate to store raw clock ticks). The clock properties carry the real
// global offset (first timestamp) and trace length (last - first). Returns total size of all files of the archive.
Otf2WriteResult write_otf2(const std::string& dir, const std::vector<std::string>& region_names,
                           const std::vector<SimpleEvent>& events, uint64_t timer_resolution = 1000000000);

// Size of the same archive if each file were compressed with zstd at level `level`
// (read each file, ZSTD_compress it on its own, sum the compressed sizes).
//
// `sample_bytes` > 0 bounds the work for slow levels: a file larger than that is estimated from a sample of
// `sample_bytes` bytes (8 equal slices evenly spaced over the file, concatenated and compressed as one input:
// compressed sample size x file size / sample size), and `*estimated` (when given) is set to true. On the
// 264 MB loop archive of bench_size, a 16 MiB sample at level 19 was within 0.3% of compressing the whole file.
uint64_t zstd_compressed_size(const std::string& dir, int level, uint64_t sample_bytes = 0,
                              bool* estimated = nullptr);

struct Otf2Profile {
  std::vector<uint64_t> calls, inclusive, exclusive;  // indexed by region; times in timer ticks
  uint64_t events = 0;                                // enter + leave events seen
  double seconds = 0;                                 // wall time of read + profile
};

// Read the archive back with the OTF2 reader (global event reader, Enter/Leave callbacks) and compute a flat
// profile per region using a call stack. Exclusive time = inclusive time minus the inclusive time of direct
// children. For recursive regions the inclusive time is only accounted at the outermost activation, so it is
// never double-counted (calls and exclusive time count every activation).
// Throws if a region index is >= region_count, if a leave does not match the innermost open region, or if
// regions are left open at the end.
Otf2Profile profile_otf2(const std::string& dir, size_t region_count);

// Replay only: read every event with the OTF2 reader and count them; returns events/s
// (events = the reader's count of all events read; time includes opening the archive).
double replay_otf2_events_per_second(const std::string& dir);

}  // namespace rondo::bench
