#include "rondo/analyzer/wait_states.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>

#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/trace_summary.h"
#include "wait_root_causes.h"

namespace rondo::analyzer {

using format::CollectiveOp;

std::string_view wait_pattern_name(WaitPattern pattern) {
  switch (pattern) {
    case WaitPattern::LateSender: return "late_sender";
    case WaitPattern::LateReceiver: return "late_receiver";
    case WaitPattern::WaitAtBarrier: return "wait_at_barrier";
    case WaitPattern::WaitAtNxN: return "wait_at_nxn";
    case WaitPattern::LateBroadcast: return "late_broadcast";
    case WaitPattern::EarlyReduce: return "early_reduce";
  }
  return "unknown";
}

std::string_view wait_pattern_title(WaitPattern pattern) {
  switch (pattern) {
    case WaitPattern::LateSender: return "Late Sender";
    case WaitPattern::LateReceiver: return "Late Receiver";
    case WaitPattern::WaitAtBarrier: return "Wait at Barrier";
    case WaitPattern::WaitAtNxN: return "Wait at N x N";
    case WaitPattern::LateBroadcast: return "Late Broadcast";
    case WaitPattern::EarlyReduce: return "Early Reduce";
  }
  return "Unknown";
}

namespace {

constexpr const char* kTopLevel = "(top level)";

// What kind of waiting a blocking collective can cause.
enum class CollectiveShape { None, Barrier, NxN, OneToN, NToOne };

CollectiveShape shape(CollectiveOp op) {
  switch (op) {
    case CollectiveOp::Barrier: return CollectiveShape::Barrier;
    case CollectiveOp::Allreduce: case CollectiveOp::Allgather: case CollectiveOp::Allgatherv:
    case CollectiveOp::Alltoall: case CollectiveOp::Alltoallv: case CollectiveOp::Alltoallw:
    case CollectiveOp::ReduceScatter: case CollectiveOp::ReduceScatterBlock: return CollectiveShape::NxN;
    case CollectiveOp::Bcast: case CollectiveOp::Scatter: case CollectiveOp::Scatterv: return CollectiveShape::OneToN;
    case CollectiveOp::Reduce: case CollectiveOp::Gather: case CollectiveOp::Gatherv: return CollectiveShape::NToOne;
    default: return CollectiveShape::None;
  }
}

// The blocking form of `op` is the MPI function of that name ("MPI_Allreduce"
// for allreduce); the nonblocking one (MPI_Iallreduce) returns at once and is
// not a wait state.
bool blocking_call(const CollectiveRecord& c, std::string_view call) {
  std::string expected = "mpi_" + std::string(format::collective_name(c.op));
  if (call.size() != expected.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(call[i])) != expected[i]) return false;
  return true;
}

bool named(std::string_view call, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), call) != names.end();
}

// Point-to-point calls that block until their messages can proceed (header:
// "Waiting calls"); the collectives are chosen by blocking_call().
bool blocking_p2p(std::string_view call) {
  return named(call, {"MPI_Recv", "MPI_Mrecv", "MPI_Sendrecv", "MPI_Sendrecv_replace", "MPI_Send", "MPI_Ssend",
                      "MPI_Wait", "MPI_Waitall", "MPI_Waitany", "MPI_Waitsome"});
}

// Whether a send could only complete once its receiver had posted the receive:
// synchronous sends always, standard-mode ones above the eager limit.
bool waits_for_receiver(std::string_view posting, uint64_t bytes, uint64_t eager_limit) {
  if (named(posting, {"MPI_Ssend", "MPI_Issend"})) return true;
  if (named(posting, {"MPI_Send", "MPI_Isend", "MPI_Sendrecv", "MPI_Sendrecv_replace", "MPI_Start", "MPI_Startall"}))
    return bytes > eager_limit;
  return false;  // buffered and ready sends, or a send outside a known call
}

// What the name of an MPI call says about its waiting, found once per (process,
// region) rather than by comparing names for each of millions of messages.
class CallRoles {
 public:
  explicit CallRoles(const MpiScan& scan) : scan_(scan) {}
  bool blocking_p2p(uint32_t process, const MpiCallInfo& call) { return roles(process, call) & kBlockingP2p; }
  bool waits_for_receiver(const SendRecord& s, const MpiCallInfo& posting, uint64_t eager_limit) {
    const uint8_t r = roles(s.process, posting);
    return (r & kSynchronousSend) || ((r & kStandardSend) && s.bytes > eager_limit);
  }

