#include "iteration_walk.h"

#include <algorithm>

namespace rondo::analyzer {

using namespace rondo::format;

namespace {
constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kVariable = UINT64_MAX;
}  // namespace

std::vector<uint64_t> loop_free_sizes(const ThreadTrace& t) {
  std::vector<uint64_t> size(t.sequences().size(), kVariable);
  for (size_t s = 0; s < size.size(); ++s) {
    uint64_t total = 0;
    for (Token k : t.sequences()[s].tokens) {
      uint64_t n = k.kind() == TokenKind::Event                      ? 1
                   : k.kind() == TokenKind::Sequence && k.id() < s ? size[k.id()]
                                                                    : kVariable;
      if (n == kVariable) {
        total = kVariable;
        break;
      }
      total += n;
    }
    size[s] = total;
  }
  return size;
}

std::vector<uint64_t> loop_iteration_sizes(const ThreadTrace& t, const std::vector<uint64_t>& sequence_sizes) {
  std::vector<uint64_t> size(t.loops().size(), 0);
  for (uint32_t l = 0; l < size.size(); ++l)
    for (Token b : t.loop_body(l)) {
      uint64_t n = b.kind() == TokenKind::Event                                       ? 1
                   : b.kind() == TokenKind::Sequence && b.id() < sequence_sizes.size() ? sequence_sizes[b.id()]
                                                                                        : kVariable;
      size[l] = n == kVariable || size[l] == kVariable ? kVariable : size[l] + n;
    }
  return size;
}

bool iterations_from_structure_possible(const ThreadTrace& t) {
  return !t.truncated() && t.has_summary() && t.summary().events == t.event_count();
}

void walk_iterations(const ThreadTrace& t, IterationSink& sink) {
  ForwardTimestamps ts(t);
  const std::vector<uint64_t> sizes = loop_free_sizes(t);
  const std::vector<uint64_t> iteration_sizes = loop_iteration_sizes(t, sizes);
  auto token_size = [&](Token k) {
    switch (k.kind()) {
      case TokenKind::Event: return uint64_t{1};
      case TokenKind::Sequence: return sizes[k.id()];
      default: return kVariable;
    }
  };
  // A level expands a sequence (loop == kNone) or one occurrence of a loop. An
  // iteration of a loop has started once one of its events is reached: a body
  // of nothing but loops may run an iteration with no event, which a replay
  // never sees, so the previous iteration (`pending`, ended at event `last`)
  // is handed on only when the next one starts, or when the occurrence ends.
  struct Iteration {
    uint32_t number;
    uint64_t first, start;  // its first event and that event's timestamp
  };
  struct Level {
    const Token* list;
    uint32_t len, pos;
    uint32_t loop, occurrence, count;
    uint32_t iteration;  // the current one
    bool started;        // the current iteration has reached an event
    Iteration current;
    bool has_pending;
    Iteration pending;
  };
  auto hand_on = [&](const Level& l, const Iteration& it, uint64_t end) {
    end = std::max(end, it.start);  // a clock that stepped back gives 0, as in a replay
    sink.on(LoopFrame{l.loop, l.occurrence, it.number, l.count, it.first}, end - it.start, it.start, end);
  };
  std::vector<Level> stack;
  // Events are about to be read from `index` on: the iterations waiting for an
  // event start here, and the previous iterations of their occurrences end
  // here (innermost first, as a replay ends them).
  size_t waiting = 0;  // levels stack[waiting..] may have an iteration not started
  auto reach = [&](uint64_t index) {
    if (waiting == stack.size()) return;
    uint64_t at = ts.at(index);
    for (size_t k = stack.size(); k-- > waiting;) {
      Level& l = stack[k];
      if (l.loop == kNone || l.started) continue;
      if (l.has_pending) hand_on(l, l.pending, at);
      l.has_pending = false;
      l.started = true;
      l.current = Iteration{l.iteration, index, at};
    }
    waiting = stack.size();
  };
  std::vector<uint32_t> cursor(t.loops().size(), 0);
  std::vector<CountHint> hints(t.loops().size());
  uint64_t index = 0;  // the next event
  size_t top = 0;
  for (;;) {
    Token k;
    if (stack.empty()) {
      if (top == t.top_level().size()) break;
      k = t.top_level()[top++];
    } else {
      Level& l = stack.back();
      if (l.pos == l.len) {
        if (l.loop != kNone) {
          if (l.started) {
            l.has_pending = true;
            l.pending = l.current;
            l.started = false;
          }
          if (l.iteration + 1 < l.count) {
            ++l.iteration;
            l.pos = 0;
            waiting = std::min(waiting, stack.size() - 1);
            continue;
          }
          // The occurrence ends with the last event of its last iteration that had one.
          if (l.has_pending) hand_on(l, l.pending, ts.at(index - 1));
        }
        stack.pop_back();
        waiting = std::min(waiting, stack.size());
        continue;
      }
      k = l.list[l.pos++];
    }
    if (uint64_t n = token_size(k); n != kVariable) {
      reach(index);
      index += n;
      continue;
    }
    if (k.kind() == TokenKind::Sequence) {
      const auto& s = t.sequences()[k.id()].tokens;
      stack.push_back(Level{s.data(), static_cast<uint32_t>(s.size()), 0, kNone, 0, 0, 0, true, {}, false, {}});
      continue;
    }
    uint32_t loop = k.id();
    if (cursor[loop] >= t.loop_occurrences(loop)) throw FormatError("a loop count is missing");
    uint32_t occurrence = cursor[loop]++;
    uint32_t count = t.loop_count(loop, occurrence, hints[loop]);
    if (count == 0) continue;
    const auto& body = t.loop_body(loop);
    const uint64_t per = iteration_sizes[loop];
    if (per == kVariable) {
      stack.push_back(Level{body.data(), static_cast<uint32_t>(body.size()), 0, loop, occurrence, count, 0, false, {},
                            false, {}});
      continue;
    }
    // A body without loops: every iteration has `per` (at least 1) events.
    reach(index);
    Level fixed{nullptr, 0, 0, loop, occurrence, count, 0, true, {}, false, {}};
    Iteration it{0, index, ts.at(index)};
    for (;; ++it.number) {
      uint64_t end_index = it.first + per;
      if (it.number + 1 == count) {
        hand_on(fixed, it, ts.at(end_index - 1));
        break;
      }
      uint64_t next = ts.at(end_index);
      hand_on(fixed, it, next);
      it.first = end_index;
      it.start = next;
    }
    index += static_cast<uint64_t>(count) * per;
  }
}

}  // namespace rondo::analyzer
