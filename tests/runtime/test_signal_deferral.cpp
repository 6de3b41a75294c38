// The per-thread list that keeps what signal handlers record (signal_deferral.h):
// every event comes back once, in order, across blocks, and the list is
// reusable after a drain. (Compiled in from libtrace/src: the rest of the
// runtime is only ever preloaded into the test programs.)
#include "rondo/trace/signal_deferral.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
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

// A sanitizer's reserved shadow memory leaves no room for an address-space cap.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define RONDO_NO_ADDRESS_SPACE_CAP 1
#endif

#ifndef RONDO_NO_ADDRESS_SPACE_CAP
// The process's address space now, in bytes (/proc/self/statm's first field).
size_t address_space_bytes() {
  unsigned long pages = 0;
  if (FILE* f = std::fopen("/proc/self/statm", "r")) {
    if (std::fscanf(f, "%lu", &pages) != 1) pages = 0;
    std::fclose(f);
  }
  return pages * static_cast<size_t>(sysconf(_SC_PAGESIZE));
}

// What a push does when mmap() fails, in a child whose address space is capped
// at what it already uses: the events that fit in the mapped block are kept,
// every later one is counted as lost (the runtime reports the count once), and
// the list records again once memory is there.
int pushes_without_memory() {
  SignalDeferral d;
  constexpr uint64_t before = 100, during = 10000;
  for (uint64_t i = 0; i < before; ++i)
    if (!d.push(numbered(i))) return 1;  // the first block is mapped: room for more than 100
  rlimit old{};
  getrlimit(RLIMIT_AS, &old);
  rlimit capped = old;
  capped.rlim_cur = address_space_bytes();
  if (setrlimit(RLIMIT_AS, &capped) != 0) return 2;
  uint64_t kept = before;
  for (uint64_t i = before; i < before + during; ++i) kept += d.push(numbered(i)) ? 1 : 0;
  setrlimit(RLIMIT_AS, &old);
  if (kept == before + during || kept < before) return 3;  // the cap stopped nothing, or lost kept events
  if (d.lost() != before + during - kept) return 4;
  uint64_t expect = 1000, drained = 0;
  d.drain([&](const DeferredEvent& e) { drained += e.at == expect++ ? 1 : 0; });  // the oldest, in order
  if (drained != kept) return 5;
  if (!d.push(numbered(0)) || d.lost() != before + during - kept) return 6;  // memory is back
  return 0;
}
#endif

TEST(SignalDeferral, WithoutMemoryLaterEventsAreCountedAsLostAndEarlierOnesKept) {
#ifdef RONDO_NO_ADDRESS_SPACE_CAP
  GTEST_SKIP() << "a sanitizer's reserved shadow memory leaves no room for an address-space cap";
#else
  EXPECT_EXIT(std::_Exit(pushes_without_memory()), ::testing::ExitedWithCode(0), "");
#endif
}

}  // namespace
}  // namespace rondo::trace
