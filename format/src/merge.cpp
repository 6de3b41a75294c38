#include "rondo/format/merge.h"

#include <tuple>

namespace rondo::format {

bool MergedCursor::Later::operator()(size_t a, size_t b) const {
  const MergedEvent& x = (*sources)[a].head;
  const MergedEvent& y = (*sources)[b].head;
  // priority_queue keeps the greatest on top: "later" compares greater.
  return std::tie(x.ns, x.process, x.thread, x.event.index) > std::tie(y.ns, y.process, y.thread, y.event.index);
}

MergedCursor::MergedCursor(const TraceReader& trace) : heap_(Later{&sources_}) {
  for (size_t p = 0; p < trace.processes().size(); ++p) {
    const ProcessReader& reader = *trace.processes()[p];
    for (size_t t = 0; t < reader.thread_count(); ++t)
      sources_.push_back(Source{p, t, &reader, std::make_unique<EventCursor>(reader.thread(t)), {}});
  }
  for (size_t i = 0; i < sources_.size(); ++i)
    if (advance(i)) heap_.push(i);
}

bool MergedCursor::advance(size_t i) {
  Source& s = sources_[i];
  if (!s.cursor->next(s.head.event)) return false;
  s.head.process = s.process;
  s.head.thread = s.thread;
  s.head.ns = s.reader->to_ns(s.head.event.ticks);
  return true;
}

bool MergedCursor::next(MergedEvent& out) {
  if (heap_.empty()) return false;
  size_t i = heap_.top();
  heap_.pop();
  out = sources_[i].head;
  if (advance(i)) heap_.push(i);
  return true;
}

}  // namespace rondo::format
