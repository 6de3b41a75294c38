#include "rondo/format/definitions.h"

#include <string>

namespace rondo::format {
namespace {

// Every definition record is framed (FORMAT.md, "Process definitions").
template <typename Body>
void record(std::vector<uint8_t>& out, DefTag tag, Body&& body) {
  framed(out, static_cast<uint8_t>(tag), body);
}

template <typename T>
T& slot(std::vector<T>& table, uint64_t id, const char* what) {
  if (id > (1u << 24)) throw FormatError(std::string(what) + " id " + std::to_string(id) + " out of range");
  if (table.size() <= id) table.resize(id + 1);
  return table[id];
}

// A rank or world size within FORMAT.md's limits (15): a damaged one would
// otherwise size per-rank tables.
int32_t ranked(int64_t value, int64_t lowest, const char* what) {
  if (value < lowest || value > kMaxWorldSize - (lowest < 0 ? 1 : 0))
    throw FormatError(std::string("process ") + what + " " + std::to_string(value) + " out of range");
  return static_cast<int32_t>(value);
}

}  // namespace

bool realtime_of(const ClockDef& c, int64_t monotonic_ns, int64_t& realtime) {
  if (c.start_realtime_ns == 0) return false;
  int64_t epoch_offset, result;
  if (__builtin_sub_overflow(static_cast<int64_t>(c.start_realtime_ns), static_cast<int64_t>(c.start_ns), &epoch_offset) ||
      __builtin_add_overflow(monotonic_ns, epoch_offset, &result))
    return false;
  realtime = result;
  return true;
}

const std::string& ProcessDefinitions::string(uint32_t id) const {
  static const std::string unknown = "<unknown string>";
  return id < strings.size() ? strings[id] : unknown;
}

const ThreadDef* ProcessDefinitions::thread_def(uint32_t index) const {
  for (const ThreadDef& t : threads)
    if (t.index == index) return &t;
  return nullptr;
}

const std::string& ProcessDefinitions::region_name(uint32_t region) const {
  static const std::string unknown = "<unknown region>";
  return region < regions.size() ? string(regions[region].name) : unknown;
}

namespace encode {
void process(std::vector<uint8_t>& out, const ProcessDef& p) {
  record(out, DefTag::Process, [&](ByteWriter& w) {
    w.svarint(p.rank);
    w.svarint(p.world_size);
    w.varint(p.pid);
    w.varint(p.parent_pid);
    w.string(p.host);
    w.string(p.command);
    w.svarint(p.clock_offset_ns);
    w.u8(p.has_end_offset ? 1 : 0);
    w.svarint(p.clock_offset_end_ns);
    w.string(p.run_id);
  });
}
void string(std::vector<uint8_t>& out, uint32_t id, std::string_view s) {
  record(out, DefTag::String, [&](ByteWriter& w) {
    w.varint(id);
    w.string(s);
  });
}
void region(std::vector<uint8_t>& out, uint32_t id, const RegionDef& r) {
  record(out, DefTag::Region, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(r.name);
    w.varint(r.file);
    w.varint(r.line);
    w.u8(static_cast<uint8_t>(r.role));
  });
}
void thread(std::vector<uint8_t>& out, const ThreadDef& t) {
  record(out, DefTag::Thread, [&](ByteWriter& w) {
    w.varint(t.index);
    w.varint(t.os_tid);
    w.u8(static_cast<uint8_t>(t.kind));
    w.varint(t.name);
    w.svarint(t.parent == UINT32_MAX ? -1 : static_cast<int64_t>(t.parent));
  });
}
void communicator(std::vector<uint8_t>& out, uint32_t id, const CommunicatorDef& c) {
  record(out, DefTag::Communicator, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(c.name);
    w.varint(c.group);
    w.svarint(c.parent == UINT32_MAX ? -1 : static_cast<int64_t>(c.parent));
    w.varint(c.instance);
    w.svarint(c.remote_group == UINT32_MAX ? -1 : static_cast<int64_t>(c.remote_group));
  });
}
void group(std::vector<uint8_t>& out, uint32_t id, const GroupDef& g) {
  record(out, DefTag::Group, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(g.world_ranks.size());
    for (int32_t r : g.world_ranks) w.svarint(r);
  });
}
void attribute(std::vector<uint8_t>& out, uint32_t id, const AttributeDef& a) {
  record(out, DefTag::Attribute, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(a.name);
    w.u8(a.type);
  });
}
void metric(std::vector<uint8_t>& out, uint32_t id, const MetricDef& m) {
  record(out, DefTag::Metric, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(m.name);
    w.varint(m.unit);
    w.u8(m.mode);
  });
}
void io_handle(std::vector<uint8_t>& out, uint32_t id, const IoHandleDef& h) {
  record(out, DefTag::IoHandle, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(h.path);
    w.varint(h.paradigm);
  });
}
void clock(std::vector<uint8_t>& out, const ClockDef& c) {
  record(out, DefTag::Clock, [&](ByteWriter& w) {
    w.u8(c.source);
    w.u64(c.ticks_per_second);
    w.u64(c.start_ticks);
    w.u64(c.start_ns);
    w.u64(c.start_realtime_ns);
    w.u8(c.has_end ? 1 : 0);
    w.u64(c.end_ticks);
    w.u64(c.end_ns);
  });
}
void call_site(std::vector<uint8_t>& out, uint32_t id, const CallSiteDef& c) {
  record(out, DefTag::CallSite, [&](ByteWriter& w) {
    w.varint(id);
    w.varint(c.frames.size());
    for (const CallSiteFrame& f : c.frames) {
      w.varint(f.address);
      w.varint(f.function);
      w.varint(f.file);
      w.varint(f.line);
    }
  });
}
}  // namespace encode

