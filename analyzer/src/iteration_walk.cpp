#include "iteration_walk.h"

#include "iteration_walk_impl.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {
constexpr uint64_t kVariable = UINT64_MAX;
}  // namespace

FixedSizes::FixedSizes(const ThreadTrace& t) : sequence_(t.sequences().size(), kVariable) {
  // A sequence holds only older sequences (FORMAT.md 10.2), so one pass in id order.
  for (size_t s = 0; s < sequence_.size(); ++s) {
    uint64_t total = 0;
    for (Token k : t.sequences()[s].tokens) {
      uint64_t n = k.kind() == TokenKind::Sequence && k.id() >= s ? kVariable : token(k);
      if (n == kVariable) {
        total = kVariable;
        break;
      }
      total += n;
    }
    sequence_[s] = total;
  }
  iteration_.assign(t.loops().size(), 0);
  for (uint32_t l = 0; l < iteration_.size(); ++l)
    for (Token b : t.loop_body(l)) {
      uint64_t n = token(b);
      iteration_[l] = n == kVariable || iteration_[l] == kVariable ? kVariable : iteration_[l] + n;
    }
}

bool iterations_from_structure_possible(const ThreadTrace& t) {
  return !t.truncated() && t.has_summary() && t.summary().events == t.event_count();
}

void walk_iterations(const ThreadTrace& t, IterationSink& sink, OccurrenceSink* occurrences) {
  walk_iterations_to(t, sink, occurrences);
}

}  // namespace rondo::analyzer
