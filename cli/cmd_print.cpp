// rondo print: the events of a trace in time order, or its grammar.
#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "commands.h"
#include "event_text.h"
#include "print_counters.h"
#include "rondo/format/merge.h"
#include "rondo/analyzer/trace_summary.h"
#include "text_output.h"

namespace rondo::cli {

using namespace rondo::format;

namespace {

// The grammar as an indented tree: each call shows its callees and loops; a
// sequence already shown is referred to by name instead of being repeated.
class GrammarPrinter {
 public:
  GrammarPrinter(const ProcessDefinitions& defs, const ThreadTrace& t) : defs_(defs), t_(t) {}

  void print_top_level() {
    const auto& top = t_.top_level();
    fmt::print("  top level: {} token{}\n", top.size(), top.size() == 1 ? "" : "s");
    size_t shown = 0;
    for (size_t i = 0; i < top.size(); ++i) {
      if (shown++ == 200) {
        fmt::print("    ... {} more top-level tokens\n", top.size() - i);
        break;
      }
      print(top[i], 2);
    }
  }

 private:
  // Computed once per loop (a loop is shown wherever it occurs), streaming its
  // counts: a long run's loops have more occurrences than are kept in memory.
  const std::string& loop_counts_text(uint32_t loop) {
    if (counts_text_.size() <= loop) counts_text_.resize(loop + 1);
    std::string& text = counts_text_[loop];
    if (text.empty()) text = counts_summary(loop);
    return text;
  }

  std::string counts_summary(uint32_t loop) const {
    uint64_t n = t_.loop_occurrences(loop);
    if (n == 0) return "no complete occurrence";
    uint32_t mn = UINT32_MAX, mx = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < n; ++i) {
      uint32_t c = t_.loop_count(loop, i);
      mn = std::min(mn, c);
      mx = std::max(mx, c);
      total += c;
    }
    if (n == 1) return fmt::format("x{}", mn);
    if (mn == mx) return fmt::format("x{} (each of {} occurrences)", mn, n);
    return fmt::format("x{}..{} ({} occurrences, {} iterations)", mn, mx, n, total);
  }

  // Prints `t` and what it holds. Iterative, with an explicit stack: a
  // grammar nests as deep as the program's calls did (a recursion 100,000
  // calls deep is 100,000 nested sequences). Indentation stops growing at
  // kMaxIndent levels; deeper lines name their level.
  void print(Token root, int root_indent) {
    struct Pending {
      const Token* list;
      size_t len, pos;
      int indent;
    };
    std::vector<Pending> stack{{&root, 1, 0, root_indent}};
    while (!stack.empty()) {
      Pending& top = stack.back();
      if (top.pos == top.len) {
        stack.pop_back();
        continue;
      }
      Token t = top.list[top.pos++];
      int indent = top.indent;
      std::string pad = indent <= kMaxIndent ? std::string(static_cast<size_t>(indent) * 2, ' ')
                                             : std::string(static_cast<size_t>(kMaxIndent) * 2, ' ') +
                                                   fmt::format("[level {}] ", indent);
      switch (t.kind()) {
        case TokenKind::Event: {
          const EventDef& d = t_.events()[t.id()];
          fmt::print("{}{}\n", pad, describe_event(defs_, d, nullptr));
          break;
        }
        case TokenKind::Sequence: {
          const auto& tokens = t_.sequences()[t.id()].tokens;
          bool call = !tokens.empty() && tokens.front().kind() == TokenKind::Event &&
                      t_.events()[tokens.front().id()].key.kind == EventKind::Enter;
          if (!call) {  // a loop body: its elements in line
            stack.push_back({tokens.data(), tokens.size(), 0, indent});
            break;
          }
          std::string name = defs_.region_name(t_.events()[tokens.front().id()].key.ref);
          if (!shown_.insert(t.id()).second || tokens.size() <= 2) {
            fmt::print("{}{}{}\n", pad, name, tokens.size() > 2 ? fmt::format("  (S{}, as above)", t.id()) : "");
            break;
          }
          fmt::print("{}{}  (S{})\n", pad, name, t.id());
          stack.push_back({tokens.data() + 1, tokens.size() - 2, 0, indent + 1});  // between enter and leave
          break;
        }
        case TokenKind::Loop: {
          fmt::print("{}loop L{} {}\n", pad, t.id(), loop_counts_text(t.id()));
          const auto& body = t_.loop_body(t.id());
          stack.push_back({body.data(), body.size(), 0, indent + 1});
          break;
        }
      }
    }
  }

