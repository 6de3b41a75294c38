#include "call_tree_structure.h"

#include <unordered_map>

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

constexpr uint32_t kNone = UINT32_MAX;

// What a sequence is to the call tree.
struct SequenceRole {
  bool call = false;  // [Enter r, ..., Leave r]: a call of `region`
  bool valid = true;  // false: a call boundary the walk cannot place
  uint32_t region = kNone;
};

class CallPathWalk {
 public:
  CallPathWalk(const ThreadTrace& t) : t_(t), counts_(t) {
    const auto& seqs = t.sequences();
    roles_.resize(seqs.size());
    for (size_t s = 0; s < seqs.size(); ++s) roles_[s] = role_of(seqs[s]);
    seq_parent_.assign(seqs.size(), kUnseen);
    seq_node_.assign(seqs.size(), kNone);
    seq_settled_.assign(seqs.size(), false);
    loop_parent_.assign(t.loops().size(), kUnseen);
    loop_settled_.assign(t.loops().size(), false);
    seq_calls_.assign(seqs.size(), kUnknown);
    loop_calls_.assign(t.loops().size(), kUnknown);
    for (uint32_t id = 0; id < seqs.size(); ++id) mark_calls(Token(TokenKind::Sequence, id));
    for (uint32_t id = 0; id < t.loops().size(); ++id) mark_calls(Token(TokenKind::Loop, id));
  }

  // False when the structure does not give one path per call sequence.
  bool run() {
    for (Token k : t_.top_level()) {
      if (!visit(k, kNone)) return false;
      while (!stack_.empty())
        if (!step()) return false;
    }
    return true;
  }

  std::vector<StructureCallNode>& nodes() { return nodes_; }
  // The node of each call sequence reached, kNone for the others.
  const std::vector<uint32_t>& sequence_nodes() const { return seq_node_; }

 private:
  static constexpr uint32_t kUnseen = UINT32_MAX - 1;  // kNone is the root "parent"

  struct Level {
    const Token* list;
    uint32_t len, pos;
    uint32_t remaining;  // iterations left after this one (loops)
    uint32_t node;       // the path node the tokens are called from
    uint32_t loop;       // the loop repeated here, or kNone
    uint32_t sequence;   // the sequence expanded here, or kNone
  };

  // Whether a sequence or loop holds a call anywhere below it: what holds none
  // adds no path, wherever it stands, and is not walked.
  enum : uint8_t { kUnknown, kOpen, kNo, kYes };
  uint8_t& calls_state(Token k) { return k.kind() == TokenKind::Sequence ? seq_calls_[k.id()] : loop_calls_[k.id()]; }
  std::pair<const Token*, uint32_t> below(Token k) const {
    const auto& list = k.kind() == TokenKind::Sequence ? t_.sequences()[k.id()].tokens : t_.loop_body(k.id());
    return {list.data(), static_cast<uint32_t>(list.size())};
  }
  bool holds_calls(Token k) const {
    switch (k.kind()) {
      case TokenKind::Sequence: return k.id() >= seq_calls_.size() || seq_calls_[k.id()] == kYes;
      case TokenKind::Loop: return k.id() >= loop_calls_.size() || loop_calls_[k.id()] == kYes;
      default: return false;
    }
  }
  // Depth first with a stack of its own (grammars of deep recursion nest deeply).
  void mark_calls(Token root) {
    if (calls_state(root) != kUnknown) return;
    std::vector<std::pair<Token, uint32_t>> stack{{root, 0}};
    calls_state(root) = kOpen;
    while (!stack.empty()) {
      Token k = stack.back().first;
      auto [list, len] = below(k);
      if (stack.back().second < len) {
        Token c = list[stack.back().second++];
        bool known = c.kind() == TokenKind::Event ||
                     c.id() >= (c.kind() == TokenKind::Sequence ? seq_calls_.size() : loop_calls_.size());
        if (!known && calls_state(c) == kUnknown) {
          calls_state(c) = kOpen;
          stack.push_back({c, 0});
        }
        continue;
      }
      bool yes = k.kind() == TokenKind::Sequence && roles_[k.id()].call;
      for (uint32_t i = 0; i < len && !yes; ++i) yes = holds_calls(list[i]);
      calls_state(k) = yes ? kYes : kNo;
      stack.pop_back();
    }
  }

  SequenceRole role_of(const SequenceDef& s) const {
    SequenceRole r;
    if (s.loop_body) return r;  // the repeated unit of a loop: transparent
    if (s.tokens.size() < 2) return {false, false, kNone};
    Token first = s.tokens.front(), last = s.tokens.back();
    if (first.kind() != TokenKind::Event || last.kind() != TokenKind::Event) return {false, false, kNone};
    const EventKey& a = t_.events()[first.id()].key;
    const EventKey& b = t_.events()[last.id()].key;
    if (a.kind != EventKind::Enter || b.kind != EventKind::Leave || a.ref != b.ref) return {false, false, kNone};
    return {true, true, a.ref};
  }

  uint32_t child(uint32_t parent, uint32_t region) {
    uint64_t key = (static_cast<uint64_t>(parent) + 1) << 32 | region;
    auto [it, added] = index_.try_emplace(key, static_cast<uint32_t>(nodes_.size()));
    if (added) nodes_.push_back({parent, region, {}});
    return it->second;
  }

