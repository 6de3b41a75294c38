// bench_size: bytes per event of a Rondo trace vs an OTF2 archive holding the same events.
//
// Two streams are recorded with the real runtime (this program re-runs itself as a child with RONDO_TRACE_DIR
// set, the child's events go through rondo_enter/rondo_leave, background compression and the exit flush):
//   loop       1M iterations of a body of ~10 calls with a varying inner trip count (bench_common.h)
//   irregular  random regions (256), random nesting, random durations
// The Rondo size is the size of the trace directory; the event count is read back from it. Every event is then
// replayed with EventCursor and written with the OTF2 library (same timestamps in raw ticks, same regions), and
// the OTF2 archive is measured raw and with each file compressed by zstd -3 and -19.
//
// zstd -19 runs at ~1.5 MB/s: by default each OTF2 file larger than 16 MiB is estimated from a 16 MiB sample
// (8 slices spread over the file; the sample's compression ratio applied to the whole file, see
// otf2_baseline.h); --zstd19-sample-mib 0 compresses whole files (over 3 minutes for the 264 MB loop archive).
//
// Usage: bench_size [--iterations N] [--irregular-calls N] [--zstd19-sample-mib N] [--keep]
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_common.h"
#include "otf2_baseline.h"
#include "rondo/format/chunk.h"
#include "rondo/format/reader.h"

namespace {

namespace rb = rondo::bench;
namespace rf = rondo::format;

struct Row {
  std::string name;
  uint64_t events = 0;
  uint64_t rondo_bytes = 0;
  uint64_t rondo_timestamps = 0, rondo_structure = 0, rondo_other = 0;  // by chunk kind, headers included
  bool zstd19_estimated = false;
  uint64_t rondo_zstd19 = 0;  // the Rondo trace files compressed again with zstd -19 (for reference)
  uint64_t otf2_raw = 0, otf2_zstd3 = 0, otf2_zstd19 = 0;
};

// Where the bytes of a Rondo trace go: chunk header + stored payload, by chunk kind (file headers in "other").
void rondo_breakdown(const std::string& dir, Row& row) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".rnd") continue;
    const rf::MappedFile file(entry.path().string());
    const rf::ScanResult scan = rf::scan_chunks(file.data(), file.size());
    uint64_t in_chunks = 0;
    for (const rf::ChunkRef& chunk : scan.chunks) {
      const uint64_t bytes = rf::kChunkHeaderSize + chunk.header.stored_size;
      in_chunks += bytes;
      if (chunk.header.kind == rf::ChunkKind::ThreadTimestamps) {
        row.rondo_timestamps += bytes;
      } else if (chunk.header.kind == rf::ChunkKind::ThreadStructure) {
        row.rondo_structure += bytes;
      } else {
        row.rondo_other += bytes;
      }
    }
    row.rondo_other += file.size() - in_chunks;
  }
}

double per_event(uint64_t bytes, uint64_t events) {
  return events == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(events);
}

Row measure(const std::string& base, const std::string& name, const std::string& workload, uint64_t n,
            uint64_t zstd19_sample, bool keep) {
  Row row;
  row.name = name;
  const std::string trace_dir = base + "/" + name + ".rondo";
  const std::string otf2_dir = base + "/" + name + ".otf2";

  const rb::RecordResult recorded = rb::record_workload(trace_dir, workload, n);
  row.rondo_bytes = rb::directory_bytes(trace_dir);
  std::printf("[%s] recorded %" PRIu64 " events in %.3f s with the runtime (%.1f ns/event including the work)\n",
              name.c_str(), recorded.events, recorded.seconds,
              recorded.seconds * 1e9 / static_cast<double>(recorded.events));

  auto start = rb::Clock::now();
  const rb::TraceEvents trace = rb::read_trace_events(trace_dir);
  std::printf("[%s] read back %" PRIu64 " events (%zu regions, %.3f GHz ticks) in %.3f s\n", name.c_str(),
              trace.event_count, trace.region_names.size(), static_cast<double>(trace.ticks_per_second) / 1e9,
              rb::seconds_since(start));
  if (trace.event_count != recorded.events) {
    throw std::runtime_error(name + ": the workload recorded " + std::to_string(recorded.events) +
                             " events, the trace holds " + std::to_string(trace.event_count));
  }
  row.events = trace.event_count;
  rondo_breakdown(trace_dir, row);
  row.rondo_zstd19 = rb::zstd_compressed_size(trace_dir, 19);

  start = rb::Clock::now();
  const rb::Otf2WriteResult written = rb::write_otf2(otf2_dir, trace.region_names, trace.events, trace.ticks_per_second);
  row.otf2_raw = written.bytes_on_disk;
  std::printf("[%s] OTF2 archive written in %.3f s\n", name.c_str(), rb::seconds_since(start));
  start = rb::Clock::now();
  row.otf2_zstd3 = rb::zstd_compressed_size(otf2_dir, 3);
  std::printf("[%s] zstd -3 over the OTF2 files in %.3f s\n", name.c_str(), rb::seconds_since(start));
  start = rb::Clock::now();
  row.otf2_zstd19 = rb::zstd_compressed_size(otf2_dir, 19, zstd19_sample, &row.zstd19_estimated);
  std::printf("[%s] zstd -19 over the OTF2 files in %.3f s%s\n", name.c_str(), rb::seconds_since(start),
              row.zstd19_estimated ? " (estimated from a sample of each file, see --zstd19-sample-mib)" : "");

  if (!keep) {
    rb::remove_tree(trace_dir);
    rb::remove_tree(otf2_dir);
  }
  return row;
}

