#include "event_text.h"

#include <fmt/format.h>

#include <algorithm>

#include "rondo/analyzer/call_sites.h"
#include "text_output.h"

namespace rondo::cli {

using namespace rondo::format;

namespace {
// " bytes=N", or, where the sizes are per-occurrence data and none are given
// (the grammar view shows an event once for all its occurrences), "".
std::string sizes_text(const EventDef& def, const int64_t* data, const char* sent, const char* received) {
  bool in_params = def.params > kind_shape(def.key.kind).params;
  if (!data && !in_params) return "";
  TransferBytes b = transfer_bytes(def, data);
  std::string out = fmt::format(" {}={}", sent, b.bytes);
  if (received) out += fmt::format(" {}={}", received, b.received);
  return out;
}
}  // namespace

std::string describe_event(const ProcessDefinitions& defs, const EventDef& def, const int64_t* data) {
  const EventKey& k = def.key;
  switch (k.kind) {
    case EventKind::Enter: {
      // With --callstack, where the application made the call (p0: call site + 1).
      std::string site = def.params > 0 ? analyzer::call_site_place(defs, static_cast<uint32_t>(k.params[0])) : "";
      return "ENTER " + defs.region_name(k.ref) + (site.empty() ? "" : " from " + site);
    }
    case EventKind::Leave: return "LEAVE " + defs.region_name(k.ref);
    case EventKind::Marker: return fmt::format("MARKER \"{}\"", defs.string(k.ref));
    case EventKind::MpiSend:
    case EventKind::MpiRecv:
    case EventKind::MpiIsend:
    case EventKind::MpiIrecv:
      return fmt::format("{} peer={} tag={} comm={}{}", kind_name(k.kind), k.params[0], k.params[1], k.params[2],
                         sizes_text(def, data, "bytes", nullptr));
    case EventKind::MpiProbe:  // the message a probe found; p0 is its source
      return fmt::format("{} source={} tag={} comm={}{}", kind_name(k.kind), k.params[0], k.params[1], k.params[2],
                         sizes_text(def, data, "bytes", nullptr));
    case EventKind::MpiCollectiveEnd:
      return fmt::format("{} {} comm={}{}{}", kind_name(k.kind), collective_name(static_cast<CollectiveOp>(k.ref)),
                         k.params[0], k.params[1] >= 0 ? fmt::format(" root={}", k.params[1]) : "",
                         sizes_text(def, data, "sent", "received"));
    case EventKind::RmaPut:
    case EventKind::RmaGet:
    case EventKind::RmaAccumulate:
      return fmt::format("{} target={} window={}{}", kind_name(k.kind), k.params[0], k.params[1],
                         sizes_text(def, data, "bytes", nullptr));
    case EventKind::GpuKernelLaunch:
      return fmt::format("{} {} stream={} correlation={}", kind_name(k.kind), defs.region_name(k.ref), k.params[0],
                         data ? data[0] : 0);
    case EventKind::GpuKernelConfig: {
      GpuLaunchGeometry g = unpack_gpu_geometry(data ? data[0] : 0, data ? data[1] : 0);
      return fmt::format("{} device={} grid=({},{},{}) block=({},{},{}) shared={}", kind_name(k.kind), k.params[0],
                         g.grid[0], g.grid[1], g.grid[2], g.block[0], g.block[1], g.block[2], g.shared_bytes);
    }
    case EventKind::GpuMemcpy:
      return fmt::format("{} {} stream={} bytes={} correlation={}", kind_name(k.kind),
                         gpu_copy_kind_name(static_cast<GpuCopyKind>(k.params[0])), k.params[1], data ? data[0] : 0,
                         data ? data[1] : 0);
    case EventKind::GpuMemset:
      return fmt::format("{} stream={} bytes={} correlation={}", kind_name(k.kind), k.params[0], data ? data[0] : 0,
                         data ? data[1] : 0);
    case EventKind::GpuApiCall: return fmt::format("{} correlation={}", kind_name(k.kind), data ? data[0] : 0);
    case EventKind::GpuSync:
      return fmt::format("{} {} stream={} correlation={} end={}", kind_name(k.kind),
                         format::gpu_sync_kind_name(static_cast<format::GpuSyncKind>(k.params[0])), k.params[1],
                         data ? data[0] : 0, data ? data[1] : 0);
    default: {
      std::string out(kind_name(k.kind));
      if (k.ref) out += fmt::format(" ref={}", k.ref);
      for (int i = 0; i < def.params; ++i) out += fmt::format(" p{}={}", i, k.params[i]);
      for (int i = 0; data && i < def.data; ++i) out += fmt::format(" d{}={}", i, data[i]);
      return out;
    }
  }
}

bool PollsLine::take(const ProcessReader& p, const Event& e, std::string& line) {
  if (e.kind() != EventKind::Polls) {
    line = describe_event(p.defs(), *e.def, e.data);
    return true;
  }
  if (!polls_last(e.def->key)) {
    open_.open(e.def->key.ref, e.ticks);
    return false;
  }
  uint64_t first = open_.close(e.def->key.ref, e.ticks);
  auto ns = [&](uint64_t ticks) { return static_cast<double>(ticks) / p.ticks_per_ns(); };
  uint64_t polls = static_cast<uint64_t>(std::max<int64_t>(0, e.data[0]));
  uint64_t inside = static_cast<uint64_t>(std::max<int64_t>(0, e.data[1]));
  if (polls_counted(e.def->key))  // --poll-times count: no time inside was measured
    line = fmt::format("{} \u00d7{} poll{}, nothing found, counted (not timed), {} span",
                       p.defs().region_name(e.def->key.ref), format_count(polls), polls == 1 ? "" : "s",
                       format_duration_ns(ns(e.ticks - first)));
  else
    line = fmt::format("{} \u00d7{} poll{}, nothing found, {} inside, {} span", p.defs().region_name(e.def->key.ref),
                       format_count(polls), polls == 1 ? "" : "s", format_duration_ns(ns(inside)),
                       format_duration_ns(ns(e.ticks - first)));
  return true;
}

}  // namespace rondo::cli
