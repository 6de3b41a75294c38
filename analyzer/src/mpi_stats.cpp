#include "rondo/analyzer/mpi_stats.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <map>
#include <utility>

#include "message_view.h"
#include "rondo/analyzer/thread_stats.h"
#include "rondo/analyzer/trace_summary.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

// Bucket 0 holds empty messages, bucket k > 0 sizes in [2^(k-1), 2^k - 1].
size_t size_bucket(uint64_t bytes) { return static_cast<size_t>(std::bit_width(bytes)); }

std::vector<std::vector<uint64_t>> dense(int32_t ranks, const std::vector<PairTraffic>& pairs, bool bytes) {
  std::vector<std::vector<uint64_t>> m(static_cast<size_t>(ranks), std::vector<uint64_t>(static_cast<size_t>(ranks), 0));
  for (const PairTraffic& p : pairs)
    if (p.src >= 0 && p.dst >= 0 && p.src < ranks && p.dst < ranks)
      m[static_cast<size_t>(p.src)][static_cast<size_t>(p.dst)] = bytes ? p.bytes : p.count;
  return m;
}

void add_call(MpiCallRow& row, const RegionPartial& r) {
  if (r.calls == 0) return;
  row.min_ns = row.calls ? std::min(row.min_ns, r.min_ns) : r.min_ns;
  row.max_ns = row.calls ? std::max(row.max_ns, r.max_ns) : r.max_ns;
  row.calls += r.calls;
  row.inclusive_ns = add_ns(row.inclusive_ns, r.inclusive_ns);
}

}  // namespace

std::vector<std::vector<uint64_t>> MpiStats::matrix_bytes() const { return dense(ranks, pairs, true); }
std::vector<std::vector<uint64_t>> MpiStats::matrix_count() const { return dense(ranks, pairs, false); }

int64_t MpiStats::run_ns() const { return mpi_run_ns(time_per_rank); }

std::vector<PairTraffic> MpiStats::top_pairs(size_t n) const {
  std::vector<PairTraffic> out = pairs;
  std::stable_sort(out.begin(), out.end(), [](const PairTraffic& a, const PairTraffic& b) { return a.bytes > b.bytes; });
  if (out.size() > n) out.resize(n);
  return out;
}

std::vector<RankMpiTime> mpi_time_per_rank(const TraceReader& trace, const MpiScan& scan,
                                           const std::vector<ProfilePartial>& profiles,
                                           const std::vector<ThreadActivityPartial>& activity) {
  std::map<std::pair<uint32_t, uint32_t>, const ThreadMpiActivity*> mpi_activity;
  for (const ThreadMpiActivity& a : scan.threads) mpi_activity[{a.process, a.thread}] = &a;
  std::vector<RankMpiTime> per_process(trace.processes().size());
  std::vector<int64_t> longest(trace.processes().size(), 0);
  std::vector<char> any(trace.processes().size(), 0), called(trace.processes().size(), 0);
  for (size_t i = 0; i < profiles.size() && i < activity.size(); ++i) {
    uint32_t pi = profiles[i].process, ti = profiles[i].thread;
    RankMpiTime& time = per_process[pi];
    int64_t span = activity[i].span_ns;
    longest[pi] = std::max(longest[pi], span);
    auto it = mpi_activity.find({pi, ti});
    if (it == mpi_activity.end()) continue;
    any[pi] = 1;
    if (it->second->mpi_calls > 0) {
      called[pi] = 1;
      time.mpi_ns = format::add_ns(time.mpi_ns, it->second->mpi_ns);
      time.mpi_calls += it->second->mpi_calls;
      time.total_ns = format::add_ns(time.total_ns, span);
    }
  }
  std::vector<RankMpiTime> out;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    RankMpiTime time = per_process[pi];
    time.rank = process_label(trace, pi);
    if (!called[pi]) time.total_ns = longest[pi];
    if (any[pi] || trace.processes()[pi]->rank() >= 0) out.push_back(time);
  }
  std::stable_sort(out.begin(), out.end(), [](const RankMpiTime& a, const RankMpiTime& b) { return a.rank < b.rank; });
  return out;
}

