// The grammar builder's short-call fast path (GrammarBuilder::enter: a call that
// repeats a known [enter, records..., leave] stays pending until its leave) must
// give exactly what the general path gives: the same definitions, top-level
// tokens, loop counts, checkpoints and statistics, byte for byte. Two builders,
// one with the fast path and one without, receive the same streams: random
// programs, and MPI-like time steps whose calls carry message records that
// mostly repeat and sometimes do not (another peer, a nested call, a leave that
// skips the call's own, folded polls, a checkpoint while a call is pending).
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "stream_generator.h"
#include "rondo/format/grammar_builder.h"

using namespace rondo::format;
using rondo::test::Op;

namespace {

std::vector<uint8_t> bytes_of(const StructureBatch& b) {
  std::vector<uint8_t> out;
  b.encode(out);
  return out;
}

std::vector<uint8_t> bytes_of(const ThreadSummary& s) {
  std::vector<uint8_t> out;
  s.encode(out);
  return out;
}

// Two builders fed as ThreadWriter feeds one (the fast path by region first,
// try_enter_short/try_leave_short, then the general enter/leave when it
// declines); every comparison is exact.
class BothPaths {
 public:
  void enter(uint32_t region, uint64_t t) {
    if (!fast_.try_enter_short(region, t, 0)) fast_.enter(fast_.enter_event(region), region, t);
    general_.enter(general_.enter_event(region), region, t);
  }
  void leave(uint32_t region, uint64_t t) {
    if (!fast_.try_leave_short(region, t)) fast_.leave(fast_.leave_event(region), region, t);
    general_.leave(general_.leave_event(region), region, t);
  }
  void leaf(const EventKey& key, uint64_t t) {
    fast_.leaf(fast_.event_id(key), t);
    general_.leaf(general_.event_id(key), t);
  }
  // A run of folded polls of `region` as ThreadWriter::end_polls writes it.
  void polls(uint32_t region, uint64_t first, uint64_t last, uint32_t count) {
    FoldedPolls run;
    run.region = region;
    for (uint32_t i = 0; i < count; ++i) run.add(first + (last - first) * i / count, first + (last - first) * (i + 1) / count);
    EventKey key;
    key.kind = EventKind::Polls;
    key.ref = region;
    leaf(key, first);
    fast_.add_folded_calls(region, run.calls);
    general_.add_folded_calls(region, run.calls);
    key.params[0] = 1;
    leaf(key, last);
  }
  void op(const Op& o) {
    switch (o.type) {
      case Op::Enter: enter(o.region, o.ticks); break;
      case Op::Leave: leave(o.region, o.ticks); break;
      case Op::Leaf: leaf(o.key, o.ticks); break;
    }
  }
  // What a batch flush hands on: the output so far and the checkpoint.
  void compare_checkpoint() {
    std::vector<Token> tf, tg;
    std::vector<std::pair<uint32_t, uint32_t>> cf, cg;
    fast_.checkpoint(tf, cf);
    general_.checkpoint(tg, cg);
    ASSERT_EQ(tf, tg);
    ASSERT_EQ(cf, cg);
    compare_output();
  }
  void compare_finish() {
    fast_.finish();
    general_.finish();
    compare_output();
    ThreadSummary sf, sg;
    fast_.fill_summary(sf);
    general_.fill_summary(sg);
    ASSERT_EQ(bytes_of(sf), bytes_of(sg));
    ASSERT_EQ(fast_.depth(), general_.depth());
  }
  uint64_t tokens_seen() const { return tokens_; }

