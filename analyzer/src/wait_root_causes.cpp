#include "wait_root_causes.h"

#include <algorithm>
#include <tuple>

namespace rondo::analyzer {

namespace {

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

// Adds `shares` (summing to `total`) scaled to sum to `part` to `out`, as
// scale_shares() scales them, without a list of its own for the scaled ones.
void add_scaled_shares(RootShares& out, const RootShares& shares, int64_t total, int64_t part) {
  if (shares.empty() || total <= 0 || part <= 0) return;
  int64_t given = 0;
  for (auto& [rank, ns] : shares) {
    auto scaled = static_cast<int64_t>(static_cast<__int128>(part) * ns / total);
    add_share(out, rank, scaled);
    given += scaled;
  }
  add_share(out, shares.front().first, part - given);
}

// The waiting of `partner`'s wait states inside [from, to]: how long (q in the
// model) and its root shares, summing to it. Only wait states whose calls
// ended by `to` (the partner's late operation) and whose roots are known count.
struct PartnerWaiting {
  int64_t ns = 0;
  RootShares roots;
};
PartnerWaiting waiting_within(const std::vector<BlockingCall>& partner, size_t& finger, int64_t from, int64_t to,
                              const std::vector<WaitedCall>& waited, const std::vector<RootShares>& roots,
                              const std::vector<char>& done) {
  PartnerWaiting out;
  for (auto it = partner.begin() + static_cast<std::ptrdiff_t>(ended_after(partner, finger, from));
       it != partner.end() && it->exit_ns <= to; ++it) {
    if (it->waited == BlockingCall::kNoWait || !done[it->waited]) continue;
    const WaitedCall& p = waited[it->waited];
    int64_t inside = std::min(p.enter_ns + p.waiting_ns, to) - std::max(p.enter_ns, from);
    if (inside <= 0) continue;
    add_scaled_shares(out.roots, roots[it->waited], p.waiting_ns, inside);
    out.ns += inside;
  }
  sort_shares(out.roots);
  return out;
}

}  // namespace

size_t ended_after(const std::vector<BlockingCall>& calls, size_t& finger, int64_t ns) {
  auto after = [&](size_t i) { return ns < calls[i].exit_ns; };
  const size_t n = calls.size();
  size_t lo, hi;  // the answer is in [lo, hi]
  size_t at = std::min(finger, n);
  if (at == n || after(at)) {
    // Backwards: calls[at] ended after `ns` (or at == n); find the first that did.
    hi = at;
    size_t step = 1;
    while (hi >= step && after(hi - step)) {
      hi -= step;
      step *= 2;
    }
    lo = hi >= step ? hi - step + 1 : 0;
  } else {
    // Forwards: calls[at] ended by `ns`.
    lo = at + 1;
    size_t step = 1;
    while (lo + step - 1 < n && !after(lo + step - 1)) {
      lo += step;
      step *= 2;
    }
    hi = std::min(n, lo + step - 1);
  }
  auto it = std::upper_bound(calls.begin() + static_cast<std::ptrdiff_t>(lo),
                             calls.begin() + static_cast<std::ptrdiff_t>(hi), ns,
                             [](int64_t t, const BlockingCall& c) { return t < c.exit_ns; });
  finger = static_cast<size_t>(it - calls.begin());
  return finger;
}

RootShares scale_shares(const RootShares& shares, int64_t total, int64_t part) {
  RootShares out;
  add_scaled_shares(out, shares, total, part);
  return out;
}

std::vector<RootShares> root_causes(const std::vector<WaitedCall>& waited,
                                    const std::vector<std::vector<BlockingCall>>& blocking,
                                    const std::map<int32_t, uint32_t>& process_of_rank) {
  // In order of the end of the waiting (the partner's late operation), so
  // that the wait states a partner had before its late operation have their
  // roots when a later wait inherits them.
  struct End {
    int64_t waiting_end, exit_ns;
    size_t index;
    auto operator<=>(const End&) const = default;
  };
  std::vector<End> order;
  order.reserve(waited.size());
  for (size_t i = 0; i < waited.size(); ++i)
    order.push_back({waited[i].enter_ns + waited[i].waiting_ns, waited[i].exit_ns, i});
  std::sort(order.begin(), order.end());
  std::vector<RootShares> roots(waited.size());
  std::vector<char> done(waited.size(), 0);
  // Per process: where the last search of its calls ended, as the rank that
  // waited and as the partner.
  std::vector<size_t> own_finger(blocking.size(), 0), partner_finger(blocking.size(), 0);
  for (const End& e : order) {
    const size_t i = e.index;
    const WaitedCall& w = waited[i];
    PartnerWaiting q;
    auto partner = process_of_rank.find(w.partner);
    if (partner != process_of_rank.end() && partner->second < blocking.size() && w.process < blocking.size()) {
      // The synchronisation interval starts where this rank's previous
      // blocking call (the last that ended by this call's enter) stopped
      // waiting; the start of the trace if none.
      int64_t since = INT64_MIN;
      const std::vector<BlockingCall>& own = blocking[w.process];
      if (const size_t after = ended_after(own, own_finger[w.process], w.enter_ns); after > 0) {
        const BlockingCall& previous = own[after - 1];
        since = previous.waited == BlockingCall::kNoWait
                    ? previous.enter_ns
                    : waited[previous.waited].enter_ns + waited[previous.waited].waiting_ns;
      }
      q = waiting_within(blocking[partner->second], partner_finger[partner->second], since, w.partner_ns, waited,
                         roots, done);
    }
    // The partner's waiting explains up to all of this wait; the rest is its delay.
    int64_t passed = std::min(w.waiting_ns, q.ns);
    // (All of q passed on, the most common case, is q's shares as they are.)
    RootShares shares = passed == q.ns ? std::move(q.roots) : scale_shares(q.roots, q.ns, passed);
    add_share(shares, w.partner, w.waiting_ns - passed);
    sort_shares(shares);
    roots[i] = std::move(shares);
    done[i] = 1;
  }
  return roots;
}

}  // namespace rondo::analyzer
