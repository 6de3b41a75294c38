#include "rondo/analyzer/gpu_stats.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

enum class Activity : uint8_t { Unknown, Kernel, Copy, Memset };

// One kernel, copy or memset, clipped to the window.
struct Interval {
  int64_t begin = 0, end = 0;
  Activity what = Activity::Unknown;
};

// Time covered by a union of intervals; `intervals` sorted by begin.
int64_t covered(const std::vector<Interval>& intervals) {
  int64_t total = 0, reach = INT64_MIN;
  for (const Interval& i : intervals) {
    int64_t from = std::max(i.begin, reach);
    if (i.end > from) total += i.end - from;
    reach = std::max(reach, i.end);
  }
  return total;
}

// Union of a kind's intervals as disjoint, sorted intervals.
std::vector<Interval> merged(const std::vector<Interval>& sorted, Activity what) {
  std::vector<Interval> out;
  for (const Interval& i : sorted) {
    if (i.what != what || i.end <= i.begin) continue;
    if (!out.empty() && i.begin <= out.back().end) out.back().end = std::max(out.back().end, i.end);
    else out.push_back(i);
  }
  return out;
}

int64_t intersection(const std::vector<Interval>& a, const std::vector<Interval>& b) {
  int64_t total = 0;
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    int64_t lo = std::max(a[i].begin, b[j].begin), hi = std::min(a[i].end, b[j].end);
    if (hi > lo) total += hi - lo;
    (a[i].end < b[j].end) ? ++i : ++j;
  }
  return total;
}

const char* const kCopyOrder[] = {"HtoD", "DtoH", "DtoD", "HtoH", "PtoP", "other", "memset"};
const char* const kSyncOrder[] = {"context", "stream", "event", "stream_wait_event", "unknown"};

// GPU_SYNC records of a synchronisation location: each one's blocked time,
// from its start (the record's ticks) to its end (d1, ticks of the same clock).
void add_sync_activity(const ProcessReader& p, const format::ThreadTrace& thread, const TimeWindow& window,
                       std::map<std::string, GpuSyncRow>& rows) {
  EventCursor cursor(thread);
  Event e;
  while (cursor.next(e)) {
    if (e.def->key.kind != EventKind::GpuSync) continue;
    int64_t begin = p.to_ns(e.ticks), end = p.to_ns(static_cast<uint64_t>(e.data[1]));
    if (window.clip(begin, end) < 0) continue;
    std::string kind(gpu_sync_kind_name(static_cast<GpuSyncKind>(e.def->key.params[0])));
    GpuSyncRow& row = rows[kind];
    row.kind = kind;
    ++row.count;
    row.blocked_ns = format::add_ns(row.blocked_ns, std::max<int64_t>(0, end - begin));
  }
}

}  // namespace

bool is_gpu_sync_call(const std::string& name) {
  static const char* const kCalls[] = {"cudaDeviceSynchronize", "cudaStreamSynchronize", "cudaEventSynchronize",
                                       "cuCtxSynchronize",      "cuStreamSynchronize",   "cuEventSynchronize"};
  for (const char* c : kCalls)
    if (name.rfind(c, 0) == 0) return true;  // "cuStreamSynchronize_v2" and the like
  return false;
}

