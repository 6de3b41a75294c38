// The per-thread list of events recorded inside signal handlers (signal_deferral.h).
#include "rondo/trace/signal_deferral.h"

#include <sys/mman.h>

#include <new>

namespace rondo::trace {

SignalDeferral::~SignalDeferral() {
  clear();
  if (head_) munmap(head_, kBlockBytes);
}

bool SignalDeferral::push(const DeferredEvent& e) {
  if (!tail_ || tail_->count == kPerBlock) {
    // mmap, not malloc: the handler may have interrupted malloc on this thread.
    void* p = mmap(nullptr, kBlockBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      ++lost_;
      return false;
    }
    Block* b = static_cast<Block*>(p);  // zero-filled: next null, count 0
    if (tail_)
      tail_->next = b;
    else
      head_ = b;
    tail_ = b;
  }
  // Placement into the mapped block: a plain copy, no constructor that allocates.
  new (tail_->events() + tail_->count) DeferredEvent(e);
  ++tail_->count;
  return true;
}

void SignalDeferral::clear() {
  if (!head_) return;
  for (Block* b = head_->next; b;) {
    Block* next = b->next;
    munmap(b, kBlockBytes);
    b = next;
  }
  head_->next = nullptr;
  head_->count = 0;
  tail_ = head_;
}

}  // namespace rondo::trace
