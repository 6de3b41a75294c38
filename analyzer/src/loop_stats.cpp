#include "rondo/analyzer/loop_stats.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <tuple>

#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/huge_pages.h"
#include "decimal_text.h"
#include "iteration_walk_impl.h"
#include "section_passes.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

__extension__ using u128 = unsigned __int128;

constexpr uint32_t kNone = UINT32_MAX;
constexpr uint64_t kVariable = UINT64_MAX;
constexpr size_t kLabelNames = 4;          // names shown in a label before "..."
constexpr size_t kLabelTokenBudget = 4096;  // tokens looked at to name one loop body
constexpr double kCutFraction = 0.001;      // rows below this share of the largest row's time are cut
// Iteration durations kept in memory per thread to count outliers in one replay;
// past this the thread is replayed a second time instead (64 MiB of durations).
constexpr size_t kBufferedDurations = size_t{16} << 20;

// ---------------------------------------------------------------------------
// Structure: grammar and count columns only.

struct StructureWalk {
  std::vector<ThreadLoop> loops;  // by loop id
  std::vector<uint32_t> parent;   // enclosing loop of the first occurrence, kNone: none
  std::vector<bool> reached;
  // Where the first occurrence's token stands: its list (a sequence, a loop
  // body or the top level) and position, to look at its neighbours.
  struct Place {
    const Token* list = nullptr;
    uint32_t len = 0, pos = 0;
  };
  std::vector<Place> place;
};

// Sized for the thread's loops, nothing counted.
StructureWalk blank_structure(const ThreadTrace& t) {
  const size_t nloops = t.loops().size();
  StructureWalk w;
  w.loops.resize(nloops);
  w.parent.assign(nloops, kNone);
  w.reached.assign(nloops, false);
  w.place.resize(nloops);
  return w;
}

// What walk_structure() counts, heard from walk_iterations() instead.
class StructureFromOccurrences final : public OccurrenceSink {
 public:
  explicit StructureFromOccurrences(StructureWalk& w) : w_(w) {}
  void occurrence(uint32_t loop, uint32_t count, const Token* list, uint32_t len, uint32_t pos,
                  uint32_t enclosing) override {
    ThreadLoop& acc = w_.loops[loop];
    if (!w_.reached[loop]) {
      w_.reached[loop] = true;
      acc.min_trip = count;
      w_.place[loop] = {list, len, pos};
      w_.parent[loop] = enclosing;
    }
    ++acc.occurrences;
    acc.iterations += count;
    acc.min_trip = std::min(acc.min_trip, count);
    acc.max_trip = std::max(acc.max_trip, count);
  }
  void occurrence_events(uint32_t loop, uint64_t events) override { w_.loops[loop].events += events; }

 private:
  StructureWalk& w_;
};

// Walks the thread's structure in replay order, expanding only what holds loops:
// loop-free tokens and loop-free loop bodies are counted arithmetically, so the
// cost is linear in loop occurrences, not in events.
StructureWalk walk_structure(const ThreadTrace& t) {
  StructureWalk w = blank_structure(t);
  const FixedSizes sizes(t);
  struct Level {
    const Token* list;
    uint32_t len, pos, remaining, loop;
    uint64_t events_at_start;
  };
  std::vector<Level> stack;
  LoopCountCursors counts(t);
  uint64_t events = 0;
  size_t top = 0;
  for (;;) {
    Token k;
    if (stack.empty()) {
      if (top == t.top_level().size()) break;
      k = t.top_level()[top++];
    } else {
      Level& l = stack.back();
      if (l.pos == l.len) {
        if (l.remaining == 0) {
          if (l.loop != kNone) w.loops[l.loop].events += events - l.events_at_start;
          stack.pop_back();
          continue;
        }
        --l.remaining;
        l.pos = 0;
      }
      k = l.list[l.pos++];
    }
    if (uint64_t n = sizes.token(k); n != kVariable) {
      events += n;
      continue;
    }
    if (k.kind() == TokenKind::Sequence) {
      const auto& s = t.sequences()[k.id()].tokens;
      stack.push_back(Level{s.data(), static_cast<uint32_t>(s.size()), 0, 0, kNone, 0});
      continue;
    }
    uint32_t loop = k.id();
    uint32_t occurrence, count;
    if (!counts.next(loop, occurrence, count)) break;  // the count was never written: the data ends here
    ThreadLoop& acc = w.loops[loop];
    if (!w.reached[loop]) {
      w.reached[loop] = true;
      acc.min_trip = count;
      if (stack.empty())
        w.place[loop] = {t.top_level().data(), static_cast<uint32_t>(t.top_level().size()),
                         static_cast<uint32_t>(top - 1)};
      else
        w.place[loop] = {stack.back().list, stack.back().len, stack.back().pos - 1};
      for (size_t i = stack.size(); i-- > 0;)
        if (stack[i].loop != kNone) {
          w.parent[loop] = stack[i].loop;
          break;
        }
    }
    ++acc.occurrences;
    acc.iterations += count;
    acc.min_trip = std::min(acc.min_trip, count);
    acc.max_trip = std::max(acc.max_trip, count);
    if (count == 0) continue;
    const auto& body = t.loop_body(loop);
    const uint64_t per = sizes.iteration(loop);
    if (per != kVariable) {
      events += count * per;
      acc.events += count * per;
      continue;
    }
    stack.push_back(Level{body.data(), static_cast<uint32_t>(body.size()), 0, count - 1, loop, events});
  }
  for (const Level& l : stack)  // a thread whose data ends inside loops
    if (l.loop != kNone) w.loops[l.loop].events += events - l.events_at_start;
  return w;
}

std::string event_name(const ProcessDefinitions& defs, const EventDef& def) {
  const EventKey& k = def.key;
  switch (k.kind) {
    case EventKind::Marker: return "\"" + defs.string(k.ref) + "\"";
    case EventKind::MpiCollectiveEnd: return std::string(collective_name(static_cast<CollectiveOp>(k.ref)));
    default: return std::string(kind_name(k.kind));
  }
}

