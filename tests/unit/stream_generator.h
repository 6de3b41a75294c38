// Random but structured event streams for property tests: a random "program"
// (calls, loops with varying trip counts, recursion, leaf events with data) is
// generated once and then executed, so streams repeat like real programs do.
#pragma once

#include <memory>
#include <random>
#include <vector>

#include "rondo/format/records.h"
#include "rondo/format/writer.h"

namespace rondo::test {

struct Op {
  enum Type { Enter, Leave, Leaf };
  Op(Type t = Leaf, uint32_t r = 0, uint64_t at = 0) : type(t), region(r), ticks(at) {}
  Type type;
  uint32_t region = 0;
  format::EventKey key;
  int64_t data[format::kMaxData] = {};
  uint64_t ticks = 0;
};

struct Node {
  enum Kind { Call, Loop, Leaf, Recurse } kind = Leaf;
  uint32_t region = 0;
  int min_trips = 1, max_trips = 1;
  format::EventKey key;
  std::vector<std::unique_ptr<Node>> children;
};

class StreamGenerator {
 public:
  // `dense`: few leaf kinds and shallow calls, so that the same calls and loops
  // recur inside callers and callees (the patterns where ordering bugs hide).
  StreamGenerator(uint64_t seed, int regions, bool dense = false) : rng_(seed), regions_(regions), dense_(dense) {
    root_ = make(0);
  }

  std::vector<Op> run(size_t max_ops) {
    std::vector<Op> ops;
    max_ops_ = max_ops;
    while (ops.size() < max_ops_) exec(*root_, ops, 0);
    return ops;
  }

  static void record(const std::vector<Op>& ops, format::ThreadWriter& w) {
    for (const Op& op : ops) {
      switch (op.type) {
        case Op::Enter: w.enter(op.region, op.ticks); break;
        case Op::Leave: w.leave(op.region, op.ticks); break;
        case Op::Leaf: w.event(op.key, op.ticks, op.data); break;
      }
    }
  }

 private:
  int pick(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::unique_ptr<Node> make(int depth) {
    auto n = std::make_unique<Node>();
    int choice = depth >= 4 ? 9 : pick(0, 9);  // leaves only, deep down
    if (choice <= 3) {
      n->kind = Node::Call;
      n->region = static_cast<uint32_t>(pick(0, regions_ - 1));
    } else if (choice <= 6) {
      n->kind = Node::Loop;
      n->min_trips = pick(1, 3);
      n->max_trips = n->min_trips + pick(0, 6);
    } else if (choice == 7 && depth > 1) {
      n->kind = Node::Recurse;
      n->region = static_cast<uint32_t>(pick(0, regions_ - 1));
    } else {
      n->kind = Node::Leaf;
      int k = pick(0, 3);
      if (dense_) k = 0;
      n->key.kind = k == 0 ? format::EventKind::Marker : k == 1 ? format::EventKind::MpiIsend
                  : k == 2 ? format::EventKind::MpiSend : format::EventKind::IoOperationBegin;
      n->key.ref = static_cast<uint32_t>(dense_ ? 0 : pick(0, 3));
      int params = format::kind_shape(n->key.kind).params;
      for (int p = 0; p < params; ++p) n->key.params[p] = pick(-2, 5);
    }
    if (n->kind == Node::Call || n->kind == Node::Loop) {
      int children = pick(1, 4);
      for (int i = 0; i < children; ++i) n->children.push_back(make(depth + 1));
    }
    return n;
  }

  void tick(Op& op) {
    now_ += 1 + static_cast<uint64_t>(pick(0, 40));
    op.ticks = now_;
  }

  void exec(const Node& n, std::vector<Op>& ops, int depth) {
    if (ops.size() >= max_ops_ * 2) return;  // bound the runaway cases
    switch (n.kind) {
      case Node::Call: {
        Op e(Op::Enter, n.region);
        tick(e);
        ops.push_back(e);
        for (auto& c : n.children) exec(*c, ops, depth + 1);
        Op l(Op::Leave, n.region);
        tick(l);
        ops.push_back(l);
        break;
      }
      case Node::Loop: {
        int trips = pick(n.min_trips, n.max_trips);
        for (int i = 0; i < trips; ++i)
          for (auto& c : n.children) exec(*c, ops, depth + 1);
        break;
      }
      case Node::Recurse: {
        // Recursion through a region of its own, a random number of levels deep.
        int levels = pick(1, 4);
        for (int i = 0; i < levels; ++i) {
          Op e(Op::Enter, n.region);
          tick(e);
          ops.push_back(e);
        }
        for (int i = 0; i < levels; ++i) {
          Op l(Op::Leave, n.region);
          tick(l);
          ops.push_back(l);
        }
        break;
      }
      case Node::Leaf: {
        Op op(Op::Leaf);
        op.key = n.key;
        int width = format::kind_shape(n.key.kind).data;
        for (int k = 0; k < width; ++k) op.data[k] = pick(0, 1 << 20) - (1 << 19);
        tick(op);
        ops.push_back(op);
        break;
      }
    }
  }

  std::mt19937_64 rng_;
  int regions_;
  bool dense_;
  std::unique_ptr<Node> root_;
  size_t max_ops_ = 0;
  uint64_t now_ = 1000;
};

// main { for i < outer: { for j < 1 + i % 5: f(); g(); } }: two nested loops,
// the inner one with varying trip counts. `now` is the clock, advanced per op.
inline std::vector<Op> nested_loops(int outer, uint64_t& now) {
  std::vector<Op> ops;
  auto push = [&](Op::Type t, uint32_t r) {
    Op op(t, r);
    now += 10 + (now % 7);
    op.ticks = now;
    ops.push_back(op);
  };
  push(Op::Enter, 0);
  for (int i = 0; i < outer; ++i) {
    for (int j = 0; j < 1 + i % 5; ++j) {
      push(Op::Enter, 1);
      push(Op::Leave, 1);
    }
    push(Op::Enter, 2);
    push(Op::Leave, 2);
  }
  push(Op::Leave, 0);
  return ops;
}

}  // namespace rondo::test