 private:
  static constexpr uint8_t kKnown = 1, kBlockingP2p = 2, kSynchronousSend = 4, kStandardSend = 8;
  uint8_t roles(uint32_t process, const MpiCallInfo& call) {
    if (!call.in_call()) return classify(call);
    if (table_.size() <= process) table_.resize(process + 1);
    std::vector<uint8_t>& t = table_[process];
    if (t.size() <= call.region) t.resize(static_cast<size_t>(call.region) + 1, 0);
    if (!(t[call.region] & kKnown)) t[call.region] = classify(call);
    return t[call.region];
  }
  uint8_t classify(const MpiCallInfo& info) const {
    const std::string_view call = scan_.call_name(info);
    uint8_t r = kKnown;
    if (::rondo::analyzer::blocking_p2p(call)) r |= kBlockingP2p;
    if (::rondo::analyzer::waits_for_receiver(call, 1, 1)) r |= kSynchronousSend;
    if (::rondo::analyzer::waits_for_receiver(call, 1, 0)) r |= kStandardSend;
    return r;
  }
  const MpiScan& scan_;
  std::vector<std::vector<uint8_t>> table_;  // per process, per region id
};

// Waiting per rank, per late partner and per root cause, for one pattern or
// all of them.
class RankTable {
 public:
  explicit RankTable(const std::vector<int32_t>& ranks) {
    for (int32_t r : ranks) entry(r);
  }
  void add(int32_t rank, int32_t partner, int64_t ns, const RootShares& roots) {
    if (rank < 0) return;
    Entry& e = entry(rank);
    ++e.waiting.instances;
    e.waiting.waiting_ns = format::add_ns(e.waiting.waiting_ns, ns);
    if (partner >= 0) {
      count(e.waited_for[partner], partner, ns);
      count(caused_[partner], partner, ns);
    }
    for (auto& [root, share] : roots) {
      if (root < 0) continue;
      count(e.rooted_in[root], root, share);
      count(root_of_[root], root, share);
    }
  }
  std::vector<RankWaiting> per_rank() const {
    std::vector<RankWaiting> out;
    for (const auto& [rank, e] : ranks_) {
      out.push_back(e.waiting);
      out.back().by_late_rank = sorted(e.waited_for);
      out.back().by_root_rank = sorted(e.rooted_in);
    }
    return out;
  }
  std::vector<LateRankWaiting> by_late_rank() const { return sorted(caused_); }
  std::vector<LateRankWaiting> by_root_rank() const { return sorted(root_of_); }

 private:
  using ByRank = std::map<int32_t, LateRankWaiting>;
  static void count(LateRankWaiting& w, int32_t rank, int64_t ns) {
    w.rank = rank;
    ++w.instances;
    w.waiting_ns = format::add_ns(w.waiting_ns, ns);
  }
  static std::vector<LateRankWaiting> sorted(const ByRank& m) {
    std::vector<LateRankWaiting> out;
    for (auto& [_, w] : m) out.push_back(w);
    std::sort(out.begin(), out.end(), [](const LateRankWaiting& a, const LateRankWaiting& b) {
      return a.waiting_ns != b.waiting_ns ? a.waiting_ns > b.waiting_ns : a.rank < b.rank;
    });
    return out;
  }
  struct Entry {
    RankWaiting waiting;
    ByRank waited_for, rooted_in;  // partner (root) -> waiting
  };
  Entry& entry(int32_t rank) {
    auto [it, inserted] = ranks_.try_emplace(rank);
    if (inserted) it->second.waiting = {rank, 0, 0, {}, {}};
    return it->second;
  }
  // Only ranks with a process file or with waiting: a rank number comes from a
  // record, and a table dense up to it could be 2^24 rows for one process.
  std::map<int32_t, Entry> ranks_;
  ByRank caused_, root_of_;                     // partner (root) -> waiting it caused
};

// Collects the calls that waited. A call waits once: the most any of its
// messages or its collective instance made it wait, with that pattern and
// partner (the header's "One waiting time per call"). Calls outside the window
// are collected too (a wait inside it may inherit their waiting) and left out
// of the result.
class Collector {
 public:
  Collector(const TimeWindow& window, const MpiScan& scan)
      : window_(window), scan_(scan), slot_of_call_(scan.calls.size(), kNoSlot), is_blocking_(scan.calls.size(), 0) {}

