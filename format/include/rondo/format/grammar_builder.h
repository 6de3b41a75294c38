// Online construction of a thread's grammar (DESIGN.md, point 3).
//
// Events arrive one at a time. Each open call (enter .. leave) is a *frame* that
// collects tokens; when the call returns, its tokens become a Sequence, deduplicated
// against every sequence seen before, and the sequence token is appended to the
// caller's frame. Inside a frame, tandem repeats become Loop tokens whose trip
// counts are data.
//
// Cost per event is amortized O(1):
//  * steady state: a frame follows a *cursor* over the structure it expects next
//    (the loop body being repeated, or the sequence a call produced last time), so
//    a repeated token costs one comparison and no hashing;
//  * otherwise the token is appended with an O(1) rolling-hash update, and the only
//    candidate periods checked are the distances to the previous occurrences of the
//    same token (at most kCandidates of them), each with one hash comparison;
//  * a frame holds at most kWindow materialized tokens: a longer, irregular frame
//    is *flattened*, i.e. streamed out as raw tokens, so memory stays bounded.
//
// The builder is single-threaded (one per recorded thread) and never blocks.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "rondo/format/thread_data.h"

namespace rondo::format {

class GrammarBuilder {
 public:
  static constexpr uint32_t kWindow = 1024;     // materialized tokens per frame before flattening
  static constexpr int kCandidates = 4;         // previous occurrences tried as periods
  static constexpr uint32_t kNone = UINT32_MAX;

  // New definitions, top-level tokens and loop counts are appended to `out`, which
  // the caller drains (and clears) whenever it flushes. `short_calls` false
  // keeps every call on the general path (enter()): the output is the same
  // either way, which is what tests compare.
  explicit GrammarBuilder(StructureBatch* out, bool short_calls = true);

  // Event ids. Enter/leave ids are looked up in a dense table by region.
  uint32_t enter_event(uint32_t region) {
    if (region < enter_ids_.size() && enter_ids_[region] != kNone) return enter_ids_[region];
    return define_region_event(region, true);
  }
  uint32_t leave_event(uint32_t region) {
    if (region < leave_ids_.size() && leave_ids_[region] != kNone) return leave_ids_[region];
    return define_region_event(region, false);
  }
  // The id of the event `key` names, defined on first use. Non-call events (an
  // MPI message: kind, peer, tag, communicator) look their key up on every
  // occurrence; a small direct-mapped cache of recent keys answers the repeats
  // with one multiply-shift and one key comparison, before the hash table.
  uint32_t event_id(const EventKey& key) {
    CachedEvent& c = event_cache_[event_cache_slot(key)];
    if (__builtin_expect(c.id != kNone && same_key(c.key, key), 1)) return c.id;
    c.id = find_or_define_event(key);
    c.key = key;
    return c.id;
  }
  // event_id() for a record made inside a pending short call (the message of
  // an MPI_Send): when `key` is the event the call expects next, its id, with
  // one key comparison and no hashing; otherwise event_id().
  __attribute__((always_inline)) uint32_t expected_event_id(const EventKey& key) {
    if (pending_next_ && pending_next_->kind() == TokenKind::Event) {
      const uint32_t id = pending_next_->id();
      if (__builtin_expect(same_key(events_[id].key, key), 1)) return id;
    }
    return event_id(key);
  }
  const EventDef& event(uint32_t id) const { return events_[id]; }

