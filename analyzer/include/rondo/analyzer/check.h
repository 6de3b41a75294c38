// Invariants that hold for every trace, whatever the program: `rondo check` and
// the test suites (after every recording) run them. A violation means the
// recorder lost or mangled data, or an analysis computed something impossible;
// the numbers of such a trace cannot be trusted.
//
// Checked (Invariant, its name in reports):
//   regions     Every Enter has its own Leave, in nesting order, unless the thread
//               is cut short (its data ends early, its process never wrote its
//               end record, or its summary says calls were still open). A Leave
//               that closes calls still open above it is a violation too: those
//               calls lost their own Leave (longjmp, exceptions).
//   requests    Every nonblocking request (MPI_Isend, MPI_Irecv post, MPI_Start)
//               completes or is cancelled exactly once; one never completed is a
//               violation unless its thread is cut short.
//   waiting     Per rank, MPI waiting (wait states, every pattern) <= the rank's
//               time in the MPI functions that waited.
//   exclusive   Per region of each thread's flat profile, 0 <= exclusive <=
//               inclusive; per thread, the sum of exclusive times equals the
//               thread's time inside regions (its outermost calls, calls still
//               open at its end counted up to its last event).
//   messages    Every send and every receive record belongs to at most one
//               matched message.
//   clock       No matched message is received before it was sent, on the
//               common (clock-corrected) time axis.
//   run         Every process file belongs to the trace's run: no MPI rank twice,
//               ranks inside the world size, one world size.
//   timestamps  Timestamps never decrease along a thread.
//   loops       Per thread that ended cleanly, the iteration times the recorder
//               kept in its summary (count, sum, extremes, sum of squares,
//               outliers, slowest iterations) are those a walk over the events
//               finds; with --time-resolution the counts are, and the sum and
//               extremes within a unit per iteration.
//
// Cost: each thread is replayed once for its regions and once for its MPI
// records (in parallel over threads); message matching and wait states are the
// analyzer's. Nothing recurses on the program's stack depth.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/format/reader.h"

namespace rondo::analyzer {

enum class Invariant : uint8_t { Regions, Requests, Waiting, Exclusive, Messages, Clock, Run, Timestamps, Loops };
constexpr size_t kInvariantCount = 9;
// "regions", "requests", ... (the names above).
std::string_view invariant_name(Invariant invariant);

struct Violation {
  Invariant invariant = Invariant::Regions;
  std::string file;      // the process file, "" when the violation concerns the whole trace
  int32_t rank = -1;     // MPI rank, or the process's position in the trace without one; -1: none
  int32_t thread = -1;   // thread position in its process; -1: the whole process
  int64_t event = -1;    // event index in that thread; -1: none
  int64_t time_ns = -1;  // since the trace's start; -1: none
  std::string message;   // one line, for people
};

struct CheckOptions {
  unsigned threads = 0;  // worker threads, 0: every core
  // Violations kept per invariant and thread (or process); more are counted in
  // CheckReport::omitted, so that a badly broken trace gives a readable report.
  size_t max_per_location = 10;
};

struct CheckReport {
  std::vector<Violation> violations;  // by invariant, then file, thread, event
  uint64_t omitted = 0;               // violations beyond CheckOptions::max_per_location
  // What was checked.
  uint64_t processes = 0, threads = 0, events = 0;
  uint64_t cut_short_threads = 0;  // threads allowed to end inside calls or requests
  uint64_t requests = 0;           // nonblocking requests posted
  uint64_t messages = 0;           // matched messages
  uint64_t unmatched_sends = 0, unmatched_receives = 0;  // not violations: reported for callers that expect 0
  bool clean() const { return violations.empty() && omitted == 0; }
  size_t count(Invariant invariant) const;
};

CheckReport check_trace(const format::TraceReader& trace, const CheckOptions& options = {});

// One line per violation: "requests: rank 0 thread 0 event 12 at 1.5 us (DIR/file): message".
std::string violation_text(const Violation& v);

// {"clean", "violations": [{"invariant", "file", "rank", "thread", "event", "time_ns", "message"}],
//  "omitted", "checked": {"processes", "threads", "events", "cut_short_threads", "requests", "messages",
//  "unmatched_sends", "unmatched_receives"}}
nlohmann::ordered_json check_json(const CheckReport& report);

}  // namespace rondo::analyzer