  // A blocking call of `rank` (process `process`), whether it waits or not.
  // `call`: an index into MpiScan::calls.
  void blocking(uint32_t process, int32_t rank, uint32_t call) {
    const MpiCallInfo& c = scan_.call(call);
    if (!c.complete()) return;
    // A process comes with its one rank millions of times (the two sides of
    // each message in turn): the map is asked once per (process, rank).
    if (rank >= 0) {
      if (rank_of_process_.size() <= process) rank_of_process_.resize(process + 1, -1);
      if (rank_of_process_[process] != rank) {
        process_of_rank_.try_emplace(rank, process);
        rank_of_process_[process] = rank;
      }
    }
    // A call completing several messages (MPI_Waitall) comes once per message:
    // a mark per call keeps one.
    if (is_blocking_[call]) return;
    is_blocking_[call] = 1;
    if (blocking_per_process_.size() <= c.process) blocking_per_process_.resize(c.process + 1, 0);
    ++blocking_per_process_[c.process];
  }

  // Fetches what blocking() and offer() will read of `call` into the cache.
  void prefetch(uint32_t call) const {
    __builtin_prefetch(&slot_of_call_[call]);
    __builtin_prefetch(&is_blocking_[call]);
  }

  // `rank` waited in `call` for `partner` (-1: unknown), whose late operation
  // happened at `partner_ns`.
  void offer(WaitPattern pattern, uint32_t process, int32_t rank, uint32_t call, int64_t partner_ns,
             int32_t partner) {
    blocking(process, rank, call);
    const MpiCallInfo& c = scan_.call(call);
    if (!c.complete()) return;
    int64_t waiting = std::min(partner_ns - c.enter_ns, c.exit_ns - c.enter_ns);
    if (waiting <= 0) return;
    Waiting candidate{pattern, rank, partner, process, call, c, waiting, partner_ns};
    uint32_t& slot = slot_of_call_[call];
    if (slot == kNoSlot) {
      slot = static_cast<uint32_t>(waiting_.size());
      waiting_.push_back(candidate);
    } else if (candidate.before(waiting_[slot])) {
      waiting_[slot] = candidate;
    }
  }

  // `ranks`: the rows every per-rank table has at least (more where a rank
  // without a process file waited, which a complete trace never has).
  WaitStates result(const std::vector<int32_t>& ranks, int64_t run_ns) {
    order_waiting();
    std::vector<RootShares> roots = find_root_causes();
    WaitStates out;
    out.run_ns = run_ns;
    std::vector<std::map<SiteKey, WaitCallSite>> sites(kWaitPatternCount);
    std::vector<std::map<Place, WaitCallSite*>> places(kWaitPatternCount);
    std::vector<RankTable> tables(kWaitPatternCount, RankTable(ranks));
    RankTable all(ranks);
    for (size_t p = 0; p < kWaitPatternCount; ++p) {
      WaitPatternStats s;
      s.pattern = static_cast<WaitPattern>(p);
      out.patterns.push_back(std::move(s));
    }
    size_t index = 0;
    for (const Waiting& whole : waiting_) {
      RootShares root = std::move(roots[index++]);
      if (!window_.contains(whole.call.enter_ns)) continue;
      // The part of the waiting (the start of the call) inside the window.
      Waiting w = whole;
      w.ns = window_.clip(w.call.enter_ns, w.call.enter_ns + w.ns);
      if (w.ns < whole.ns) root = scale_shares(root, whole.ns, w.ns);
      if (w.ns <= 0) continue;
      auto p = static_cast<size_t>(w.pattern);
      WaitPatternStats& s = out.patterns[p];
      ++s.instances;
      s.waiting_ns = format::add_ns(s.waiting_ns, w.ns);
      tables[p].add(w.rank, w.partner, w.ns, root);
      all.add(w.rank, w.partner, w.ns, root);
      WaitCallSite& site = site_row(sites[p], places[p], w);
      ++site.instances;
      site.waiting_ns = format::add_ns(site.waiting_ns, w.ns);
      if (w.ns > site.worst_ns || (w.ns == site.worst_ns && w.rank < site.worst_rank)) {
        site.worst_ns = w.ns;
        site.worst_rank = w.rank;
        site.worst_partner = w.partner;
        site.worst_enter_ns = w.call.enter_ns;
        site.worst_exit_ns = w.call.exit_ns;
      }
    }
    auto share = [&](int64_t ns) { return run_ns > 0 ? static_cast<double>(ns) / static_cast<double>(run_ns) : 0.0; };
    for (size_t p = 0; p < kWaitPatternCount; ++p) {
      WaitPatternStats& s = out.patterns[p];
      s.per_rank = tables[p].per_rank();
      s.by_late_rank = tables[p].by_late_rank();
      s.by_root_rank = tables[p].by_root_rank();
      for (auto& [_, site] : sites[p]) s.call_sites.push_back(std::move(site));
      std::stable_sort(s.call_sites.begin(), s.call_sites.end(),
                       [](const WaitCallSite& a, const WaitCallSite& b) { return a.waiting_ns > b.waiting_ns; });
      s.share = share(s.waiting_ns);
      out.total_ns = format::add_ns(out.total_ns, s.waiting_ns);
      out.instances += s.instances;
    }
    out.per_rank = all.per_rank();
    out.by_late_rank = all.by_late_rank();
    out.by_root_rank = all.by_root_rank();
    out.share = share(out.total_ns);
    return out;
  }