GpuStats gpu_stats(const TraceReader& trace, const TimeWindow& window, int64_t duration_ns, const Profile& profile) {
  GpuStats out;
  out.duration_ns = duration_ns;
  std::map<std::string, GpuKernelRow> kernels;
  std::map<std::string, GpuCopyRow> copies;
  std::map<std::tuple<uint32_t, int32_t>, std::vector<Interval>> per_device;  // (process, device)
  std::map<std::tuple<uint32_t, int32_t>, int32_t> device_rank;
  std::map<std::string, GpuSyncRow> sync_rows;

  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    const ProcessDefinitions& defs = p.defs();
    for (size_t ti = 0; ti < p.thread_count(); ++ti) {
      uint32_t index = p.thread_index(ti);
      const ThreadDef* def = defs.thread_def(index);
      if (def && def->kind == ThreadKind::GpuSynchronisation) {
        add_sync_activity(p, p.thread(ti), window, sync_rows);
        continue;
      }
      if (!def || def->kind != ThreadKind::GpuStream) continue;
      GpuStreamRow row;
      row.rank = p.rank();
      row.process = pi;
      row.thread = index;
      row.name = defs.string(def->name);
      int device = -1, stream = -1;
      if (std::sscanf(row.name.c_str(), "GPU %d stream %d", &device, &stream) == 2) {
        row.device = device;
        row.stream = stream;
      }
      std::vector<Interval> stream_intervals;
      // The open activity of the stream: activities on one stream never overlap,
      // but a truncated or foreign trace may nest regions; the record inside the
      // innermost one says what it is.
      struct Open {
        uint32_t region = 0;
        int64_t begin = 0;
        Activity what = Activity::Unknown;
        std::string copy_kind;
        int64_t bytes = 0;
      };
      std::vector<Open> open;
      EventCursor cursor(p.thread(ti));
      Event e;
      while (cursor.next(e)) {
        const EventKey& k = e.def->key;
        switch (k.kind) {
          case EventKind::Enter: {
            Open o;
            o.region = k.ref;
            o.begin = p.to_ns(e.ticks);
            open.push_back(std::move(o));
            break;
          }
          case EventKind::GpuKernelLaunch:
            if (!open.empty()) open.back().what = Activity::Kernel;
            break;
          case EventKind::GpuMemcpy:
            if (!open.empty()) {
              open.back().what = Activity::Copy;
              open.back().copy_kind = gpu_copy_kind_name(static_cast<GpuCopyKind>(k.params[0]));
              open.back().bytes = e.data[0];
            }
            break;
          case EventKind::GpuMemset:
            if (!open.empty()) {
              open.back().what = Activity::Memset;
              open.back().copy_kind = "memset";
              open.back().bytes = e.data[0];
            }
            break;
          case EventKind::Leave: {
            if (open.empty() || open.back().region != k.ref) break;
            Open o = open.back();
            open.pop_back();
            // A region with no GPU record inside is a kernel: what else runs on
            // a stream (imports of Score-P archives have kernels as bare regions).
            if (o.what == Activity::Unknown) o.what = Activity::Kernel;
            int64_t end = p.to_ns(e.ticks);
            int64_t begin = std::max(o.begin, window.begin_ns), stop = std::min(end, window.end_ns);
            if (window.clip(o.begin, end) < 0) break;  // outside the window
            int64_t ns = std::max<int64_t>(0, end - o.begin);
            if (o.what == Activity::Kernel) {
              GpuKernelRow& kr = kernels[defs.region_name(o.region)];
              kr.name = defs.region_name(o.region);
              kr.min_ns = kr.calls ? std::min(kr.min_ns, ns) : ns;
              kr.max_ns = std::max(kr.max_ns, ns);
              kr.total_ns = format::add_ns(kr.total_ns, ns);
              ++kr.calls;
              ++row.kernels;
            } else if (o.what == Activity::Copy || o.what == Activity::Memset) {
              GpuCopyRow& cr = copies[o.copy_kind];
              cr.kind = o.copy_kind;
              ++cr.count;
              cr.bytes += o.bytes;
              cr.total_ns = format::add_ns(cr.total_ns, ns);
              ++(o.what == Activity::Copy ? row.copies : row.memsets);
            }
            stream_intervals.push_back({begin, std::max(begin, stop), o.what});
            break;
          }
          default: break;
        }
      }
      std::sort(stream_intervals.begin(), stream_intervals.end(),
                [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
      row.busy_ns = covered(stream_intervals);
      auto key = std::make_tuple(pi, row.device);
      auto& dev = per_device[key];
      dev.insert(dev.end(), stream_intervals.begin(), stream_intervals.end());
      device_rank[key] = row.rank;
      out.streams.push_back(std::move(row));
    }
  }

  for (auto& [key, intervals] : per_device) {
    std::sort(intervals.begin(), intervals.end(), [](const Interval& a, const Interval& b) { return a.begin < b.begin; });
    GpuDeviceRow d;
    d.process = std::get<0>(key);
    d.device = std::get<1>(key);
    d.rank = device_rank[key];
    d.busy_ns = covered(intervals);
    std::vector<Interval> k = merged(intervals, Activity::Kernel), c = merged(intervals, Activity::Copy);
    d.kernel_ns = covered(k);
    d.copy_ns = covered(c);
    d.overlap_ns = intersection(k, c);
    out.devices.push_back(d);
  }
  for (auto& [name, row] : kernels) out.kernels.push_back(row);
  std::stable_sort(out.kernels.begin(), out.kernels.end(),
                   [](const GpuKernelRow& a, const GpuKernelRow& b) { return a.total_ns > b.total_ns; });
  for (const char* kind : kCopyOrder)
    if (auto it = copies.find(kind); it != copies.end()) out.copies.push_back(it->second);
  for (const char* kind : kSyncOrder)
    if (auto it = sync_rows.find(kind); it != sync_rows.end()) out.sync_activity.push_back(it->second);
  for (const RegionRow& r : profile.regions)
    if (is_gpu_sync_call(r.name)) {
      out.sync_calls += r.calls;
      out.sync_ns = format::add_ns(out.sync_ns, r.inclusive_ns);
    }
  return out;
}

namespace {
double share(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : 0;
}
}  // namespace

nlohmann::ordered_json gpu_json(const GpuStats& gpu) {
  using J = nlohmann::ordered_json;
  J kernels = J::array(), copies = J::array(), streams = J::array(), devices = J::array(), activity = J::array();
  for (const GpuSyncRow& y : gpu.sync_activity)
    activity.push_back({{"kind", y.kind}, {"count", y.count}, {"blocked_ns", y.blocked_ns}});
  for (const GpuKernelRow& k : gpu.kernels)
    kernels.push_back({{"name", k.name}, {"calls", k.calls}, {"total_ns", k.total_ns}, {"min_ns", k.min_ns},
                       {"max_ns", k.max_ns}, {"mean_ns", k.mean_ns()}});
  for (const GpuCopyRow& c : gpu.copies)
    copies.push_back({{"kind", c.kind}, {"count", c.count}, {"bytes", c.bytes}, {"total_ns", c.total_ns},
                      {"bandwidth_bytes_per_s", c.bandwidth_bytes_per_s()}});
  for (const GpuStreamRow& s : gpu.streams)
    streams.push_back({{"rank", s.rank}, {"process", s.process}, {"thread", s.thread}, {"name", s.name},
                       {"device", s.device}, {"stream", s.stream}, {"kernels", s.kernels}, {"copies", s.copies},
                       {"memsets", s.memsets}, {"busy_ns", s.busy_ns},
                       {"busy_share", share(s.busy_ns, gpu.duration_ns)}});
  for (const GpuDeviceRow& d : gpu.devices)
    devices.push_back({{"rank", d.rank}, {"process", d.process}, {"device", d.device}, {"busy_ns", d.busy_ns},
                       {"busy_share", share(d.busy_ns, gpu.duration_ns)}, {"kernel_ns", d.kernel_ns},
                       {"copy_ns", d.copy_ns}, {"copy_compute_overlap_ns", d.overlap_ns}});
  return {{"kernels", kernels}, {"copies", copies}, {"streams", streams}, {"devices", devices},
          {"sync", {{"calls", gpu.sync_calls}, {"blocked_ns", gpu.sync_ns}, {"activity", activity}}}};
}

}  // namespace rondo::analyzer
