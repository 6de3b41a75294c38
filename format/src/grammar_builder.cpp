#include "rondo/format/grammar_builder.h"

#include <algorithm>
#include <functional>
#include <map>

namespace rondo::format {
namespace {

// Rolling hash over tokens: h(t0..tn) = sum mix(ti) * P^(n-1-i) mod 2^64. Each token
// is first scrambled by a 64-bit finalizer so that nearby ids do not collide in
// structured ways. Equal hashes are always confirmed by comparing tokens.
constexpr uint64_t kP = 0x9E3779B97F4A7C15ull;

inline uint64_t mix(uint64_t z) {
  z += 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t key_hash(const EventKey& k) {
  uint64_t h = mix((static_cast<uint64_t>(k.kind) << 32) | k.ref);
  for (int64_t p : k.params) h = mix(h ^ static_cast<uint64_t>(p));
  return h;
}

const Token kNoToken = Token::from_bits(UINT32_MAX);

}  // namespace

GrammarBuilder::GrammarBuilder(StructureBatch* out, bool short_calls) : out_(out), short_calls_enabled_(short_calls) {
  powers_.resize(4 * kWindow + 2);
  powers_[0] = 1;
  for (size_t i = 1; i < powers_.size(); ++i) powers_[i] = powers_[i - 1] * kP;
  frames_.resize(16);
  reset_frame(frames_[0]);
  frames_[0].flattened = true;  // the top level is always streamed
}

uint32_t GrammarBuilder::find_or_define_event(const EventKey& key) {
  uint64_t h = key_hash(key);
  auto it = event_index_.find(h);
  uint32_t head = it == event_index_.end() ? kNone : it->second;
  for (uint32_t id = head; id != kNone; id = event_next_[id])
    if (events_[id].key == key) return id;
  auto id = static_cast<uint32_t>(events_.size());
  KindShape shape = kind_shape(key.kind);
  EventDef def{key, shape.params, shape.data};
  // Optional trailing parameters (an ENTER's call site, FORMAT.md 7.2) are
  // stored only when set, so events without them keep their layout.
  while (def.params < kMaxParams && key.params[def.params] != 0) ++def.params;
  events_.push_back(def);
  event_next_.push_back(head);
  event_index_[h] = id;
  last_event_.emplace_back();
  out_->event_defs.emplace_back(id, def);
  return id;
}

uint32_t GrammarBuilder::define_region_event(uint32_t region, bool enter) {
  EventKey key;
  key.kind = enter ? EventKind::Enter : EventKind::Leave;
  key.ref = region;
  uint32_t id = event_id(key);
  auto& table = enter ? enter_ids_ : leave_ids_;
  if (table.size() <= region) table.resize(region + 1, kNone);
  table[region] = id;
  return id;
}

void GrammarBuilder::reset_frame(Frame& f) {
  f.tokens.clear();
  f.starts.clear();
  f.prev.clear();
  f.hash.clear();
  f.hash.push_back(0);
  f.cursors.clear();
  f.serial = next_serial_++;
  f.region = kNone;
  f.enter_ticks = 0;
  f.child_ticks = 0;
  f.tag = 0;
  f.flattened = false;
}

GrammarBuilder::LastSeen& GrammarBuilder::last_seen(Token t) {
  switch (t.kind()) {
    case TokenKind::Event: return last_event_[t.id()];
    case TokenKind::Sequence: return last_sequence_[t.id()];
    default: return last_loop_[t.id()];
  }
}

uint64_t GrammarBuilder::range_hash(const Frame& f, uint32_t a, uint32_t b) const {
  return f.hash[b] - f.hash[a] * powers_[b - a];
}

void GrammarBuilder::enter_frame(uint32_t event, uint32_t region, uint64_t ticks, uint64_t tag, Token expected) {
  // One frame more than the open calls, for enter()'s fast path.
  if (++depth_ + 1 >= frames_.size()) frames_.resize(frames_.size() * 2);
  Frame& f = frames_[depth_];
  reset_frame(f);
  f.region = region;
  f.enter_ticks = ticks;
  f.tag = tag;
  Token enter_token = event_token(event);
  if (expected.kind() == TokenKind::Sequence) {
    const SequenceDef& s = sequences_[expected.id()];
    if (s.tokens.front() == enter_token) {
      // The caller expects this call to repeat a known sequence: follow it.
      auto len = static_cast<uint32_t>(s.tokens.size());
      if (f.elem_starts.size() < len) f.elem_starts.resize(len);
      f.cursors.push_back(Cursor{s.tokens.data(), len, 0, kNone, expected.id(), 0, 0, ticks, ticks, 0});
    }
  }
  feed(f, enter_token, ticks, ticks);
}

// Does what enter() and leaf() skipped for the pending short call, with what its
// caller expected at the enter (the caller's frame has not changed since).
void GrammarBuilder::settle_pending() {
  const ShortCall& s = short_calls_[pending_sequence_];
  const auto matched = static_cast<uint32_t>(pending_next_ - s.tokens);
  pending_next_ = nullptr;
  pending_leave_region_ = kNone;
  const Frame& pending = frames_[depth_--];
  enter_frame(s.tokens[0].id(), pending.region, pending.enter_ticks, pending.tag, pending_expected_);
  for (uint32_t k = 1; k < matched; ++k) feed(frames_[depth_], s.tokens[k], pending_ticks_[k], pending_ticks_[k]);
}

void GrammarBuilder::forget_tokens(const ShortCall& s) {
  const uint32_t serial = next_serial_++;  // the frame the general path would have opened
  for (uint32_t k = 0; k < s.len; ++k) last_event_[s.tokens[k].id()] = LastSeen{serial, k};
}

void GrammarBuilder::leave_frame(uint32_t event, uint32_t region, uint64_t ticks) {
  if (depth_ == 0 || frames_[depth_].region != region) {
    // A leave that does not match the innermost call (longjmp, exceptions through
    // uninstrumented code, or a filter that hid the enter). Close the calls above
    // the matching one without their leave; with no match, keep it as a plain event.
    uint32_t match = depth_;
    while (match > 0 && frames_[match].region != region) --match;
    if (match == 0) {
      leaf(event, ticks);
      return;
    }
    while (depth_ > match) close_frame(ticks, false, 0);
  }
  close_frame(ticks, true, event);
}

void GrammarBuilder::close_frame(uint64_t ticks, bool with_leave, uint32_t leave_event) {
  Frame& f = frames_[depth_];
  if (with_leave) feed(f, event_token(leave_event), ticks, ticks);
  uint64_t duration = ticks - f.enter_ticks;
  if (region_stats_.size() <= f.region) region_stats_.resize(f.region + 1);
  RegionStats& rs = region_stats_[f.region];
  rs.add_call(duration, f.child_ticks);

  Token result = kNoToken;
  if (f.flattened) {
    emit_frame(f);
  } else if (f.cursors.size() == 1 && f.cursors[0].loop == kNone && f.cursors[0].pos == f.cursors[0].len) {
    result = sequence_token(f.cursors[0].seq);  // repeated a known sequence exactly: no hashing at all
  } else {
    if (!f.cursors.empty()) materialize(f);
    auto n = static_cast<uint32_t>(f.tokens.size());
    result = sequence_token(intern_sequence(f.tokens.data(), n, f.hash[n], false));
    // The next call of this enter that its caller does not expect is probably this one again.
    const ShortCall& s = short_calls_[result.id()];
    if (s.guessable) set_guess(s.enter.id(), result.id());
  }
  if (result != kNoToken) sequence_stats_[result.id()].add(duration);
  uint64_t enter_ticks = f.enter_ticks;
  --depth_;
  Frame& parent = frames_[depth_];
  parent.child_ticks += duration;
  if (result != kNoToken) feed(parent, result, enter_ticks, ticks);
}

void GrammarBuilder::feed(Frame& f, Token t, uint64_t start, uint64_t end) {
  if (!f.cursors.empty()) {
    if (match(f, t, start, end)) return;
    if (!f.cursors.empty()) materialize(f);
  }
  push_detect(f, t, start, end);
}

bool GrammarBuilder::match(Frame& f, Token t, uint64_t start, uint64_t end) {
  for (;;) {
    Cursor& c = f.cursors.back();
    Token expected = c.list[c.pos];
    if (expected == t) {
      step_cursor(f, c, start, end);
      return true;
    }
    if (expected.kind() == TokenKind::Loop && first_leaf(expected) == t) {
      // A new occurrence of a known loop starts here: follow its body.
      f.elem_starts[c.base + c.pos] = start;
      const LoopInfo& loop = loops_[expected.id()];
      uint32_t base = c.base + c.len;
      auto len = static_cast<uint32_t>(loop.list.size());
      if (f.elem_starts.size() < base + len) f.elem_starts.resize(base + len);
      f.cursors.push_back(Cursor{loop.list.data(), len, 0, expected.id(), kNone, 0, base, start, start,
                                 reserve_count(expected.id())});
      continue;
    }
    if (c.loop != kNone && c.pos == 0 && c.count >= 1) {
      end_loop(f);  // the loop ends at an iteration boundary; t may continue the enclosing structure
      if (f.cursors.empty()) return false;
      continue;
    }
    return false;
  }
}

void GrammarBuilder::end_loop(Frame& f) {
  Cursor c = f.cursors.back();
  f.cursors.pop_back();
  record_loop(c);
  if (!f.cursors.empty()) {
    Cursor& p = f.cursors.back();
    if (++p.pos == p.len && p.loop != kNone) complete_iteration(f, p, c.last_end);
  } else {
    push_detect(f, loop_token(c.loop), c.start, c.last_end);
  }
}

uint64_t GrammarBuilder::reserve_count(uint32_t loop) {
  PendingCounts& p = pending_counts_[loop];
  p.values.push_back(kUnfilled);
  return p.base + (p.values.size() - 1 - p.head);
}

// Fills the occurrence's slot (or drops it when no iteration completed) and
// passes on every count at the front of the loop's queue that is now known.
void GrammarBuilder::record_loop(const Cursor& c) {
  // The last iteration ends with the occurrence (before its count may leave).
  if (c.count >= 1) time_iteration(c.loop, c.slot, c.count - 1, c.iteration_start, c.last_end);
  PendingCounts& p = pending_counts_[c.loop];
  p.values[p.head + (c.slot - p.base)] = c.count >= 1 ? c.count : kDropped;
  IterationTimes& times = iteration_times_[c.loop];
  while (p.head < p.values.size() && p.values[p.head] != kUnfilled) {
    if (p.values[p.head] >= 0) {
      // The count of slot p.base leaves as the loop's occurrence p.emitted.
      out_->loop_counts.emplace_back(c.loop, static_cast<uint32_t>(p.values[p.head]));
      if (times.unplaced)
        for (SlowEntry& e : times.slowest)
          if (e.occurrence == kUnplaced && e.slot == p.base) e.occurrence = p.emitted, --times.unplaced;
      ++p.emitted;
    }
    ++p.head;
    ++p.base;
  }
  if (p.head == p.values.size()) {
    p.values.clear();
    p.head = 0;
  }
  if (c.count >= 1) {
    LoopStats& s = loop_stats_[c.loop];
    s.occurrences.add(c.last_end - c.start);
    s.iterations += c.count;
  }
}

// Turns the expected structure into plain tokens: the loops followed so far end
// with the iterations they completed, and the elements matched in the current
// iteration (or sequence) follow as they are.
void GrammarBuilder::materialize(Frame& f) {
  for (size_t i = 0; i < f.cursors.size(); ++i) {
    const Cursor c = f.cursors[i];
    if (c.loop != kNone) {
      record_loop(c);
      if (c.count >= 1) push_plain(f, loop_token(c.loop), c.start);
    }
    for (uint32_t k = 0; k < c.pos; ++k) push_plain(f, c.list[k], f.elem_starts[c.base + k]);
  }
  f.cursors.clear();
}

void GrammarBuilder::push_plain(Frame& f, Token t, uint64_t start) {
  auto pos = static_cast<uint32_t>(f.tokens.size());
  LastSeen& seen = last_seen(t);
  // An entry is stale when its frame ended or the position was rewritten since.
  uint32_t previous = (seen.serial == f.serial && seen.pos < pos && f.tokens[seen.pos] == t) ? seen.pos : kNone;
  seen.serial = f.serial;
  seen.pos = pos;
  f.tokens.push_back(t);
  f.starts.push_back(start);
  f.prev.push_back(previous);
  f.hash.push_back(f.hash.back() * kP + mix(t.bits()));
}

void GrammarBuilder::push_detect(Frame& f, Token t, uint64_t start, uint64_t end) {
  push_plain(f, t, start);
  auto n = static_cast<uint32_t>(f.tokens.size());
  uint32_t candidate = f.prev[n - 1];
  for (int tries = 0; candidate != kNone && tries < kCandidates; ++tries, candidate = f.prev[candidate]) {
    uint32_t d = n - 1 - candidate;
    if (2 * d > n || d >= powers_.size()) break;
    if (range_hash(f, n - d, n) != range_hash(f, n - 2 * d, n - d)) continue;
    if (!std::equal(f.tokens.begin() + (n - d), f.tokens.end(), f.tokens.begin() + (n - 2 * d))) continue;
    // tokens[n-2d, n-d) == tokens[n-d, n): a tandem repeat, i.e. two iterations of a loop.
    Token body = d == 1 ? f.tokens[n - 1]
                        : sequence_token(intern_sequence(&f.tokens[n - d], d, range_hash(f, n - d, n), true));
    uint32_t loop = loop_for(body);
    uint32_t a = n - 2 * d;
    uint64_t loop_start = f.starts[a], second_start = f.starts[n - d];
    f.tokens.resize(a);
    f.starts.resize(a);
    f.prev.resize(a);
    f.hash.resize(a + 1);
    const LoopInfo& info = loops_[loop];
    auto len = static_cast<uint32_t>(info.list.size());
    if (f.elem_starts.size() < len) f.elem_starts.resize(len);
    const uint64_t slot = reserve_count(loop);
    // Two iterations complete: the first ran until the second began.
    time_iteration(loop, slot, 0, loop_start, second_start);
    f.cursors.push_back(Cursor{info.list.data(), len, 0, loop, kNone, 2, 0, loop_start, end, slot, second_start});
    return;
  }
  if (n > kWindow) {
    if (f.flattened)
      spill_front(f);
    else
      flatten_through(depth_);
  }
}

uint32_t GrammarBuilder::intern_sequence(const Token* tokens, uint32_t len, uint64_t hash, bool loop_body) {
  auto it = sequence_index_.find(hash);
  uint32_t head = it == sequence_index_.end() ? kNone : it->second;
  for (uint32_t id = head; id != kNone; id = sequence_next_[id]) {
    const auto& s = sequences_[id].tokens;
    if (s.size() == len && std::equal(s.begin(), s.end(), tokens)) return id;
  }
  auto id = static_cast<uint32_t>(sequences_.size());
  sequences_.push_back(SequenceDef{std::vector<Token>(tokens, tokens + len), loop_body});
  classify_short_call(id);
  sequence_next_.push_back(head);
  sequence_index_[hash] = id;
  last_sequence_.emplace_back();
  sequence_stats_.emplace_back();
  out_->sequence_defs.emplace_back(id, sequences_.back());
  return id;
}

// A short call: [enter R, records..., leave R], all events, at most kShortCall,
// no enter or leave inside (a nested or unmatched call).
void GrammarBuilder::classify_short_call(uint32_t id) {
  const std::vector<Token>& t = sequences_[id].tokens;
  ShortCall s;
  s.enter = t.front();
  auto len = static_cast<uint32_t>(t.size());
  auto kind_at = [&](uint32_t k) {
    return t[k].kind() == TokenKind::Event ? events_[t[k].id()].key.kind : EventKind::Marker;
  };
  // The region of a plain ENTER or LEAVE (its key has no parameter: no call site).
  auto plain_region = [&](uint32_t k, EventKind kind) {
    if (kind_at(k) != kind) return kNone;
    const EventKey& key = events_[t[k].id()].key;
    return key.params == EventKey{}.params ? key.ref : kNone;
  };
  s.enter_region = plain_region(0, EventKind::Enter);
  bool shape = short_calls_enabled_ && len >= 2 && len <= kShortCall && std::all_of(t.begin(), t.end(), [](Token x) {
                 return x.kind() == TokenKind::Event;
               });
  if (shape) shape = kind_at(0) == EventKind::Enter && kind_at(len - 1) == EventKind::Leave &&
                     events_[t[0].id()].key.ref == events_[t[len - 1].id()].key.ref;
  for (uint32_t k = 1; shape && k + 1 < len; ++k)
    shape = kind_at(k) != EventKind::Enter && kind_at(k) != EventKind::Leave;
  if (shape) {
    s.len = len;
    s.tokens = t.data();
    s.region = events_[t[0].id()].key.ref;
    s.leave_region = plain_region(len - 1, EventKind::Leave);
    if (len == 2) s.leave_after_enter = s.leave_region;
    s.guessable = true;
    for (uint32_t d = 1; s.guessable && 2 * d <= len; ++d)
      for (uint32_t a = 0; s.guessable && a + 2 * d <= len; ++a)
        if (std::equal(t.begin() + a, t.begin() + a + d, t.begin() + a + d)) s.guessable = false;
  }
  short_calls_.push_back(s);
  if (s.guessable) {
    uint32_t enter = t[0].id();
    if (guess_of_enter_.size() <= enter || guess_of_enter_[enter] == kNone) set_guess(enter, id);
  }
}

void GrammarBuilder::set_guess(uint32_t enter, uint32_t seq) {
  if (guess_of_enter_.size() <= enter) guess_of_enter_.resize(enter + 1, kNone);
  guess_of_enter_[enter] = seq;
  const uint32_t region = short_calls_[seq].enter_region;
  if (region == kNone) return;
  if (guess_of_region_.size() <= region) guess_of_region_.resize(region + 1, kNone);
  guess_of_region_[region] = seq;
}

uint32_t GrammarBuilder::loop_for(Token body) {
  auto [it, inserted] = loop_index_.try_emplace(body.bits(), static_cast<uint32_t>(loops_.size()));
  if (!inserted) return it->second;
  LoopInfo info;
  if (body.kind() == TokenKind::Sequence && sequences_[body.id()].loop_body)
    info.list = sequences_[body.id()].tokens;
  else
    info.list = {body};
  info.first_leaf = first_leaf(info.list.front());
  loops_.push_back(std::move(info));
  pending_counts_.emplace_back();
  last_loop_.emplace_back();
  loop_stats_.emplace_back();
  iteration_times_.emplace_back();
  out_->loop_defs.emplace_back(it->second, LoopDef{body});
  return it->second;
}

// Streams frames 0..depth out as raw tokens, outermost first, so that the
// innermost one can keep growing without bound on memory.
void GrammarBuilder::flatten_through(uint32_t depth) {
  for (uint32_t i = 0; i <= depth; ++i) {
    emit_frame(frames_[i]);
    frames_[i].flattened = true;
  }
}

void GrammarBuilder::emit_frame(Frame& f) {
  if (!f.cursors.empty()) materialize(f);
  out_->tokens.insert(out_->tokens.end(), f.tokens.begin(), f.tokens.end());
  f.tokens.clear();
  f.starts.clear();
  f.prev.clear();
  f.hash.assign(1, 0);
  f.serial = next_serial_++;
}

void GrammarBuilder::spill_front(Frame& f) {
  // Keep the newest half for loop detection; stream the rest out.
  size_t keep = kWindow / 2;
  size_t drop = f.tokens.size() - keep;
  out_->tokens.insert(out_->tokens.end(), f.tokens.begin(), f.tokens.begin() + static_cast<long>(drop));
  std::vector<Token> tokens(f.tokens.begin() + static_cast<long>(drop), f.tokens.end());
  std::vector<uint64_t> starts(f.starts.begin() + static_cast<long>(drop), f.starts.end());
  f.tokens.clear();
  f.starts.clear();
  f.prev.clear();
  f.hash.assign(1, 0);
  f.serial = next_serial_++;
  for (size_t i = 0; i < tokens.size(); ++i) push_plain(f, tokens[i], starts[i]);
}

void GrammarBuilder::finish() {
  if (pending_next_) settle_pending();
  flatten_through(depth_);
}

// Mirrors flatten_through() and materialize() without their side effects.
void GrammarBuilder::checkpoint(std::vector<Token>& tokens, std::vector<std::pair<uint32_t, uint32_t>>& counts) const {
  std::map<std::pair<uint32_t, uint64_t>, uint32_t> open;  // (loop, slot) -> iterations so far
  for (uint32_t i = 0; i <= depth_; ++i) {
    if (pending_next_ && i == depth_) {  // as settled: the frame has seen what matched so far
      tokens.insert(tokens.end(), short_calls_[pending_sequence_].tokens, pending_next_);
      break;
    }
    const Frame& f = frames_[i];
    tokens.insert(tokens.end(), f.tokens.begin(), f.tokens.end());
    for (const Cursor& c : f.cursors) {
      if (c.loop != kNone) {
        open[{c.loop, c.slot}] = c.count;
        if (c.count >= 1) tokens.push_back(loop_token(c.loop));
      }
      tokens.insert(tokens.end(), c.list, c.list + c.pos);
    }
  }
  for (uint32_t loop = 0; loop < pending_counts_.size(); ++loop) {
    const PendingCounts& p = pending_counts_[loop];
    for (size_t j = p.head; j < p.values.size(); ++j) {
      int64_t v = p.values[j];
      if (v == kUnfilled) {
        auto it = open.find({loop, p.base + (j - p.head)});
        v = it != open.end() && it->second >= 1 ? it->second : kDropped;
      }
      if (v >= 0) counts.emplace_back(loop, static_cast<uint32_t>(v));
    }
  }
}

void GrammarBuilder::keep_long_iteration(IterationTimes& t, uint64_t slot, uint32_t iteration, uint64_t ticks) {
  // The longest durations, a min-heap: full, a longer one takes the shortest's place.
  std::vector<uint64_t>& h = t.longest;
  if (h.size() < kLongestKept) {
    if (longest_total_ < kLongestTotal) {
      h.push_back(ticks);
      std::push_heap(h.begin(), h.end(), std::greater<>());
      ++longest_total_;
    } else {
      t.lost = true;
    }
  } else if (ticks > h.front()) {
    std::pop_heap(h.begin(), h.end(), std::greater<>());
    h.back() = ticks;
    std::push_heap(h.begin(), h.end(), std::greater<>());
  }
  // The slowest iterations (in slot order, which is occurrence order).
  auto longer = [](const SlowEntry& a, const SlowEntry& b) {
    if (a.ticks != b.ticks) return a.ticks > b.ticks;
    return a.slot != b.slot ? a.slot < b.slot : a.iteration < b.iteration;
  };
  const SlowEntry entry{slot, kUnplaced, iteration, ticks};
  if (t.slowest.size() < kSlowIterationsKept || longer(entry, t.slowest.back())) {
    t.slowest.insert(std::upper_bound(t.slowest.begin(), t.slowest.end(), entry, longer), entry);
    ++t.unplaced;
    if (t.slowest.size() > kSlowIterationsKept) {
      if (t.slowest.back().occurrence == kUnplaced) --t.unplaced;
      t.slowest.pop_back();
    }
  }
  // Below the shortest kept duration nothing changes: the slowest are among the longest.
  if (h.size() == kLongestKept)
    t.floor = h.front();
  else if (t.lost && t.slowest.size() == kSlowIterationsKept)
    t.floor = t.slowest.back().ticks;
}

// Iterations above mean + 3 standard deviations, or kUnknown when some of them
// may not be among the durations kept.
uint64_t GrammarBuilder::count_outliers(const IterationTimes& t, uint64_t n) {
  if (n == 0) return 0;
  if (t.lost) return IterationStats::kUnknown;
  const long double threshold = outlier_threshold(n, t.sum, t.sum_squares);
  // Not all kept: every duration left out is at most the shortest kept one.
  if (t.longest.size() < n && static_cast<long double>(t.longest.front()) > threshold) return IterationStats::kUnknown;
  uint64_t above = 0;
  for (uint64_t d : t.longest) above += static_cast<long double>(d) > threshold;
  return above;
}

void GrammarBuilder::add_folded_calls(uint32_t region, const RegionStats& calls) {
  // Polls inside a call make it more than a leaf call: settle it first, so that
  // their time lands in its frame.
  if (pending_next_) settle_pending();
  if (region_stats_.size() <= region) region_stats_.resize(region + 1);
  region_stats_[region].merge(calls);
  frames_[depth_].child_ticks += calls.inclusive.sum;
}

void GrammarBuilder::fill_summary(ThreadSummary& s) const {
  s.regions = region_stats_;
  s.sequences = sequence_stats_;
  // The calls completed on the short-call fast path (see ShortCall::calls).
  for (uint32_t id = 0; id < short_calls_.size(); ++id) {
    const ShortCall& c = short_calls_[id];
    if (c.calls.inclusive.count == 0) continue;
    if (s.regions.size() <= c.region) s.regions.resize(c.region + 1);
    RegionStats calls = c.calls;
    calls.exclusive_sum = calls.inclusive.sum;  // see add_short_call()
    s.regions[c.region].merge(calls);
    s.sequences[id].merge(calls.inclusive);
  }
  s.loops = loop_stats_;
  s.has_iteration_stats = true;
  s.iterations.resize(iteration_times_.size());
  for (size_t l = 0; l < iteration_times_.size(); ++l) {
    const IterationTimes& t = iteration_times_[l];
    IterationStats& out = s.iterations[l];
    out.durations = DurationStats{};
    out.durations.count = loop_stats_[l].iterations;
    if (out.durations.count) {
      out.durations.sum = t.sum;
      out.durations.min = t.min;
      out.durations.max = t.slowest.front().ticks;
    }
    out.sum_squares = t.sum_squares;
    out.slowest.clear();
    for (const SlowEntry& e : t.slowest) out.slowest.push_back(IterationTicks{e.occurrence, e.iteration, e.ticks});
    out.outliers = t.unplaced ? IterationStats::kUnknown : count_outliers(t, out.durations.count);
  }
  s.open_regions = depth_;
  s.event_definitions = static_cast<uint32_t>(events_.size());
}

}  // namespace rondo::format