// Hands visit(token) every event token of tokens[0, n), in order, looking into
// sequences, and into loops when `into_loops` (else the loop tokens are handed
// on too), at most kLabelTokenBudget tokens; returns whether it saw them all.
template <typename Visit>
bool walk_tokens(const ThreadTrace& t, const Token* tokens, size_t n, bool into_loops, Visit visit) {
  struct Level {
    const Token* list;
    size_t len, pos;
  };
  std::vector<Level> stack{{tokens, n, 0}};
  size_t budget = kLabelTokenBudget;
  while (!stack.empty() && budget > 0) {
    Level& l = stack.back();
    if (l.pos == l.len) {
      stack.pop_back();
      continue;
    }
    Token k = l.list[l.pos++];
    --budget;
    if (k.kind() == TokenKind::Sequence) {
      const auto& s = t.sequences()[k.id()].tokens;
      stack.push_back({s.data(), s.size(), 0});
    } else if (k.kind() == TokenKind::Loop && into_loops) {
      const auto& b = t.loop_body(k.id());
      stack.push_back({b.data(), b.size(), 0});
    } else {
      visit(k);
    }
  }
  return stack.empty();
}

// What one iteration of `loop` does: the regions entered at its outermost call
// level, or, when it enters none, its other events (see loop_stats.h), in order.
std::vector<std::string> body_names(const ThreadTrace& t, const ProcessDefinitions& defs, uint32_t loop) {
  std::vector<std::string> regions, others;
  auto add = [](std::vector<std::string>& names, std::string name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(std::move(name));
  };
  int depth = 0;
  const auto& body = t.loop_body(loop);
  walk_tokens(t, body.data(), body.size(), true, [&](Token k) {
    const EventDef& def = t.events()[k.id()];
    if (def.key.kind == EventKind::Enter) {
      if (depth == 0) add(regions, defs.region_name(def.key.ref));
      ++depth;
    } else if (def.key.kind == EventKind::Leave) {
      depth = std::max(0, depth - 1);  // a body may start inside a call (rotated repeat)
    } else if (depth == 0 && def.key.kind != EventKind::MpiCollectiveBegin) {
      add(others, event_name(defs, def));
    }
  });
  return regions.empty() ? others : regions;
}

std::string label_of(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kLabelNames; ++i) out += (i ? ", " : "") + names[i];
  if (names.size() > kLabelNames) out += ", ...";
  return out.empty() ? "(no events)" : out;
}

// The regions a token list enters at its outermost call level, in order,
// skipping the loops nested in it (their iterations are counted by their own
// rows), and whether its enters and leaves balance.
struct OuterCalls {
  std::vector<std::string> names;
  bool balanced = true;
  uint64_t count(const std::string& name) const {
    return static_cast<uint64_t>(std::count(names.begin(), names.end(), name));
  }
};

OuterCalls outer_calls(const ThreadTrace& t, const ProcessDefinitions& defs, const Token* tokens, size_t n) {
  int depth = 0;
  OuterCalls out;
  const bool whole = walk_tokens(t, tokens, n, false, [&](Token k) {
    if (k.kind() != TokenKind::Event) return;
    const EventDef& def = t.events()[k.id()];
    if (def.key.kind == EventKind::Enter) {
      if (depth == 0) out.names.push_back(defs.region_name(def.key.ref));
      ++depth;
    } else if (def.key.kind == EventKind::Leave) {
      out.balanced = out.balanced && depth > 0;
      depth = std::max(0, depth - 1);
    }
  });
  out.balanced = out.balanced && depth == 0 && whole;
  return out;
}

// Calls of `lead` in the tokens just before and just after the first
// occurrence of nest `loop` that do nothing but what the loop's body does: an
// iteration the grammar left outside the loop (the first time step, recorded
// before the loop was recognised, differs from the later ones).
uint64_t peeled_lead_calls(const ThreadTrace& t, const ProcessDefinitions& defs, const StructureWalk::Place& at,
                           const std::vector<std::string>& body, const std::string& lead) {
  if (!at.list) return 0;
  auto peel = [&](uint32_t i) -> int64_t {  // lead calls of token i, or -1 when it is not one more iteration
    if (at.list[i].kind() == TokenKind::Loop) return -1;
    OuterCalls c = outer_calls(t, defs, &at.list[i], 1);
    if (!c.balanced || c.names.empty()) return -1;
    for (auto& n : c.names)
      if (std::find(body.begin(), body.end(), n) == body.end()) return -1;
    return static_cast<int64_t>(c.count(lead));
  };
  uint64_t calls = 0;
  for (uint32_t i = at.pos; i-- > 0;) {
    int64_t c = peel(i);
    if (c < 0) break;
    calls += static_cast<uint64_t>(c);
  }
  for (uint32_t i = at.pos + 1; i < at.len; ++i) {
    int64_t c = peel(i);
    if (c < 0) break;
    calls += static_cast<uint64_t>(c);
  }
  return calls;
}

// The loops at the outermost level of loop `q`'s body (sequences looked into,
// loops not) whose first name is `lead`.
std::vector<uint32_t> loops_led_by(const ThreadTrace& t, uint32_t q, const std::vector<std::vector<std::string>>& names,
                                   const std::string& lead) {
  std::vector<uint32_t> out;
  const auto& body = t.loop_body(q);
  walk_tokens(t, body.data(), body.size(), false, [&](Token k) {
    if (k.kind() == TokenKind::Loop && k.id() < names.size() && !names[k.id()].empty() && names[k.id()][0] == lead)
      out.push_back(k.id());
  });
  return out;
}

// ---------------------------------------------------------------------------
// Time: replay with the cursor's loop frames.

bool same_iteration(const LoopFrame& a, const LoopFrame& b) {
  return a.loop == b.loop && a.occurrence == b.occurrence && a.iteration == b.iteration;
}

// Calls on(frame, ticks, start, end) for every iteration with any part in the
// window, with its duration (as defined in loop_stats.h) clipped to the window,
// as the profile clips calls, and its whole span [start, end] in ticks. Hears a
// thread's events from a replay (on_event, then finish).
template <typename On>
class IterationTracker {
 public:
  IterationTracker(const ProcessReader& p, const ThreadTrace& t, const TimeWindow& window, On on)
      : ticks_(tick_window(p, window, t.first_ticks(), t.last_ticks())), on_(std::move(on)) {
    if (window.whole()) return;
    const auto& chunks = t.timestamp_chunks();
    size_t first = 0;  // the first timestamp chunk that reaches the window
    while (first < chunks.size() && p.to_ns(chunks[first].last_ticks) < window.begin_ns) ++first;
    if (first == chunks.size()) {
      done_ = true;
      return;
    }
    // No seek to that chunk: an iteration that began before it may reach into
    // the window, and its start and index are known only from the beginning.
    for (size_t k = first; k < chunks.size(); ++k)
      if (p.to_ns(chunks[k].first_ticks) >= window.end_ns) {
        stop_index_ = chunks[k].first_index;
        break;
      }
  }