uint64_t parse_count(const char* text, const char* option) {
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || v == 0) {
    std::fprintf(stderr, "bench_size: %s needs a positive integer, got '%s'\n", option, text);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (int rc = rb::run_child_if_requested(argc, argv); rc >= 0) return rc;
  uint64_t iterations = rb::kLoopIterations;
  uint64_t irregular_calls = rb::kIrregularCalls;
  uint64_t zstd19_sample_mib = 16;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--iterations") == 0 && i + 1 < argc) {
      iterations = parse_count(argv[++i], "--iterations");
    } else if (std::strcmp(argv[i], "--irregular-calls") == 0 && i + 1 < argc) {
      irregular_calls = parse_count(argv[++i], "--irregular-calls");
    } else if (std::strcmp(argv[i], "--zstd19-sample-mib") == 0 && i + 1 < argc) {
      zstd19_sample_mib = std::strtoull(argv[++i], nullptr, 10);
    } else if (std::strcmp(argv[i], "--keep") == 0) {
      keep = true;
    } else {
      std::fprintf(stderr, "usage: %s [--iterations N] [--irregular-calls N] [--zstd19-sample-mib N] [--keep]\n",
                   argv[0]);
      return 2;
    }
  }

  std::string base;
  try {
    base = rb::make_temp_dir("rondo-bench-size");
    std::vector<Row> rows;
    const uint64_t sample = zstd19_sample_mib << 20;
    rows.push_back(measure(base, "loop", "loop", iterations, sample, keep));
    rows.push_back(measure(base, "irregular", "irregular", irregular_calls, sample, keep));

    bool any_estimate = false;
    for (const Row& r : rows) any_estimate = any_estimate || r.zstd19_estimated;
    std::printf("\nBytes per event (Rondo: the trace directory as recorded; OTF2: the same events, raw and with each "
                "file compressed by zstd)\n");
    std::printf("%-10s %10s %10s %10s %12s %13s %14s %15s\n", "stream", "events", "Rondo", "OTF2 raw", "OTF2 zstd-3",
                "OTF2 zstd-19", "Rondo+zstd-19", "zstd-19/Rondo");
    for (const Row& r : rows) {
      std::printf("%-10s %10" PRIu64 " %10.4f %10.4f %12.4f %12.4f%s %14.4f %14.2fx\n", r.name.c_str(), r.events,
                  per_event(r.rondo_bytes, r.events), per_event(r.otf2_raw, r.events),
                  per_event(r.otf2_zstd3, r.events), per_event(r.otf2_zstd19, r.events),
                  r.zstd19_estimated ? "*" : " ", per_event(r.rondo_zstd19, r.events),
                  static_cast<double>(r.otf2_zstd19) / static_cast<double>(r.rondo_bytes));
    }
    if (any_estimate) {
      std::printf("  * estimated from a %" PRIu64 " MiB sample of each larger OTF2 file "
                  "(--zstd19-sample-mib 0: whole files)\n",
                  zstd19_sample_mib);
    }

    std::printf("\nTotal bytes\n");
    std::printf("%-10s %12s %12s %12s %12s %14s\n", "stream", "Rondo", "OTF2 raw", "OTF2 zstd-3", "OTF2 zstd-19",
                "Rondo+zstd-19");
    for (const Row& r : rows) {
      std::printf("%-10s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %14" PRIu64 "\n", r.name.c_str(),
                  r.rondo_bytes, r.otf2_raw, r.otf2_zstd3, r.otf2_zstd19, r.rondo_zstd19);
    }

    std::printf("\nRondo bytes per event by chunk kind (chunk headers included; other: definitions, thread summary, "
                "end record, file header)\n");
    std::printf("%-10s %12s %12s %12s\n", "stream", "timestamps", "structure", "other");
    for (const Row& r : rows) {
      std::printf("%-10s %12.4f %12.4f %12.4f\n", r.name.c_str(), per_event(r.rondo_timestamps, r.events),
                  per_event(r.rondo_structure, r.events), per_event(r.rondo_other, r.events));
    }

    std::printf("\nSize ratios (OTF2 / Rondo)\n");
    for (const Row& r : rows) {
      const double rondo = static_cast<double>(r.rondo_bytes);
      std::printf("%-10s raw %.1fx, zstd-3 %.1fx, zstd-19 %.1fx\n", r.name.c_str(),
                  static_cast<double>(r.otf2_raw) / rondo, static_cast<double>(r.otf2_zstd3) / rondo,
                  static_cast<double>(r.otf2_zstd19) / rondo);
    }
    if (keep) {
      std::printf("\ntraces kept in %s\n", base.c_str());
    } else {
      rb::remove_tree(base);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_size: %s\n", e.what());
    if (!base.empty() && !keep) rb::remove_tree(base);
    return 1;
  }
}
