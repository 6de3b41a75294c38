// Root causes of wait states (wait_states.h, "Late rank and root cause"): the
// delay analysis of Scalasca (Böhme et al., ICPP 2010 / TOPC 2016) over the
// blocking MPI calls of every rank. Internal to the analyzer.
//
// The model. Rank r waits W in a call entered at e_r for partner p, whose
// late operation (send start, receive post, collective enter) happened at
// t_p = e_r + W. Let s be where r's previous blocking call stopped waiting
// (its enter if it did not wait; the start of the trace when there is none):
// from s on, nobody held r up, and the synchronisation interval is [s, e_r]
// on r and [s, t_p] on p. Over it, p's time exceeds r's by exactly W. All of
// r's time there is its own (computation, and MPI calls that did not wait,
// such as the rest of its previous call), so that excess is made of
//   - q: the waiting of p's own wait states inside [s, t_p] (the part of their
//     waiting, which is the start of each call, that lies in the interval), and
//   - W - q: the excess of p's own time (computation, MPI calls past their
//     waiting) over r's: p's delay.
// When q >= W, p's waiting alone explains the lateness (its own time was no
// longer than r's) and all of W propagates. So min(W, q) is passed on to the
// root causes of p's wait states in the interval, in proportion to the part
// of each that lies in it (a wait state's root shares are spread evenly over
// its waiting), and W - min(W, q) is p's delay: p is the root cause. Starting
// the interval where r stopped waiting rather than where r's call returned
// treats both ranks alike: the time a call takes past its waiting (message
// delivery, waking up, the reduction of a collective) is in both intervals,
// and not only in p's.
// Applied in order of time, a wait that propagated through a chain of wait
// states ends at the ranks whose delays started it (Scalasca's long-term delay
// costs summed with the short-term ones). Every call's shares sum to its
// waiting: nothing is counted twice, nothing is lost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace rondo::analyzer {

// A blocking MPI call of one process (whether it waited or not): the calls
// that bound synchronisation intervals, and where a partner's waiting is.
struct BlockingCall {
  int64_t enter_ns = 0, exit_ns = 0;
  static constexpr size_t kNoWait = SIZE_MAX;
  size_t waited = kNoWait;  // index in the waited calls when this call waited
  auto operator<=>(const BlockingCall&) const = default;
};

// A call that waited, for whom, and when that partner's late operation (send
// start, receive post, collective enter) happened. Its waiting is
// [enter_ns, enter_ns + waiting_ns].
struct WaitedCall {
  uint32_t process = 0;
  int32_t partner = -1;  // world rank, -1: unknown (then it is its own root cause)
  int64_t enter_ns = 0, exit_ns = 0, waiting_ns = 0;
  int64_t partner_ns = 0;
};

// Waiting split over the ranks it is blamed on: (rank, ns), most first (ties:
// lower rank first), summing to the call's waiting.
using RootShares = std::vector<std::pair<int32_t, int64_t>>;

// The position of the first call of `calls` (sorted by exit) that ended after
// `ns`, as std::upper_bound finds it, searched from `finger` (the answer of the
// previous search of these calls, any position at first) outwards and left
// there. root_causes() takes wait states in time order, so each search lands
// near the last one: a few steps over memory just read, where a binary search
// of a million calls misses the cache at every step.
size_t ended_after(const std::vector<BlockingCall>& calls, size_t& finger, int64_t ns);

// `shares` (summing to `total`) scaled to sum to `part` (<= total), in proportion;
// the rounding remainder goes to the first share.
RootShares scale_shares(const RootShares& shares, int64_t total, int64_t part);

// `blocking[p]`: process p's blocking calls sorted by (exit, enter), those that
// waited pointing into `waited`; `process_of_rank`: where each world rank's
// calls are. Returns the root shares of each waited call (see the model above).
// A partner's wait state counts once its own root shares are known: wait
// states are taken in order of the end of their waiting, which is the partner's
// late operation, so only clock skew (a wait clamped to its call) can leave one
// out; its time then counts as the partner's own.
std::vector<RootShares> root_causes(const std::vector<WaitedCall>& waited,
                                    const std::vector<std::vector<BlockingCall>>& blocking,
                                    const std::map<int32_t, uint32_t>& process_of_rank);

}  // namespace rondo::analyzer
