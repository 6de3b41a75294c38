#include "thread_pass.h"

#include <vector>

#include "rondo/format/error.h"

namespace rondo::analyzer {

using namespace rondo::format;

void replay_once(const ThreadTrace& thread, std::span<ThreadVisitor* const> visitors) {
  std::vector<ThreadVisitor*> active;
  for (ThreadVisitor* v : visitors)
    if (v) active.push_back(v);
  if (active.empty()) return;
  EventCursor cursor(thread);
  Event e;
  try {
    while (!active.empty() && cursor.next(e)) {
      // Visitors that are done leave the list; the others keep their order.
      size_t kept = 0;
      for (ThreadVisitor* v : active)
        if (v->on_event(e, cursor)) active[kept++] = v;
      active.resize(kept);
    }
  } catch (const FormatError&) {
    for (ThreadVisitor* v : active) v->on_damaged(std::current_exception());
  }
  for (ThreadVisitor* v : visitors)
    if (v) v->finish();
}

}  // namespace rondo::analyzer
