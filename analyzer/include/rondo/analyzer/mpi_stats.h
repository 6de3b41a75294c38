// MPI statistics of a trace: message totals and the communication matrix (from
// matched messages, messages.h), message sizes, collectives, and the time each
// rank spent inside MPI.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/thread_stats.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct MessageTotals {
  uint64_t count = 0;   // matched messages
  uint64_t bytes = 0;   // their bytes, as sent
  uint64_t unmatched = 0;  // unmatched_sends + unmatched_receives
  uint64_t unmatched_sends = 0, unmatched_receives = 0;
  uint64_t bytes_mismatched = 0;  // matched pairs whose send and receive sizes differ (truncation)
  uint64_t cancelled = 0;         // cancelled requests
  uint64_t incomplete_receives = 0;  // nonblocking receives never completed
  uint64_t incomplete_sends = 0;     // nonblocking sends never completed (no MpiIsendComplete)
};

// Traffic from one world rank to another (matched messages).
struct PairTraffic {
  int32_t src = 0, dst = 0;
  uint64_t count = 0, bytes = 0;
};

// Message sizes in power-of-two buckets: [0, 0], [1, 1], [2, 3], [4, 7], ...
struct SizeBucket {
  uint64_t min_bytes = 0, max_bytes = 0;
  uint64_t count = 0, bytes = 0;
};

struct CollectiveOpStats {
  format::CollectiveOp op = format::CollectiveOp::Other;
  std::string name;  // format::collective_name
  uint64_t count = 0;  // calls, summed over processes
  uint64_t bytes_sent = 0, bytes_received = 0;
  int64_t time_ns = 0;  // begin to end, summed (calls with a begin record)
};

struct CollectiveTotals {
  uint64_t count = 0;
  uint64_t bytes = 0;  // sent
  uint64_t bytes_received = 0;
  int64_t time_ns = 0;
};

// Time inside MPI calls of one process. mpi_ns counts outermost MPI calls only
// (an MPI call made inside another counts once); total_ns is the time span of
// the threads that called MPI (summed over them), or of its longest thread when
// none did.
struct RankMpiTime {
  int32_t rank = -1;  // MPI rank, or the process's position in the trace without one
  int64_t mpi_ns = 0, total_ns = 0;
  uint64_t mpi_calls = 0;  // outermost MPI calls
  double fraction() const { return total_ns > 0 ? static_cast<double>(mpi_ns) / static_cast<double>(total_ns) : 0; }
};

// One MPI function over every thread of every process (inclusive times).
struct MpiCallRow {
  std::string name;
  uint64_t calls = 0;
  int64_t inclusive_ns = 0, min_ns = 0, max_ns = 0;
  double mean_ns() const { return calls ? static_cast<double>(inclusive_ns) / static_cast<double>(calls) : 0; }
};

// Matched messages sent in one slice of the run (or of the window).
struct TrafficSlice {
  int64_t begin_ns = 0, end_ns = 0;  // relative to the trace's start
  uint64_t messages = 0, bytes = 0;
};

struct CommunicatorTraffic {
  uint32_t index = 0;  // in the communicator table
  std::string name;
  uint64_t size = 0;
  uint32_t instance = 0;
  uint64_t messages = 0, bytes = 0, collectives = 0;
};

struct MpiStats {
  bool has_mpi = false;  // the trace has MPI records or MPI calls
  int32_t ranks = 0;     // dimension of the matrices: world size
  MessageTotals messages;
  uint64_t received_before_sent = 0;  // matched messages received before they were sent (clock problem)
  std::vector<PairTraffic> pairs;     // non-zero pairs, by (src, dst)
  std::vector<SizeBucket> size_histogram;  // from the smallest to the largest non-empty bucket
  CollectiveTotals collectives;
  std::vector<CollectiveOpStats> collective_ops;  // by operation number
  std::vector<RankMpiTime> time_per_rank;         // by rank
  std::vector<MpiCallRow> calls;                  // by inclusive time, largest first
  std::vector<CommunicatorTraffic> communicators;  // by index
  // Traffic over time: kTrafficSlices equal slices of the run (of the window),
  // messages by the time they were sent; empty without matched messages.
  static constexpr int kTrafficSlices = 20;
  std::vector<TrafficSlice> traffic;

  // Up to this many ranks, `rondo stats --json` writes the dense matrices
  // (matrix_bytes, matrix_count); past it only the sparse pair list
  // (matrix_pairs), since a dense JSON matrix of 4,096 ranks is gigabytes.
  static constexpr int32_t kDenseJsonRanks = 256;
  bool dense_json() const { return ranks <= kDenseJsonRanks; }

  // ranks x ranks, [src][dst].
  std::vector<std::vector<uint64_t>> matrix_bytes() const;
  std::vector<std::vector<uint64_t>> matrix_count() const;
  // The run time MPI shares are taken of: the sum of time_per_rank's total_ns.
  int64_t run_ns() const;
  // The `n` pairs with the most bytes, largest first.
  std::vector<PairTraffic> top_pairs(size_t n) const;
};

MpiStats mpi_stats(const format::TraceReader& trace);
// From a scan and its matching (to share them with other analyses). Here and
// below, `matching` is either form (MatchForm) made from `scan`.
MpiStats mpi_stats(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching);
// From partials (profile.h, thread_stats.h: one per thread, in location order)
// and a window: messages count where they were sent (unmatched receives where
// they were received), collectives where they end; times in MPI are clipped.
MpiStats mpi_stats(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                   const std::vector<ProfilePartial>& profiles, const std::vector<ThreadActivityPartial>& activity,
                   const TimeWindow& window);

// Time in MPI and run time per process (MpiStats::time_per_rank), alone: what
// the wait states need of mpi_stats() when the mpi section is not asked for.
std::vector<RankMpiTime> mpi_time_per_rank(const format::TraceReader& trace, const MpiScan& scan,
                                           const std::vector<ProfilePartial>& profiles,
                                           const std::vector<ThreadActivityPartial>& activity);
// The run time MPI shares are taken of: the sum of the ranks' total_ns.
int64_t mpi_run_ns(const std::vector<RankMpiTime>& time_per_rank);

}  // namespace rondo::analyzer
