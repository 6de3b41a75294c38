// PrefaultBehind (format/prefault.h): the pages of its range are there when it
// is done, and what a thread writes meanwhile is what the range holds.
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "rondo/format/prefault.h"

namespace rondo::format {
namespace {

// An anonymous mapping of `bytes`, none of it touched yet.
class FreshMemory {
 public:
  explicit FreshMemory(size_t bytes) : bytes_(bytes) {
    void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    data_ = p == MAP_FAILED ? nullptr : static_cast<uint8_t*>(p);
  }
  ~FreshMemory() {
    if (data_) munmap(data_, bytes_);
  }
  uint8_t* data() const { return data_; }
  // Pages of the mapping the kernel has provided (mincore).
  size_t resident_pages() const {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    std::vector<unsigned char> present((bytes_ + page - 1) / page);
    if (mincore(data_, bytes_, present.data()) != 0) return 0;
    size_t n = 0;
    for (unsigned char c : present) n += c & 1;
    return n;
  }
  size_t pages() const { return bytes_ / static_cast<size_t>(sysconf(_SC_PAGESIZE)); }

 private:
  size_t bytes_;
  uint8_t* data_;
};

bool kernel_populates() {
#ifdef MADV_POPULATE_WRITE
  FreshMemory probe(static_cast<size_t>(sysconf(_SC_PAGESIZE)));
  return probe.data() && madvise(probe.data(), static_cast<size_t>(sysconf(_SC_PAGESIZE)), MADV_POPULATE_WRITE) == 0;
#else
  return false;
#endif
}

constexpr size_t kBytes = 24u << 20;

TEST(PrefaultBehind, EveryPageIsThereWhenItIsDone) {
  if (!kernel_populates()) GTEST_SKIP() << "this kernel has no MADV_POPULATE_WRITE (Linux 5.14 and later)";
  FreshMemory m(kBytes);
  ASSERT_NE(m.data(), nullptr);
  ASSERT_EQ(m.resident_pages(), 0u);
  PrefaultBehind prefault(m.data(), kBytes);
  prefault.finish();
  EXPECT_EQ(m.resident_pages(), m.pages());
  // Provided as zeros, as a first write would have found them.
  for (size_t i = 0; i < kBytes; i += 4096) ASSERT_EQ(m.data()[i], 0) << i;
}

TEST(PrefaultBehind, WhatTheFillerWritesMeanwhileIsKept) {
  FreshMemory m(kBytes);
  ASSERT_NE(m.data(), nullptr);
  for (int round = 0; round < 5; ++round) {
    auto* words = reinterpret_cast<uint64_t*>(m.data());
    const size_t n = kBytes / sizeof(uint64_t);
    {
      PrefaultBehind prefault(m.data(), kBytes);
      for (size_t i = 0; i < n; ++i) words[i] = i * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(round);
    }
    for (size_t i = 0; i < n; ++i)
      ASSERT_EQ(words[i], i * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(round)) << "round " << round << ", word " << i;
  }
}

TEST(PrefaultBehind, SmallRangesAndNoRangeAreLeftAlone) {
  FreshMemory m(4u << 20);
  ASSERT_NE(m.data(), nullptr);
  {
    PrefaultBehind small(m.data(), 4u << 20);  // under 8 MiB: not worth a thread
    small.finish();
  }
  EXPECT_EQ(m.resident_pages(), 0u);
  PrefaultBehind none(nullptr, kBytes);
  none.finish();
}

TEST(PrefaultBehind, StoppingEarlyWaitsForTheHelper) {
  // Destroyed at once: the destructor stops the helper and joins it; the
  // mapping is unmapped only afterwards (FreshMemory outlives it). 50 times,
  // for a helper caught anywhere in its walk.
  for (int i = 0; i < 50; ++i) {
    FreshMemory m(kBytes);
    ASSERT_NE(m.data(), nullptr);
    PrefaultBehind prefault(m.data() + 100, kBytes - 100);
  }
}

}  // namespace
}  // namespace rondo::format