  // The hot path. A call that repeats a known *short call* (a sequence [enter,
  // records..., leave] of at most kShortCall events and no nested call: a leaf
  // call, an MPI_Send with its message record) is only noted when it is entered:
  // its frame stays *pending*. Each record that is the sequence's next one
  // advances a position; when the leave completes the sequence, the call is done
  // without touching the frame's token lists (statistics, then one cursor step in
  // the caller's frame). Anything else first *settles* the pending frame, i.e.
  // does what enter() and the records would have done on the general path, so
  // the grammar is the same (docs/design-recording.md, "The pending short call").
  //
  // `tag`: an opaque value kept with the open call (the recording runtime keeps
  // the call's stack position there, see open_tag()).
  //
  // try_enter_short() and try_leave_short() are the fast path of the plain
  // ENTER and LEAVE of `region` (no call site): they compare regions, not event
  // ids, so they need no id lookup. They return false, having changed nothing,
  // when the general enter() or leave() must run instead.
  __attribute__((always_inline)) bool try_enter_short(uint32_t region, uint64_t ticks, uint64_t tag) {
    if (pending_next_) return false;
    const Token expected = peek_expected(frames_[depth_]);
    uint32_t call;
    if (__builtin_expect(expected.kind() == TokenKind::Sequence && short_calls_[expected.id()].enter_region == region,
                         1)) {
      // As in enter(): the expected call, and no guess when it is not short.
      if (short_calls_[expected.id()].len == 0) return false;
      call = expected.id();
    } else {
      if (region >= guess_of_region_.size()) return false;
      call = guess_of_region_[region];
      if (call == kNone) return false;
    }
    begin_pending(call, region, ticks, tag, expected);
    return true;
  }
  // Only the common case, which calls no function (leave_expected_short_call()).
  __attribute__((always_inline)) bool try_leave_short(uint32_t region, uint64_t ticks) {
    return pending_leave_region_ == region && leave_expected_short_call(ticks);
  }
  void enter(uint32_t event, uint32_t region, uint64_t ticks, uint64_t tag = 0) {
    if (pending_next_) settle_pending();
    const Token expected = peek_expected(frames_[depth_]);
    const Token enter_token = event_token(event);
    uint32_t call = kNone;
    if (expected.kind() == TokenKind::Sequence && short_calls_[expected.id()].enter == enter_token) {
      // The call the caller expects; when it is not short, the general path
      // follows the expectation with a cursor, which no guess may replace.
      if (short_calls_[expected.id()].len != 0) call = expected.id();
    } else if (event < guess_of_enter_.size()) {
      call = guess_of_enter_[event];  // a known short call the caller did not expect here
    }
    if (call != kNone) {
      begin_pending(call, region, ticks, tag, expected);
      return;
    }
    enter_frame(event, region, ticks, tag, expected);
  }
  void leave(uint32_t event, uint32_t region, uint64_t ticks) {
    if (pending_next_) {
      // A short call's only leave is its last token: matching it completes the call.
      if (*pending_next_ == event_token(event)) {
        leave_short_call(ticks);
        return;
      }
      settle_pending();
    }
    leave_frame(event, region, ticks);
  }
  __attribute__((always_inline)) void leaf(uint32_t event, uint64_t ticks) {
    if (pending_next_) {
      const ShortCall& s = short_calls_[pending_sequence_];
      const auto pos = static_cast<uint32_t>(pending_next_ - s.tokens);
      if (pos + 1 < s.len && *pending_next_ == event_token(event)) {
        pending_ticks_[pos] = ticks;
        if (++pending_next_ == s.tokens + s.len - 1) pending_leave_region_ = s.leave_region;
        return;
      }
      settle_pending();
    }
    feed(frames_[depth_], event_token(event), ticks, ticks);
  }
  // Calls of `region` that left only a POLLS record (folded polls): they count
  // in the region's statistics and as time in a callee of the open call.
  void add_folded_calls(uint32_t region, const RegionStats& calls);

  // Flattens every open frame into the top-level token stream (thread end, exit,
  // crash): afterwards everything recorded so far is in `out`. Open calls stay
  // open; recording may continue afterwards.
  void finish();

  // What finish() would write now, without changing any state: the tokens of
  // every open frame (outermost first) and the counts each loop's column would
  // receive, in column order (see StructureBatch::checkpoint_tokens).
  void checkpoint(std::vector<Token>& tokens, std::vector<std::pair<uint32_t, uint32_t>>& counts) const;

  uint32_t depth() const { return depth_; }  // open calls
  // The open call at `depth` (1 = outermost .. depth()): its region and tag.
  uint32_t open_region(uint32_t depth) const { return frames_[depth].region; }
  uint64_t open_tag(uint32_t depth) const { return frames_[depth].tag; }
  // Statistics so far (in ticks): per region, sequence and loop.
  void fill_summary(ThreadSummary& s) const;

