// Root causes of wait states (analyzer/src/wait_root_causes.h): the delay
// analysis on blocking calls laid out by hand (1 tick = 1 ns, one process per
// rank), against shares computed by hand from the model in that header.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <tuple>
#include <vector>

#include "../../analyzer/src/wait_root_causes.h"

namespace {

using rondo::analyzer::BlockingCall;
using rondo::analyzer::RootShares;
using rondo::analyzer::WaitedCall;

// Blocking calls of ranks 0..ranks-1, some of which waited.
class Calls {
 public:
  explicit Calls(int32_t ranks) : blocking_(static_cast<size_t>(ranks)) {
    for (int32_t r = 0; r < ranks; ++r) process_of_rank_[r] = static_cast<uint32_t>(r);
  }
  // A blocking call that did not wait.
  void call(int32_t rank, int64_t enter, int64_t exit) { blocking_[static_cast<size_t>(rank)].push_back({enter, exit}); }
  // A call that waited for `partner`'s operation at `partner_ns`; returns its index.
  size_t wait(int32_t rank, int64_t enter, int64_t exit, int32_t partner, int64_t partner_ns) {
    size_t index = waited_.size();
    waited_.push_back({static_cast<uint32_t>(rank), partner, enter, exit, std::min(partner_ns, exit) - enter, partner_ns});
    blocking_[static_cast<size_t>(rank)].push_back({enter, exit, index});
    return index;
  }
  int64_t waiting(size_t index) const { return waited_[index].waiting_ns; }
  std::vector<RootShares> roots() {
    for (auto& calls : blocking_)
      std::sort(calls.begin(), calls.end(), [](const BlockingCall& a, const BlockingCall& b) {
        return std::tuple(a.exit_ns, a.enter_ns) < std::tuple(b.exit_ns, b.enter_ns);
      });
    auto out = rondo::analyzer::root_causes(waited_, blocking_, process_of_rank_);
    // No waiting counted twice or lost: each call's shares sum to its waiting.
    for (size_t i = 0; i < out.size(); ++i) {
      int64_t sum = 0;
      for (auto& [rank, ns] : out[i]) sum += ns;
      EXPECT_EQ(sum, waited_[i].waiting_ns) << "waited call " << i;
    }
    return out;
  }

