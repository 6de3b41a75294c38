#include "pick.h"

#include "trace_session.h"

namespace rondo::viewer {

using namespace rondo::format;

namespace {

constexpr uint64_t kMaxScan = 50'000'000;  // events read at most to find a call's end

// The calls open just after `ns`, and a cursor standing there.
std::vector<uint32_t> open_after(const ProcessReader& p, const ThreadTrace& t, EventCursor& c, int64_t ns,
                                 CursorCheckpoints* checkpoints) {
  if (checkpoints)
    c = checkpoints->seek(t, ticks_at(p, ns + 1));
  else
    c.seek_ticks(ticks_at(p, ns + 1));
  std::vector<uint32_t> open;
  c.open_calls(open);
  return open;
}

bool same_prefix(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b, size_t n) {
  if (a.size() < n || b.size() < n) return false;
  for (size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

}  // namespace

std::string describe_record(const ProcessReader& p, const Event& e) {
  const EventKey& k = e.def->key;
  std::string text(kind_name(k.kind));
  auto param = [&](int i) { return std::to_string(k.params[static_cast<size_t>(i)]); };
  switch (k.kind) {
    case EventKind::MpiSend: case EventKind::MpiRecv: case EventKind::MpiIsend: case EventKind::MpiIrecv:
    case EventKind::MpiProbe:
      text += " peer " + param(0) + ", tag " + param(1) + ", comm " + param(2) + ", " +
              std::to_string(transfer_bytes(*e.def, e.data).bytes) + " bytes";
      break;
    case EventKind::MpiCollectiveEnd: {
      TransferBytes sizes = transfer_bytes(*e.def, e.data);  // data since format version 2
      text += " " + std::string(collective_name(static_cast<CollectiveOp>(k.ref))) + ", comm " + param(0) +
              ", root " + param(1) + ", " + std::to_string(sizes.bytes) + " bytes sent, " +
              std::to_string(sizes.received) + " received";
      break;
    }
    case EventKind::IoOperationBegin: case EventKind::IoOperationComplete: case EventKind::IoCreateHandle:
    case EventKind::IoDestroyHandle: {
      const auto& handles = p.defs().io_handles;
      if (k.ref < handles.size()) text += " " + p.defs().string(handles[k.ref].path);
      if (e.def->data > 0) text += ", " + std::to_string(e.data[0]) + " bytes";
      break;
    }
    case EventKind::ThreadAcquireLock: case EventKind::ThreadReleaseLock:
      text += " lock " + std::to_string(e.data[0]);
      break;
    default:
      for (int i = 0; i < e.def->params && i < kMaxParams; ++i) text += (i ? ", " : " ") + param(i);
  }
  text += " at " + format_duration(static_cast<double>(p.to_ns(e.ticks)));
  return text;
}

PickedCall pick_call(const ProcessReader& p, size_t thread_pos, int64_t ns, int depth,
                     CursorCheckpoints* checkpoints) {
  PickedCall out;
  const ThreadTrace& t = p.thread(thread_pos);
  EventCursor c(t);
  std::vector<uint32_t> path = open_after(p, t, c, ns, checkpoints);
  if (depth < 0 || static_cast<size_t>(depth) >= path.size()) return out;
  out.found = true;
  out.depth = depth;
  out.region = path[static_cast<size_t>(depth)];
  path.resize(static_cast<size_t>(depth) + 1);
  out.path = path;

  // End: replay forward until the call's depth closes.
  Event e;
  size_t level = static_cast<size_t>(depth) + 1;  // calls open, counting this one
  size_t open_now = open_after(p, t, c, ns, checkpoints).size();
  out.end_known = false;
  for (uint64_t n = 0; n < kMaxScan && c.next(e); ++n) {
    EventKind k = e.kind();
    if (k == EventKind::Enter) {
      ++open_now;
    } else if (k == EventKind::Leave) {
      if (open_now == level) {
        out.end_ns = p.to_ns(e.ticks);
        out.end_known = true;
        break;
      }
      --open_now;
    } else if (open_now == level) {
      if (out.records.size() < 16)
        out.records.push_back(describe_record(p, e));
      else
        ++out.more_records;
    }
  }
  if (!out.end_known) out.end_ns = p.to_ns(t.last_ticks());

  // Start: step back in doubling distances until the call is not yet open there,
  // then replay forward to its enter.
  int64_t first_ns = p.to_ns(t.first_ticks());
  for (int64_t back = 1000;; back *= 2) {
    int64_t from = ns - back;
    std::vector<uint32_t> before;
    if (from > first_ns) before = open_after(p, t, c, from, checkpoints);
    if (from > first_ns && same_prefix(before, path, level)) continue;
    if (from <= first_ns) {
      c = EventCursor(t);
      before.clear();
    }
    size_t depth_now = before.size();
    out.start_ns = from <= first_ns ? first_ns : from;
    while (c.next(e)) {
      int64_t at = p.to_ns(e.ticks);
      if (at > ns) break;
      if (e.kind() == EventKind::Enter) {
        if (++depth_now == level) {
          out.start_ns = at;
          out.site = e.def->params > 0 ? static_cast<uint32_t>(e.def->key.params[0]) : 0;
        }
      } else if (e.kind() == EventKind::Leave && depth_now > 0) {
        --depth_now;
      }
    }
    break;
  }
  return out;
}

}  // namespace rondo::viewer