 private:
  // (call, caller, function, file, line): one row per MPI function and place.
  using SiteKey = std::tuple<std::string, std::string, std::string, std::string, uint32_t>;
  // A waiting call's place as its process records it: (process, call region,
  // caller region, call site). Rows are found by name once per place, not once
  // per waiting call (hundreds of thousands on a large trace).
  using Place = std::tuple<uint32_t, uint32_t, uint32_t, uint32_t>;

  struct Waiting;

  // The row of `rows` for w's MPI function and place, made when new.
  WaitCallSite& site_row(std::map<SiteKey, WaitCallSite>& rows, std::map<Place, WaitCallSite*>& places,
                         const Waiting& w) const {
    WaitCallSite*& known = places[Place{w.process, w.call.region, w.call.caller, w.call.site}];
    if (known != nullptr) return *known;
    const std::string_view caller_name = scan_.caller_name(w.call);
    std::string caller = caller_name.empty() ? std::string(kTopLevel) : std::string(caller_name);
    CallSiteFrameText where;
    if (const uint32_t process = w.process; process < scan_.call_sites.size() && w.call.site > 0 &&
                                                   w.call.site <= scan_.call_sites[process].size())
      where = scan_.call_sites[process][w.call.site - 1];
    const std::string name(scan_.call_name(w.call));
    WaitCallSite& site = rows[{name, caller, where.function, where.file, where.line}];
    if (site.instances == 0) {
      site.call = name;
      site.caller = caller;
      site.function = std::move(where.function);
      site.file = std::move(where.file);
      site.line = where.line;
    }
    known = &site;
    return site;
  }

  struct Waiting {
    WaitPattern pattern;
    int32_t rank = -1;
    int32_t partner = -1;
    uint32_t process = 0;
    uint32_t call_index = 0;  // in MpiScan::calls
    // A copy: the result reads the calls in the order of their waiting, which
    // would miss the cache at each of them.
    MpiCallInfo call;
    int64_t ns = 0;
    int64_t partner_ns = 0;
    // Longer waiting wins; ties go to the first pattern, then the lowest
    // partner, so that the result does not depend on the order of offers.
    bool before(const Waiting& o) const {
      return std::tuple(-ns, pattern, partner) < std::tuple(-o.ns, o.pattern, o.partner);
    }
  };
  static constexpr uint32_t kNoSlot = UINT32_MAX;

  // The waiting calls in a fixed order, (process, call enter, call index),
  // whatever order they were offered in; slot_of_call_ follows them. The scan
  // lays calls out by location, each thread's in the order they were made, so
  // taking them in index order leaves only processes with several MPI threads
  // to sort (a sort of the entries was a tenth of the wait states).
  void order_waiting() {
    std::vector<Waiting> ordered;
    ordered.reserve(waiting_.size());
    for (uint32_t slot : slot_of_call_)
      if (slot != kNoSlot) ordered.push_back(waiting_[slot]);
    auto key = [](const Waiting& w) { return std::tuple(w.process, w.call.enter_ns, w.call_index); };
    auto by_key = [&](const Waiting& a, const Waiting& b) { return key(a) < key(b); };
    if (!std::is_sorted(ordered.begin(), ordered.end(), by_key)) std::sort(ordered.begin(), ordered.end(), by_key);
    waiting_ = std::move(ordered);
    for (size_t i = 0; i < waiting_.size(); ++i) slot_of_call_[waiting_[i].call_index] = static_cast<uint32_t>(i);
  }