  static constexpr int kMaxIndent = 40;
  const ProcessDefinitions& defs_;
  const ThreadTrace& t_;
  std::vector<std::string> counts_text_;  // by loop id, "" until first shown
  std::set<uint32_t> shown_;
};

}  // namespace

namespace {

// Every thread's events in one time-ordered listing, each line tagged rank:thread.
int print_merged(const TraceReader& trace, const analyzer::TraceInfo& info, uint64_t limit) {
  MergedCursor merged(trace);
  MergedEvent m;
  std::map<std::pair<size_t, size_t>, int> depth;  // per thread, for indentation
  std::map<std::pair<size_t, size_t>, PollsLine> polls;
  std::string line;
  uint64_t printed = 0;
  while (printed < limit && merged.next(m)) {
    const ProcessReader& p = *trace.processes()[m.process];
    if (!polls[{m.process, m.thread}].take(p, m.event, line)) continue;
    int& d = depth[{m.process, m.thread}];
    if (m.event.kind() == EventKind::Leave && d > 0) --d;
    fmt::print("  {:>14.3f} us  {:>3}:{:<3} {}{}{}\n", static_cast<double>(m.ns - info.start_ns) / 1e3,
               analyzer::process_label(trace, m.process), p.thread_index(m.thread),
               std::string(static_cast<size_t>(std::min(d, 40)) * 2, ' '), line,
               counters_suffix(p.thread(m.thread), m.event));
    if (m.event.kind() == EventKind::Enter) ++d;
    ++printed;
  }
  if (printed >= limit) fmt::print("  ... (--limit {} reached)\n", limit);
  return 0;
}

}  // namespace

int run_print(const PrintOptions& o) {
  TraceReader trace(o.trace);
  analyzer::TraceInfo info = analyzer::trace_info(trace);
  if (!o.thread && !o.grammar) {
    fmt::print("{}: {} process{}, {} thread{}, {} events, in time order (rank:thread)\n", o.trace, info.processes,
               info.processes == 1 ? "" : "es", info.threads, info.threads == 1 ? "" : "s", format_count(info.events));
    return print_merged(trace, info, o.limit);
  }
  uint64_t printed = 0;
  bool matched = false;
  for (size_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    int32_t rank = analyzer::process_label(trace, pi);
    for (size_t ti = 0; ti < p.thread_count(); ++ti) {
      const ThreadTrace& t = p.thread(ti);
      if (o.thread && (o.thread->first != rank || o.thread->second != static_cast<int>(t.index()))) continue;
      matched = true;
      fmt::print("rank {} thread {}: {} events, grammar: {} events, {} sequences, {} loops{}\n", rank, t.index(),
                 format_count(t.event_count()), t.events().size(), t.sequences().size(), t.loops().size(),
                 t.truncated() ? " (incomplete)" : "");
      if (o.grammar) {
        GrammarPrinter(p.defs(), t).print_top_level();
        continue;
      }
      EventCursor cursor(t);
      Event e;
      int depth = 0;
      PollsLine polls;
      std::string line;
      while (printed < o.limit && cursor.next(e)) {
        if (!polls.take(p, e, line)) continue;
        if (e.kind() == EventKind::Leave && depth > 0) --depth;
        double us = static_cast<double>(p.to_ns(e.ticks) - info.start_ns) / 1e3;
        fmt::print("  {:>14.3f} us  {}{}{}\n", us, std::string(static_cast<size_t>(std::min(depth, 40)) * 2, ' '), line,
                   counters_suffix(t, e));
        if (e.kind() == EventKind::Enter) ++depth;
        ++printed;
      }
      if (printed >= o.limit) {
        fmt::print("  ... (--limit {} reached)\n", o.limit);
        return 0;
      }
    }
  }
  if (o.thread && !matched) {
    fmt::print(stderr, "rondo: --thread {}:{}: no such thread in {} (see `rondo info`)\n", o.thread->first,
               o.thread->second, o.trace);
    return 1;
  }
  return 0;
}

}  // namespace rondo::cli