 private:
  // By sequence: its first token, and when it is a short call (see enter()) its
  // tokens and their number, else len 0. A short call is *guessable* when it has
  // no tandem repeat (no tokens u u in a row): then a frame without expectations
  // that receives exactly its tokens detects no loop in them and ends as it.
  // `calls`: the calls completed on the fast path, the statistics of both the
  // region and the sequence (a short call has no callees, so exclusive =
  // inclusive), kept here so the fast path updates one record in the cache line
  // it already reads; fill_summary() merges them (sums, minima and maxima merge
  // exactly, so the summary is the same).
  static constexpr uint32_t kShortCall = 6;
  struct ShortCall {
    Token enter;
    // The region whose plain ENTER (no call site) is `enter`, else kNone; for
    // short calls, the region whose plain LEAVE is the last token, else kNone.
    uint32_t enter_region = kNone;
    uint32_t leave_region = kNone;
    uint32_t leave_after_enter = kNone;  // leave_region when the call is [enter, leave], else kNone
    uint32_t len = 0;
    const Token* tokens = nullptr;  // sequences_[id].tokens.data(): moving a SequenceDef keeps its buffer
    bool guessable = false;
    uint32_t region = kNone;
    RegionStats calls;
  };
  struct Cursor {
    const Token* list;  // the tokens expected, in order
    uint32_t len;
    uint32_t pos;         // next expected element
    uint32_t loop;        // loop id, or kNone for a sequence expectation
    uint32_t seq;         // sequence id when loop == kNone
    uint32_t count;       // completed iterations (loops)
    uint32_t base;        // index of element 0's start time in Frame::elem_starts
    uint64_t start;       // ticks at the first event of this occurrence
    uint64_t last_end;    // ticks at the end of the last completed iteration
    uint64_t slot;        // this occurrence's place in its loop's count column
    // Loops: ticks at the start of the last completed iteration. Its duration is
    // known when the next iteration completes (it lasted until that one began)
    // or when the occurrence ends (it lasted until last_end): an iteration that
    // starts and does not complete is not one of the loop's.
    uint64_t iteration_start = 0;
  };
  struct Frame {
    std::vector<Token> tokens;      // materialized tokens
    std::vector<uint64_t> starts;   // start ticks of each materialized token
    std::vector<uint64_t> hash;     // hash[i]: rolling hash of tokens[0..i)
    std::vector<uint32_t> prev;     // previous index holding the same token, or kNone
    std::vector<Cursor> cursors;    // expected structure after the materialized tokens
    std::vector<uint64_t> elem_starts;  // start ticks of elements matched by cursors
    uint32_t serial = 0;
    uint32_t region = kNone;
    uint64_t enter_ticks = 0;
    uint64_t child_ticks = 0;  // sum of direct callees' durations (for exclusive time)
    uint64_t tag = 0;          // the caller's value for this call (enter())
    bool flattened = false;
  };
  struct LoopInfo {
    std::vector<Token> list;  // tokens of one iteration
    Token first_leaf;         // first non-loop token of an iteration
  };
  // Counts of one loop not yet handed to the output. A loop occurrence reserves its
  // slot when it starts and fills it when it ends; counts leave in slot order, so
  // the column is in start (= replay) order even when a caller's occurrence ends
  // after a callee's occurrence of the same loop.
  struct PendingCounts {
    std::vector<int64_t> values;  // count, or kUnfilled / kDropped
    size_t head = 0;
    uint64_t base = 0;     // slot number of values[head]
    uint64_t emitted = 0;  // counts that have left: the next one's occurrence number
  };
  static constexpr int64_t kUnfilled = -1, kDropped = -2;
  struct LastSeen {
    uint32_t serial = 0;
    uint32_t pos = kNone;
  };

