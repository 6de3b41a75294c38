// MPI wait states, as Scalasca defines them: time a rank spends inside a
// blocking MPI call only because a partner is late, and which partner it was.
// Computed from the MPI scan (messages.h): every record knows the outermost MPI
// call it was made in (enter and exit), so no replay is needed here.
//
// Waiting calls. Only blocking calls wait: MPI_Recv, MPI_Mrecv,
// MPI_Sendrecv(_replace), MPI_Send, MPI_Ssend, MPI_Wait, MPI_Waitall,
// MPI_Waitany, MPI_Waitsome and the blocking collectives below. MPI_Test* return
// at once and MPI_Isend/MPI_Irecv/MPI_Start only post: they never wait.
//
// One waiting time per call. A call that completes several messages (a
// MPI_Waitall over the receives and sends of a halo exchange, a MPI_Sendrecv)
// waits until the latest of them could proceed: its waiting is the largest
// waiting any of its messages implies, attributed to that message's pattern and
// partner, never a sum over requests and never two patterns stacked in one call.
// Waiting is clamped to [0, duration of the call]. So the waiting of a rank is
// at most its time in those calls, by construction.
//
// Patterns:
//   late_sender      A receiving call (a blocking receive, or the MPI_Wait* that
//                    completes a nonblocking receive) entered before the matching
//                    send started: send call enter - receiving call enter.
//                    Partner: the sender.
//   late_receiver    A send that could not complete before its receiver posted
//                    the receive: synchronous sends (MPI_Ssend, MPI_Issend) and
//                    rendezvous sends (standard-mode MPI_Send, MPI_Isend,
//                    MPI_Sendrecv or persistent sends larger than the eager
//                    limit, kEagerLimitBytes). The blocking send, or the
//                    MPI_Wait* completing the nonblocking one, waits receive post
//                    (the MPI_Recv or MPI_Irecv call's enter) - its own enter.
//                    Eager sends (at most the eager limit) complete locally
//                    whatever the receiver does: never a late receiver, nor are
//                    MPI_Bsend (buffered) and MPI_Rsend (receive posted first).
//                    Partner: the receiver.
//   wait_at_barrier  MPI_Barrier: each member waits max(enter over members) - own
//                    enter. Partner: the member that entered last.
//   wait_at_nxn      The same for the blocking N-to-N collectives: MPI_Allreduce,
//                    MPI_Allgather(v), MPI_Alltoall(v/w), MPI_Reduce_scatter(_block).
//   late_broadcast   1-to-N (MPI_Bcast, MPI_Scatter, MPI_Scatterv): each non-root
//                    waits root enter - own enter. Partner: the root.
//   early_reduce     N-to-1 (MPI_Reduce, MPI_Gather, MPI_Gatherv): the root waits
//                    min(enter of the non-roots) - root enter. Partner: the
//                    non-root that entered first.
// A collective instance is the k-th blocking call of one operation on one
// (trace-wide) communicator on each member that recorded it; intercommunicator
// and nonblocking collectives are not analyzed.
//
// The eager limit. A trace does not say which protocol the MPI library chose
// for a message (it depends on the library, its transport and its settings:
// Open MPI 4 uses 4 KiB between processes of one node and 64 KiB over TCP,
// MPICH ch3 128 KiB, Intel MPI 256 KiB). Rather than guess per library, the
// analyzer takes a conservative limit, kEagerLimitBytes = 256 KiB, at least
// the default of each of these: a standard-mode send of at most that size is
// taken as eager and never counted as a late receiver. Standard sends between
// the library's real limit and 256 KiB that did wait for their receiver are not
// reported (their waiting is missed, never invented). wait_states() takes
// another limit where the user knows it.
//
// Late rank and root cause. Each waiting call is attributed to its direct
// partner, the late rank (by_late_rank), as Scalasca's patterns define it. In a
// chain (rank 3 waits for rank 2, which was late only because it had waited
// for rank 1) the direct partner is not where time can be saved, so the
// waiting is also split by root cause (by_root_rank), by Scalasca's delay
// analysis: over the synchronisation interval (from where the waiting rank's
// previous blocking call stopped waiting, to the partner's late operation)
// the partner's lateness is its own waiting there plus its own time beyond
// the waiting rank's (its delay). Up to the call's waiting, the partner's
// waiting in the interval passes the blame on to that waiting's own root
// causes, in proportion; the rest is the partner's delay. Through chains of
// wait states the blame ends at the ranks whose delays started them
// (short-term and long-term delay costs together). Shares sum to each call's
// waiting. The model in full: analyzer/src/wait_root_causes.h.
//
// An instance is one MPI call that waited (waiting > 0). With a time window, an
// instance counts when its waiting call was entered inside the window
// (TimeWindow::contains of the call's enter time), with the part of its waiting
// (the start of the call) inside the window: waiting stays within the time in
// MPI calls the window keeps.
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
// Standard-mode sends of at most this many bytes are taken as eager (see above).
constexpr uint64_t kEagerLimitBytes = 256 * 1024;
// "late_sender", "late_receiver", "wait_at_barrier", "wait_at_nxn", "late_broadcast", "early_reduce".
std::string_view wait_pattern_name(WaitPattern pattern);
// "Late Sender", ...: for people.
std::string_view wait_pattern_title(WaitPattern pattern);