void ProcessDefinitions::decode(const uint8_t* data, size_t size) {
  ByteReader in(data, size, "process definitions");
  while (!in.done()) {
    auto tag = static_cast<DefTag>(in.u8());
    uint64_t length = in.count();
    ByteReader r(in.position(), length, "process definition record");
    in.skip(length);
    switch (tag) {
      case DefTag::Process:
        process.rank = ranked(r.svarint(), -1, "rank");
        process.world_size = ranked(r.svarint(), 0, "world size");
        process.pid = r.varint32();
        process.parent_pid = r.varint32();
        process.host = r.string();
        process.command = r.string();
        process.clock_offset_ns = r.svarint();
        process.has_end_offset = r.u8() != 0;
        process.clock_offset_end_ns = r.svarint();
        process.run_id = r.done() ? std::string() : r.string();  // absent in files of older writers
        break;
      case DefTag::String: {
        uint64_t id = r.varint();
        slot(strings, id, "string") = r.string();
        break;
      }
      case DefTag::Region: {
        RegionDef& d = slot(regions, r.varint(), "region");
        d.name = r.varint32();
        d.file = r.varint32();
        d.line = r.varint32();
        d.role = static_cast<RegionRole>(r.u8());
        break;
      }
      case DefTag::Thread: {
        ThreadDef t;
        t.index = r.varint32();
        t.os_tid = r.varint();
        t.kind = static_cast<ThreadKind>(r.u8());
        t.name = r.varint32();
        int64_t parent = r.svarint();
        t.parent = parent < 0 ? UINT32_MAX : static_cast<uint32_t>(parent);
        slot(threads, t.index, "thread") = t;
        break;
      }
      case DefTag::Communicator: {
        CommunicatorDef& c = slot(communicators, r.varint(), "communicator");
        c.name = r.varint32();
        c.group = r.varint32();
        int64_t parent = r.svarint();
        c.parent = parent < 0 ? UINT32_MAX : static_cast<uint32_t>(parent);
        if (!r.done()) {  // fields added after the first layout: absent means 0 / none
          c.instance = r.varint32();
          int64_t remote = r.svarint();
          c.remote_group = remote < 0 ? UINT32_MAX : static_cast<uint32_t>(remote);
        }
        break;
      }
      case DefTag::Group: {
        GroupDef& g = slot(groups, r.varint(), "group");
        uint64_t n = r.count();
        g.world_ranks.resize(n);
        for (auto& rank : g.world_ranks) rank = static_cast<int32_t>(r.svarint());
        break;
      }
      case DefTag::Attribute: {
        AttributeDef& a = slot(attributes, r.varint(), "attribute");
        a.name = r.varint32();
        a.type = r.u8();
        break;
      }
      case DefTag::Metric: {
        MetricDef& m = slot(metrics, r.varint(), "metric");
        m.name = r.varint32();
        m.unit = r.varint32();
        m.mode = r.u8();
        break;
      }
      case DefTag::IoHandle: {
        IoHandleDef& h = slot(io_handles, r.varint(), "I/O handle");
        h.path = r.varint32();
        h.paradigm = r.varint32();
        break;
      }
      case DefTag::Clock: {
        ClockDef c;
        c.source = r.u8();
        c.ticks_per_second = r.u64();
        c.start_ticks = r.u64();
        c.start_ns = r.u64();
        c.start_realtime_ns = r.u64();
        c.has_end = r.u8() != 0;
        c.end_ticks = r.u64();
        c.end_ns = r.u64();
        clock = c;
        break;
      }
      case DefTag::CallSite: {
        CallSiteDef& c = slot(call_sites, r.varint(), "call site");
        uint64_t n = r.count(4);
        c.frames.assign(n, {});
        for (CallSiteFrame& f : c.frames) {
          f.address = r.varint();
          f.function = r.varint32();
          f.file = r.varint32();
          f.line = r.varint32();
        }
        break;
      }
      default:
        break;  // unknown tag from a newer writer: skipped by its length
    }
  }
}

}  // namespace rondo::format