  // False once the events left are all past the window.
  bool on_event(const Event& e, const EventCursor& cursor) {
    if (done_ || (e.index >= stop_index_ && counted_open_ == 0)) {
      done_ = true;
      return false;
    }
    if (cursor.loop_generation() != generation_) {
      generation_ = cursor.loop_generation();
      cursor.loop_frames(frames_);
      size_t d = 0;
      while (d < open_.size() && d < frames_.size() && same_iteration(open_[d].frame, frames_[d])) ++d;
      for (size_t k = open_.size(); k-- > d;) {
        // The next iteration of the same occurrence ends this one; otherwise the
        // occurrence is over and its last iteration ended at the previous event.
        bool next_iteration = k == d && k < frames_.size() && frames_[k].loop == open_[k].frame.loop &&
                              frames_[k].occurrence == open_[k].frame.occurrence;
        close(open_[k], next_iteration ? e.ticks : previous_);
      }
      open_.resize(d);
      // An iteration that begins before the window's end may reach into it.
      bool before_end = e.ticks < ticks_.hi;
      for (size_t k = d; k < frames_.size(); ++k) {
        open_.push_back(Open{frames_[k], e.ticks, before_end});
        counted_open_ += before_end;
      }
    }
    previous_ = e.ticks;
    return true;
  }

  void finish() {
    for (size_t k = open_.size(); k-- > 0;) close(open_[k], previous_);
    open_.clear();
  }

 private:
  struct Open {
    LoopFrame frame;
    uint64_t start;
    bool counted;
  };
  void close(const Open& o, uint64_t end) {
    if (!o.counted) return;
    --counted_open_;
    int64_t inside = ticks_.clip(o.start, std::max(end, o.start));
    if (inside >= 0) on_(o.frame, static_cast<uint64_t>(inside), o.start, std::max(end, o.start));
  }

  TickWindow ticks_;
  On on_;
  uint64_t stop_index_ = UINT64_MAX;  // events from here on are all past the window
  bool done_ = false;
  std::vector<LoopFrame> frames_;
  std::vector<Open> open_;
  size_t counted_open_ = 0;
  uint64_t generation_ = UINT64_MAX, previous_ = 0;
};

// An IterationTracker over a replay of its own.
template <typename On>
void replay_iterations(const ProcessReader& p, const ThreadTrace& t, const TimeWindow& window, On on) {
  IterationTracker<On> tracker(p, t, window, std::move(on));
  EventCursor cursor(t);
  Event e;
  while (cursor.next(e))
    if (!tracker.on_event(e, cursor)) break;
  tracker.finish();
}

// Threshold of an outlier for one loop of one thread: mean + 3 standard deviations.
long double outlier_threshold(const LoopTiming& t) {
  return format::outlier_threshold(t.iterations, t.sum_ticks, t.sum_squares());
}

// The iteration order of the slowest lists: longest first, then by index.
bool slower(const LoopIterationTicks& a, const LoopIterationTicks& b) {
  if (a.ticks != b.ticks) return a.ticks > b.ticks;
  return std::tie(a.occurrence, a.iteration) < std::tie(b.occurrence, b.iteration);
}

// Iteration durations of one thread's loops: count, extremes, sums and the
// slowest iterations as iterations end (add), outliers once the mean and spread
// are known (finish_outliers). add() runs once per iteration (millions), so its
// state is a small struct per loop, and the loops' LoopTiming is filled at the
// end.
class LoopTimer {
 public:
  explicit LoopTimer(std::vector<ThreadLoop>& loops) : loops_(loops), acc_(loops.size()), slots_(loops.size()) {}

  // Room for the durations of `iterations[l]` iterations of each loop l (what
  // the structure or the summary counted), one region per loop in one array,
  // kept only if they all fit in kBufferedDurations; a loop that runs more
  // iterations than its room gives up keeping durations (finish_outliers then
  // finds them again).
  void reserve(const std::vector<uint64_t>& iterations) {
    uint64_t reachable = 0;
    for (size_t l = 0; l < slots_.size() && l < iterations.size(); ++l) reachable += iterations[l];
    overflow_ = reachable > kBufferedDurations;
    durations_.reset();
    std::fill(slots_.begin(), slots_.end(), Slot{});
    if (overflow_ || reachable == 0) return;
    durations_.reset(new uint32_t[reachable]);  // not initialised: each is written before it is read
    format::advise_huge_pages(durations_.get(), reachable * sizeof(uint32_t));
    uint32_t* at = durations_.get();
    for (size_t l = 0; l < slots_.size() && l < iterations.size(); ++l) {
      slots_[l] = Slot{at, at, at + iterations[l]};
      at += iterations[l];
    }
  }

  // Forgets everything added (a structure walk that met damaged data).
  void reset() {
    std::fill(acc_.begin(), acc_.end(), Accumulator{});
    for (Slot& s : slots_) s.next = s.begin;
    long_.clear();
  }

  __attribute__((always_inline)) void add(const LoopFrame& f, uint64_t d) {
    Accumulator& a = acc_[f.loop];
    if (a.last_occurrence != f.occurrence) {
      a.last_occurrence = f.occurrence;
      a.min_trip = a.occurrences ? std::min(a.min_trip, f.iterations) : f.iterations;
      a.max_trip = std::max(a.max_trip, f.iterations);
      ++a.occurrences;
    }
    a.min_ticks = std::min(a.min_ticks, d);
    a.max_ticks = std::max(a.max_ticks, d);
    ++a.iterations;
    a.sum_ticks += d;
    a.squares += static_cast<u128>(d) * d;
    // Most iterations are shorter than the shortest of the slowest: one compare.
    if (__builtin_expect(d >= a.slowest_floor, 0)) add_slow(f, d);
    if (__builtin_expect(!overflow_, 1)) buffer(f.loop, d);
  }

