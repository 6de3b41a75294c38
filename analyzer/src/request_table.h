// The open requests of one process by their handle, for pairing a request's
// post with its completion (request_pairing.h). A program has a few requests
// in flight at a time and posts and completes millions: every message is one
// insert, one lookup and one erase here. Open addressing in one array (linear
// probing, erase by shifting the probe run back) allocates nothing per
// request, where std::unordered_map allocated and freed a node per message and
// divided by a prime for every lookup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace rondo::analyzer {

template <typename Value>
class RequestTable {
 public:
  RequestTable() : slots_(kInitialSlots), mask_(kInitialSlots - 1) {}

  size_t size() const { return size_; }

  // The value of `request`, nullptr when it is not open.
  Value* find(int64_t request) {
    for (size_t i = home(request);; i = (i + 1) & mask_) {
      if (!slots_[i].used) return nullptr;
      if (slots_[i].request == request) return &slots_[i].value;
    }
  }

  // Opens `request` with `value` unless it is open already; returns its value
  // and whether it was inserted (std::unordered_map::try_emplace's contract).
  std::pair<Value*, bool> try_emplace(int64_t request, const Value& value) {
    if (2 * (size_ + 1) > slots_.size()) grow();
    size_t i = home(request);
    for (; slots_[i].used; i = (i + 1) & mask_)
      if (slots_[i].request == request) return {&slots_[i].value, false};
    slots_[i] = {request, value, true};
    ++size_;
    return {&slots_[i].value, true};
  }

  // Closes `request`; false when it was not open.
  bool erase(int64_t request) {
    for (size_t i = home(request);; i = (i + 1) & mask_) {
      if (!slots_[i].used) return false;
      if (slots_[i].request == request) {
        erase_slot(i);
        return true;
      }
    }
  }

 private:
  static constexpr size_t kInitialSlots = 16;  // a power of two; kept at most half full
  struct Slot {
    int64_t request = 0;
    Value value{};
    bool used = false;
  };

  // Handles are often addresses (their low bits zero): a multiplicative hash
  // takes the high bits of the product, which depend on all of the handle's.
  size_t home(int64_t request) const {
    const uint64_t mixed = static_cast<uint64_t>(request) * 0x9E3779B97F4A7C15ull;
    return static_cast<size_t>(mixed >> 32) & mask_;
  }

  // Empties slot i and moves later entries of its probe run back into the
  // gap, so every entry stays reachable from its home without tombstones.
  void erase_slot(size_t i) {
    for (size_t j = (i + 1) & mask_; slots_[j].used; j = (j + 1) & mask_) {
      // Entry j may fill the gap at i unless its home lies in (i, j].
      const size_t from_home = (j - home(slots_[j].request)) & mask_;
      if (from_home >= ((j - i) & mask_)) {
        slots_[i] = std::move(slots_[j]);
        i = j;
      }
    }
    slots_[i] = Slot{};
    --size_;
  }

  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    mask_ = slots_.size() - 1;
    size_ = 0;
    for (Slot& s : old)
      if (s.used) try_emplace(s.request, s.value);
  }

  std::vector<Slot> slots_;
  size_t mask_;
  size_t size_ = 0;
};

}  // namespace rondo::analyzer
