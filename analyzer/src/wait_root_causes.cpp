#include "wait_root_causes.h"

#include <algorithm>
#include <numeric>
#include <tuple>

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

// Most first, then the lower rank: the order RootShares promises, and the one
// that makes scale_shares's remainder independent of the order shares came in.
void sort_shares(RootShares& shares) {
  std::sort(shares.begin(), shares.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}

// The waiting of `partner`'s wait states inside [from, to]: how long (q in the
// model) and its root shares, summing to it. Only wait states whose calls
// ended by `to` (the partner's late operation) and whose roots are known count.
struct PartnerWaiting {
  int64_t ns = 0;
  RootShares roots;
};
PartnerWaiting waiting_within(const std::vector<BlockingCall>& partner, int64_t from, int64_t to,
                              const std::vector<WaitedCall>& waited, const std::vector<RootShares>& roots,
                              const std::vector<char>& done) {
  PartnerWaiting out;
  auto it = std::upper_bound(partner.begin(), partner.end(), from,
                             [](int64_t t, const BlockingCall& c) { return t < c.exit_ns; });
  for (; it != partner.end() && it->exit_ns <= to; ++it) {
    if (it->waited == BlockingCall::kNoWait || !done[it->waited]) continue;
    const WaitedCall& p = waited[it->waited];
    int64_t inside = std::min(p.enter_ns + p.waiting_ns, to) - std::max(p.enter_ns, from);
    if (inside <= 0) continue;
    for (const auto& [rank, ns] : scale_shares(roots[it->waited], p.waiting_ns, inside)) add_share(out.roots, rank, ns);
    out.ns += inside;
  }
  sort_shares(out.roots);
  return out;
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
  // In order of the end of the waiting (the partner's late operation), so
  // that the wait states a partner had before its late operation have their
  // roots when a later wait inherits them.
  std::vector<size_t> order(waited.size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto waiting_end = [&](size_t i) {
    const WaitedCall& w = waited[i];
    return std::tuple(w.enter_ns + w.waiting_ns, w.exit_ns, i);
  };
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return waiting_end(a) < waiting_end(b); });
  std::vector<RootShares> roots(waited.size());
  std::vector<char> done(waited.size(), 0);
  for (size_t i : order) {
    const WaitedCall& w = waited[i];
    PartnerWaiting q;
    auto partner = process_of_rank.find(w.partner);
    if (partner != process_of_rank.end() && partner->second < blocking.size() && w.process < blocking.size()) {
      // The synchronisation interval starts where this rank's previous
      // blocking call stopped waiting (the start of the trace if none).
      int64_t since = INT64_MIN;
      if (const BlockingCall* previous = last_ended_by(blocking[w.process], w.enter_ns))
        since = previous->waited == BlockingCall::kNoWait
                    ? previous->enter_ns
                    : waited[previous->waited].enter_ns + waited[previous->waited].waiting_ns;
      q = waiting_within(blocking[partner->second], since, w.partner_ns, waited, roots, done);
    }
    // The partner's waiting explains up to all of this wait; the rest is its delay.
    int64_t passed = std::min(w.waiting_ns, q.ns);
    RootShares shares = scale_shares(q.roots, q.ns, passed);
    add_share(shares, w.partner, w.waiting_ns - passed);
    sort_shares(shares);
    roots[i] = std::move(shares);
    done[i] = 1;
  }
  return roots;
}

}  // namespace rondo::analyzer