  // Past kBufferedDurations the durations are not kept: the iterations are
  // found a second time (from the structure when `by_structure`, else by a
  // replay) to count outliers. Fills the loops' LoopTiming.
  void finish_outliers(const ProcessReader& p, const ThreadTrace& t, const TimeWindow& window, bool by_structure) {
    const size_t n = loops_.size();
    std::vector<long double> threshold(n, 0);
    for (size_t l = 0; l < n; ++l) {
      LoopTiming& s = loops_[l].timing;
      const Accumulator& a = acc_[l];
      s.occurrences = a.occurrences;
      s.iterations = a.iterations;
      s.min_trip = a.min_trip;
      s.max_trip = a.max_trip;
      s.sum_ticks = a.sum_ticks;
      s.sum_sq_hi = static_cast<uint64_t>(a.squares >> 64);
      s.sum_sq_lo = static_cast<uint64_t>(a.squares);
      s.min_ticks = a.iterations ? a.min_ticks : 0;
      s.max_ticks = a.max_ticks;
      s.slowest = a.slowest;
      s.outliers = 0;
      if (s.iterations) threshold[l] = outlier_threshold(s);
    }
    auto count = [&](uint32_t loop, uint64_t d) {
      if (static_cast<long double>(d) > threshold[loop]) ++loops_[loop].timing.outliers;
    };
    // A duration above the threshold's integer part is above the threshold
    // (durations are integers); the compare stays in integers.
    auto floor_of = [&](uint32_t loop) {
      const long double th = threshold[loop];
      return th >= 0x1p64L ? UINT64_MAX : static_cast<uint64_t>(th);
    };
    if (!overflow_) {
      for (uint32_t l = 0; l < n; ++l) {
        const uint64_t floor_ticks = floor_of(l);
        uint64_t above = 0;
        if (floor_ticks < kLong) {
          const auto floor32 = static_cast<uint32_t>(floor_ticks);
          for (const uint32_t* d = slots_[l].begin; d != slots_[l].next; ++d) above += *d > floor32;
        }
        loops_[l].timing.outliers = above;
      }
      // Durations of kLong ticks or more: counted above as kLong where that is
      // above the threshold, now by their exact value.
      for (const auto& [loop, d] : long_) {
        if (floor_of(loop) < kLong) --loops_[loop].timing.outliers;
        count(loop, d);
      }
    } else if (by_structure) {
      struct Count final : IterationSink {
        decltype(count)& to;
        explicit Count(decltype(count)& c) : to(c) {}
        void on(const LoopFrame& f, uint64_t d, uint64_t, uint64_t) override { to(f.loop, d); }
      } sink(count);
      walk_iterations_to(t, sink, static_cast<OccurrenceSink*>(nullptr));
    } else {
      replay_iterations(p, t, window, [&](const LoopFrame& f, uint64_t d, uint64_t, uint64_t) { count(f.loop, d); });
    }
  }

 private:
  struct Accumulator {
    uint64_t occurrences = 0, iterations = 0;
    uint32_t min_trip = 0, max_trip = 0;
    uint32_t last_occurrence = kNone;
    uint64_t sum_ticks = 0, min_ticks = UINT64_MAX, max_ticks = 0;
    u128 squares = 0;
    // add_slow() is due for durations from here on: 0 until the slowest list
    // is full, then the shortest duration on it.
    uint64_t slowest_floor = 0;
    std::vector<LoopIterationTicks> slowest;  // longest first
  };

  __attribute__((noinline)) void add_slow(const LoopFrame& f, uint64_t d) {
    Accumulator& a = acc_[f.loop];
    LoopIterationTicks it{f.occurrence, f.iteration, d};
    if (a.slowest.size() < kSlowestIterations || slower(it, a.slowest.back())) {
      a.slowest.insert(std::upper_bound(a.slowest.begin(), a.slowest.end(), it, slower), it);
      if (a.slowest.size() > kSlowestIterations) a.slowest.pop_back();
    }
    if (a.slowest.size() == kSlowestIterations) a.slowest_floor = a.slowest.back().ticks;
  }

  // Durations are kept in 32 bits: one of kLong ticks or more (seconds) is
  // kept as kLong, and exactly in long_.
  static constexpr uint32_t kLong = UINT32_MAX;
  struct Slot {
    uint32_t* begin = nullptr;
    uint32_t* next = nullptr;
    uint32_t* end = nullptr;
  };

  __attribute__((always_inline)) void buffer(uint32_t loop, uint64_t d) {
    Slot& s = slots_[loop];
    if (__builtin_expect(s.next == s.end, 0)) return give_up_buffering();
    if (__builtin_expect(d >= kLong, 0)) {
      long_.emplace_back(loop, d);
      d = kLong;
    }
    *s.next++ = static_cast<uint32_t>(d);
  }
  // More iterations than the structure or summary said (or no room at all):
  // the memory goes back, and finish_outliers() finds the iterations again.
  __attribute__((noinline)) void give_up_buffering() {
    overflow_ = true;
    durations_.reset();
    std::fill(slots_.begin(), slots_.end(), Slot{});
    long_.clear();
  }

  std::vector<ThreadLoop>& loops_;
  std::vector<Accumulator> acc_;
  std::unique_ptr<uint32_t[]> durations_;  // the loops' regions, slots_[l] each
  std::vector<Slot> slots_;                // by loop id
  std::vector<std::pair<uint32_t, uint64_t>> long_;  // (loop, duration) of durations of kLong ticks or more
  bool overflow_ = false;
};

}  // namespace

// ---------------------------------------------------------------------------
// Map

IterationSpan loop_iteration_span(const ProcessReader& p, uint32_t thread, uint32_t loop, uint32_t occurrence,
                                  uint32_t iteration) {
  IterationSpan span;
  replay_iterations(p, p.thread(thread), TimeWindow{}, [&](const LoopFrame& f, uint64_t, uint64_t a, uint64_t b) {
    if (span.found || f.loop != loop || f.occurrence != occurrence || f.iteration != iteration) return;
    span = IterationSpan{true, p.to_ns(a), p.to_ns(b)};
  });
  return span;
}

