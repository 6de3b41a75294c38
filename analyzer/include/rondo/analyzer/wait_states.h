// MPI wait states, as Scalasca defines them: time a rank spends inside an MPI
// call only because a partner is late. Computed from the MPI scan (messages.h):
// every record knows the outermost MPI call it was made in (enter and exit), so
// no replay is needed here.
//
// Patterns (waiting is always clamped to [0, duration of the waiting call]):
//   late_sender      A receiving call (blocking receive such as MPI_Recv or
//                    MPI_Sendrecv, or the MPI_Wait*/Test* call that completes a
//                    nonblocking receive) entered before the matching send
//                    started: send call enter - receiving call enter.
//   late_receiver    A blocking send (MPI_Send, MPI_Ssend, or the MPI_Wait*/Test*
//                    call completing an MPI_Isend/MPI_Issend) that ended after the
//                    matching receive was posted: receive post (the MPI_Recv or
//                    MPI_Irecv call's enter) - send call enter.
//   wait_at_barrier  MPI_Barrier: each member waits max(enter over members) - own enter.
//   wait_at_nxn      The same for the blocking N-to-N collectives: MPI_Allreduce,
//                    MPI_Allgather(v), MPI_Alltoall(v/w), MPI_Reduce_scatter(_block).
//   late_broadcast   1-to-N (MPI_Bcast, MPI_Scatter, MPI_Scatterv): each non-root
//                    waits root enter - own enter.
//   early_reduce     N-to-1 (MPI_Reduce, MPI_Gather, MPI_Gatherv): the root waits
//                    min(enter of the non-roots) - root enter.
// A collective instance is the k-th blocking call of one operation on one
// (trace-wide) communicator on each member that recorded it; intercommunicator
// and nonblocking collectives are not analyzed. When one MPI_Wait*/Test* call
// completes several messages, the call waits once: the largest waiting of its
// messages.
//
// An instance is one MPI call that waited (waiting > 0). With a time window, an
// instance counts when its waiting call was entered inside the window
// (TimeWindow::contains of the call's enter time).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

enum class WaitPattern : uint8_t { LateSender, LateReceiver, WaitAtBarrier, WaitAtNxN, LateBroadcast, EarlyReduce };
constexpr size_t kWaitPatternCount = 6;
// "late_sender", "late_receiver", "wait_at_barrier", "wait_at_nxn", "late_broadcast", "early_reduce".
std::string_view wait_pattern_name(WaitPattern pattern);
// "Late Sender", ...: for people.
std::string_view wait_pattern_title(WaitPattern pattern);

// Where a rank waited: the MPI function and the innermost non-MPI region that
// called it, over every rank.
struct WaitCallSite {
  std::string call;    // "MPI_Recv"
  std::string caller;  // "exchange", or "(top level)"
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
  int32_t worst_rank = -1;  // the rank of the instance that waited longest
  int64_t worst_ns = 0;
};

struct RankWaiting {
  int32_t rank = 0;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
};

struct WaitPatternStats {
  WaitPattern pattern = WaitPattern::LateSender;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
  double share = 0;                     // waiting_ns / WaitStates::run_ns
  std::vector<RankWaiting> per_rank;    // every rank, by rank
  std::vector<WaitCallSite> call_sites;  // by waiting, largest first
  std::string_view name() const { return wait_pattern_name(pattern); }
};

struct WaitStates {
  bool has_mpi = false;
  int64_t total_ns = 0;  // waiting of every pattern
  uint64_t instances = 0;
  // Run time the shares are relative to: the sum over ranks of RankMpiTime::total_ns
  // (the time span of the threads that called MPI).
  int64_t run_ns = 0;
  double share = 0;  // total_ns / run_ns
  std::vector<WaitPatternStats> patterns;  // every pattern, in WaitPattern order
  const WaitPatternStats& operator[](WaitPattern p) const { return patterns[static_cast<size_t>(p)]; }
};

// `matching` must have been made from `scan` (its record indices refer to it).
// `run_ns`, the time shares are taken of, is MpiStats::run_ns() of the same
// scan and window, so that wait states and time in MPI share one run time.
WaitStates wait_states(const MpiScan& scan, const MessageMatching& matching, const TimeWindow& window,
                       int64_t run_ns);
// The same, taking the run time from mpi_stats(trace, scan, matching).
WaitStates wait_states(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                       const TimeWindow& window = {});

// {"total_ns", "instances", "share", "run_ns", "patterns": [{"name", "instances", "waiting_ns", "share",
//  "per_rank": [{"rank", "instances", "waiting_ns"}],
//  "call_sites": [{"call", "caller", "instances", "waiting_ns", "worst_rank", "worst_ns"}]}]}
nlohmann::ordered_json wait_states_json(const WaitStates& w);

}  // namespace rondo::analyzer
