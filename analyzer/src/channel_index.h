// Small helpers of message matching (messages.cpp) that keep it free of
// per-record sorting and of node-based maps.
//
// ChannelIndex numbers the (communicator, source, destination, tag) channels of
// a trace with dense ids, in one open-addressing table: matching then keeps a
// FIFO per channel id instead of sorting millions of records by their key.
//
// order_runs() orders the keys of records that arrive as runs already (nearly)
// in order, one run per process: each run is sorted only when it is not in
// order already, and the runs are merged pairwise, O(n log runs) instead of a
// sort of the whole vector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rondo::analyzer {

struct ChannelKey {
  uint32_t comm = 0;
  int32_t src = 0, dst = 0, tag = 0;
  bool operator==(const ChannelKey&) const = default;
};

class ChannelIndex {
 public:
  static constexpr uint32_t kAbsent = UINT32_MAX;

  explicit ChannelIndex(size_t expected = 64) {
    size_t capacity = 64;
    while (capacity < expected * 2) capacity *= 2;
    slots_.assign(capacity, Slot{});
  }
  size_t size() const { return count_; }

  // The id of `key`, numbering new keys 0, 1, 2, ... in the order first seen.
  uint32_t add(const ChannelKey& key) {
    Slot& s = find_slot(key);
    if (s.id != kAbsent) return s.id;
    s.key = key;
    s.id = static_cast<uint32_t>(count_++);
    if (count_ * 2 > slots_.size()) grow();
    return static_cast<uint32_t>(count_ - 1);
  }
  // The id of `key`, kAbsent when it was never added.
  uint32_t find(const ChannelKey& key) const { return const_cast<ChannelIndex*>(this)->find_slot(key).id; }

 private:
  struct Slot {
    ChannelKey key;
    uint32_t id = kAbsent;
  };
  static uint64_t hash(const ChannelKey& k) {
    uint64_t a = (uint64_t{k.comm} << 32) | static_cast<uint32_t>(k.tag);
    uint64_t b = (uint64_t{static_cast<uint32_t>(k.src)} << 32) | static_cast<uint32_t>(k.dst);
    uint64_t h = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull) * 0xC2B2AE3D27D4EB4Full;
    return h ^ (h >> 29);
  }
  Slot& find_slot(const ChannelKey& key) {
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash(key) & mask;; i = (i + 1) & mask)
      if (slots_[i].id == kAbsent || slots_[i].key == key) return slots_[i];
  }
  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(old.size() * 2, Slot{});
    for (const Slot& s : old)
      if (s.id != kAbsent) find_slot(s.key) = s;
  }
  std::vector<Slot> slots_;
  size_t count_ = 0;
};

// Sorts `keys` by `less`, given as consecutive runs (`run_ends`: the end of
// each run, the last one keys.size()) that are each usually in order already.
template <typename Key, typename Less>
void order_runs(std::vector<Key>& keys, std::vector<size_t> run_ends, Less less) {
  size_t begin = 0;
  for (size_t end : run_ends) {
    auto first = keys.begin() + static_cast<std::ptrdiff_t>(begin), last = keys.begin() + static_cast<std::ptrdiff_t>(end);
    if (!std::is_sorted(first, last, less)) std::sort(first, last, less);
    begin = end;
  }
  if (std::is_sorted(keys.begin(), keys.end(), less)) return;
  // Merge neighbouring runs until one is left.
  while (run_ends.size() > 1) {
    std::vector<size_t> merged;
    size_t first = 0;
    for (size_t r = 0; r < run_ends.size(); r += 2) {
      if (r + 1 < run_ends.size()) {
        std::inplace_merge(keys.begin() + static_cast<std::ptrdiff_t>(first),
                           keys.begin() + static_cast<std::ptrdiff_t>(run_ends[r]),
                           keys.begin() + static_cast<std::ptrdiff_t>(run_ends[r + 1]), less);
        first = run_ends[r + 1];
      } else {
        first = run_ends[r];
      }
      merged.push_back(first);
    }
    run_ends = std::move(merged);
  }
}

}  // namespace rondo::analyzer
