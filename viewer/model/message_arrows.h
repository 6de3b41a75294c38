// The trace's matched MPI messages and collectives as the timeline draws them:
// an arrow from the sending thread's row at the send to the receiving thread's
// row at the receive, and each collective instance as a mark across the rows of
// its ranks. The messages are matched once by analyzer/ (match_all_messages,
// the pairing `rondo stats` reports); this file only places them on rows and
// pixels.
//
// Arrows that a frame cannot tell apart (same rows, same send and receive
// pixel) are drawn as one bundle that says how many messages and bytes it
// holds; when a window holds more than kMaxShapes shapes, the pixels are
// grouped by 2, 4, ... until it does not. Nothing is dropped: every message in
// the window is in exactly one shape.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/messages.h"
#include "trace_session.h"

namespace rondo::viewer {

struct MessageArrow {
  size_t send_row = 0, recv_row = 0;  // in TraceSession::rows()
  int64_t send_ns = 0, recv_ns = 0;   // send posted, data received
  int32_t src = -1, dst = -1, tag = 0;
  uint32_t comm = 0;
  uint64_t bytes = 0;
};

// One collective operation on one communicator, as every rank recorded it.
struct CollectiveMark {
  format::CollectiveOp op{};
  uint32_t comm = 0;
  int64_t begin_ns = 0, end_ns = 0;  // first call entered .. last call left
  std::vector<size_t> rows;          // the rows that took part, one per rank
  std::vector<int64_t> ends;         // when each of them left it
};

// What a frame draws of the messages: arrows, or bundles of arrows it cannot tell apart.
struct MessageShape {
  size_t send_row = 0, recv_row = 0;
  int send_px = 0, recv_px = 0;  // pixel columns (clamped to the window)
  uint32_t count = 0;            // messages in it (1: a single arrow)
  uint64_t bytes = 0;
  size_t first = 0;              // index in MessageArrows::arrows() of the first of them
  int64_t first_send_ns = 0, last_recv_ns = 0;
};

class MessageArrows {
 public:
  static constexpr size_t kMaxShapes = 2000;

  // Matches the trace's messages (analyzer scan_mpi and match_messages), unless
  // `estimate` (estimate_mpi_memory of the trace when null) says the matching
  // would not fit in the memory left, or an allocation is refused on the way:
  // then no message or collective is drawn, and not_drawn() says why, so that
  // a trace of more messages than the machine can pair still opens.
  explicit MessageArrows(const TraceSession& session, const analyzer::MpiMemoryEstimate* estimate = nullptr);
  // Empty when the messages were matched; else one sentence for the warning bar.
  const std::string& not_drawn() const { return not_drawn_; }
  const std::vector<MessageArrow>& arrows() const { return arrows_; }  // by send time
  const std::vector<CollectiveMark>& collectives() const { return collectives_; }  // by begin time

  // Indices of the arrows that cross [begin_ns, end_ns): sent before its end and
  // received at or after its start.
  std::vector<size_t> in_window(int64_t begin_ns, int64_t end_ns) const;
  // Indices of the collective instances that overlap the window.
  std::vector<size_t> collectives_in_window(int64_t begin_ns, int64_t end_ns) const;
  // The shapes a frame of `pixels` columns draws for the window.
  std::vector<MessageShape> shapes(int64_t begin_ns, int64_t end_ns, int pixels) const;
  // What a click on a shape shows: sender, receiver, tag, bytes and both times
  // (relative to `origin_ns`); for a bundle, how many messages, their bytes and
  // the times of the first and last.
  std::string describe(const MessageShape& shape, int64_t origin_ns) const;

 private:
  MessageArrows() = default;
  void match(const TraceSession& session);
  std::string not_drawn_;
  std::vector<MessageArrow> arrows_;
  int64_t longest_flight_ns_ = 0;  // the most any message took from send to receive
  std::vector<CollectiveMark> collectives_;
  int64_t longest_collective_ns_ = 0;
};

}  // namespace rondo::viewer
