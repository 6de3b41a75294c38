// walk_iterations() as a template over its sinks (iteration_walk.h), so that a
// caller with final sink classes has their calls inlined: the loops section
// hands millions of iterations to its timer, one call each. Include only where
// the walk is instantiated.
#pragma once

#include <algorithm>
#include <type_traits>
#include <vector>

#include "iteration_walk.h"

namespace rondo::analyzer {

// A Sink for a walk over the structure alone: no iteration is timed, and no
// timestamp is read.
struct NoIterationTimes {};

// Sink: on(const LoopFrame&, ticks, start, end) as IterationSink::on, or
// NoIterationTimes; Occurrences: occurrence() and occurrence_events() as
// OccurrenceSink's, or nullptr. `read_ahead`: the timestamps are decoded a
// chunk ahead on a thread of their own (ForwardTimestamps), for a caller with
// a core to spare.
template <typename Sink, typename Occurrences>
void walk_iterations_to(const format::ThreadTrace& t, Sink& sink, Occurrences* occurrences, bool read_ahead = false) {
  using namespace rondo::format;
  constexpr uint32_t kNone = UINT32_MAX;
  constexpr uint64_t kVariable = UINT64_MAX;
  constexpr bool kTimed = !std::is_same_v<Sink, NoIterationTimes>;
  (void)sink;
  ForwardTimestamps ts(t, kTimed && read_ahead);
  const FixedSizes sizes(t);
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
    const WalkStep* steps;
    uint32_t len, pos;
    uint32_t loop, occurrence, count;
    uint32_t iteration;       // the current one
    uint32_t innermost_loop;  // this level's loop, else the one of the level below (kNone: none)
    bool started;             // the current iteration has reached an event
    bool has_pending;
    Iteration current;
    Iteration pending;
    uint64_t occurrence_first;  // the first event of this loop occurrence
  };
  auto hand_on = [&](const Level& l, const Iteration& it, uint64_t end) {
    if constexpr (kTimed) {
      end = std::max(end, it.start);  // a clock that stepped back gives 0, as in a replay
      sink.on(LoopFrame{l.loop, l.occurrence, it.number, l.count, it.first}, end - it.start, it.start, end);
    }
  };
  // The timestamp of event `index`, where iterations are timed.
  auto at = [&](uint64_t index) -> uint64_t {
    if constexpr (kTimed) return ts.at(index);
    return 0;
  };
  const WalkPrograms programs(t, sizes);
  std::vector<Level> stack;
  stack.reserve(16);
  // Events are about to be read from `index` on: the iterations waiting for an
  // event start here, and the previous iterations of their occurrences end
  // here (innermost first, as a replay ends them).
  size_t waiting = 0;  // levels stack[waiting..] may have an iteration not started
  auto reach = [&](uint64_t index) {
    if constexpr (!kTimed) return;
    if (waiting == stack.size()) return;
    const uint64_t first = at(index);
    for (size_t k = stack.size(); k-- > waiting;) {
      Level& l = stack[k];
      if (l.loop == kNone || l.started) continue;
      if (l.has_pending) hand_on(l, l.pending, first);
      l.has_pending = false;
      l.started = true;
      l.current = Iteration{l.iteration, index, first};
    }
    waiting = stack.size();
  };
  LoopCountCursors counts(t);
  uint64_t index = 0;  // the next event
  const std::vector<WalkStep>& top_steps = programs.top();
  size_t top = 0;
  for (;;) {
    const WalkStep* step;
    if (stack.empty()) {
      if (top == top_steps.size()) break;
      step = &top_steps[top++];
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
          if (l.has_pending) hand_on(l, l.pending, at(index - 1));
          if (occurrences) occurrences->occurrence_events(l.loop, index - l.occurrence_first);
        }
        stack.pop_back();
        waiting = std::min(waiting, stack.size());
        continue;
      }
      step = &l.steps[l.pos++];
    }
    if (step->kind == WalkStep::Kind::Events) {
      reach(index);
      index += step->events;
      continue;
    }
    const uint32_t enclosing = stack.empty() ? kNone : stack.back().innermost_loop;
    if (step->kind == WalkStep::Kind::Sequence) {
      if (step->id >= t.sequences().size()) throw FormatError("a sequence id is out of range");
      const std::vector<WalkStep>& s = programs.sequence(step->id);
      stack.push_back(
          Level{s.data(), static_cast<uint32_t>(s.size()), 0, kNone, 0, 0, 0, enclosing, true, false, {}, {}, 0});
      continue;
    }
    const uint32_t loop = step->id;
    if (loop >= t.loops().size()) throw FormatError("a loop id is out of range");
    uint32_t occurrence, count;
    if (!counts.next(loop, occurrence, count)) throw FormatError("a loop count is missing");
    if (occurrences) occurrences->occurrence(loop, count, step->list, step->len, step->pos, enclosing);
    if (count == 0) continue;
    const uint64_t per = sizes.iteration(loop);
    if (per == kVariable) {
      const std::vector<WalkStep>& body = programs.body(loop);
      stack.push_back(Level{body.data(), static_cast<uint32_t>(body.size()), 0, loop, occurrence, count, 0, loop,
                            false, false, {}, {}, index});
      continue;
    }
    if (occurrences) occurrences->occurrence_events(loop, static_cast<uint64_t>(count) * per);
    // A body without loops: every iteration has `per` (at least 1) events.
    reach(index);
    if constexpr (kTimed) {
      const Level fixed{nullptr, 0, 0, loop, occurrence, count, 0, loop, true, false, {}, {}, index};
      Iteration it{0, index, at(index)};
      for (;; ++it.number) {
        uint64_t end_index = it.first + per;
        if (it.number + 1 == count) {
          hand_on(fixed, it, at(end_index - 1));
          break;
        }
        uint64_t next = at(end_index);
        hand_on(fixed, it, next);
        it.first = end_index;
        it.start = next;
      }
    }
    index += static_cast<uint64_t>(count) * per;
  }
}

}  // namespace rondo::analyzer
