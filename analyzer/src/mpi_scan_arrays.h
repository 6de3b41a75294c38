// The MPI scan without the reduce's copy of every record.
//
// A thread that is the only one of its process with MPI records pairs its own
// requests (P2pForm::PairedWhereAlone) and used to keep its sends, receives
// and calls in vectors of its own, which the reduce then copied into the
// scan's arrays: on a trace of millions of messages, hundreds of MB written
// twice and as many fresh pages for the kernel to zero. Here the scan's arrays
// are laid out first, a region per such thread sized from its data columns,
// and each thread's pass fills its region; the reduce moves the regions
// together (only the gaps between them are new memory) and makes the
// communicators and call indices trace-wide where the records stand.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/messages.h"
#include "section_passes.h"

namespace rondo::analyzer {

struct MpiScanArrays {
  // A location's region of each array: where it starts and its room.
  struct Region {
    size_t sends = 0, recvs = 0, calls = 0;
    size_t send_room = 0, recv_room = 0, call_room = 0;
  };
  // Sized to the sum of the rooms, unwritten; calls[kNoCall] is the empty call.
  RecordVector<SendRecord> sends;
  RecordVector<RecvRecord> recvs;
  RecordVector<MpiCallInfo> calls;
  std::vector<Region> regions;  // per location, in all_locations() order
};

// The arrays for a scan of `locations` (all_locations(trace)), decoding the
// threads on `threads` threads to count their records; nullopt when some
// process has MPI records on several threads: the reduce pairs that process's
// records itself, and every partial keeps vectors of its own, as without arrays.
std::optional<MpiScanArrays> mpi_scan_arrays(const format::TraceReader& trace, const std::vector<Location>& locations,
                                             unsigned threads);

// The scan's pass of location `location` (an index into the arrays' regions),
// filling its region where it pairs its own records. `arrays` may be null.
std::unique_ptr<SectionPass<MpiThreadPartial>> mpi_scan_pass(const format::ProcessReader& p, uint32_t process,
                                                             uint32_t thread, const TimeWindow& window, P2pForm form,
                                                             MpiScanArrays* arrays, size_t location);

// reduce_mpi_scan() of partials made with `arrays` (may be null).
MpiScan reduce_mpi_scan(const format::TraceReader& trace, std::vector<MpiThreadPartial> partials,
                        MpiScanArrays* arrays);

// analyze_location() whose MPI pass fills `arrays` (may be null) for location
// index `index`; `read_ahead`: passes that read timestamps without the events
// decode them a chunk ahead on a thread of their own (spare_cores()).
LocationPartial analyze_location(const format::TraceReader& trace, Location location, size_t index,
                                 const TimeWindow& window, Sections sections, MpiScanArrays* arrays,
                                 bool read_ahead);

// reduce_report() of partials made with `arrays` (may be null), keeping at
// most `threads` threads busy (0: every core).
StatsReport reduce_report(const format::TraceReader& trace, std::vector<LocationPartial> partials, GroupBy by,
                          const TimeWindow& window, Sections sections, MpiScanArrays* arrays, unsigned threads);

}  // namespace rondo::analyzer