  uint32_t define_region_event(uint32_t region, bool enter);
  void enter_frame(uint32_t event, uint32_t region, uint64_t ticks, uint64_t tag, Token expected);
  // Opens the frame of short call `call` as pending (see enter()).
  __attribute__((always_inline)) void begin_pending(uint32_t call, uint32_t region, uint64_t ticks, uint64_t tag,
                                                    Token expected) {
    Frame& f = frames_[++depth_];  // exists: frames_ always has a frame beyond depth_
    f.region = region;
    f.enter_ticks = ticks;
    f.tag = tag;
    pending_sequence_ = call;
    const ShortCall& s = short_calls_[call];
    pending_next_ = s.tokens + 1;
    pending_leave_region_ = s.leave_after_enter;
    pending_expected_ = expected;
  }
  void leave_frame(uint32_t event, uint32_t region, uint64_t ticks);
  void settle_pending();
  // The short call pending_sequence_ is complete at `ticks`: what close_frame()
  // does for a frame whose tokens are that sequence's, without the frame.
  __attribute__((always_inline)) void leave_short_call(uint64_t ticks) {
    if (__builtin_expect(leave_expected_short_call(ticks), 1)) return;
    const Token result = sequence_token(pending_sequence_);
    if (pending_expected_ != result) forget_tokens(short_calls_[pending_sequence_]);
    const uint64_t enter_ticks = close_short_call(ticks);
    Frame& parent = frames_[depth_];
    if (!parent.cursors.empty()) {
      Cursor& c = parent.cursors.back();
      if (c.list[c.pos] == result) {
        step_cursor(parent, c, enter_ticks, ticks);
        return;
      }
    }
    feed(parent, result, enter_ticks, ticks);
  }
  // leave_short_call() when the caller expected the call (peek_expected found
  // it) and its cursor is at it: one cursor step, no function called. False,
  // with nothing changed, otherwise.
  __attribute__((always_inline)) bool leave_expected_short_call(uint64_t ticks) {
    const Token result = sequence_token(pending_sequence_);
    if (__builtin_expect(pending_expected_ != result, 0)) return false;
    Frame& parent = frames_[depth_ - 1];
    if (__builtin_expect(parent.cursors.empty(), 0)) return false;
    Cursor& c = parent.cursors.back();
    if (__builtin_expect(c.list[c.pos] != result, 0)) return false;
    const uint64_t enter_ticks = close_short_call(ticks);
    step_cursor(parent, c, enter_ticks, ticks);
    return true;
  }
  // Ends the pending short call at `ticks`: its statistics, its caller's
  // callee time, one open call less. Returns its enter time.
  __attribute__((always_inline)) uint64_t close_short_call(uint64_t ticks) {
    pending_next_ = nullptr;
    pending_leave_region_ = kNone;
    const uint64_t enter_ticks = frames_[depth_].enter_ticks, duration = ticks - enter_ticks;
    add_short_call(short_calls_[pending_sequence_].calls, duration);
    frames_[--depth_].child_ticks += duration;
    return enter_ticks;
  }
  // Cursor `c` of frame `f` matched its element, from `start` to `end`: one step.
  __attribute__((always_inline)) void step_cursor(Frame& f, Cursor& c, uint64_t start, uint64_t end) {
    f.elem_starts[c.base + c.pos] = start;
    if (++c.pos == c.len && c.loop != kNone) complete_iteration(f, c, end);
  }
  // Loop cursor `c` matched the last element of an iteration, which ends at
  // `end`: the iteration before it ended where this one began.
  __attribute__((always_inline)) void complete_iteration(const Frame& f, Cursor& c, uint64_t end) {
    const uint64_t start = f.elem_starts[c.base];
    if (c.count > 0) time_iteration(c.loop, c.slot, c.count - 1, c.iteration_start, start);
    c.iteration_start = start;
    ++c.count;
    c.pos = 0;
    c.last_end = end;
  }
  // Iteration `iteration` of the occurrence in count slot `slot` of `loop` ran
  // from `start` to `end` (a clock that stepped back makes it 0, as a replay
  // does). Most iterations are shorter than what the slowest lists hold: a few
  // sums and one compare.
  __attribute__((always_inline)) void time_iteration(uint32_t loop, uint64_t slot, uint32_t iteration,
                                                     uint64_t start, uint64_t end) {
    const uint64_t d = end > start ? end - start : 0;
    IterationTimes& t = iteration_times_[loop];
    t.sum += d;
    t.min = d < t.min ? d : t.min;
    t.sum_squares += static_cast<uint128>(d) * d;
    if (__builtin_expect(d >= t.floor, 0)) keep_long_iteration(t, slot, iteration, d);
  }
  // A short call has no callees: its exclusive time is its inclusive time, so
  // ShortCall::calls leaves exclusive_sum to fill_summary().
  static void add_short_call(RegionStats& calls, uint64_t duration) {
    calls.inclusive.add(duration);
    calls.inclusive_sum_squares += static_cast<uint128>(duration) * duration;
  }
  // A call its caller did not expect is a frame without a cursor on the general
  // path: each token it pushed became that (now ended) frame's last occurrence of
  // the token, which hides older occurrences from every other frame. Do the same.
  void forget_tokens(const ShortCall& s);
  void reset_frame(Frame& f);
  void feed(Frame& f, Token t, uint64_t start, uint64_t end);
  bool match(Frame& f, Token t, uint64_t start, uint64_t end);
  void end_loop(Frame& f);
  void materialize(Frame& f);
  void push_plain(Frame& f, Token t, uint64_t start);
  void push_detect(Frame& f, Token t, uint64_t start, uint64_t end);
  uint64_t range_hash(const Frame& f, uint32_t a, uint32_t b) const;
  uint32_t intern_sequence(const Token* tokens, uint32_t len, uint64_t hash, bool loop_body);
  uint32_t loop_for(Token body);
  Token first_leaf(Token t) const {
    return __builtin_expect(t.kind() == TokenKind::Loop, 0) ? loops_[t.id()].first_leaf : t;
  }
  // The token a frame expects next, looking through loops to their first leaf. When
  // the innermost loop is at an iteration boundary it may also end, so the element
  // after it is an equally good guess: the one that is a call is returned.
  __attribute__((always_inline)) Token peek_expected(const Frame& f) const {
    if (f.cursors.empty()) return Token::from_bits(UINT32_MAX);
    const Cursor& c = f.cursors.back();
    Token primary = first_leaf(c.list[c.pos]);
    // Mostly a call (a Sequence): the fast path of enter() follows it without a taken branch.
    if (__builtin_expect(primary.kind() == TokenKind::Sequence, 1) || c.loop == kNone || c.pos != 0 || c.count == 0 ||
        f.cursors.size() < 2)
      return primary;
    const Cursor& p = f.cursors[f.cursors.size() - 2];
    uint32_t next = p.pos + 1;
    if (next < p.len) return first_leaf(p.list[next]);
    return p.loop != kNone ? first_leaf(p.list[0]) : primary;
  }
  LastSeen& last_seen(Token t);
  void flatten_through(uint32_t depth);
  void emit_frame(Frame& f);
  void spill_front(Frame& f);
  uint64_t reserve_count(uint32_t loop);
  void record_loop(const Cursor& c);
  void close_frame(uint64_t ticks, bool with_leave, uint32_t leave_event);

