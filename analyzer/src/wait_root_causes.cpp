#include "wait_root_causes.h"

#include <algorithm>
#include <numeric>

namespace rondo::analyzer {

namespace {

// The last call of `calls` (sorted by exit) that ended at or before `ns`; null when none.
const BlockingCall* last_ended_by(const std::vector<BlockingCall>& calls, int64_t ns) {
  auto it = std::upper_bound(calls.begin(), calls.end(), ns,
                             [](int64_t t, const BlockingCall& c) { return t < c.exit_ns; });
  return it == calls.begin() ? nullptr : &*std::prev(it);
}

void add_share(RootShares& shares, int32_t rank, int64_t ns) {
  if (ns <= 0) return;
  for (auto& [r, n] : shares)
    if (r == rank) {
      n += ns;
      return;
    }
  shares.emplace_back(rank, ns);
}

}  // namespace

RootShares scale_shares(const RootShares& shares, int64_t total, int64_t part) {
  RootShares out;
  if (shares.empty() || total <= 0 || part <= 0) return out;
  int64_t given = 0;
  for (auto& [rank, ns] : shares) {
    auto scaled = static_cast<int64_t>(static_cast<__int128>(part) * ns / total);
    add_share(out, rank, scaled);
    given += scaled;
  }
  add_share(out, shares.front().first, part - given);
  return out;
}

std::vector<RootShares> root_causes(const std::vector<WaitedCall>& waited,
                                    const std::vector<std::vector<BlockingCall>>& blocking,
                                    const std::map<int32_t, uint32_t>& process_of_rank) {
  // In order of exit, so that a partner's earlier waiting has its shares when
  // a later wait inherits them.
  std::vector<size_t> order(waited.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return waited[a].exit_ns < waited[b].exit_ns; });
  std::vector<RootShares> roots(waited.size());
  std::vector<char> done(waited.size(), 0);
  for (size_t i : order) {
    const WaitedCall& w = waited[i];
    RootShares shares;
    int64_t own = w.waiting_ns;  // what stays with the direct partner
    auto partner = process_of_rank.find(w.partner);
    if (partner != process_of_rank.end() && partner->second < blocking.size() && w.process < blocking.size()) {
      // The partner's last blocking call before its late operation: if it
      // waited, that waiting delayed the operation, as far as it happened
      // after this rank's own previous blocking call (before that, both were
      // held up alike).
      const BlockingCall* before = last_ended_by(blocking[partner->second], w.partner_ns);
      const BlockingCall* mine = last_ended_by(blocking[w.process], w.enter_ns);
      if (before && before->waited != BlockingCall::kNoWait && done[before->waited]) {
        const WaitedCall& p = waited[before->waited];
        int64_t from = std::max(p.enter_ns, mine ? mine->exit_ns : INT64_MIN);
        int64_t to = std::min(p.enter_ns + p.waiting_ns, w.partner_ns);
        int64_t inherited = std::min(own, std::max<int64_t>(0, to - from));
        if (inherited > 0) {
          // Split in proportion to the partner's own root shares.
          shares = scale_shares(roots[before->waited], p.waiting_ns, inherited);
          own -= inherited;
        }
      }
    }
    add_share(shares, w.partner, own);
    std::stable_sort(shares.begin(), shares.end(), [](auto& a, auto& b) { return a.second > b.second; });
    roots[i] = std::move(shares);
    done[i] = 1;
  }
  return roots;
}

}  // namespace rondo::analyzer
