#include "rondo/analyzer/wait_states.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <tuple>

#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/trace_summary.h"

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
bool blocking_call(const CollectiveRecord& c) {
  std::string expected = "mpi_" + std::string(format::collective_name(c.op));
  if (c.call.name.size() != expected.size()) return false;
  for (size_t i = 0; i < expected.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(c.call.name[i])) != expected[i]) return false;
  return true;
}

bool named(const MpiCallInfo& call, std::initializer_list<std::string_view> names) {
  return std::find(names.begin(), names.end(), call.name) != names.end();
}

// Collects the calls that waited; a call waits once per pattern, the most any of
// its messages or instances made it wait.
class Collector {
 public:
  explicit Collector(const TimeWindow& window) : window_(window) {}

  void offer(WaitPattern pattern, uint32_t process, int32_t rank, const MpiCallInfo& call, int64_t waiting) {
    if (!call.complete() || !window_.contains(call.enter_ns)) return;
    waiting = std::min(waiting, call.exit_ns - call.enter_ns);
    if (waiting <= 0) return;
    Waiting& w = calls_[{static_cast<uint8_t>(pattern), process, call.region, call.enter_ns}];
    if (waiting > w.ns) w = {rank, &call, waiting};
  }

  WaitStates result(int32_t world_size, int64_t run_ns) const {
    WaitStates out;
    out.run_ns = run_ns;
    std::vector<std::map<std::pair<std::string, std::string>, WaitCallSite>> sites(kWaitPatternCount);
    for (size_t p = 0; p < kWaitPatternCount; ++p) {
      WaitPatternStats s;
      s.pattern = static_cast<WaitPattern>(p);
      for (int32_t r = 0; r < world_size; ++r) s.per_rank.push_back({r, 0, 0});
      out.patterns.push_back(std::move(s));
    }
    for (const auto& [key, w] : calls_) {
      WaitPatternStats& s = out.patterns[std::get<0>(key)];
      ++s.instances;
      s.waiting_ns += w.ns;
      if (w.rank >= 0) {
        if (static_cast<size_t>(w.rank) >= s.per_rank.size())
          for (int32_t r = static_cast<int32_t>(s.per_rank.size()); r <= w.rank; ++r) s.per_rank.push_back({r, 0, 0});
        ++s.per_rank[static_cast<size_t>(w.rank)].instances;
        s.per_rank[static_cast<size_t>(w.rank)].waiting_ns += w.ns;
      }
      std::string caller = w.call->caller.empty() ? std::string(kTopLevel) : std::string(w.call->caller);
      WaitCallSite& site = sites[std::get<0>(key)][{std::string(w.call->name), caller}];
      if (site.instances == 0) {
        site.call = std::string(w.call->name);
        site.caller = caller;
      }
      ++site.instances;
      site.waiting_ns += w.ns;
      if (w.ns > site.worst_ns || (w.ns == site.worst_ns && w.rank < site.worst_rank)) {
        site.worst_ns = w.ns;
        site.worst_rank = w.rank;
      }
    }
    auto share = [&](int64_t ns) { return run_ns > 0 ? static_cast<double>(ns) / static_cast<double>(run_ns) : 0.0; };
    for (size_t p = 0; p < kWaitPatternCount; ++p) {
      WaitPatternStats& s = out.patterns[p];
      for (auto& [_, site] : sites[p]) s.call_sites.push_back(std::move(site));
      std::stable_sort(s.call_sites.begin(), s.call_sites.end(),
                       [](const WaitCallSite& a, const WaitCallSite& b) { return a.waiting_ns > b.waiting_ns; });
      s.share = share(s.waiting_ns);
      out.total_ns += s.waiting_ns;
      out.instances += s.instances;
    }
    out.share = share(out.total_ns);
    return out;
  }

 private:
  struct Waiting {
    int32_t rank = -1;
    const MpiCallInfo* call = nullptr;
    int64_t ns = 0;
  };
  const TimeWindow& window_;
  // (pattern, process, call region, call enter) -> how long that call waited
  std::map<std::tuple<uint8_t, uint32_t, uint32_t, int64_t>, Waiting> calls_;
};

