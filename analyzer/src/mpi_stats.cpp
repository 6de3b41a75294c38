#include "rondo/analyzer/mpi_stats.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>

#include "rondo/analyzer/trace_summary.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

int64_t ticks_to_ns(const ProcessReader& p, uint64_t ticks) {
  return static_cast<int64_t>(std::llround(static_cast<double>(ticks) / p.ticks_per_ns()));
}

// Bucket 0 holds empty messages, bucket k > 0 sizes in [2^(k-1), 2^k - 1].
size_t size_bucket(uint64_t bytes) { return static_cast<size_t>(std::bit_width(bytes)); }

std::vector<std::vector<uint64_t>> dense(int32_t ranks, const std::vector<PairTraffic>& pairs, bool bytes) {
  std::vector<std::vector<uint64_t>> m(static_cast<size_t>(ranks), std::vector<uint64_t>(static_cast<size_t>(ranks), 0));
  for (const PairTraffic& p : pairs)
    if (p.src >= 0 && p.dst >= 0 && p.src < ranks && p.dst < ranks)
      m[static_cast<size_t>(p.src)][static_cast<size_t>(p.dst)] = bytes ? p.bytes : p.count;
  return m;
}

void add_call(MpiCallRow& row, const ProcessReader& p, const DurationStats& s) {
  if (s.count == 0) return;
  int64_t mn = ticks_to_ns(p, s.min), mx = ticks_to_ns(p, s.max);
  if (row.calls == 0) {
    row.min_ns = mn;
    row.max_ns = mx;
  }
  row.min_ns = std::min(row.min_ns, mn);
  row.max_ns = std::max(row.max_ns, mx);
  row.calls += s.count;
  row.inclusive_ns += ticks_to_ns(p, s.sum);
}

}  // namespace

std::vector<std::vector<uint64_t>> MpiStats::matrix_bytes() const { return dense(ranks, pairs, true); }
std::vector<std::vector<uint64_t>> MpiStats::matrix_count() const { return dense(ranks, pairs, false); }

std::vector<PairTraffic> MpiStats::top_pairs(size_t n) const {
  std::vector<PairTraffic> out = pairs;
  std::stable_sort(out.begin(), out.end(), [](const PairTraffic& a, const PairTraffic& b) { return a.bytes > b.bytes; });
  if (out.size() > n) out.resize(n);
  return out;
}

MpiStats mpi_stats(const TraceReader& trace) {
  MpiScan scan = scan_mpi(trace);
  MessageMatching matching = match_messages(scan);
  return mpi_stats(trace, scan, matching);
}

MpiStats mpi_stats(const TraceReader& trace, const MpiScan& scan, const MessageMatching& matching) {
  MpiStats s;
  s.has_mpi = scan.any_mpi();
  s.ranks = matching.world_size;

  // Messages.
  s.messages.count = matching.matched;
  s.messages.unmatched_sends = matching.unmatched_sends;
  s.messages.unmatched_receives = matching.unmatched_receives;
  s.messages.unmatched = matching.unmatched_sends + matching.unmatched_receives;
  s.messages.bytes_mismatched = matching.bytes_mismatched;
  s.messages.cancelled = matching.cancelled;
  s.messages.incomplete_receives = matching.incomplete_receives;
  s.received_before_sent = matching.received_before_sent;
  std::map<std::pair<int32_t, int32_t>, PairTraffic> pairs;
  std::vector<SizeBucket> buckets;
  std::vector<CommunicatorTraffic> comms(matching.communicators.size());
  for (const Message& m : matching.messages) {
    if (!m.matched()) continue;
    s.messages.bytes += m.bytes;
    PairTraffic& p = pairs[{m.src, m.dst}];
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
  }
  for (auto& [_, p] : pairs) s.pairs.push_back(p);
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
    CollectiveOpStats& o = ops[c.op];
    o.op = c.op;
    ++o.count;
    o.bytes_sent += c.bytes_sent;
    o.bytes_received += c.bytes_received;
    if (c.begin_ns >= 0 && c.end_ns >= c.begin_ns) o.time_ns += c.end_ns - c.begin_ns;
    if (c.comm < comms.size()) ++comms[c.comm].collectives;
  }
  for (auto& [op, o] : ops) {
    o.name = std::string(collective_name(op));
    s.collectives.count += o.count;
    s.collectives.bytes += o.bytes_sent;
    s.collectives.bytes_received += o.bytes_received;
    s.collectives.time_ns += o.time_ns;
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

  // Time in MPI per process, and per MPI function.
  std::map<std::pair<uint32_t, uint32_t>, const ThreadMpiActivity*> activity;
  for (const ThreadMpiActivity& a : scan.threads) activity[{a.process, a.thread}] = &a;
  std::map<std::string, MpiCallRow> calls;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    const ProcessDefinitions& defs = p.defs();
    RankMpiTime time;
    time.rank = process_label(trace, pi);
    int64_t longest = 0;
    bool any = false, called = false;
    for (uint32_t ti = 0; ti < p.thread_count(); ++ti) {
      const ThreadTrace& t = p.thread(ti);
      auto it = activity.find({pi, ti});
      const ThreadMpiActivity* a = it == activity.end() ? nullptr : it->second;
      int64_t span = t.event_count() ? ticks_to_ns(p, t.last_ticks() - std::min(t.first_ticks(), t.last_ticks())) : 0;
      longest = std::max(longest, span);
      if (a) {
        any = true;
        if (a->mpi_calls > 0) {
          called = true;
          time.mpi_ns += a->mpi_ns;
          time.mpi_calls += a->mpi_calls;
          time.total_ns += span;
        }
      }
      // Per-function statistics: the thread's summary is exact and agrees with
      // the flat profile; a thread without one (killed job) uses the replay.
      if (t.has_summary()) {
        const auto& regions = t.summary().regions;
        for (uint32_t r = 0; r < regions.size(); ++r) {
          if (r >= defs.regions.size() || defs.regions[r].role != RegionRole::Mpi) continue;
          if (regions[r].inclusive.count == 0) continue;
          const std::string& name = defs.region_name(r);
          MpiCallRow& row = calls[name];
          row.name = name;
          add_call(row, p, regions[r].inclusive);
        }
      } else if (a) {
        for (const MpiCallStats& c : a->calls) {
          const std::string& name = defs.region_name(c.region);
          MpiCallRow& row = calls[name];
          row.name = name;
          add_call(row, p, c.inclusive);
        }
      }
    }
    if (!called) time.total_ns = longest;
    if (any || p.rank() >= 0) s.time_per_rank.push_back(time);
  }
  std::stable_sort(s.time_per_rank.begin(), s.time_per_rank.end(),
                   [](const RankMpiTime& a, const RankMpiTime& b) { return a.rank < b.rank; });
  for (auto& [_, row] : calls) s.calls.push_back(row);
  std::stable_sort(s.calls.begin(), s.calls.end(),
                   [](const MpiCallRow& a, const MpiCallRow& b) { return a.inclusive_ns > b.inclusive_ns; });
  return s;
}

}  // namespace rondo::analyzer