  // Each process's blocking calls sorted by (exit, enter, call index), as
  // root_causes() takes them, each pointing at its waiting if it had some. The
  // calls of a process's only thread are in time order by index, so walking
  // the marks in index order leaves nothing to sort; several threads' calls
  // are sorted.
  std::vector<std::vector<BlockingCall>> blocking_calls() const {
    // Each process's list is made at its size (millions of calls, counted as
    // blocking() marked them), not grown by doubling, which at its last step
    // holds the old and the new array, three times the list.
    std::vector<std::vector<BlockingCall>> blocking(blocking_per_process_.size());
    for (size_t p = 0; p < blocking.size(); ++p) blocking[p].reserve(blocking_per_process_[p]);
    // The marked calls are a few in every ten, spread over the whole array:
    // each is fetched kAhead calls before it is read.
    constexpr uint32_t kAhead = 256;
    const auto n = static_cast<uint32_t>(is_blocking_.size());
    for (uint32_t i = 0; i < n; ++i) {
      if (i + kAhead < n && is_blocking_[i + kAhead]) __builtin_prefetch(&scan_.call(i + kAhead));
      if (!is_blocking_[i]) continue;
      const MpiCallInfo& c = scan_.call(i);
      blocking[c.process].push_back({c.enter_ns, c.exit_ns, i});
    }
    auto by_exit = [](const BlockingCall& a, const BlockingCall& b) {
      return std::tuple(a.exit_ns, a.enter_ns, a.waited) < std::tuple(b.exit_ns, b.enter_ns, b.waited);
    };
    for (auto& calls : blocking) {
      if (!std::is_sorted(calls.begin(), calls.end(), by_exit)) std::sort(calls.begin(), calls.end(), by_exit);
      // `waited` held the call's index: now the position of its waiting, if any.
      for (BlockingCall& c : calls) {
        const uint32_t slot = slot_of_call_[c.waited];
        c.waited = slot == kNoSlot ? BlockingCall::kNoWait : slot;
      }
    }
    return blocking;
  }

  // Root shares of every waiting call, in the order of waiting_ (order_waiting()).
  std::vector<RootShares> find_root_causes() {
    std::vector<WaitedCall> waited;
    waited.reserve(waiting_.size());
    for (const Waiting& w : waiting_)
      waited.push_back({w.process, w.partner, w.call.enter_ns, w.call.exit_ns, w.ns, w.partner_ns});
    std::vector<std::vector<BlockingCall>> blocking = blocking_calls();
    return root_causes(waited, blocking, process_of_rank_);
  }

  const TimeWindow& window_;
  const MpiScan& scan_;  // its calls, and its call-site table that names the places
  // The calls that waited, one entry each (millions on large traces), and
  // where each call's entry is (kNoSlot: it did not wait).
  std::vector<Waiting> waiting_;
  std::vector<uint32_t> slot_of_call_;
  std::vector<uint8_t> is_blocking_;  // per call: 1 if blocking() was told of it
  std::vector<size_t> blocking_per_process_;  // how many calls of each process are marked
  std::map<int32_t, uint32_t> process_of_rank_;
  std::vector<int32_t> rank_of_process_;  // per process: the rank last entered with it in process_of_rank_
};

// The waiting of one matched message's two sides.
void message_waits(const MpiScan& scan, const SendRecord& s, const RecvRecord& r, uint64_t eager_limit,
                   CallRoles& roles, Collector& out) {
  // Sends are recorded when their call begins; receives are posted when theirs does.
  const MpiCallInfo &send_call = scan.call(s.call), &recv_call = scan.call(r.call);
  int64_t send_start = send_call.in_call() ? send_call.enter_ns : s.position.ns;
  int64_t recv_post = recv_call.in_call() ? recv_call.enter_ns : r.position.ns;

  if (roles.blocking_p2p(r.process, scan.call(r.completion)))
    out.offer(WaitPattern::LateSender, r.process, r.dst, r.completion, send_start, s.src);

  // The blocking send, or the MPI_Wait* completing a nonblocking one.
  const MpiCallInfo& sending = scan.call(s.completion);
  if (!roles.blocking_p2p(s.process, sending)) return;
  if (roles.waits_for_receiver(s, send_call, eager_limit) && sending.exit_ns > recv_post)
    out.offer(WaitPattern::LateReceiver, s.process, s.src, s.completion, recv_post, r.dst);
  else
    out.blocking(s.process, s.src, s.completion);
}