 private:
  void compare_output() {
    ASSERT_EQ(bytes_of(out_fast_), bytes_of(out_general_));
    tokens_ += out_fast_.tokens.size();
    out_fast_.clear();
    out_general_.clear();
  }
  StructureBatch out_fast_, out_general_;
  GrammarBuilder fast_{&out_fast_, true};
  GrammarBuilder general_{&out_general_, false};
  uint64_t tokens_ = 0;
};

// MPI-like time steps: each step calls a fixed list of "MPI functions", each
// with 0..3 records; a record's peer usually repeats and sometimes changes, and
// now and then a call goes differently (see the switch below).
void mpi_like_steps(uint64_t seed, BothPaths& both) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  uint64_t now = 100;
  auto t = [&] { return now += 1 + static_cast<uint64_t>(pick(0, 50)); };
  struct CallTemplate {
    uint32_t region;
    std::vector<EventKind> records;
    bool bare_record_before = false;  // the call's first record also appears outside it
  };
  std::vector<CallTemplate> step;
  int calls = pick(2, 7);
  for (int i = 0; i < calls; ++i) {
    CallTemplate c;
    c.region = static_cast<uint32_t>(pick(1, 6));
    int records = pick(0, 3);
    for (int k = 0; k < records; ++k)
      c.records.push_back(pick(0, 2) == 0 ? EventKind::MpiRecv : EventKind::MpiSend);
    c.bare_record_before = !c.records.empty() && pick(0, 3) == 0;
    step.push_back(c);
  }
  const int noise = pick(0, 30);  // percent of calls that deviate
  const int steps = pick(20, 300);
  both.enter(0, t());
  for (int s = 0; s < steps; ++s) {
    if (pick(0, 9) == 0) both.enter(7, t());  // an enclosing call that does not always happen
    bool skipped_outer_leave = false;
    for (const CallTemplate& c : step) {
      const bool deviate = pick(0, 99) < noise;
      const int how = deviate ? pick(0, 8) : -1;
      if (c.bare_record_before && pick(0, 2) != 0) {
        EventKey key;
        key.kind = c.records[0];
        key.params[0] = 1;
        both.leaf(key, t());
      }
      both.enter(c.region, t());
      if (pick(0, 60) == 0) both.compare_checkpoint();
      for (size_t k = 0; k < c.records.size(); ++k) {
        EventKey key;
        key.kind = c.records[k];
        key.params[0] = how == 0 ? pick(2, 4) : 1;  // peer
        key.params[1] = static_cast<int64_t>(k);    // tag
        both.leaf(key, t());
        if (how == 1) both.leaf(key, t());  // the same record twice: a tandem repeat
        if (pick(0, 60) == 0) both.compare_checkpoint();
      }
      switch (how) {
        case 2: both.enter(8, t()); both.leave(8, t()); break;  // a nested call
        case 3: both.polls(9, t(), t(), static_cast<uint32_t>(pick(1, 5))); break;
        case 4: {  // a marker after the records
          EventKey m;
          m.kind = EventKind::Marker;
          m.ref = 3;
          both.leaf(m, t());
          break;
        }
        case 5:  // too many records for a short call
          for (int k = 0; k < 6; ++k) {
            EventKey key;
            key.kind = EventKind::MpiSend;
            key.params[0] = k;
            both.leaf(key, t());
          }
          break;
        case 6: both.leave(11, t()); break;  // a leave of a region that is not open
        default: break;
      }
      if (how == 7 && !skipped_outer_leave) {
        both.leave(0, t());  // the caller returns while this call is open: it ends without its leave
        both.enter(0, t());
        skipped_outer_leave = true;
        continue;
      }
      both.leave(c.region, t());
      if (how == 8) both.polls(10, t(), t(), static_cast<uint32_t>(pick(1, 1000)));  // between calls
    }
    if (pick(0, 9) == 0) both.leave(7, t());
    if (pick(0, 80) == 0) both.compare_checkpoint();
  }
  both.leave(0, t());
}

}  // namespace

TEST(ShortCalls, MpiLikeStepsGiveTheGeneralPathsGrammarExactly) {
  uint64_t tokens = 0;
  for (uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    BothPaths both;
    mpi_like_steps(seed, both);
    both.compare_finish();
    tokens += both.tokens_seen();
  }
  EXPECT_GT(tokens, 0u);
}

TEST(ShortCalls, RandomProgramsGiveTheGeneralPathsGrammarExactly) {
  for (uint64_t seed = 1; seed <= 120; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const bool dense = seed % 2 == 0;
    rondo::test::StreamGenerator gen(seed, dense ? 3 : 6, dense);
    auto ops = gen.run(dense ? 5000 : 20000);
    std::mt19937_64 rng(seed);
    BothPaths both;
    for (const Op& o : ops) {
      both.op(o);
      if (rng() % 97 == 0) both.compare_checkpoint();
    }
    both.compare_finish();
  }
}