  uint32_t find_or_define_event(const EventKey& key);
  // EventKey's operator== compares the parameters with memcmp (a library call);
  // the cache check is on every record's path, so it compares field by field.
  static bool same_key(const EventKey& a, const EventKey& b) {
    static_assert(kMaxParams == 4, "same_key compares four parameters");
    return a.kind == b.kind && a.ref == b.ref && a.params[0] == b.params[0] && a.params[1] == b.params[1] &&
           a.params[2] == b.params[2] && a.params[3] == b.params[3];
  }
  struct CachedEvent {
    EventKey key;
    uint32_t id = kNone;
  };
  static constexpr uint32_t kEventCacheBits = 6;
  static uint32_t event_cache_slot(const EventKey& k) {
    uint64_t h = (static_cast<uint64_t>(k.kind) | static_cast<uint64_t>(k.ref) << 8) * 0x9E3779B97F4A7C15ull;
    h += static_cast<uint64_t>(k.params[0]) * 0xC2B2AE3D27D4EB4Full;
    h += static_cast<uint64_t>(k.params[1]) * 0x165667B19E3779F9ull;
    h += static_cast<uint64_t>(k.params[2]) * 0xD6E8FEB86659FD93ull;
    h += static_cast<uint64_t>(k.params[3]) * 0xFF51AFD7ED558CCDull;
    return static_cast<uint32_t>(h >> (64 - kEventCacheBits));
  }

  StructureBatch* out_;
  CachedEvent event_cache_[1u << kEventCacheBits];  // ids never change, so entries never go stale
  std::vector<EventDef> events_;
  std::unordered_map<uint64_t, uint32_t> event_index_;  // hash of key -> first id with that hash
  std::vector<uint32_t> event_next_;                    // chain of ids sharing a hash
  std::vector<uint32_t> enter_ids_, leave_ids_;         // by region