void point_to_point(const MpiScan& scan, const MessageMatching& matching, uint64_t eager_limit, Collector& out) {
  CallRoles roles(scan);
  auto matched = [&](const MessagePair& p) { return p.send < scan.sends.size() && p.recv < scan.recvs.size(); };
  // The pairs' records and their calls lie all over the scan (hundreds of MB):
  // each message would wait for six cache misses in turn. The records are
  // fetched kRecordsAhead messages ahead, and the calls they name (once those
  // records have arrived) kCallsAhead ahead, so that the misses overlap.
  constexpr size_t kRecordsAhead = 32, kCallsAhead = 16;
  const std::vector<MessagePair>& pairs = matching.pairs;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i + kRecordsAhead < pairs.size() && matched(pairs[i + kRecordsAhead])) {
      __builtin_prefetch(&scan.sends[pairs[i + kRecordsAhead].send]);
      __builtin_prefetch(&scan.recvs[pairs[i + kRecordsAhead].recv]);
    }
    if (i + kCallsAhead < pairs.size() && matched(pairs[i + kCallsAhead])) {
      const SendRecord& s = scan.sends[pairs[i + kCallsAhead].send];
      const RecvRecord& r = scan.recvs[pairs[i + kCallsAhead].recv];
      for (uint32_t call : {s.call, s.completion, r.call, r.completion}) __builtin_prefetch(&scan.call(call));
      out.prefetch(s.completion);
      out.prefetch(r.completion);
    }
    if (matched(pairs[i])) message_waits(scan, scan.sends[pairs[i].send], scan.recvs[pairs[i].recv], eager_limit, roles, out);
  }
  for (const Message& m : matching.messages)
    if (m.matched() && m.send_record < scan.sends.size() && m.recv_record < scan.recvs.size())
      message_waits(scan, scan.sends[m.send_record], scan.recvs[m.recv_record], eager_limit, roles, out);
}

// One instance of a collective: the k-th call of its operation on its
// communicator by each member.
void collective_instance(const MpiScan& scan, const std::vector<const CollectiveRecord*>& members, Collector& out) {
  auto enter = [&](const CollectiveRecord* c) { return scan.call(c->call).enter_ns; };
  auto offer = [&](WaitPattern p, const CollectiveRecord* c, const CollectiveRecord* late) {
    out.offer(p, c->process, c->rank, c->call, enter(late), late->rank);
  };
  for (auto* c : members) out.blocking(c->process, c->rank, c->call);
  CollectiveShape kind = shape(members.front()->op);
  if (kind == CollectiveShape::Barrier || kind == CollectiveShape::NxN) {
    // The member that entered last (the lowest rank among equals).
    const CollectiveRecord* last = members.front();
    for (auto* c : members)
      if (enter(c) > enter(last) || (enter(c) == enter(last) && c->rank < last->rank)) last = c;
    for (auto* c : members)
      if (c != last) offer(kind == CollectiveShape::Barrier ? WaitPattern::WaitAtBarrier : WaitPattern::WaitAtNxN, c, last);
    return;
  }
  auto root = std::find_if(members.begin(), members.end(), [](auto* c) { return c->rank == c->root; });
  if (root == members.end()) return;
  if (kind == CollectiveShape::OneToN) {
    for (auto* c : members)
      if (c != *root) offer(WaitPattern::LateBroadcast, c, *root);
  } else if (kind == CollectiveShape::NToOne) {
    const CollectiveRecord* first = nullptr;
    for (auto* c : members)
      if (c != *root && (!first || enter(c) < enter(first) || (enter(c) == enter(first) && c->rank < first->rank)))
        first = c;
    if (first) offer(WaitPattern::EarlyReduce, *root, first);
  }
}