 private:
  std::vector<WaitedCall> waited_;
  std::vector<std::vector<BlockingCall>> blocking_;
  std::map<int32_t, uint32_t> process_of_rank_;
};

// A halo step on 4 ranks in a line after a common barrier [90, 100], rank 1
// working three times as long as the others (100 ticks of work each):
//   rank 1  works 100..400, sends at 400, MPI_Waitall [400, 410] (its halos came at 200)
//   rank 0  works 100..200, MPI_Waitall [200, 410]: waits 200 for rank 1
//   rank 2  works 100..200, sends to rank 3 at 200, MPI_Waitall [200, 400]: waits 200 for rank 1,
//           works 400..`rank2_sends`, sends to rank 3
//   rank 3  works 100..200, MPI_Waitall [200, 205] (rank 2's first halo came at 200), works
//           205..`rank3_enters`, MPI_Waitall: waits for rank 2's second send
// Rank 3's interval is [200, rank2_sends] (its MPI_Waitall did not wait): rank
// 2 waited [200, 400] in it (200), and rank 3's own time there is 5 in its
// MPI_Waitall and its work.
struct Chain {
  Calls calls{4};
  size_t rank0 = 0, rank2 = 0, rank3 = 0;
  Chain(int64_t rank2_sends, int64_t rank3_enters) {
    for (int32_t r = 0; r < 4; ++r) calls.call(r, 90, 100);
    calls.call(1, 400, 410);
    // Given out of order of time: the analysis orders them.
    rank3 = calls.wait(3, rank3_enters, rank2_sends + 5, 2, rank2_sends);
    rank0 = calls.wait(0, 200, 410, 1, 400);
    rank2 = calls.wait(2, 200, 400, 1, 400);
    calls.call(3, 200, 205);
  }
};

TEST(WaitRootCauses, ChainPassesTheWholeWaitOnToTheSlowRank) {
  // Rank 2 works as long as rank 3 (100), and rank 3's 5 in MPI_Waitall
  // match rank 2's: rank 3's 195 ticks of waiting are all explained by rank
  // 2's waiting for rank 1 (200 inside the interval).
  Chain chain(500, 305);
  auto roots = chain.calls.roots();
  EXPECT_EQ(roots[chain.rank0], (RootShares{{1, 200}}));
  EXPECT_EQ(roots[chain.rank2], (RootShares{{1, 200}}));
  EXPECT_EQ(chain.calls.waiting(chain.rank3), 195);
  EXPECT_EQ(roots[chain.rank3], (RootShares{{1, 195}}));
}

TEST(WaitRootCauses, PartnerSlowerForPartOfTheTimeSplitsExactly) {
  // Rank 2 works 400..560 (160 against rank 3's 5 + 100): rank 3 waits 255,
  // of which rank 2's waiting for rank 1 explains 200 and its own longer
  // time 55.
  Chain chain(560, 305);
  auto roots = chain.calls.roots();
  EXPECT_EQ(chain.calls.waiting(chain.rank3), 255);
  EXPECT_EQ(roots[chain.rank3], (RootShares{{1, 200}, {2, 55}}));
}

TEST(WaitRootCauses, NeverPassesOnMoreThanTheWait) {
  // Rank 3 works 205..450: it waits only 50, all of it explained by rank 2's
  // waiting (200 in the interval), and no more than 50 goes to rank 1.
  Chain chain(500, 450);
  auto roots = chain.calls.roots();
  EXPECT_EQ(roots[chain.rank3], (RootShares{{1, 50}}));
}

TEST(WaitRootCauses, PartnerWaitingBeforeTheIntervalIsNotPassedOn) {
  // Rank 3 entered a blocking call at 400, when rank 2's waiting had ended,
  // and did not wait there: its later wait is rank 2's own delay.
  Chain chain(500, 450);
  chain.calls.call(3, 400, 410);
  auto roots = chain.calls.roots();
  EXPECT_EQ(roots[chain.rank3], (RootShares{{2, 50}}));
}

TEST(WaitRootCauses, IntervalStartsWhereThePreviousCallStoppedWaiting) {
  // Rank 3's call [390, 400] did not wait: its 10 there are its own time, like
  // its work, while rank 2 waited [390, 400]: 10 of rank 3's 50 go to rank 1.
  Chain spent(500, 450);
  spent.calls.call(3, 390, 400);
  EXPECT_EQ(spent.calls.roots()[spent.rank3], (RootShares{{2, 40}, {1, 10}}));
  // The same call waiting [390, 398] for a message rank 1 sent at 398: the
  // interval starts at 398, and rank 2's last 2 of waiting go on.
  Chain waited(500, 450);
  size_t wait = waited.calls.wait(3, 390, 400, 1, 398);
  auto roots = waited.calls.roots();
  EXPECT_EQ(roots[wait], (RootShares{{1, 8}}));
  EXPECT_EQ(roots[waited.rank3], (RootShares{{2, 48}, {1, 2}}));
}

TEST(WaitRootCauses, SeveralWaitStatesOfThePartnerShareInProportion) {
  // Rank 2 waits 100 for rank 1 ([100, 200]), then 50 for rank 0 ([250, 300]),
  // and sends at 320. Rank 3 left its last blocking call at 100 and waits
  // from 230: 90, of which rank 2's 150 of waiting explain all, split 100:50.
  Calls calls(4);
  calls.call(0, 90, 100);
  calls.call(1, 90, 100);
  size_t a = calls.wait(2, 100, 200, 1, 200);
  size_t b = calls.wait(2, 250, 300, 0, 300);
  calls.call(3, 90, 100);
  size_t w = calls.wait(3, 230, 330, 2, 320);
  auto roots = calls.roots();
  EXPECT_EQ(roots[a], (RootShares{{1, 100}}));
  EXPECT_EQ(roots[b], (RootShares{{0, 50}}));
  EXPECT_EQ(roots[w], (RootShares{{1, 60}, {0, 30}}));
}

TEST(WaitRootCauses, ChainOfThreeWaitsEndsAtTheRankThatStartedIt) {
  // A pipeline from time 0, no blocking call before: rank 0 works until 300
  // and sends to rank 1, which waits [100, 300] and sends at 310; rank 2 waits
  // [110, 310] and sends at 320; rank 3 waits [120, 320]. Each partner worked
  // as long as the rank waiting for it (rank 1: 100 + 10 against rank 2's 110;
  // rank 2: 110 + 10 against rank 3's 120), so each wait is its partner's
  // waiting, and all of it ends at rank 0.
  Calls calls(4);
  size_t w1 = calls.wait(1, 100, 305, 0, 300);
  size_t w2 = calls.wait(2, 110, 315, 1, 310);
  size_t w3 = calls.wait(3, 120, 325, 2, 320);
  auto roots = calls.roots();
  EXPECT_EQ(roots[w1], (RootShares{{0, 200}}));
  EXPECT_EQ(roots[w2], (RootShares{{0, 200}}));
  EXPECT_EQ(roots[w3], (RootShares{{0, 200}}));
}

TEST(WaitRootCauses, UnknownPartnerKeepsItsWaitingAsIs) {
  Calls calls(2);
  size_t w = calls.wait(0, 100, 200, -1, 150);
  auto roots = calls.roots();
  EXPECT_EQ(roots[w], (RootShares{{-1, 50}}));
}

// The search from a finger finds what a binary search finds, from wherever the
// finger was left: before, at or after the answer, at either end, on runs of
// equal exits and on no calls at all.
TEST(WaitRootCauses, SearchFromAFingerFindsWhatUpperBoundFinds) {
  std::mt19937_64 random(7);
  for (size_t n : {0, 1, 2, 3, 17, 1000}) {
    std::vector<BlockingCall> calls;
    int64_t exit = 0;
    for (size_t i = 0; i < n; ++i) {
      exit += static_cast<int64_t>(random() % 3);  // equal exits in runs
      calls.push_back({exit - 1, exit});
    }
    size_t finger = random() % (n + 2);  // possibly past the end
    for (int query = 0; query < 3000; ++query) {
      // Mostly near the last query, as root_causes() asks; sometimes anywhere.
      const int64_t ns = static_cast<int64_t>(random() % static_cast<uint64_t>(exit + 4)) - 2;
      const auto expected = static_cast<size_t>(
          std::upper_bound(calls.begin(), calls.end(), ns,
                           [](int64_t t, const BlockingCall& c) { return t < c.exit_ns; }) -
          calls.begin());
      ASSERT_EQ(rondo::analyzer::ended_after(calls, finger, ns), expected) << "n " << n << " ns " << ns;
      EXPECT_EQ(finger, expected);
      if (query % 5 == 0) finger = random() % (n + 2);
    }
  }
}

TEST(WaitRootCauses, ScaleSharesKeepsTheSum) {
  RootShares s{{1, 2}, {2, 1}};
  EXPECT_EQ(rondo::analyzer::scale_shares(s, 3, 2), (RootShares{{1, 2}}));  // 1.33 + 0.67: remainder to the first
  EXPECT_EQ(rondo::analyzer::scale_shares(s, 3, 3), s);
  EXPECT_EQ(rondo::analyzer::scale_shares(s, 3, 0), RootShares{});
}

}  // namespace