// Where a rank waited: the MPI function, the innermost non-MPI region that
// called it and, in traces recorded with --callstack, the application line it
// was called from (the innermost captured frame, as in mpi.call_sites; this
// names the place also in programs built without instrumentation), over
// every rank.
struct WaitCallSite {
  std::string call;    // "MPI_Recv"
  std::string caller;  // "exchange", or "(top level)"
  std::string function;  // call site: innermost frame's function, "" without a call site
  std::string file;      // its source file, "" without debug information
  uint32_t line = 0;     // 0: unknown
  // "exchange (halo.c:42)" with a call site, else `caller`.
  std::string place() const;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
  int32_t worst_rank = -1;  // the rank of the instance that waited longest
  int64_t worst_ns = 0;
  // That instance: the rank it waited for (-1: unknown) and its MPI call's
  // enter and exit times (trace time axis), so a viewer can show it. Not in
  // the JSON.
  int32_t worst_partner = -1;
  int64_t worst_enter_ns = 0, worst_exit_ns = 0;
};

// Waiting attributed to a partner: `rank` is the late rank that caused it.
struct LateRankWaiting {
  int32_t rank = 0;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
};

struct RankWaiting {
  int32_t rank = 0;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
  // The ranks this rank waited for, most waiting first (only ranks it waited for).
  std::vector<LateRankWaiting> by_late_rank;
  // The same by root cause (see above); instances: calls with a share.
  std::vector<LateRankWaiting> by_root_rank;
};

struct WaitPatternStats {
  WaitPattern pattern = WaitPattern::LateSender;
  uint64_t instances = 0;
  int64_t waiting_ns = 0;
  double share = 0;                     // waiting_ns / WaitStates::run_ns
  std::vector<RankWaiting> per_rank;    // every rank with a process file (and any other that waited), by rank: how long it waited
  // The waiting each late rank caused (other ranks waited for it), most first;
  // only ranks that caused waiting.
  std::vector<LateRankWaiting> by_late_rank;
  std::vector<LateRankWaiting> by_root_rank;  // the same by root cause
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
  uint64_t eager_limit_bytes = kEagerLimitBytes;  // the limit the analysis used
  std::vector<WaitPatternStats> patterns;  // every pattern, in WaitPattern order
  // Every pattern together: per rank (every rank, by rank) how long it waited
  // and for whom, and the waiting each late rank caused.
  std::vector<RankWaiting> per_rank;
  std::vector<LateRankWaiting> by_late_rank;
  std::vector<LateRankWaiting> by_root_rank;
  const WaitPatternStats& operator[](WaitPattern p) const { return patterns[static_cast<size_t>(p)]; }
};

// `matching` must have been made from `scan` (its record indices refer to
// it), in either form (MatchForm).
// `run_ns`, the time shares are taken of, is MpiStats::run_ns() of the same
// scan and window, so that wait states and time in MPI share one run time.
// `eager_limit_bytes`: standard-mode sends larger than this are rendezvous.
WaitStates wait_states(const MpiScan& scan, const MessageMatching& matching, const TimeWindow& window,
                       int64_t run_ns, uint64_t eager_limit_bytes = kEagerLimitBytes);
// The same, taking the run time from mpi_stats(trace, scan, matching).
WaitStates wait_states(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                       const TimeWindow& window = {});

// {"total_ns", "instances", "share", "run_ns", "eager_limit_bytes", "patterns": [{"name", "instances",
//  "waiting_ns", "share", "per_rank": [RANK], "by_late_rank": [LATE], "by_root_rank": [LATE],
//  "call_sites": [{"call", "caller", "function", "file", "line", "place", "instances", "waiting_ns",
//  "worst_rank", "worst_ns"}]}],
//  "per_rank": [RANK], "by_late_rank": [LATE], "by_root_rank": [LATE]}
// RANK: {"rank", "instances", "waiting_ns", "by_late_rank": [LATE], "by_root_rank": [LATE]};
// LATE: {"rank", "instances", "waiting_ns"}.
nlohmann::ordered_json wait_states_json(const WaitStates& w);

}  // namespace rondo::analyzer