  std::vector<SequenceDef> sequences_;
  bool short_calls_enabled_;
  std::vector<ShortCall> short_calls_;
  // By enter event: a guessable short call starting with it (the last one a call
  // of that enter produced on the general path), else kNone.
  std::vector<uint32_t> guess_of_enter_;
  // The same by region, for the plain ENTERs (try_enter_short()).
  std::vector<uint32_t> guess_of_region_;
  // Makes `seq` the guess for calls of enter event `enter`.
  void set_guess(uint32_t enter, uint32_t seq);
  void classify_short_call(uint32_t id);
  std::vector<uint64_t> sequence_hash_;
  std::unordered_map<uint64_t, uint32_t> sequence_index_;
  std::vector<uint32_t> sequence_next_;

  std::vector<LoopInfo> loops_;
  std::vector<PendingCounts> pending_counts_;
  std::unordered_map<uint32_t, uint32_t> loop_index_;  // body token bits -> loop id

  std::vector<LastSeen> last_event_, last_sequence_, last_loop_;
  std::vector<uint64_t> powers_;  // powers_[k] = P^k for the rolling hash

  std::vector<Frame> frames_;  // frames_[0] is the thread's top level; reused across calls
  uint32_t depth_ = 0;         // number of open calls (frames_[1..depth_])
  // While pending_next_ is set, frames_[depth_] is a pending short call (see
  // enter()): only its region and enter_ticks are set. It has matched the tokens
  // of sequence pending_sequence_ before pending_next_ (the records among them at
  // pending_ticks_, by position); pending_expected_ is what its caller expected
  // at the enter. One pointer serves as the flag and the position, so the
  // leave of a leaf call costs one load and one comparison.
  const Token* pending_next_ = nullptr;
  // The region whose plain LEAVE completes the pending call now (it has
  // matched everything but its leave), else kNone: try_leave_short()'s one test.
  uint32_t pending_leave_region_ = kNone;
  uint32_t pending_sequence_ = 0;
  Token pending_expected_;
  uint64_t pending_ticks_[kShortCall] = {};
  uint32_t next_serial_ = 1;

  std::vector<RegionStats> region_stats_;
  std::vector<DurationStats> sequence_stats_;
  std::vector<LoopStats> loop_stats_;

  // Iteration durations by loop (IterationStats, filled by fill_summary()). The
  // outliers (above mean + 3 standard deviations) are counted at the end, from
  // the longest durations: a loop keeps its kLongestKept longest, so the count
  // is exact when the shortest of them is not above the threshold (when no more
  // than that many are, which mean + 3 standard deviations makes at most a
  // tenth of the iterations), and unknown otherwise. A thread keeps at most
  // kLongestTotal durations in all (2 MiB): a loop that finds no room left has
  // its outliers unknown. Readers then count them with a replay.
  static constexpr size_t kLongestKept = 4096;
  static constexpr size_t kLongestTotal = size_t{1} << 18;
  // A slowest iteration while recording: its occurrence is known once the
  // loop's counts up to its slot have left (record_loop()).
  struct SlowEntry {
    uint64_t slot;
    uint64_t occurrence;  // kUnplaced until the slot's count leaves
    uint32_t iteration;
    uint64_t ticks;
  };
  static constexpr uint64_t kUnplaced = UINT64_MAX;
  // The count of durations is the loop's iterations (LoopStats), the longest
  // is the first of `slowest`: neither costs the hot path anything.
  struct IterationTimes {
    uint64_t sum = 0;
    uint64_t min = UINT64_MAX;
    uint128 sum_squares = 0;
    std::vector<SlowEntry> slowest;  // longest first, then by slot and iteration
    uint32_t unplaced = 0;           // entries of `slowest` without their occurrence yet
    std::vector<uint64_t> longest;   // min-heap of the longest durations
    bool lost = false;               // a duration that belonged in `longest` found no room
    uint64_t floor = 0;              // a shorter duration changes neither list
  };
  void keep_long_iteration(IterationTimes& t, uint64_t slot, uint32_t iteration, uint64_t ticks);
  static uint64_t count_outliers(const IterationTimes& t, uint64_t count);
  std::vector<IterationTimes> iteration_times_;
  size_t longest_total_ = 0;  // durations kept in every loop's `longest`
};

}  // namespace rondo::format
