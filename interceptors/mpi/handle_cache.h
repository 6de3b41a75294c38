// Per-thread caches of what the wrappers look up by MPI handle on every message:
// a datatype's size (PMPI_Type_size) and a communicator's entry (its id and
// world-rank table, kept in a map behind a shared mutex). A lookup that hits
// costs a relaxed load, a multiply-shift and one comparison: no call into the
// MPI library, no lock.
//
// MPI reuses a handle once the object it named is freed, so a cached value is
// valid only as long as nothing was freed since it was cached: every free of a
// datatype or communicator bumps one process-wide generation (handles_freed()),
// and a thread whose cache was filled in an older generation empties it at its
// next lookup. Frees are rare (set-up, not the message path), so emptying
// everything is cheaper than tracking which handle went away.
#pragma once

#include <atomic>
#include <cstdint>
#include <type_traits>

namespace rondo::mpi {

extern std::atomic<uint64_t> g_handle_generation;

// Called around (before and after) every call that frees a datatype or a
// communicator: a thread that cached the handle before the free, or between
// the two bumps, finds its cache emptied at its next lookup.
inline void handles_freed() { g_handle_generation.fetch_add(1, std::memory_order_acq_rel); }

// A direct-mapped cache of 2^Bits entries from `Handle` to `Value` (both
// trivially copyable, so the cache can live in static TLS without a
// constructor or destructor).
template <typename Handle, typename Value, unsigned Bits>
class HandleCache {
 public:
  // The value cached for `h`, or null. Remember generation() before computing a
  // value to put() after a miss.
  const Value* find(Handle h) {
    uint64_t now = g_handle_generation.load(std::memory_order_acquire);
    if (__builtin_expect(now != generation_, 0)) {
      for (Entry& e : entries_) e.used = false;
      generation_ = now;
      return nullptr;
    }
    const Entry& e = entries_[slot(h)];
    return e.used && e.handle == h ? &e.value : nullptr;
  }
  uint64_t generation() const { return generation_; }
  // Caches `value`, computed for `h` after find() returned null in generation
  // `seen`; dropped when a free happened meanwhile (it may describe a freed object).
  void put(Handle h, const Value& value, uint64_t seen) {
    if (g_handle_generation.load(std::memory_order_acquire) != seen || seen != generation_) return;
    entries_[slot(h)] = Entry{h, value, true};
  }

 private:
  struct Entry {
    Handle handle;
    Value value;
    bool used;
  };
  static uint32_t slot(Handle h) {
    uint64_t bits;
    if constexpr (std::is_pointer_v<Handle>)
      bits = reinterpret_cast<uintptr_t>(h);
    else
      bits = static_cast<uint64_t>(h);
    return static_cast<uint32_t>((bits * 0x9E3779B97F4A7C15ull) >> (64 - Bits));
  }
  static_assert(std::is_trivially_copyable_v<Handle> && std::is_trivially_copyable_v<Value>);
  Entry entries_[1u << Bits];
  uint64_t generation_;
};

}  // namespace rondo::mpi