namespace {

// Feeds the iterations a tracker or a structure walk finds to a LoopTimer.
struct AddToTimer final : IterationSink {
  LoopTimer* timer;
  explicit AddToTimer(LoopTimer* t) : timer(t) {}
  void operator()(const LoopFrame& f, uint64_t d, uint64_t, uint64_t) const { timer->add(f, d); }
  // Inlined into the structure walk, which calls it once per iteration.
  __attribute__((always_inline)) void on(const LoopFrame& f, uint64_t d, uint64_t, uint64_t) override {
    timer->add(f, d);
  }
};

// Whether a thread's iteration times come from its structure (iteration_walk.h).
bool times_from_structure(const ThreadTrace& t, const TimeWindow& window, LoopDetail detail) {
  return detail != LoopDetail::Structure && window.whole() && iterations_from_structure_possible(t);
}

// The structure of a thread's loops: from the walk over compiled steps
// (walk_iterations_to, no timestamp read) where the thread ended cleanly, which
// looks up no size per token, else from walk_structure(), which also stops
// where a thread's data does.
StructureWalk structure_of(const ThreadTrace& t) {
  if (iterations_from_structure_possible(t)) {
    try {
      StructureWalk w = blank_structure(t);
      StructureFromOccurrences occurrences(w);
      NoIterationTimes untimed;
      walk_iterations_to(t, untimed, &occurrences);
      return w;
    } catch (const std::exception&) {
      // Damaged data: walk_structure() stops at it.
    }
  }
  return walk_structure(t);
}

// Whether the thread's summary may hold the timing of all its loops (what
// times_from_summary() needs, short of the structure).
bool summary_times_loops(const ThreadTrace& t) {
  if (!t.has_summary() || t.truncated() || !t.summary().has_iteration_stats) return false;
  const ThreadSummary& s = t.summary();
  if (s.iterations.size() < t.loops().size()) return false;
  for (uint32_t l = 0; l < t.loops().size(); ++l) {
    const uint64_t recorded = l < s.loops.size() ? s.loops[l].iterations : 0;
    if (s.iterations[l].outliers == IterationStats::kUnknown || s.iterations[l].durations.count != recorded)
      return false;
  }
  return true;
}

// Fills the timing of every loop the structure reached from the thread's
// summary, where the recorder kept iteration durations for all of them
// (FORMAT.md 12) and they agree with the structure: the same iterations, every
// occurrence with at least one (as the timer counts occurrences), the outliers
// counted. False, with nothing changed, otherwise.
bool times_from_summary(const ThreadTrace& t, StructureWalk& w) {
  if (!summary_times_loops(t)) return false;
  const std::vector<IterationStats>& kept = t.summary().iterations;
  for (uint32_t l = 0; l < w.loops.size(); ++l) {
    if (!w.reached[l]) continue;
    const ThreadLoop& loop = w.loops[l];
    // (summary_times_loops(): the summary has every loop, each with its outliers counted.)
    if (kept[l].durations.count != loop.iterations || loop.min_trip == 0) return false;
    for (const format::IterationTicks& slow : kept[l].slowest)
      if (slow.occurrence >= loop.occurrences) return false;
  }
  for (uint32_t l = 0; l < w.loops.size(); ++l) {
    if (!w.reached[l]) continue;
    ThreadLoop& loop = w.loops[l];
    const IterationStats& k = kept[l];
    LoopTiming& s = loop.timing;
    s.occurrences = loop.occurrences;
    s.iterations = loop.iterations;
    s.min_trip = loop.min_trip;
    s.max_trip = loop.max_trip;
    s.sum_ticks = k.durations.sum;
    s.sum_sq_hi = static_cast<uint64_t>(k.sum_squares >> 64);
    s.sum_sq_lo = static_cast<uint64_t>(k.sum_squares);
    s.min_ticks = k.durations.count ? k.durations.min : 0;
    s.max_ticks = k.durations.max;
    s.outliers = k.outliers;
    s.slowest.clear();
    for (const format::IterationTicks& slow : k.slowest)
      s.slowest.push_back(LoopIterationTicks{static_cast<uint32_t>(slow.occurrence), slow.iteration, slow.ticks});
  }
  return true;
}

// The loops section's map over one thread: the structure (grammar and count
// columns) when it is made; when timed, the iteration times from the same walk
// over the structure where times_from_structure(), else from a replay.
class LoopPass final : public SectionPass<LoopThreadPartial> {
 public:
  // `read_ahead`: the structure walk decodes timestamps a chunk ahead on a
  // thread of its own (for a caller with a core to spare).
  LoopPass(const ProcessReader& p, uint32_t process, uint32_t thread, const TimeWindow& window, LoopDetail detail,
           bool read_ahead = false)
      : p_(p), t_(p.thread(thread)), window_(window), walked_(times_from_structure(t_, window, detail)),
        w_(walked_ ? blank_structure(t_) : structure_of(t_)), timer_(w_.loops),
        tracker_(p, t_, window, AddToTimer(&timer_)) {
    const ThreadTrace& t = t_;
    // Iteration times from the structure and one timestamp per iteration where
    // that gives exactly what a replay would (iteration_walk.h), in the same
    // walk that counts the structure; the replay answers otherwise, and for
    // data the walk finds damaged.
    // Without a window, the recorder's iteration durations answer where it kept
    // them: the structure alone is walked.
    if (walked_ && detail == LoopDetail::Timed && summary_times_loops(t_)) {
      StructureWalk structure = structure_of(t_);
      if (times_from_summary(t_, structure)) {
        w_ = std::move(structure);
        from_summary_ = by_structure_ = true;
      }
    }
    if (walked_ && !from_summary_) {
      std::vector<uint64_t> expected(w_.loops.size(), 0);
      for (size_t l = 0; l < expected.size() && l < t.summary().loops.size(); ++l)
        expected[l] = t.summary().loops[l].iterations;
      timer_.reserve(expected);
      try {
        StructureFromOccurrences structure(w_);
        AddToTimer sink(&timer_);
        walk_iterations_to(t_, sink, &structure, read_ahead);
        by_structure_ = true;
      } catch (const std::exception&) {
        w_ = walk_structure(t_);
        timer_.reset();
      }
    }
    if (!by_structure_ && detail != LoopDetail::Structure) {  // the durations a replay will find
      std::vector<uint64_t> reachable;
      for (const ThreadLoop& l : w_.loops) reachable.push_back(l.iterations);
      timer_.reserve(reachable);
    }
    out_.process = process;
    out_.thread = thread;
    out_.timed = detail != LoopDetail::Structure;
    out_.windowed = !window.whole();
    out_.has_summary = t.has_summary();
    std::vector<std::vector<std::string>> names(w_.loops.size());
    for (uint32_t l = 0; l < w_.loops.size(); ++l) {
      ThreadLoop& loop = w_.loops[l];
      loop.loop = l;
      if (!w_.reached[l]) continue;
      names[l] = body_names(t, p.defs(), l);
      loop.label = label_of(names[l]);
      if (out_.has_summary && l < t.summary().loops.size()) {
        loop.summary_ticks = t.summary().loops[l].occurrences.sum;
        loop.summary_iterations = t.summary().loops[l].iterations;
      }
    }
    // Parents: labels of the enclosing loops (a parent was defined after its child,
    // so the chain always ends; the bound only guards against damaged files).
    for (uint32_t l = 0; l < w_.loops.size(); ++l) {
      if (!w_.reached[l]) continue;
      std::vector<std::string> chain;
      for (uint32_t q = w_.parent[l]; q != kNone && chain.size() <= w_.loops.size(); q = w_.parent[q])
        chain.push_back(w_.loops[q].label);
      w_.loops[l].parents.assign(chain.rbegin(), chain.rend());
    }
    // Nests: a loop split by the grammar into an outer and an inner loop with the
    // same first region (a time step with an extra Allreduce every 10 steps is
    // "10 x (9 steps, 1 step with Allreduce)") is one loop of the program; the
    // outer loop counts the iterations of the whole nest. Not so an outer body
    // with no call of that region of its own, made of several loops that start
    // with it and always run the same number of times: those are the parts of
    // one iteration (a LAMMPS time step recorded with call sites: its two
    // forward exchanges, then its two reverse ones), not iterations.
    // A child's id is below its parent's: children are complete when added.
    std::vector<char> judged(w_.loops.size(), 0), of_parts(w_.loops.size(), 0);
    std::vector<uint64_t> own_lead_calls(w_.loops.size(), 0);
    for (uint32_t l = 0; l < w_.loops.size(); ++l) {
      uint32_t q = w_.parent[l];
      if (!w_.reached[l] || q == kNone || names[l].empty() || names[q].empty() || names[l][0] != names[q][0]) continue;
      if (!judged[q]) {
        judged[q] = 1;
        const auto& body = t.loop_body(q);
        own_lead_calls[q] = outer_calls(t, p.defs(), body.data(), body.size()).count(names[q][0]);
        const std::vector<uint32_t> parts = loops_led_by(t, q, names, names[q][0]);
        of_parts[q] = own_lead_calls[q] == 0 && parts.size() > 1 &&
                      std::all_of(parts.begin(), parts.end(), [&](uint32_t k) {
                        return w_.reached[k] && w_.loops[k].min_trip == w_.loops[k].max_trip;
                      });
      }
      if (of_parts[q]) continue;
      ThreadLoop& outer = w_.loops[q];
      const ThreadLoop& inner = w_.loops[l];
      if (outer.nest_iterations == 0) {
        outer.nest_iterations = outer.iterations * own_lead_calls[q];
        outer.nest_iterations +=
            outer.occurrences * peeled_lead_calls(t, p.defs(), w_.place[q], names[q], names[q][0]);
      }
      outer.nest_iterations += inner.nest_iterations ? inner.nest_iterations : inner.iterations;
    }
  }

