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

WalkPrograms::WalkPrograms(const ThreadTrace& t, const FixedSizes& sizes) {
  // Expanding stops once the programs hold as many steps as the grammar has
  // tokens: at most about twice the grammar, however often sequences are reused.
  size_t tokens = t.top_level().size();
  for (const auto& s : t.sequences()) tokens += s.tokens.size();
  for (uint32_t l = 0; l < t.loops().size(); ++l) tokens += t.loop_body(l).size();
  size_t budget = tokens + 1024;
  // A sequence holds only older ones (FORMAT.md 10.2): in id order, those it
  // holds are made before it. A fixed-size sequence is never run as a program.
  sequence_.resize(t.sequences().size());
  for (uint32_t s = 0; s < sequence_.size(); ++s) {
    const auto& tokens = t.sequences()[s].tokens;
    if (sizes.token(sequence_token(s)) == kVariable)
      sequence_[s] = program(sizes, tokens.data(), static_cast<uint32_t>(tokens.size()), s, budget);
  }
  const uint32_t all = static_cast<uint32_t>(sequence_.size());
  body_.resize(t.loops().size());
  for (uint32_t l = 0; l < body_.size(); ++l) {
    const auto& tokens = t.loop_body(l);
    body_[l] = program(sizes, tokens.data(), static_cast<uint32_t>(tokens.size()), all, budget);
  }
  top_ = program(sizes, t.top_level().data(), static_cast<uint32_t>(t.top_level().size()), all, budget);
}

std::vector<WalkStep> WalkPrograms::program(const FixedSizes& sizes, const Token* list, uint32_t len,
                                            uint32_t expandable_below, size_t& budget) const {
  std::vector<WalkStep> out;
  auto add_events = [&](uint64_t n) {
    if (!out.empty() && out.back().kind == WalkStep::Kind::Events)
      out.back().events += n;
    else
      out.push_back({WalkStep::Kind::Events, 0, n, nullptr, 0, 0});
  };
  for (uint32_t pos = 0; pos < len; ++pos) {
    const Token k = list[pos];
    if (uint64_t n = sizes.token(k); n != kVariable) {
      add_events(n);
    } else if (k.kind() == TokenKind::Sequence) {
      // A sequence not made yet (a damaged grammar's forward reference) runs as its own level.
      const bool expand = k.id() < expandable_below && sequence_[k.id()].size() <= kExpandedSteps &&
                          sequence_[k.id()].size() <= budget;
      if (!expand) {
        out.push_back({WalkStep::Kind::Sequence, k.id(), 0, nullptr, 0, 0});
        continue;
      }
      budget -= sequence_[k.id()].size();
      for (const WalkStep& step : sequence_[k.id()]) {
        if (step.kind == WalkStep::Kind::Events)
          add_events(step.events);
        else
          out.push_back(step);
      }
    } else {
      out.push_back({WalkStep::Kind::Loop, k.id(), 0, list, len, pos});
    }
  }
  return out;
}

bool iterations_from_structure_possible(const ThreadTrace& t) {
  return !t.truncated() && t.has_summary() && t.summary().events == t.event_count();
}

void walk_iterations(const ThreadTrace& t, IterationSink& sink, OccurrenceSink* occurrences) {
  walk_iterations_to(t, sink, occurrences);
}

}  // namespace rondo::analyzer