void collectives(const MpiScan& scan, Collector& out) {
  std::vector<const CollectiveRecord*> calls;
  for (const CollectiveRecord& c : scan.collectives) {
    if (shape(c.op) == CollectiveShape::None || c.comm >= scan.communicators.size()) continue;
    const MpiCallInfo& call = scan.call(c.call);
    if (scan.communicators[c.comm].intercommunicator() || !call.complete() || !blocking_call(c, scan.call_name(call))) continue;
    calls.push_back(&c);
  }
  auto order = [&](const CollectiveRecord* c) {
    return std::tuple(c->comm, c->op, c->process, scan.call(c->call).enter_ns, c->thread);
  };
  std::sort(calls.begin(), calls.end(), [&](auto* a, auto* b) { return order(a) < order(b); });
  // Per (communicator, operation): each member's calls in order; the k-th of each
  // form instance k.
  for (size_t begin = 0; begin < calls.size();) {
    size_t end = begin;
    std::vector<std::pair<size_t, size_t>> members;  // [first, last) of each process
    while (end < calls.size() && calls[end]->comm == calls[begin]->comm && calls[end]->op == calls[begin]->op) {
      if (members.empty() || calls[end]->process != calls[members.back().first]->process)
        members.push_back({end, end});
      members.back().second = ++end;
    }
    size_t instances = 0;
    for (auto& [first, last] : members) instances = std::max(instances, last - first);
    std::vector<const CollectiveRecord*> instance;
    for (size_t k = 0; k < instances; ++k) {
      instance.clear();
      for (auto& [first, last] : members)
        if (first + k < last) instance.push_back(calls[first + k]);
      if (instance.size() >= 2) collective_instance(scan, instance, out);
    }
    begin = end;
  }
}

}  // namespace

std::string WaitCallSite::place() const {
  return function.empty() ? caller : call_site_place(function, file, line);
}

WaitStates wait_states(const MpiScan& scan, const MessageMatching& matching, const TimeWindow& window,
                       int64_t run_ns, uint64_t eager_limit_bytes) {
  Collector collector(window, scan);
  point_to_point(scan, matching, eager_limit_bytes, collector);
  collectives(scan, collector);
  WaitStates w = collector.result(scan.recorded_ranks, run_ns);
  w.eager_limit_bytes = eager_limit_bytes;
  w.has_mpi = scan.any_mpi();
  return w;
}

WaitStates wait_states(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                       const TimeWindow& window) {
  return wait_states(scan, matching, window, mpi_stats(trace, scan, matching).run_ns());
}

namespace {
nlohmann::ordered_json late_ranks_json(const std::vector<LateRankWaiting>& v) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const LateRankWaiting& l : v)
    out.push_back({{"rank", l.rank}, {"instances", l.instances}, {"waiting_ns", l.waiting_ns}});
  return out;
}
nlohmann::ordered_json ranks_json(const std::vector<RankWaiting>& v) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const RankWaiting& r : v)
    out.push_back({{"rank", r.rank}, {"instances", r.instances}, {"waiting_ns", r.waiting_ns},
                   {"by_late_rank", late_ranks_json(r.by_late_rank)},
                   {"by_root_rank", late_ranks_json(r.by_root_rank)}});
  return out;
}
}  // namespace

nlohmann::ordered_json wait_states_json(const WaitStates& w) {
  using nlohmann::ordered_json;
  ordered_json patterns = ordered_json::array();
  for (const WaitPatternStats& p : w.patterns) {
    ordered_json sites = ordered_json::array();
    for (const WaitCallSite& s : p.call_sites)
      sites.push_back({{"call", s.call}, {"caller", s.caller}, {"function", s.function}, {"file", s.file},
                       {"line", s.line}, {"place", s.place()}, {"instances", s.instances},
                       {"waiting_ns", s.waiting_ns}, {"worst_rank", s.worst_rank}, {"worst_ns", s.worst_ns}});
    patterns.push_back({{"name", std::string(p.name())}, {"instances", p.instances}, {"waiting_ns", p.waiting_ns},
                        {"share", p.share}, {"per_rank", ranks_json(p.per_rank)},
                        {"by_late_rank", late_ranks_json(p.by_late_rank)},
                        {"by_root_rank", late_ranks_json(p.by_root_rank)}, {"call_sites", std::move(sites)}});
  }
  return {{"total_ns", w.total_ns}, {"instances", w.instances}, {"share", w.share}, {"run_ns", w.run_ns},
          {"eager_limit_bytes", w.eager_limit_bytes}, {"patterns", std::move(patterns)},
          {"per_rank", ranks_json(w.per_rank)}, {"by_late_rank", late_ranks_json(w.by_late_rank)},
          {"by_root_rank", late_ranks_json(w.by_root_rank)}};
}

}  // namespace rondo::analyzer