  bool settled(Token k) const {
    if (!holds_calls(k)) return true;
    switch (k.kind()) {
      case TokenKind::Sequence: return seq_settled_[k.id()];
      case TokenKind::Loop: return loop_settled_[k.id()];
      default: return true;
    }
  }
  bool all_settled(const Token* list, uint32_t len) const {
    for (uint32_t i = 0; i < len; ++i)
      if (!settled(list[i])) return false;
    return true;
  }

  // One token called from path node `node`: pushes a level when it must be expanded.
  bool visit(Token k, uint32_t node) {
    switch (k.kind()) {
      case TokenKind::Event: {
        EventKind kind = t_.events()[k.id()].key.kind;
        // A call boundary outside a call sequence (a call streamed to the top
        // level) and folded polls hold times only the events have.
        return kind != EventKind::Enter && kind != EventKind::Leave && kind != EventKind::Polls;
      }
      case TokenKind::Sequence: {
        uint32_t s = k.id();
        if (s >= roles_.size() || !roles_[s].valid) return false;
        if (!holds_calls(k)) return true;
        if (seq_parent_[s] == kUnseen) seq_parent_[s] = node;
        else if (seq_parent_[s] != node) return false;  // called from two paths
        if (seq_settled_[s]) return true;
        const auto& tokens = t_.sequences()[s].tokens;
        if (roles_[s].call) {
          seq_node_[s] = child(node, roles_[s].region);
          stack_.push_back({tokens.data() + 1, static_cast<uint32_t>(tokens.size() - 2), 0, 0, seq_node_[s], kNone, s});
        } else {
          stack_.push_back({tokens.data(), static_cast<uint32_t>(tokens.size()), 0, 0, node, kNone, s});
        }
        return true;
      }
      case TokenKind::Loop: {
        uint32_t l = k.id();
        if (l >= loop_parent_.size()) return false;
        if (!holds_calls(k)) return true;
        if (loop_parent_[l] == kUnseen) loop_parent_[l] = node;
        else if (loop_parent_[l] != node) return false;
        if (loop_settled_[l]) return true;
        uint32_t occurrence, count;
        if (!counts_.next(l, occurrence, count)) return false;  // the data ends here
        if (count == 0) return true;
        const auto& body = t_.loop_body(l);
        stack_.push_back({body.data(), static_cast<uint32_t>(body.size()), 0, count - 1, node, l, kNone});
        return true;
      }
    }
    return false;
  }

  // Advances the innermost level by one token, or ends it.
  bool step() {
    Level& l = stack_.back();
    if (l.pos < l.len) {
      Token k = l.list[l.pos++];
      return visit(k, l.node);
    }
    // Everything below settled: nothing further can add a path, and the
    // loops below will never be read again, so their counts need no cursor.
    bool done = all_settled(l.list, l.len);
    if (l.loop != kNone) {
      if (l.remaining > 0 && !done) {
        --l.remaining;
        l.pos = 0;
        return true;
      }
      loop_settled_[l.loop] = done;
    } else if (l.sequence != kNone) {
      seq_settled_[l.sequence] = done;
    }
    stack_.pop_back();
    return true;
  }

  const ThreadTrace& t_;
  std::vector<SequenceRole> roles_;
  LoopCountCursors counts_;
  std::vector<uint32_t> seq_parent_, seq_node_, loop_parent_;
  std::vector<bool> seq_settled_, loop_settled_;
  std::vector<uint8_t> seq_calls_, loop_calls_;
  std::vector<Level> stack_;
  std::vector<StructureCallNode> nodes_;
  std::unordered_map<uint64_t, uint32_t> index_;
};

}  // namespace

std::optional<std::vector<StructureCallNode>> call_tree_from_structure(const ThreadTrace& t,
                                                                     const ThreadSummary& summary) {
  CallPathWalk walk(t);
  if (!walk.run()) return std::nullopt;
  std::vector<StructureCallNode>& nodes = walk.nodes();
  const std::vector<uint32_t>& seq_node = walk.sequence_nodes();
  for (size_t s = 0; s < seq_node.size(); ++s) {
    if (seq_node[s] == kNone) continue;
    if (s >= summary.sequences.size() || summary.sequences[s].count == 0) return std::nullopt;
    nodes[seq_node[s]].stats.inclusive.merge(summary.sequences[s]);
  }
  // Exclusive time: a call's time less its direct callees' (FORMAT.md 12); the
  // callees of a path's calls are exactly the calls of its child paths.
  std::vector<uint64_t> children(nodes.size(), 0);
  for (const StructureCallNode& n : nodes)
    if (n.parent != kNone) children[n.parent] += n.stats.inclusive.sum;
  std::vector<RegionStats> regions(summary.regions.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    RegionStats& s = nodes[i].stats;
    if (s.inclusive.count == 0 || children[i] > s.inclusive.sum || nodes[i].region >= regions.size())
      return std::nullopt;
    s.exclusive_sum = s.inclusive.sum - children[i];
    RegionStats& r = regions[nodes[i].region];
    r.inclusive.merge(s.inclusive);
    r.exclusive_sum += s.exclusive_sum;
  }
  // Every call of the summary, and nothing else.
  for (size_t r = 0; r < regions.size(); ++r) {
    const RegionStats& want = summary.regions[r];
    const RegionStats& got = regions[r];
    if (got.inclusive.count != want.inclusive.count) return std::nullopt;
    if (got.inclusive.count != 0 && (got.inclusive.sum != want.inclusive.sum || got.inclusive.min != want.inclusive.min ||
                                     got.inclusive.max != want.inclusive.max || got.exclusive_sum != want.exclusive_sum))
      return std::nullopt;
  }
  return std::move(nodes);
}

}  // namespace rondo::analyzer