void point_to_point(const MpiScan& scan, const MessageMatching& matching, Collector& out) {
  for (const Message& m : matching.messages) {
    if (!m.matched() || m.send_record >= scan.sends.size() || m.recv_record >= scan.recvs.size()) continue;
    const SendRecord& s = scan.sends[m.send_record];
    const RecvRecord& r = scan.recvs[m.recv_record];
    // Sends are recorded when their call begins; receives are posted when theirs does.
    int64_t send_start = s.call.in_call() ? s.call.enter_ns : s.position.ns;
    int64_t recv_post = r.call.in_call() ? r.call.enter_ns : r.position.ns;

    out.offer(WaitPattern::LateSender, r.process, r.dst, r.completion, send_start - r.completion.enter_ns);

    const MpiCallInfo* sending = nullptr;
    if (!s.nonblocking && named(s.call, {"MPI_Send", "MPI_Ssend"}))
      sending = &s.call;
    else if (s.nonblocking && named(s.call, {"MPI_Isend", "MPI_Issend"}))
      sending = &s.completion;
    if (sending && sending->complete() && sending->exit_ns > recv_post)
      out.offer(WaitPattern::LateReceiver, s.process, s.src, *sending, recv_post - sending->enter_ns);
  }
}

// One instance of a collective: the k-th call of its operation on its
// communicator by each member.
void collective_instance(const std::vector<const CollectiveRecord*>& members, Collector& out) {
  auto enter = [](const CollectiveRecord* c) { return c->call.enter_ns; };
  auto offer = [&](WaitPattern p, const CollectiveRecord* c, int64_t waiting) {
    out.offer(p, c->process, c->rank, c->call, waiting);
  };
  CollectiveShape kind = shape(members.front()->op);
  if (kind == CollectiveShape::Barrier || kind == CollectiveShape::NxN) {
    int64_t last = 0;
    for (auto* c : members) last = std::max(last, enter(c));
    for (auto* c : members)
      offer(kind == CollectiveShape::Barrier ? WaitPattern::WaitAtBarrier : WaitPattern::WaitAtNxN, c, last - enter(c));
    return;
  }
  auto root = std::find_if(members.begin(), members.end(), [](auto* c) { return c->rank == c->root; });
  if (root == members.end()) return;
  if (kind == CollectiveShape::OneToN) {
    for (auto* c : members)
      if (c != *root) offer(WaitPattern::LateBroadcast, c, enter(*root) - enter(c));
  } else if (kind == CollectiveShape::NToOne) {
    int64_t first = INT64_MAX;
    for (auto* c : members)
      if (c != *root) first = std::min(first, enter(c));
    if (first != INT64_MAX) offer(WaitPattern::EarlyReduce, *root, first - enter(*root));
  }
}

void collectives(const MpiScan& scan, Collector& out) {
  std::vector<const CollectiveRecord*> calls;
  for (const CollectiveRecord& c : scan.collectives) {
    if (shape(c.op) == CollectiveShape::None || c.comm >= scan.communicators.size()) continue;
    if (scan.communicators[c.comm].intercommunicator() || !c.call.complete() || !blocking_call(c)) continue;
    calls.push_back(&c);
  }
  auto order = [](const CollectiveRecord* c) { return std::tuple(c->comm, c->op, c->process, c->call.enter_ns, c->thread); };
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
      if (instance.size() >= 2) collective_instance(instance, out);
    }
    begin = end;
  }
}

}  // namespace

WaitStates wait_states(const MpiScan& scan, const MessageMatching& matching, const TimeWindow& window,
                       int64_t run_ns) {
  Collector collector(window);
  point_to_point(scan, matching, collector);
  collectives(scan, collector);
  WaitStates w = collector.result(scan.world_size, run_ns);
  w.has_mpi = scan.any_mpi();
  return w;
}

WaitStates wait_states(const format::TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                       const TimeWindow& window) {
  return wait_states(scan, matching, window, mpi_stats(trace, scan, matching).run_ns());
}

nlohmann::ordered_json wait_states_json(const WaitStates& w) {
  using nlohmann::ordered_json;
  ordered_json patterns = ordered_json::array();
  for (const WaitPatternStats& p : w.patterns) {
    ordered_json per_rank = ordered_json::array();
    for (const RankWaiting& r : p.per_rank)
      per_rank.push_back({{"rank", r.rank}, {"instances", r.instances}, {"waiting_ns", r.waiting_ns}});
    ordered_json sites = ordered_json::array();
    for (const WaitCallSite& s : p.call_sites)
      sites.push_back({{"call", s.call}, {"caller", s.caller}, {"instances", s.instances},
                       {"waiting_ns", s.waiting_ns}, {"worst_rank", s.worst_rank}, {"worst_ns", s.worst_ns}});
    patterns.push_back({{"name", std::string(p.name())}, {"instances", p.instances}, {"waiting_ns", p.waiting_ns},
                        {"share", p.share}, {"per_rank", std::move(per_rank)}, {"call_sites", std::move(sites)}});
  }
  return {{"total_ns", w.total_ns}, {"instances", w.instances}, {"share", w.share}, {"run_ns", w.run_ns},
          {"patterns", std::move(patterns)}};
}

}  // namespace rondo::analyzer
