// What a thread records while one of its signal handlers runs.
//
// A handler may interrupt anything, malloc and the recorder's own callers
// included, so it must neither allocate nor take a lock. Recording an event
// does both when the thread meets a new event or nests deeper than before (the
// grammar's tables, the open-call stack, a full batch handed to the writer
// thread). So inside a handler the recorder only appends the event, as it came,
// to this per-thread list, and replays the list into the writer, in order and
// with the original timestamps, at the thread's next event outside a handler
// (or when the thread's recording ends): the trace is the one a direct record
// would have made, and no call or count is lost.
//
// The list lives in blocks taken with mmap() (a system call, async-signal-safe,
// no lock of the C library's allocator), the first one when a handler first
// records on the thread; the replay gives back all but the first. A handler
// that records more than memory allows loses those events and counts them
// (lost()), which the runtime reports once at the end.
#pragma once

#include <cstddef>
#include <cstdint>

#include "rondo/format/records.h"

namespace rondo::trace {

struct DeferredEvent {
  enum class Kind : uint8_t {
    Enter,   // region, site, at, stack
    Leave,   // region, at
    Event,   // key, data (has_data), at
    Poll,    // region, at (entry), until (exit)
    Resume,  // stack, at: a jump out of the handler (resume_at_stack)
  };
  Kind kind = Kind::Enter;
  bool has_data = false;
  uint32_t region = 0;
  uint32_t site = 0;
  uint64_t at = 0;
  uint64_t until = 0;
  uintptr_t stack = 0;
  format::EventKey key{};
  int64_t data[format::kMaxData] = {};
};

class SignalDeferral {
 public:
  SignalDeferral() = default;
  SignalDeferral(const SignalDeferral&) = delete;
  SignalDeferral& operator=(const SignalDeferral&) = delete;
  ~SignalDeferral();

  // Appends `e`; async-signal-safe. False (and counted in lost()) when no
  // memory could be mapped for it.
  bool push(const DeferredEvent& e);
  bool empty() const { return head_ == nullptr || head_->count == 0; }
  // Calls `replay` on every event, oldest first, then empties the list (keeping
  // its first block). Not from a handler (it unmaps).
  template <typename F>
  void drain(F&& replay) {
    for (Block* b = head_; b; b = b->next)
      for (uint32_t i = 0; i < b->count; ++i) replay(static_cast<const DeferredEvent&>(b->events()[i]));
    clear();
  }
  uint64_t lost() const { return lost_; }
  // The size of each mapped block.
  static constexpr size_t kBlockBytes = 64 * 1024;

 private:
  // A block is this header and then kPerBlock events, in kBlockBytes.
  struct alignas(alignof(DeferredEvent)) Block {
    Block* next;
    uint32_t count;
    DeferredEvent* events() { return reinterpret_cast<DeferredEvent*>(this + 1); }
  };
  static constexpr uint32_t kPerBlock = static_cast<uint32_t>((kBlockBytes - sizeof(Block)) / sizeof(DeferredEvent));
  void clear();

  Block* head_ = nullptr;
  Block* tail_ = nullptr;
  uint64_t lost_ = 0;
};

}  // namespace rondo::trace