  bool needs_events() const override { return out_.timed && !by_structure_; }
  bool on_event(const Event& e, const EventCursor& cursor) override { return tracker_.on_event(e, cursor); }
  // Damaged data is an error for loop statistics (take() throws it).
  void on_damaged(std::exception_ptr error) override { error_ = error; }
  void finish() override {
    if (!by_structure_) tracker_.finish();
  }

  LoopThreadPartial take() override {
    if (error_) std::rethrow_exception(error_);
    if (out_.timed && !from_summary_) timer_.finish_outliers(p_, t_, window_, by_structure_);
    for (uint32_t l = 0; l < w_.loops.size(); ++l)
      if (w_.reached[l]) out_.loops.push_back(std::move(w_.loops[l]));
    return std::move(out_);
  }

 private:
  const ProcessReader& p_;
  const ThreadTrace& t_;
  TimeWindow window_;
  LoopThreadPartial out_;
  bool walked_;  // times_from_structure(): the structure is counted by the timed walk
  StructureWalk w_;
  LoopTimer timer_;
  IterationTracker<AddToTimer> tracker_;
  std::exception_ptr error_;
  bool by_structure_ = false;
  bool from_summary_ = false;  // the timing came from the thread's summary (times_from_summary())
};

void check_detail(const TimeWindow& window, LoopDetail detail) {
  if (detail == LoopDetail::Structure && !window.whole())
    throw std::invalid_argument("loop statistics from the structure alone cannot apply a time window "
                                "(it needs timestamps): use the timed loop statistics");
}

}  // namespace

std::unique_ptr<SectionPass<LoopThreadPartial>> loop_pass(const ProcessReader& p, uint32_t process, uint32_t thread,
                                                          const TimeWindow& window, LoopDetail detail,
                                                          bool read_ahead) {
  check_detail(window, detail);
  return std::make_unique<LoopPass>(p, process, thread, window, detail, read_ahead);
}

namespace {
LoopThreadPartial thread_partial(const ProcessReader& p, uint32_t process, uint32_t thread, const TimeWindow& window,
                                 LoopDetail detail, bool read_ahead) {
  check_detail(window, detail);
  LoopPass pass(p, process, thread, window, detail, read_ahead);
  return run_alone<LoopThreadPartial>(pass, p, thread);
}
}  // namespace

LoopThreadPartial loop_thread_partial(const ProcessReader& p, uint32_t process, uint32_t thread,
                                      const TimeWindow& window, LoopDetail detail) {
  return thread_partial(p, process, thread, window, detail, false);
}

