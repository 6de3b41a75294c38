// The iterations of a thread's loops from its structure and one timestamp per
// iteration boundary, without replaying its events.
//
// The grammar says how many events each iteration holds (a body without loops
// has a fixed size; the trip counts of nested loops come from their columns),
// so the index of every iteration's first event is known without decoding an
// event; ForwardTimestamps then reads the timestamps at those indices. Each
// iteration is handed on as a replay that follows the cursor's loop frames
// hands it (loop_stats.h): its duration runs from its first event to the first
// event of the next iteration of the same occurrence, or, for the last, to its
// own last event; iterations end innermost first, in the replay's order; an
// iteration without events (its body holds only loops that ran 0 times) is
// skipped, as a replay never sees it.
#pragma once

#include <cstdint>
#include <vector>

#include "rondo/format/reader.h"

namespace rondo::analyzer {

// Events of one expansion of a token, and of one iteration of each loop, where
// that never varies (nothing below is a loop, whose trip count is data), else
// kVariable. Event data never changes how many events a token expands to, so
// unlike ThreadTrace::fixed_size this needs no data column.
class FixedSizes {
 public:
  static constexpr uint64_t kVariable = UINT64_MAX;
  explicit FixedSizes(const format::ThreadTrace& t);
  uint64_t token(format::Token k) const {
    switch (k.kind()) {
      case format::TokenKind::Event: return 1;
      case format::TokenKind::Sequence: return k.id() < sequence_.size() ? sequence_[k.id()] : kVariable;
      default: return kVariable;
    }
  }
  uint64_t iteration(uint32_t loop) const { return iteration_[loop]; }

 private:
  std::vector<uint64_t> sequence_, iteration_;
};

// The token lists the walk runs (the top level, each loop body, each sequence
// that holds a loop) as steps: a run of tokens of fixed size is one step over
// its events, and a small sequence that holds loops is expanded in place, so
// that the walk looks up no size per token and opens a level only for a loop
// (or a sequence too large to expand). Expanding is bounded per sequence and in
// all, so the programs stay within about twice the grammar's tokens however
// often it reuses a sequence.
struct WalkStep {
  enum class Kind : uint8_t { Events, Loop, Sequence };
  Kind kind = Kind::Events;
  uint32_t id = 0;      // Loop: the loop id; Sequence: the sequence id
  uint64_t events = 0;  // Events: how many (0 only for an empty token)
  // Loop: where its token stands in the grammar (OccurrenceSink::occurrence).
  const format::Token* list = nullptr;
  uint32_t len = 0, pos = 0;
};

class WalkPrograms {
 public:
  WalkPrograms(const format::ThreadTrace& t, const FixedSizes& sizes);
  const std::vector<WalkStep>& top() const { return top_; }
  const std::vector<WalkStep>& body(uint32_t loop) const { return body_[loop]; }
  const std::vector<WalkStep>& sequence(uint32_t s) const { return sequence_[s]; }

 private:
  // Steps of sequences expanded in place at most (larger ones are a Sequence step).
  static constexpr size_t kExpandedSteps = 32;
  // `budget`: steps that expanding sequences may still add.
  std::vector<WalkStep> program(const FixedSizes& sizes, const format::Token* list, uint32_t len,
                                uint32_t expandable_below, size_t& budget) const;
  std::vector<std::vector<WalkStep>> sequence_, body_;
  std::vector<WalkStep> top_;
};

struct IterationSink {
  virtual ~IterationSink() = default;
  // One iteration: its duration in ticks, its first timestamp and its end.
  virtual void on(const format::LoopFrame& frame, uint64_t ticks, uint64_t start, uint64_t end) = 0;
};

// What a structure-only walk learns of each loop occurrence, heard during
// walk_iterations() so that one walk gives both.
struct OccurrenceSink {
  virtual ~OccurrenceSink() = default;
  // An occurrence of `loop` with `count` iterations (0 included), whose token
  // is list[pos] of a list of `len` tokens, inside an occurrence of loop
  // `enclosing` (UINT32_MAX: none).
  virtual void occurrence(uint32_t loop, uint32_t count, const format::Token* list, uint32_t len, uint32_t pos,
                          uint32_t enclosing) = 0;
  // The events of an occurrence of `loop` that has just ended.
  virtual void occurrence_events(uint32_t loop, uint64_t events) = 0;
};

// Whether walk_iterations() hands on exactly what a replay would: the thread
// ended cleanly (a summary, every event readable; a thread cut short is
// replayed, which stops where its data does).
bool iterations_from_structure_possible(const format::ThreadTrace& t);

// Hands every iteration of the thread's loops to `sink`, in a replay's order.
// Throws FormatError (or std::out_of_range) on data that does not hold what
// the structure says; `sink` may then have heard a part.
void walk_iterations(const format::ThreadTrace& t, IterationSink& sink, OccurrenceSink* occurrences = nullptr);

}  // namespace rondo::analyzer