int64_t mpi_run_ns(const std::vector<RankMpiTime>& time_per_rank) {
  int64_t total = 0;
  for (const RankMpiTime& r : time_per_rank) total = format::add_ns(total, r.total_ns);
  return total;
}

MpiStats mpi_stats(const TraceReader& trace) {
  MpiScan scan = scan_mpi(trace);
  MessageMatching matching = match_messages(scan);
  return mpi_stats(trace, scan, matching);
}

MpiStats mpi_stats(const TraceReader& trace, const MpiScan& scan, const MessageMatching& matching) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<ProfilePartial> profiles(locations.size());
  std::vector<ThreadActivityPartial> activity(locations.size());
  for (size_t i = 0; i < locations.size(); ++i) {
    const ProcessReader& p = *trace.processes()[locations[i].process];
    profiles[i] = profile_thread(p, locations[i].process, locations[i].thread, {}, false);
    activity[i] = thread_activity(p, locations[i].process, locations[i].thread, {});
  }
  return mpi_stats(trace, scan, matching, profiles, activity, {});
}

MpiStats mpi_stats(const TraceReader& trace, const MpiScan& scan, const MessageMatching& matching,
                   const std::vector<ProfilePartial>& profiles, const std::vector<ThreadActivityPartial>& activity,
                   const TimeWindow& window) {
  MpiStats s;
  s.has_mpi = scan.any_mpi();
  s.ranks = matching.world_size;

  // Messages: a message counts where it was sent (an unmatched receive where it
  // was received).
  s.messages.cancelled = matching.cancelled;
  s.messages.incomplete_receives = matching.incomplete_receives;
  s.messages.incomplete_sends = matching.incomplete_sends;
  std::map<std::pair<int32_t, int32_t>, PairTraffic> pairs;
  std::vector<SizeBucket> buckets;
  std::vector<CommunicatorTraffic> comms(matching.communicators.size());
  // The pair of the last messages: a rank sends to a few neighbours over and
  // over, and a map lookup per message (millions) is most of this loop.
  constexpr size_t kPairMemo = 64;
  std::array<std::pair<std::pair<int32_t, int32_t>, PairTraffic*>, kPairMemo> memo{};
  auto pair_of = [&](int32_t src, int32_t dst) -> PairTraffic& {
    auto& [key, at] = memo[(static_cast<uint32_t>(src) * 31u + static_cast<uint32_t>(dst)) % kPairMemo];
    if (at == nullptr || key != std::pair(src, dst)) {
      key = {src, dst};
      at = &pairs[key];  // map nodes stay where they are
    }
    return *at;
  };
  for_each_message(scan, matching, [&](const Message& m) {
    if (!window.contains(m.has_send ? m.send_ns : m.recv_ns)) return;
    if (!m.matched()) {
      ++(m.has_send ? s.messages.unmatched_sends : s.messages.unmatched_receives);
      ++s.messages.unmatched;
      return;
    }
    ++s.messages.count;
    if (m.bytes_differ()) ++s.messages.bytes_mismatched;
    if (m.recv_ns < m.send_ns) ++s.received_before_sent;
    s.messages.bytes += m.bytes;
    PairTraffic& p = pair_of(m.src, m.dst);
    p.src = m.src;
    p.dst = m.dst;
    ++p.count;
    p.bytes += m.bytes;
    s.ranks = std::max({s.ranks, m.src + 1, m.dst + 1});
    size_t b = size_bucket(m.bytes);
    if (buckets.size() <= b) buckets.resize(b + 1);
    ++buckets[b].count;
    buckets[b].bytes += m.bytes;
    if (m.comm < comms.size()) {
      ++comms[m.comm].messages;
      comms[m.comm].bytes += m.bytes;
    }
  });
  for (auto& [_, p] : pairs) s.pairs.push_back(p);
  if (s.messages.count > 0) {
    TraceInfo info = trace_info(trace);
    int64_t lo = std::max(info.start_ns, window.begin_ns), hi = std::min(info.end_ns, window.end_ns);
    int64_t span = std::max<int64_t>(1, hi - lo), slices = MpiStats::kTrafficSlices;
    for (int64_t i = 0; i < slices; ++i)
      s.traffic.push_back({lo + span * i / slices - info.start_ns, lo + span * (i + 1) / slices - info.start_ns, 0, 0});
    for_each_message(scan, matching, [&](const Message& m) {
      if (!m.matched() || !window.contains(m.send_ns)) return;
      int64_t i = std::clamp<int64_t>((m.send_ns - lo) * slices / span, 0, slices - 1);
      ++s.traffic[static_cast<size_t>(i)].messages;
      s.traffic[static_cast<size_t>(i)].bytes += m.bytes;
    });
  }
  size_t first = 0;
  while (first < buckets.size() && buckets[first].count == 0) ++first;
  for (size_t b = first; b < buckets.size(); ++b) {
    SizeBucket bucket = buckets[b];
    bucket.min_bytes = b == 0 ? 0 : uint64_t{1} << (b - 1);
    bucket.max_bytes = b == 0 ? 0 : b >= 64 ? UINT64_MAX : (uint64_t{1} << b) - 1;
    s.size_histogram.push_back(bucket);
  }

  // Collectives.
  std::map<CollectiveOp, CollectiveOpStats> ops;
  for (const CollectiveRecord& c : scan.collectives) {
    if (!window.contains(c.end_ns)) continue;  // a collective counts where it ends
    CollectiveOpStats& o = ops[c.op];
    o.op = c.op;
    ++o.count;
    o.bytes_sent += c.bytes_sent;
    o.bytes_received += c.bytes_received;
    if (c.begin_ns >= 0 && c.end_ns >= c.begin_ns) o.time_ns = format::add_ns(o.time_ns, c.end_ns - c.begin_ns);
    if (c.comm < comms.size()) ++comms[c.comm].collectives;
  }
  for (auto& [op, o] : ops) {
    o.name = std::string(collective_name(op));
    s.collectives.count += o.count;
    s.collectives.bytes += o.bytes_sent;
    s.collectives.bytes_received += o.bytes_received;
    s.collectives.time_ns = format::add_ns(s.collectives.time_ns, o.time_ns);
    s.collective_ops.push_back(o);
  }

  for (uint32_t i = 0; i < comms.size(); ++i) {
    const CommunicatorInfo& info = matching.communicators[i];
    comms[i].index = i;
    comms[i].name = info.name;
    comms[i].size = info.size();
    comms[i].instance = info.instance;
  }
  s.communicators = std::move(comms);

  s.time_per_rank = mpi_time_per_rank(trace, scan, profiles, activity);
  // Per-function statistics from the profile, so that they agree with it.
  std::map<std::string, MpiCallRow> calls;
  for (size_t i = 0; i < profiles.size() && i < activity.size(); ++i) {
    const ProcessDefinitions& defs = trace.processes()[profiles[i].process]->defs();
    for (const RegionPartial& r : profiles[i].regions) {
      if (r.region >= defs.regions.size() || defs.regions[r.region].role != RegionRole::Mpi) continue;
      const std::string& name = defs.region_name(r.region);
      MpiCallRow& row = calls[name];
      row.name = name;
      add_call(row, r);
    }
  }
  for (auto& [_, row] : calls) s.calls.push_back(row);
  std::stable_sort(s.calls.begin(), s.calls.end(),
                   [](const MpiCallRow& a, const MpiCallRow& b) { return a.inclusive_ns > b.inclusive_ns; });
  return s;
}

}  // namespace rondo::analyzer
