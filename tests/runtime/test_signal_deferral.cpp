// The per-thread list that keeps what signal handlers record (signal_deferral.h):
// every event comes back once, in order, across blocks, and the list is
// reusable after a drain. (Compiled in from libtrace/src: the rest of the
// runtime is only ever preloaded into the test programs.)
#include "rondo/trace/signal_deferral.h"

#include <gtest/gtest.h>

#include <vector>

namespace rondo::trace {
namespace {

DeferredEvent numbered(uint64_t i) {
  DeferredEvent e;
  e.kind = i % 2 ? DeferredEvent::Kind::Leave : DeferredEvent::Kind::Enter;
  e.region = static_cast<uint32_t>(i % 7);
  e.at = 1000 + i;
  e.stack = 0x7000 - i;
  return e;
}

std::vector<uint64_t> drained_times(SignalDeferral& d) {
  std::vector<uint64_t> at;
  d.drain([&](const DeferredEvent& e) {
    EXPECT_EQ(e.kind, numbered(e.at - 1000).kind);
    EXPECT_EQ(e.region, numbered(e.at - 1000).region);
    EXPECT_EQ(e.stack, numbered(e.at - 1000).stack);
    at.push_back(e.at);
  });
  return at;
}

TEST(SignalDeferral, EventsComeBackOnceInOrderAcrossBlocks) {
  SignalDeferral d;
  EXPECT_TRUE(d.empty());
  constexpr uint64_t n = 5000;  // several 64 KiB blocks
  static_assert(n * sizeof(DeferredEvent) > 4 * SignalDeferral::kBlockBytes);
  for (uint64_t i = 0; i < n; ++i) ASSERT_TRUE(d.push(numbered(i)));
  EXPECT_FALSE(d.empty());
  std::vector<uint64_t> at = drained_times(d);
  ASSERT_EQ(at.size(), n);
  for (uint64_t i = 0; i < n; ++i) EXPECT_EQ(at[i], 1000 + i);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.lost(), 0u);
  // Reused after the drain (its first block kept, the others given back).
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(d.push(numbered(i)));
  EXPECT_EQ(drained_times(d), (std::vector<uint64_t>{1000, 1001, 1002}));
  EXPECT_TRUE(drained_times(d).empty());
}

}  // namespace
}  // namespace rondo::trace