void to_json(nlohmann::json& j, const LoopThreadPartial& p) {
  j = nlohmann::json::object();
  j["process"] = p.process;
  j["thread"] = p.thread;
  j["timed"] = p.timed;
  j["windowed"] = p.windowed;
  j["has_summary"] = p.has_summary;
  auto& loops = j["loops"] = nlohmann::json::array();
  for (const ThreadLoop& l : p.loops) {
    nlohmann::json slowest = nlohmann::json::array();
    for (auto& s : l.timing.slowest) slowest.push_back({s.occurrence, s.iteration, s.ticks});
    const LoopTiming& t = l.timing;
    const std::string sq_text = decimal_text(t.sum_squares());
    loops.push_back({{"loop", l.loop},
                     {"label", l.label},
                     {"parents", l.parents},
                     {"occurrences", l.occurrences},
                     {"iterations", l.iterations},
                     {"min_trip", l.min_trip},
                     {"max_trip", l.max_trip},
                     {"events", l.events},
                     {"nest_iterations", l.nest_iterations},
                     {"summary_ticks", l.summary_ticks},
                     {"summary_iterations", l.summary_iterations},
                     {"timing",
                      {{"occurrences", t.occurrences},
                       {"iterations", t.iterations},
                       {"min_trip", t.min_trip},
                       {"max_trip", t.max_trip},
                       {"sum_ticks", t.sum_ticks},
                       {"sum_sq_ticks", sq_text},
                       {"min_ticks", t.min_ticks},
                       {"max_ticks", t.max_ticks},
                       {"outliers", t.outliers},
                       {"slowest", slowest}}}});
  }
}

void from_json(const nlohmann::json& j, LoopThreadPartial& p) {
  p = LoopThreadPartial{};
  j.at("process").get_to(p.process);
  j.at("thread").get_to(p.thread);
  j.at("timed").get_to(p.timed);
  j.at("windowed").get_to(p.windowed);
  j.at("has_summary").get_to(p.has_summary);
  for (const auto& o : j.at("loops")) {
    ThreadLoop l;
    o.at("loop").get_to(l.loop);
    o.at("label").get_to(l.label);
    o.at("parents").get_to(l.parents);
    o.at("occurrences").get_to(l.occurrences);
    o.at("iterations").get_to(l.iterations);
    o.at("min_trip").get_to(l.min_trip);
    o.at("max_trip").get_to(l.max_trip);
    o.at("events").get_to(l.events);
    o.at("nest_iterations").get_to(l.nest_iterations);
    o.at("summary_ticks").get_to(l.summary_ticks);
    o.at("summary_iterations").get_to(l.summary_iterations);
    const auto& t = o.at("timing");
    LoopTiming& s = l.timing;
    t.at("occurrences").get_to(s.occurrences);
    t.at("iterations").get_to(s.iterations);
    t.at("min_trip").get_to(s.min_trip);
    t.at("max_trip").get_to(s.max_trip);
    t.at("sum_ticks").get_to(s.sum_ticks);
    t.at("min_ticks").get_to(s.min_ticks);
    t.at("max_ticks").get_to(s.max_ticks);
    t.at("outliers").get_to(s.outliers);
    u128 sq = 0;
    for (char c : t.at("sum_sq_ticks").get<std::string>()) {
      if (c < '0' || c > '9')
        throw nlohmann::json::type_error::create(302, "sum_sq_ticks: not a decimal integer", &t);
      sq = sq * 10 + static_cast<unsigned>(c - '0');
    }
    s.sum_sq_hi = static_cast<uint64_t>(sq >> 64);
    s.sum_sq_lo = static_cast<uint64_t>(sq);
    for (const auto& it : t.at("slowest"))
      s.slowest.push_back({it.at(0).get<uint32_t>(), it.at(1).get<uint32_t>(), it.at(2).get<uint64_t>()});
    p.loops.push_back(std::move(l));
  }
}

// ---------------------------------------------------------------------------
// Reduce

std::string LoopRow::name() const {
  std::string out;
  for (auto& p : parents) out += p + " > ";
  return out + label;
}

