// The process-wide table of the hooks: code address of an instrumented function
// -> its region. Lock-free, so that a signal handler can look a function up, and
// when the function is new, reserve its region there and then (no allocation,
// no lock, no symbol lookup) and leave its name to an ordinary context.
//
// Entries are never removed. The table has a fixed capacity (kCapacity
// functions); beyond it, callers keep their own locked map (hooks.cpp) and a
// function met first in a handler is not recorded there.
#pragma once

#include <cstdint>

namespace rondo::compiler {

enum class EntryState : uint8_t {
  Claimed,   // being filled in by the thread that inserted it (a few instructions)
  Reserved,  // region id reserved in a signal handler, its name not defined yet
  Named,     // region defined with its name: record it
  Excluded,  // RONDO_FILTER leaves it out
};

struct Lookup {
  EntryState state;
  uint32_t region;  // the reserved or defined id (for Reserved and Named)
};

class RegionTable {
 public:
  static constexpr uint32_t kCapacity = 1u << 16;

  // The entry of `fn`; `found` false when it has none. Async-signal-safe.
  bool find(const void* fn, Lookup& out) const;
  // Async-signal-safe: the entry of `fn`, inserting it as Reserved with a region
  // from trace::reserve_region() when it has none. false when the table is full,
  // or another thread claimed the entry at this instant (its state is Claimed).
  bool find_or_reserve(const void* fn, Lookup& out);
  // Not async-signal-safe (the caller serialises these): inserts `fn` as Named or
  // Excluded; false when the table is full. An entry `fn` already has keeps its
  // region (a concurrent reservation): `out` says which one holds.
  bool insert(const void* fn, EntryState state, uint32_t region, Lookup& out);
  // Whether some entry is Reserved (cheap: one relaxed load).
  bool has_reserved() const;
  // Calls name(fn, region, context) for each Reserved entry, which must define
  // the region and return whether the filter keeps the function; the entry
  // becomes Named or Excluded. Not async-signal-safe; the caller serialises it
  // with insert().
  using NameFn = bool (*)(const void* fn, uint32_t region, void* context);
  void name_reserved(NameFn name, void* context);
};

// The one table of the process (static storage: nothing to allocate).
RegionTable& region_table();

}  // namespace rondo::compiler
