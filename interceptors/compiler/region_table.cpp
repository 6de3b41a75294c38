#include "region_table.h"

#include <sched.h>

#include <atomic>

#include "rondo/trace/runtime.h"

namespace rondo::compiler {
namespace {

// Zero-initialised static storage: an empty slot has fn == nullptr, and a slot
// whose fn was just claimed reads as Claimed (0) until its inserter publishes.
struct Slot {
  std::atomic<const void*> fn;
  std::atomic<uint32_t> region;
  std::atomic<uint8_t> state;
};
Slot g_slots[RegionTable::kCapacity];
std::atomic<uint32_t> g_reserved{0};  // entries in state Reserved
// Linear probing stops here: a lookup stays short, and a table this crowded
// counts as full.
constexpr uint32_t kMaxProbes = 256;

uint32_t home_of(const void* fn) {
  uint64_t h = (reinterpret_cast<uintptr_t>(fn) >> 2) * 0x9E3779B97F4A7C15ull;
  return static_cast<uint32_t>(h >> 40) & (RegionTable::kCapacity - 1);
}

void read_entry(const Slot& s, Lookup& out) {
  out.state = static_cast<EntryState>(s.state.load(std::memory_order_acquire));
  out.region = s.region.load(std::memory_order_relaxed);
}

void publish(Slot& s, EntryState state, uint32_t region, Lookup& out) {
  s.region.store(region, std::memory_order_relaxed);
  s.state.store(static_cast<uint8_t>(state), std::memory_order_release);
  out = Lookup{state, region};
}

}  // namespace

bool RegionTable::find(const void* fn, Lookup& out) const {
  uint32_t home = home_of(fn);
  for (uint32_t i = 0; i < kMaxProbes; ++i) {
    const Slot& s = g_slots[(home + i) & (kCapacity - 1)];
    const void* f = s.fn.load(std::memory_order_acquire);
    if (f == nullptr) return false;
    if (f == fn) {
      read_entry(s, out);
      return true;
    }
  }
  return false;
}

bool RegionTable::find_or_reserve(const void* fn, Lookup& out) {
  uint32_t home = home_of(fn);
  for (uint32_t i = 0; i < kMaxProbes; ++i) {
    Slot& s = g_slots[(home + i) & (kCapacity - 1)];
    const void* f = s.fn.load(std::memory_order_acquire);
    if (f == nullptr && s.fn.compare_exchange_strong(f, fn, std::memory_order_acq_rel)) {
      uint32_t region = trace::reserve_region();
      g_reserved.fetch_add(1, std::memory_order_relaxed);
      publish(s, EntryState::Reserved, region, out);
      return true;
    }
    if (f == fn) {  // (a failed exchange left the winner in f)
      read_entry(s, out);
      // Claimed: its inserter is filling it in, perhaps the very code this
      // handler interrupted; waiting here could be forever.
      return out.state != EntryState::Claimed;
    }
  }
  return false;
}

bool RegionTable::insert(const void* fn, EntryState state, uint32_t region, Lookup& out) {
  uint32_t home = home_of(fn);
  for (uint32_t i = 0; i < kMaxProbes; ++i) {
    Slot& s = g_slots[(home + i) & (kCapacity - 1)];
    const void* f = s.fn.load(std::memory_order_acquire);
    if (f == nullptr && s.fn.compare_exchange_strong(f, fn, std::memory_order_acq_rel)) {
      publish(s, state, region, out);
      return true;
    }
    if (f == fn) {
      // Claimed by a handler on another thread (a handler of this thread has
      // returned before this code goes on): it publishes within a few steps.
      do read_entry(s, out);
      while (out.state == EntryState::Claimed && sched_yield() == 0);
      return true;
    }
  }
  return false;
}

bool RegionTable::has_reserved() const { return g_reserved.load(std::memory_order_relaxed) != 0; }

void RegionTable::name_reserved(NameFn name, void* context) {
  if (!has_reserved()) return;
  for (Slot& s : g_slots) {
    if (s.fn.load(std::memory_order_acquire) == nullptr ||
        s.state.load(std::memory_order_acquire) != static_cast<uint8_t>(EntryState::Reserved))
      continue;
    bool keep = name(s.fn.load(std::memory_order_relaxed), s.region.load(std::memory_order_relaxed), context);
    s.state.store(static_cast<uint8_t>(keep ? EntryState::Named : EntryState::Excluded), std::memory_order_release);
    g_reserved.fetch_sub(1, std::memory_order_relaxed);
  }
}

RegionTable& region_table() {
  static RegionTable table;  // no state of its own: constant-initialised, no guard
  return table;
}

}  // namespace rondo::compiler
