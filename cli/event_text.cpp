#include "event_text.h"

#include <fmt/format.h>

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
    case EventKind::Enter: return "ENTER " + defs.region_name(k.ref);
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
    default: {
      std::string out(kind_name(k.kind));
      if (k.ref) out += fmt::format(" ref={}", k.ref);
      for (int i = 0; i < def.params; ++i) out += fmt::format(" p{}={}", i, k.params[i]);
      for (int i = 0; data && i < def.data; ++i) out += fmt::format(" d{}={}", i, data[i]);
      return out;
    }
  }
}

}  // namespace rondo::cli