LoopStats reduce_loops(const TraceReader& trace, const std::vector<LoopThreadPartial>& partials, GroupBy by) {
  struct Accumulator {
    LoopRow row;
    long double sum_ns = 0, sum_sq_ns = 0;
    uint64_t timed_iterations = 0, structure_iterations = 0, events = 0;
    bool any = false, any_timed = false, any_thread = false;
    std::set<int32_t> ranks;
    std::set<std::pair<int32_t, uint32_t>> threads;
  };
  LoopStats out;
  std::map<std::tuple<int32_t, int32_t, std::string>, size_t> index;
  std::vector<Accumulator> acc;
  for (const LoopThreadPartial& part : partials) {
    const ProcessReader& p = *trace.processes().at(part.process);
    const long double per_ns = p.ticks_per_ns();
    const int32_t rank = process_label(trace, part.process);
    out.timed = out.timed || part.timed;
    out.windowed = out.windowed || part.windowed;
    auto ns = [&](uint64_t ticks) { return static_cast<long double>(ticks) / per_ns; };
    std::map<size_t, long double> thread_ns;  // this thread's time per row
    for (const ThreadLoop& l : part.loops) {
      LoopRow key_row;
      key_row.label = l.label;
      key_row.parents = l.parents;
      int32_t krank = by == GroupBy::None ? -1 : rank;
      int32_t kthread = by == GroupBy::Thread ? static_cast<int32_t>(part.thread) : -1;
      auto [it, fresh] = index.try_emplace({krank, kthread, key_row.name()}, acc.size());
      if (fresh) {
        acc.emplace_back();
        acc.back().row = std::move(key_row);
        acc.back().row.rank = krank;
        acc.back().row.thread = kthread;
      }
      Accumulator& a = acc[it->second];
      LoopRow& r = a.row;
      a.ranks.insert(rank);
      a.threads.insert({rank, part.thread});
      // Counts: the structure's, or with a window those of the iterations counted.
      uint64_t occurrences = l.occurrences, iterations = l.iterations;
      uint32_t min_trip = l.min_trip, max_trip = l.max_trip;
      if (part.windowed) {
        occurrences = l.timing.occurrences;
        iterations = l.timing.iterations;
        min_trip = l.timing.min_trip;
        max_trip = l.timing.max_trip;
      }
      if (occurrences) {
        r.min_trip = a.any ? std::min(r.min_trip, min_trip) : min_trip;
        r.max_trip = std::max(r.max_trip, max_trip);
        a.any = true;
      }
      r.occurrences += occurrences;
      r.iterations += iterations;
      r.nest_iterations += l.nest_iterations;
      a.structure_iterations += l.iterations;
      a.events += l.events;
      long double total = 0;
      if (part.timed) {
        const LoopTiming& t = l.timing;
        total = ns(t.sum_ticks);
        a.timed_iterations += t.iterations;
        a.sum_sq_ns += static_cast<long double>(t.sum_squares()) / (per_ns * per_ns);
        r.outliers += t.outliers;
        if (t.iterations) {
          int64_t lo = std::llround(ns(t.min_ticks)), hi = std::llround(ns(t.max_ticks));
          r.min_ns = a.any_timed ? std::min(r.min_ns, lo) : lo;
          r.max_ns = std::max(r.max_ns, hi);
          a.any_timed = true;
        }
        for (auto& s : t.slowest)
          r.slowest.push_back(SlowIteration{rank, part.thread, l.loop, s.occurrence, s.iteration,
                                            static_cast<int64_t>(std::llround(ns(s.ticks)))});
      } else {
        total = ns(l.summary_ticks);
        a.timed_iterations += l.summary_iterations;
      }
      a.sum_ns += total;
      thread_ns[it->second] += total;
    }
    for (auto [row, total] : thread_ns) {
      LoopRow& r = acc[row].row;
      int64_t v = std::llround(total);
      bool first = !acc[row].any_thread;
      acc[row].any_thread = true;
      if (first || v < r.thread_min_ns) r.thread_min_ns = v;
      if (first || v > r.thread_max_ns) {
        r.thread_max_ns = v;
        r.slowest_rank = rank;
        r.slowest_thread = static_cast<int32_t>(part.thread);
      }
    }
  }
  auto slow_order = [](const SlowIteration& a, const SlowIteration& b) {
    if (a.ns != b.ns) return a.ns > b.ns;
    return std::tie(a.rank, a.thread, a.loop_id, a.occurrence, a.iteration) <
           std::tie(b.rank, b.thread, b.loop_id, b.occurrence, b.iteration);
  };
  for (Accumulator& a : acc) {
    LoopRow& r = a.row;
    r.timed = out.timed;
    r.ranks = a.ranks.size();
    r.threads = a.threads.size();
    r.total_ns = std::llround(a.sum_ns);
    r.events_per_iteration =
        a.structure_iterations ? static_cast<double>(a.events) / static_cast<double>(a.structure_iterations) : 0;
    if (a.timed_iterations) {
      long double n = static_cast<long double>(a.timed_iterations), mean = a.sum_ns / n;
      r.mean_ns = static_cast<double>(mean);
      if (out.timed) r.stddev_ns = static_cast<double>(std::sqrt(std::max<long double>(a.sum_sq_ns / n - mean * mean, 0)));
    }
    std::sort(r.slowest.begin(), r.slowest.end(), slow_order);
    if (r.slowest.size() > kSlowestIterations) r.slowest.resize(kSlowestIterations);
  }
  std::sort(acc.begin(), acc.end(), [](const Accumulator& a, const Accumulator& b) {
    if (a.row.total_ns != b.row.total_ns) return a.row.total_ns > b.row.total_ns;
    return std::tie(a.row.rank, a.row.thread, a.row.label, a.row.parents) <
           std::tie(b.row.rank, b.row.thread, b.row.label, b.row.parents);
  });
  int64_t largest = acc.empty() ? 0 : acc.front().row.total_ns;
  for (Accumulator& a : acc) {
    if (largest > 0 && static_cast<double>(a.row.total_ns) < kCutFraction * static_cast<double>(largest)) {
      ++out.cut_rows;
      continue;
    }
    out.rows.push_back(std::move(a.row));
  }
  return out;
}

LoopStats loop_stats(const TraceReader& trace, const AnalysisOptions& options, LoopDetail detail) {
  std::vector<std::pair<uint32_t, uint32_t>> work;  // (process, thread)
  for (size_t p = 0; p < trace.processes().size(); ++p)
    for (size_t t = 0; t < trace.processes()[p]->thread_count(); ++t)
      work.emplace_back(static_cast<uint32_t>(p), static_cast<uint32_t>(t));
  std::vector<LoopThreadPartial> partials(work.size());
  const bool read_ahead = spare_cores(work.size(), options.threads);
  parallel_for(
      work.size(), options.threads,
      [&](size_t i) {
        partials[i] = thread_partial(*trace.processes()[work[i].first], work[i].first, work[i].second,
                                     options.window, detail, read_ahead);
      },
      options.progress);
  return reduce_loops(trace, partials, options.by);
}

nlohmann::ordered_json loops_json(const LoopStats& stats) {
  nlohmann::ordered_json rows = nlohmann::ordered_json::array();
  for (const LoopRow& r : stats.rows) {
    nlohmann::ordered_json j;
    j["name"] = r.name();
    j["label"] = r.label;
    j["parents"] = r.parents;
    if (r.rank >= 0) j["rank"] = r.rank;
    if (r.thread >= 0) j["thread"] = r.thread;
    j["ranks"] = r.ranks;
    j["threads"] = r.threads;
    j["occurrences"] = r.occurrences;
    j["iterations"] = r.iterations;
    j["nest_iterations"] = r.nest_iterations;
    j["min_trip"] = r.min_trip;
    j["max_trip"] = r.max_trip;
    j["events_per_iteration"] = r.events_per_iteration;
    j["total_ns"] = r.total_ns;
    j["mean_ns"] = r.mean_ns;
    if (r.timed) {
      j["stddev_ns"] = r.stddev_ns;
      j["min_ns"] = r.min_ns;
      j["max_ns"] = r.max_ns;
      j["outliers"] = r.outliers;
      auto& slowest = j["slowest"] = nlohmann::ordered_json::array();
      for (auto& s : r.slowest)
        slowest.push_back({{"rank", s.rank},
                           {"thread", s.thread},
                           {"loop_id", s.loop_id},
                           {"occurrence", s.occurrence},
                           {"iteration", s.iteration},
                           {"ns", s.ns}});
    } else {
      j["stddev_ns"] = nullptr;
      j["min_ns"] = nullptr;
      j["max_ns"] = nullptr;
      j["outliers"] = nullptr;
      j["slowest"] = nullptr;
    }
    j["thread_min_ns"] = r.thread_min_ns;
    j["thread_max_ns"] = r.thread_max_ns;
    j["slowest_rank"] = r.slowest_rank;
    j["slowest_thread"] = r.slowest_thread;
    rows.push_back(std::move(j));
  }
  return rows;
}

}  // namespace rondo::analyzer
