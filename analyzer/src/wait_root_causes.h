// Root causes of wait states (wait_states.h, "Root causes"): a rank that was
// late only because it had itself been waiting passes the blame on to the rank
// it waited for. Internal to the analyzer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace rondo::analyzer {

// A blocking MPI call of one process (whether it waited or not): where the
// propagation looks for the waiting that made a partner late.
struct BlockingCall {
  int64_t enter_ns = 0, exit_ns = 0;
  static constexpr size_t kNoWait = SIZE_MAX;
  size_t waited = kNoWait;  // index in the waited calls when this call waited
  auto operator<=>(const BlockingCall&) const = default;
};

// A call that waited, for whom, and when that partner's late operation (send
// start, receive post, collective enter) happened.
struct WaitedCall {
  uint32_t process = 0;
  int32_t partner = -1;  // world rank, -1: unknown
  int64_t enter_ns = 0, exit_ns = 0, waiting_ns = 0;
  int64_t partner_ns = 0;
};

// Waiting split over the ranks it is blamed on: (rank, ns), most first,
// summing to the call's waiting.
using RootShares = std::vector<std::pair<int32_t, int64_t>>;

// `shares` (summing to `total`) scaled to sum to `part` (<= total), in proportion;
// the rounding remainder goes to the first (largest) share.
RootShares scale_shares(const RootShares& shares, int64_t total, int64_t part);

// `blocking[p]`: process p's blocking calls sorted by (exit, enter), those that
// waited pointing into `waited`; `process_of_rank`: where each world rank's
// calls are. Returns the root shares of each waited call.
std::vector<RootShares> root_causes(const std::vector<WaitedCall>& waited,
                                    const std::vector<std::vector<BlockingCall>>& blocking,
                                    const std::map<int32_t, uint32_t>& process_of_rank);

}  // namespace rondo::analyzer
