// OTF2 archive -> Rondo trace.
//
// Global definitions first; then, location group by location group, each
// location's events in order, straight into a ThreadWriter (which detects loops
// while importing and hands finished batches to the process file). One location
// is read at a time, so memory does not grow with the number of events.
#include <fcntl.h>
#include <otf2/otf2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "otf2/otf2_common.h"
#include "otf2/otf2_gpu.h"
#include "rondo/analyzer/messages.h"
#include "rondo/converters/otf2.h"
#include "rondo/format/process_end.h"
#include "rondo/format/chunk.h"
#include "rondo/format/definitions.h"
#include "rondo/format/writer.h"
#include "src/progress.h"
#include "src/trace_walk.h"

namespace rondo::converters {

namespace {

using namespace rondo::format;
using otf2::check;
namespace fs = std::filesystem;

// ---------------------------------------------------------------------------
// Global definitions, as read.

struct GlobalDefs {
  uint64_t resolution = 1, offset = 0, length = 0, realtime = OTF2_UNDEFINED_TIMESTAMP;
  bool have_clock = false;
  std::unordered_map<OTF2_StringRef, std::string> strings;
  struct Region {
    OTF2_StringRef name = OTF2_UNDEFINED_STRING, canonical = OTF2_UNDEFINED_STRING, file = OTF2_UNDEFINED_STRING;
    OTF2_RegionRole role = OTF2_REGION_ROLE_UNKNOWN;
    OTF2_Paradigm paradigm = OTF2_PARADIGM_UNKNOWN;
    uint32_t line = 0;
  };
  std::unordered_map<OTF2_RegionRef, Region> regions;
  struct Node {
    OTF2_StringRef name, cls;
    OTF2_SystemTreeNodeRef parent;
  };
  std::unordered_map<OTF2_SystemTreeNodeRef, Node> nodes;
  struct LocationGroup {
    OTF2_StringRef name;
    OTF2_LocationGroupType type;
    OTF2_SystemTreeNodeRef parent;
    OTF2_LocationGroupRef creator = OTF2_UNDEFINED_LOCATION_GROUP;
  };
  std::map<OTF2_LocationGroupRef, LocationGroup> groups;
  struct Location {
    OTF2_StringRef name;
    OTF2_LocationType type;
    uint64_t events;
    OTF2_LocationGroupRef group;
  };
  std::map<OTF2_LocationRef, Location> locations;
  struct Group {
    OTF2_StringRef name;
    OTF2_GroupType type;
    OTF2_Paradigm paradigm;
    std::vector<uint64_t> members;
  };
  std::unordered_map<OTF2_GroupRef, Group> member_groups;
  struct Comm {
    OTF2_StringRef name;
    OTF2_GroupRef group = OTF2_UNDEFINED_GROUP, remote = OTF2_UNDEFINED_GROUP;
    OTF2_CommRef parent = OTF2_UNDEFINED_COMM;
    bool inter = false;
  };
  std::map<OTF2_CommRef, Comm> comms;
  std::unordered_map<std::string, OTF2_AttributeRef> attribute_by_name;
  struct MetricMember {
    OTF2_StringRef name, unit;
    OTF2_MetricMode mode;
  };
  std::unordered_map<OTF2_MetricMemberRef, MetricMember> metric_members;
  std::unordered_map<OTF2_MetricRef, std::vector<OTF2_MetricMemberRef>> metric_classes;
  std::unordered_map<OTF2_MetricRef, OTF2_MetricRef> metric_instances;  // instance -> class
  std::unordered_map<OTF2_ParameterRef, OTF2_StringRef> parameters;
  std::unordered_map<OTF2_RmaWinRef, OTF2_CommRef> windows;
  std::unordered_map<OTF2_IoParadigmRef, OTF2_StringRef> io_paradigms;
  std::unordered_map<OTF2_IoFileRef, OTF2_StringRef> io_files;
  struct IoHandle {
    OTF2_StringRef name;
    OTF2_IoFileRef file;
    OTF2_IoParadigmRef paradigm;
  };
  std::unordered_map<OTF2_IoHandleRef, IoHandle> io_handles;

  const std::string& string(OTF2_StringRef ref) const {
    static const std::string none;
    auto it = strings.find(ref);
    return it == strings.end() ? none : it->second;
  }
};

#define DEFS (*static_cast<GlobalDefs*>(user))

OTF2_CallbackCode def_clock(void* user, uint64_t resolution, uint64_t offset, uint64_t length, uint64_t realtime) {
  DEFS.resolution = resolution ? resolution : 1;
  DEFS.offset = offset;
  DEFS.length = length;
  DEFS.realtime = realtime;
  DEFS.have_clock = true;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_string(void* user, OTF2_StringRef self, const char* s) {
  DEFS.strings[self] = s ? s : "";
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_attribute(void* user, OTF2_AttributeRef self, OTF2_StringRef name, OTF2_StringRef, OTF2_Type) {
  DEFS.attribute_by_name.emplace(DEFS.string(name), self);
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_node(void* user, OTF2_SystemTreeNodeRef self, OTF2_StringRef name, OTF2_StringRef cls,
                           OTF2_SystemTreeNodeRef parent) {
  DEFS.nodes[self] = {name, cls, parent};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_location_group(void* user, OTF2_LocationGroupRef self, OTF2_StringRef name,
                                     OTF2_LocationGroupType type, OTF2_SystemTreeNodeRef parent,
                                     OTF2_LocationGroupRef creator) {
  DEFS.groups[self] = {name, type, parent, creator};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_location(void* user, OTF2_LocationRef self, OTF2_StringRef name, OTF2_LocationType type,
                               uint64_t events, OTF2_LocationGroupRef group) {
  DEFS.locations[self] = {name, type, events, group};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_region(void* user, OTF2_RegionRef self, OTF2_StringRef name, OTF2_StringRef canonical,
                             OTF2_StringRef, OTF2_RegionRole role, OTF2_Paradigm paradigm, OTF2_RegionFlag,
                             OTF2_StringRef file, uint32_t begin, uint32_t) {
  DEFS.regions[self] = {name, canonical, file, role, paradigm, begin};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_group(void* user, OTF2_GroupRef self, OTF2_StringRef name, OTF2_GroupType type,
                            OTF2_Paradigm paradigm, OTF2_GroupFlag, uint32_t n, const uint64_t* members) {
  DEFS.member_groups[self] = {name, type, paradigm, std::vector<uint64_t>(members, members + n)};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_comm(void* user, OTF2_CommRef self, OTF2_StringRef name, OTF2_GroupRef group, OTF2_CommRef parent,
                           OTF2_CommFlag) {
  GlobalDefs::Comm c;
  c.name = name;
  c.group = group;
  c.parent = parent;
  DEFS.comms[self] = c;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_inter_comm(void* user, OTF2_CommRef self, OTF2_StringRef name, OTF2_GroupRef a, OTF2_GroupRef b,
                                 OTF2_CommRef common, OTF2_CommFlag) {
  GlobalDefs::Comm c;
  c.name = name;
  c.group = a;
  c.remote = b;
  c.parent = common;
  c.inter = true;
  DEFS.comms[self] = c;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_member(void* user, OTF2_MetricMemberRef self, OTF2_StringRef name, OTF2_StringRef,
                                    OTF2_MetricType, OTF2_MetricMode mode, OTF2_Type, OTF2_Base, int64_t,
                                    OTF2_StringRef unit) {
  DEFS.metric_members[self] = {name, unit, mode};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_class(void* user, OTF2_MetricRef self, uint8_t n, const OTF2_MetricMemberRef* members,
                                   OTF2_MetricOccurrence, OTF2_RecorderKind) {
  DEFS.metric_classes[self].assign(members, members + n);
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_instance(void* user, OTF2_MetricRef self, OTF2_MetricRef cls, OTF2_LocationRef,
                                      OTF2_MetricScope, uint64_t) {
  DEFS.metric_instances[self] = cls;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_parameter(void* user, OTF2_ParameterRef self, OTF2_StringRef name, OTF2_ParameterType) {
  DEFS.parameters[self] = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_window(void* user, OTF2_RmaWinRef self, OTF2_StringRef, OTF2_CommRef comm, OTF2_RmaWinFlag) {
  DEFS.windows[self] = comm;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_paradigm(void* user, OTF2_IoParadigmRef self, OTF2_StringRef identification, OTF2_StringRef,
                                  OTF2_IoParadigmClass, OTF2_IoParadigmFlag, uint8_t, const OTF2_IoParadigmProperty*,
                                  const OTF2_Type*, const OTF2_AttributeValue*) {
  DEFS.io_paradigms[self] = identification;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_file(void* user, OTF2_IoFileRef self, OTF2_StringRef name, OTF2_SystemTreeNodeRef) {
  DEFS.io_files[self] = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_handle(void* user, OTF2_IoHandleRef self, OTF2_StringRef name, OTF2_IoFileRef file,
                                OTF2_IoParadigmRef paradigm, OTF2_IoHandleFlag, OTF2_CommRef, OTF2_IoHandleRef) {
  DEFS.io_handles[self] = {name, file, paradigm};
  return OTF2_CALLBACK_SUCCESS;
}

#undef DEFS

// ---------------------------------------------------------------------------
// The Rondo definitions of one process (location group), made as events use them.

// Communicators as world ranks: a COMM_GROUP lists positions in its paradigm's
// COMM_LOCATIONS group, which for MPI lists the ranks' locations in rank order,
// so the positions are world ranks.
struct CommShape {
  std::vector<int32_t> local, remote;  // remote: intercommunicators only
  bool self = false;                   // MPI_COMM_SELF: whoever uses it
  bool mpi = false;
  bool inter = false;
};

class ProcessBuilder {
 public:
  ProcessBuilder(const GlobalDefs& g, const std::map<OTF2_CommRef, CommShape>& shapes, int32_t rank)
      : g_(g), shapes_(shapes), rank_(rank) {
    // Instances: for each group of world ranks, how many communicators with that
    // group come earlier (in ref order). Every member sees the same list.
    // MPI and other paradigms (thread teams, Score-P's location lists) count apart.
    std::map<std::tuple<bool, std::vector<int32_t>, std::vector<int32_t>>, uint32_t> seen;
    for (auto& [ref, shape] : shapes_)
      instance_[ref] = seen[{shape.mpi, ranks_of(shape, false), ranks_of(shape, true)}]++;
    // Define up front the MPI communicators this rank belongs to (MPI_COMM_WORLD first
    // in practice, as writers define it first).
    for (auto& [ref, shape] : shapes_) {
      if (!shape.mpi) continue;
      auto a = ranks_of(shape, false), b = ranks_of(shape, true);
      if (std::find(a.begin(), a.end(), rank_) != a.end() || std::find(b.begin(), b.end(), rank_) != b.end()) comm(ref);
    }
  }

  uint32_t string(const std::string& s) {
    if (s.empty()) return 0;
    auto [it, inserted] = string_ids_.try_emplace(s, static_cast<uint32_t>(strings_.size() + 1));
    if (inserted) strings_.push_back(s);
    return it->second;
  }

  // A region the archive does not define (a GPU copy's, otf2_gpu.h).
  uint32_t region_named(const std::string& name, RegionRole role) {
    auto [it, inserted] = named_regions_.try_emplace(name, static_cast<uint32_t>(regions_.size()));
    if (inserted) regions_.push_back(RegionDef{string(name), 0, 0, role});
    return it->second;
  }

  uint32_t region(OTF2_RegionRef ref) {
    auto [it, inserted] = region_ids_.try_emplace(ref, static_cast<uint32_t>(regions_.size()));
    if (inserted) {
      RegionDef r;
      auto found = g_.regions.find(ref);
      if (found != g_.regions.end()) {
        const auto& gr = found->second;
        std::string name = g_.string(gr.name);
        if (name.empty()) name = g_.string(gr.canonical);
        r.name = string(name.empty() ? "region " + std::to_string(ref) : name);
        r.file = gr.file == OTF2_UNDEFINED_STRING ? 0 : string(g_.string(gr.file));
        r.line = gr.line;
        r.role = role_of(gr.role, gr.paradigm, name);
      } else {
        r.name = string("region " + std::to_string(ref));
      }
      regions_.push_back(r);
    }
    return it->second;
  }

  // Local communicator id; -1 for OTF2_UNDEFINED_COMM (MPI_COMM_NULL).
  int64_t comm(OTF2_CommRef ref) {
    if (ref == OTF2_UNDEFINED_COMM) return -1;
    auto found = comm_ids_.find(ref);
    if (found != comm_ids_.end()) return found->second;
    uint32_t id = static_cast<uint32_t>(comms_.size());
    comm_ids_.emplace(ref, id);
    CommunicatorDef def;
    auto shape = shapes_.find(ref);
    auto gc = g_.comms.find(ref);
    std::string name = gc != g_.comms.end() ? g_.string(gc->second.name) : "";
    def.name = string(name.empty() ? "comm " + std::to_string(ref) : name);
    if (shape != shapes_.end()) {
      auto local = ranks_of(shape->second, false), remote = ranks_of(shape->second, true);
      // An intercommunicator's group is the side this process is on.
      if (shape->second.inter && std::find(remote.begin(), remote.end(), rank_) != remote.end())
        std::swap(local, remote);
      def.group = group(local);
      if (shape->second.inter) def.remote_group = group(remote);
      def.instance = instance_[ref];
    } else {
      def.group = UINT32_MAX;  // unknown members: readers treat the id as the same everywhere
    }
    if (gc != g_.comms.end() && gc->second.parent != OTF2_UNDEFINED_COMM) {
      auto parent = comm_ids_.find(gc->second.parent);
      if (parent != comm_ids_.end()) def.parent = parent->second;
    }
    comms_.push_back(def);
    return id;
  }

  // World rank of rank `r` of communicator `ref` (the other side of an intercommunicator).
  int64_t world_rank(OTF2_CommRef ref, uint32_t r) {
    if (r == OTF2_UNDEFINED_UINT32) return -1;
    auto shape = shapes_.find(ref);
    if (shape == shapes_.end()) return r;  // unknown communicator: take the rank as a world rank
    const CommShape& s = shape->second;
    if (s.self) return rank_;
    const std::vector<int32_t>* side = &s.local;
    if (s.inter && std::find(s.local.begin(), s.local.end(), rank_) != s.local.end()) side = &s.remote;
    if (r < side->size()) return (*side)[r];
    ++bad_ranks;
    return -1;
  }

  uint32_t metric(OTF2_MetricMemberRef ref) {
    auto [it, inserted] = metric_ids_.try_emplace(ref, static_cast<uint32_t>(metrics_.size()));
    if (inserted) {
      MetricDef m;
      auto found = g_.metric_members.find(ref);
      if (found != g_.metric_members.end()) {
        m.name = string(g_.string(found->second.name));
        m.unit = string(g_.string(found->second.unit));
        switch (found->second.mode & OTF2_METRIC_VALUE_MASK) {
          case OTF2_METRIC_VALUE_ABSOLUTE:
            m.mode = 1;
            break;
          case OTF2_METRIC_VALUE_RELATIVE:
            m.mode = 2;
            break;
          default:
            m.mode = 0;
            break;
        }
      }
      if (m.name == 0) m.name = string("metric " + std::to_string(ref));
      metrics_.push_back(m);
    }
    return it->second;
  }

  uint32_t io_handle(OTF2_IoHandleRef ref) {
    auto [it, inserted] = io_ids_.try_emplace(ref, static_cast<uint32_t>(io_handles_.size()));
    if (inserted) {
      IoHandleDef h;
      auto found = g_.io_handles.find(ref);
      if (found != g_.io_handles.end()) {
        auto file = g_.io_files.find(found->second.file);
        std::string path = file != g_.io_files.end() ? g_.string(file->second) : g_.string(found->second.name);
        h.path = string(path);
        auto paradigm = g_.io_paradigms.find(found->second.paradigm);
        std::string id = paradigm != g_.io_paradigms.end() ? g_.string(paradigm->second) : "";
        h.paradigm = id == "ISOC" ? 1 : id == "MPI-IO" ? 2 : 0;
      }
      if (h.path == 0) h.path = string("file " + std::to_string(ref));
      io_handles_.push_back(h);
    }
    return it->second;
  }

  // Rondo numbers windows per process; OTF2 windows are global.
  int64_t window(OTF2_RmaWinRef ref) {
    auto [it, inserted] = window_ids_.try_emplace(ref, static_cast<int64_t>(window_ids_.size()));
    return it->second;
  }

  void add_thread(const ThreadDef& t) { threads_.push_back(t); }

  std::vector<uint8_t> encode(const ProcessDef& process, const ClockDef& clock) const {
    std::vector<uint8_t> out;
    encode::process(out, process);
    for (size_t i = 0; i < strings_.size(); ++i) encode::string(out, static_cast<uint32_t>(i + 1), strings_[i]);
    for (size_t i = 0; i < regions_.size(); ++i) encode::region(out, static_cast<uint32_t>(i), regions_[i]);
    for (size_t i = 0; i < groups_.size(); ++i) encode::group(out, static_cast<uint32_t>(i), groups_[i]);
    for (size_t i = 0; i < comms_.size(); ++i) encode::communicator(out, static_cast<uint32_t>(i), comms_[i]);
    for (size_t i = 0; i < metrics_.size(); ++i) encode::metric(out, static_cast<uint32_t>(i), metrics_[i]);
    for (size_t i = 0; i < io_handles_.size(); ++i) encode::io_handle(out, static_cast<uint32_t>(i), io_handles_[i]);
    encode::clock(out, clock);
    for (const ThreadDef& t : threads_) encode::thread(out, t);
    return out;
  }

  uint64_t bad_ranks = 0;

 private:
  std::vector<int32_t> ranks_of(const CommShape& s, bool remote) const {
    if (s.self) return remote ? std::vector<int32_t>{} : std::vector<int32_t>{rank_};
    return remote ? s.remote : s.local;
  }

  uint32_t group(const std::vector<int32_t>& ranks) {
    auto [it, inserted] = group_ids_.try_emplace(ranks, static_cast<uint32_t>(groups_.size()));
    if (inserted) groups_.push_back(GroupDef{ranks});
    return it->second;
  }

  static RegionRole role_of(OTF2_RegionRole role, OTF2_Paradigm paradigm, const std::string& name) {
    switch (paradigm) {
      case OTF2_PARADIGM_MPI:
        return RegionRole::Mpi;
      case OTF2_PARADIGM_OPENMP:
        return RegionRole::OpenMp;
      case OTF2_PARADIGM_PTHREAD:
        return RegionRole::Pthread;
      case OTF2_PARADIGM_CUDA:
        return RegionRole::Cuda;
      default:
        break;
    }
    if (role == OTF2_REGION_ROLE_FILE_IO || role == OTF2_REGION_ROLE_FILE_IO_METADATA) return RegionRole::Io;
    if (role == OTF2_REGION_ROLE_ALLOCATE || role == OTF2_REGION_ROLE_DEALLOCATE || role == OTF2_REGION_ROLE_REALLOCATE)
      return RegionRole::Memory;
    // Some writers (EZTrace) give MPI functions no MPI paradigm: they are still
    // recognisable by name, and time in MPI needs them to be.
    if (name.rfind("MPI_", 0) == 0) return RegionRole::Mpi;
    if (paradigm == OTF2_PARADIGM_USER) return RegionRole::User;
    return RegionRole::Function;
  }

  const GlobalDefs& g_;
  const std::map<OTF2_CommRef, CommShape>& shapes_;
  int32_t rank_;
  std::map<OTF2_CommRef, uint32_t> instance_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  std::vector<RegionDef> regions_;
  std::unordered_map<OTF2_RegionRef, uint32_t> region_ids_;
  std::unordered_map<std::string, uint32_t> named_regions_;  // region_named()
  std::vector<GroupDef> groups_;
  std::map<std::vector<int32_t>, uint32_t> group_ids_;
  std::vector<CommunicatorDef> comms_;
  std::unordered_map<OTF2_CommRef, uint32_t> comm_ids_;
  std::vector<MetricDef> metrics_;
  std::unordered_map<OTF2_MetricMemberRef, uint32_t> metric_ids_;
  std::vector<IoHandleDef> io_handles_;
  std::unordered_map<OTF2_IoHandleRef, uint32_t> io_ids_;
  std::unordered_map<OTF2_RmaWinRef, int64_t> window_ids_;
  std::vector<ThreadDef> threads_;
};

// ---------------------------------------------------------------------------
// Events of one location.

struct LocationState {
  const GlobalDefs* g = nullptr;
  ProcessBuilder* process = nullptr;
  ThreadWriter* writer = nullptr;
  ConvertReport* report = nullptr;
  detail::Progress* progress = nullptr;
  uint64_t* records_total = nullptr;
  int32_t rank = -1;
  uint32_t thread_index = 0;
  std::optional<uint32_t> pid;                          // from a ProcessId attribute
  std::unordered_map<uint64_t, int64_t> io_operations;  // matching id -> Rondo I/O operation
  std::vector<uint32_t> open_calls;                     // Rondo regions entered and not yet left, innermost last
  uint64_t polls_begin = 0;                             // first poll of a run of folded polls (ev_enter)
  std::string error;
  OTF2_LocationRef location = 0;
  bool gpu_stream = false;                 // an accelerator stream (otf2_gpu.h)
  std::optional<uint32_t> gpu_copy_region;  // the copy region opened for an archive without one

  std::optional<int64_t> attribute(OTF2_AttributeList* list, const char* name) const {
    if (!list) return std::nullopt;
    auto it = g->attribute_by_name.find(name);
    if (it == g->attribute_by_name.end() || !OTF2_AttributeList_TestAttributeByID(list, it->second))
      return std::nullopt;
    OTF2_Type type;
    OTF2_AttributeValue v;
    if (OTF2_AttributeList_GetAttributeByID(list, it->second, &type, &v) != OTF2_SUCCESS) return std::nullopt;
    switch (type) {
      case OTF2_TYPE_UINT8:
        return v.uint8;
      case OTF2_TYPE_UINT16:
        return v.uint16;
      case OTF2_TYPE_UINT32:
        return v.uint32;
      case OTF2_TYPE_UINT64:
        return static_cast<int64_t>(v.uint64);
      case OTF2_TYPE_INT8:
        return v.int8;
      case OTF2_TYPE_INT16:
        return v.int16;
      case OTF2_TYPE_INT32:
        return v.int32;
      case OTF2_TYPE_INT64:
        return v.int64;
      default:
        return std::nullopt;
    }
  }

  void event(EventKind kind, uint64_t time, uint32_t ref = 0, std::initializer_list<int64_t> params = {},
             std::initializer_list<int64_t> data = {}) {
    EventKey k;
    k.kind = kind;
    k.ref = ref;
    size_t i = 0;
    for (int64_t p : params) k.params[i++] = p;
    int64_t d[kMaxData] = {};
    i = 0;
    for (int64_t v : data) d[i++] = v;
    writer->event(k, time, d);
  }

  // A record Rondo has no event for: a Marker with its name and key fields.
  void keep(const char* record, uint64_t time, const std::string& fields = "") {
    ++report->kept_as_markers[record];
    marker(time, fields.empty() ? std::string(record) : std::string(record) + " " + fields);
  }
  void marker(uint64_t time, const std::string& text) { event(EventKind::Marker, time, process->string(text)); }

  // The run's per-poll durations are not in the archive: each poll counts with
  // the mean (analyzer/poll_folds.h does the same for windows).
  void folded_polls(uint32_t region, uint64_t time, uint64_t count, int64_t inside_ns) {
    FoldedPolls run;
    run.region = region;
    run.first_ticks = polls_begin <= time ? polls_begin : time;
    run.last_ticks = time;
    auto inside = static_cast<uint64_t>(static_cast<long double>(std::max<int64_t>(0, inside_ns)) *
                                        static_cast<long double>(g->resolution) / 1e9L + 0.5L);
    uint64_t mean = inside / count;
    run.calls.inclusive = {count, inside, mean, mean};
    run.calls.exclusive_sum = inside;
    run.calls.inclusive_sum_squares = static_cast<uint128>(inside) * inside / count;
    writer->polls(run);
  }
  void enter(uint32_t region, uint64_t time) {
    open_calls.push_back(region);
    writer->enter(region, time);
  }
  // Foreign writers may leave calls out of nesting order (EZTrace leaves
  // "Working" while "EZTrace finalize" is still open inside it). Rondo traces
  // nest strictly, so a leave of a call that is not the innermost one closes the
  // calls open inside it at its own time, as a leave would in a program that
  // unwinds; the later leaves of those calls then find nothing open and are
  // dropped. Event counts stay the same when each such call is left later.
  void leave(uint32_t region, uint64_t time) {
    auto it = std::find(open_calls.rbegin(), open_calls.rend(), region);
    if (it == open_calls.rend()) {
      ++report->leaves_dropped;
      return;
    }
    if (open_calls.back() != region) ++report->leaves_out_of_order;
    while (open_calls.back() != region) {
      writer->leave(open_calls.back(), time);
      open_calls.pop_back();
      ++report->calls_closed_early;
    }
    writer->leave(region, time);
    open_calls.pop_back();
  }
};

template <typename F>
OTF2_CallbackCode guarded(void* user, F&& body) {
  auto& s = *static_cast<LocationState*>(user);
  try {
    body(s);
  } catch (const std::exception& e) {
    s.error = e.what();
    return OTF2_CALLBACK_INTERRUPT;
  }
  if ((++*s.records_total & 0x3FFF) == 0) s.progress->update(*s.records_total, s.report->events);
  return OTF2_CALLBACK_SUCCESS;
}

#define ARGS OTF2_LocationRef, OTF2_TimeStamp time, uint64_t, void *user, OTF2_AttributeList *attrs
#define BODY(...)                              \
  return guarded(user, [&](LocationState& s) { \
    (void)attrs;                               \
    __VA_ARGS__;                               \
  })

std::string text_of(const GlobalDefs& g, OTF2_StringRef ref) {
  return ref == OTF2_UNDEFINED_STRING ? "UNDEFINED" : "\"" + g.string(ref) + "\"";
}
std::string num(uint64_t v) { return v == OTF2_UNDEFINED_UINT64 ? "UNDEFINED" : std::to_string(v); }
std::string num32(uint32_t v) { return v == OTF2_UNDEFINED_UINT32 ? "UNDEFINED" : std::to_string(v); }

OTF2_CallbackCode ev_unknown(ARGS) { BODY(s.keep("UNKNOWN", time)); }
OTF2_CallbackCode ev_buffer_flush(ARGS, OTF2_TimeStamp) { BODY(s.keep("BUFFER_FLUSH", time)); }
OTF2_CallbackCode ev_measurement(ARGS, OTF2_MeasurementMode mode) {
  BODY(s.keep("MEASUREMENT_ON_OFF", time, mode == OTF2_MEASUREMENT_ON ? "mode=ON" : "mode=OFF"));
}
// A call carrying the rondo::polls attributes is a run of folded polls exported
// by Rondo (FORMAT.md 7.2): it becomes a POLLS pair again, not a call.
OTF2_CallbackCode ev_enter(ARGS, OTF2_RegionRef region) {
  BODY(if (s.attribute(attrs, otf2::kAttrPolls)) s.polls_begin = time; else s.enter(s.process->region(region), time));
}
OTF2_CallbackCode ev_leave(ARGS, OTF2_RegionRef region) {
  BODY(if (auto polls = s.attribute(attrs, otf2::kAttrPolls); polls && *polls > 0) {
    s.folded_polls(s.process->region(region), time, static_cast<uint64_t>(*polls),
                   s.attribute(attrs, otf2::kAttrPollsInside).value_or(0));
  } else s.leave(s.process->region(region), time));
}

// The size is data (after the request id of MPI_ISEND/MPI_IRECV), not identity.
void p2p(LocationState& s, EventKind kind, uint64_t time, uint32_t peer, OTF2_CommRef comm, uint32_t tag,
         uint64_t bytes, std::optional<uint64_t> request = std::nullopt) {
  auto n = static_cast<int64_t>(bytes);
  std::initializer_list<int64_t> params = {s.process->world_rank(comm, peer), static_cast<int64_t>(tag),
                                           s.process->comm(comm)};
  if (request)
    s.event(kind, time, 0, params, {static_cast<int64_t>(*request), n});
  else
    s.event(kind, time, 0, params, {n});
}
OTF2_CallbackCode ev_send(ARGS, uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t length) {
  BODY(p2p(s, EventKind::MpiSend, time, receiver, comm, tag, length));
}
OTF2_CallbackCode ev_isend(ARGS, uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t length,
                           uint64_t request) {
  BODY(p2p(s, EventKind::MpiIsend, time, receiver, comm, tag, length, request));
}
OTF2_CallbackCode ev_recv(ARGS, uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t length) {
  BODY(p2p(s, EventKind::MpiRecv, time, sender, comm, tag, length));
}
OTF2_CallbackCode ev_irecv(ARGS, uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t length, uint64_t request) {
  BODY(p2p(s, EventKind::MpiIrecv, time, sender, comm, tag, length, request));
}
OTF2_CallbackCode ev_isend_complete(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiIsendComplete, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_irecv_request(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiIrecvRequest, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_request_test(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiRequestTest, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_request_cancelled(ARGS, uint64_t request) {
  BODY(s.event(EventKind::MpiRequestCancelled, time, 0, {}, {static_cast<int64_t>(request)}));
}
OTF2_CallbackCode ev_coll_begin(ARGS) { BODY(s.event(EventKind::MpiCollectiveBegin, time)); }
OTF2_CallbackCode ev_coll_end(ARGS, OTF2_CollectiveOp op, OTF2_CommRef comm, uint32_t root, uint64_t sent,
                              uint64_t received) {
  BODY({
    auto rondo_op = static_cast<uint32_t>(otf2::from_otf2(op));
    if (auto exact = s.attribute(attrs, otf2::kAttrCollectiveOp)) rondo_op = static_cast<uint32_t>(*exact);
    s.event(EventKind::MpiCollectiveEnd, time, rondo_op,
            {s.process->comm(comm), s.process->world_rank(comm, root)},
            {static_cast<int64_t>(sent), static_cast<int64_t>(received)});
  });
}
OTF2_CallbackCode ev_nb_coll_request(ARGS, uint64_t request) {
  BODY(s.keep("NON_BLOCKING_COLLECTIVE_REQUEST", time, "request=" + num(request)));
}
OTF2_CallbackCode ev_nb_coll_complete(ARGS, OTF2_CollectiveOp op, OTF2_CommRef, uint32_t, uint64_t, uint64_t,
                                      uint64_t) {
  BODY(s.keep("NON_BLOCKING_COLLECTIVE_COMPLETE", time,
              "operation=" + std::string(collective_name(otf2::from_otf2(op)))));
}
OTF2_CallbackCode ev_comm_create(ARGS, OTF2_CommRef comm) {
  BODY(s.keep(
      "COMM_CREATE", time,
      "communicator=" + text_of(*s.g, s.g->comms.count(comm) ? s.g->comms.at(comm).name : OTF2_UNDEFINED_STRING)));
}
OTF2_CallbackCode ev_comm_destroy(ARGS, OTF2_CommRef comm) {
  BODY(s.keep(
      "COMM_DESTROY", time,
      "communicator=" + text_of(*s.g, s.g->comms.count(comm) ? s.g->comms.at(comm).name : OTF2_UNDEFINED_STRING)));
}

// Threads (OpenMP, pthreads), including the deprecated Omp* records.
OTF2_CallbackCode ev_fork(ARGS, OTF2_Paradigm, uint32_t n) { BODY(s.event(EventKind::ThreadFork, time, 0, {n})); }
OTF2_CallbackCode ev_omp_fork(ARGS, uint32_t n) { BODY(s.event(EventKind::ThreadFork, time, 0, {n})); }
OTF2_CallbackCode ev_join(ARGS, OTF2_Paradigm) { BODY(s.event(EventKind::ThreadJoin, time)); }
OTF2_CallbackCode ev_omp_join(ARGS) { BODY(s.event(EventKind::ThreadJoin, time)); }
OTF2_CallbackCode ev_team_begin(ARGS, OTF2_CommRef team) {
  BODY({
    int64_t size = 0;
    if (auto a = s.attribute(attrs, otf2::kAttrTeamSize)) {
      size = *a;
    } else if (auto c = s.g->comms.find(team); c != s.g->comms.end()) {
      auto grp = s.g->member_groups.find(c->second.group);
      if (grp != s.g->member_groups.end()) size = static_cast<int64_t>(grp->second.members.size());
    }
    s.event(EventKind::ThreadTeamBegin, time, 0, {size});
  });
}
OTF2_CallbackCode ev_team_end(ARGS, OTF2_CommRef) { BODY(s.event(EventKind::ThreadTeamEnd, time)); }
void lock(LocationState& s, EventKind kind, uint64_t time, OTF2_AttributeList* attrs, uint32_t id) {
  int64_t lock_kind = s.attribute(attrs, otf2::kAttrLockKind).value_or(0);
  int64_t lock_id = s.attribute(attrs, otf2::kAttrLockId).value_or(id);
  s.event(kind, time, 0, {lock_kind}, {lock_id});
}
OTF2_CallbackCode ev_acquire(ARGS, OTF2_Paradigm, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadAcquireLock, time, attrs, id));
}
OTF2_CallbackCode ev_release(ARGS, OTF2_Paradigm, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadReleaseLock, time, attrs, id));
}
OTF2_CallbackCode ev_omp_acquire(ARGS, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadAcquireLock, time, attrs, id));
}
OTF2_CallbackCode ev_omp_release(ARGS, uint32_t id, uint32_t) {
  BODY(lock(s, EventKind::ThreadReleaseLock, time, attrs, id));
}
// Rondo's exporter sends the task id as an attribute; otherwise the pair
// (creating thread, generation number) makes the id.
int64_t task_id(const LocationState& s, OTF2_AttributeList* attrs, uint32_t creating_thread, uint32_t generation) {
  if (auto id = s.attribute(attrs, otf2::kAttrTaskId)) return *id;
  return static_cast<int64_t>((static_cast<uint64_t>(creating_thread) << 32) | generation);
}
OTF2_CallbackCode ev_task_create(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskCreate, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_task_switch(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskSwitch, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_task_complete(ARGS, OTF2_CommRef, uint32_t creator, uint32_t generation) {
  BODY(s.event(EventKind::ThreadTaskComplete, time, 0, {}, {task_id(s, attrs, creator, generation)}));
}
OTF2_CallbackCode ev_omp_task_create(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskCreate, time, 0, {}, {static_cast<int64_t>(id)}));
}
OTF2_CallbackCode ev_omp_task_switch(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskSwitch, time, 0, {}, {static_cast<int64_t>(id)}));
}
OTF2_CallbackCode ev_omp_task_complete(ARGS, uint64_t id) {
  BODY(s.event(EventKind::ThreadTaskComplete, time, 0, {}, {static_cast<int64_t>(id)}));
}
// Create/Wait carry the contingent's sequence number, which Rondo's exporter
// sets to the created thread's index; Begin/End carry the thread's own.
OTF2_CallbackCode ev_thread_create(ARGS, OTF2_CommRef, uint64_t sequence) {
  BODY(s.event(EventKind::ThreadCreate, time, 0, {}, {static_cast<int64_t>(sequence)}));
}
OTF2_CallbackCode ev_thread_begin(ARGS, OTF2_CommRef, uint64_t) {
  BODY(s.event(EventKind::ThreadBegin, time, 0, {}, {s.attribute(attrs, otf2::kAttrCreator).value_or(-1)}));
}
OTF2_CallbackCode ev_thread_wait(ARGS, OTF2_CommRef, uint64_t sequence) {
  BODY(s.event(EventKind::ThreadWait, time, 0, {}, {static_cast<int64_t>(sequence)}));
}
OTF2_CallbackCode ev_thread_end(ARGS, OTF2_CommRef, uint64_t) { BODY(s.event(EventKind::ThreadEnd, time)); }

// Metrics: one Rondo sample per member (the value's raw 64 bits).
OTF2_CallbackCode ev_metric(ARGS, OTF2_MetricRef metric, uint8_t n, const OTF2_Type*, const OTF2_MetricValue* values) {
  BODY({
    OTF2_MetricRef cls = metric;
    if (auto inst = s.g->metric_instances.find(metric); inst != s.g->metric_instances.end()) cls = inst->second;
    auto members = s.g->metric_classes.find(cls);
    for (uint8_t i = 0; i < n; ++i) {
      OTF2_MetricMemberRef member = members != s.g->metric_classes.end() && i < members->second.size()
                                        ? members->second[i]
                                        : OTF2_UNDEFINED_METRIC_MEMBER;
      int64_t bits;
      std::memcpy(&bits, &values[i], sizeof bits);
      s.event(EventKind::MetricSample, time, s.process->metric(member), {}, {bits});
    }
    if (n > 1) s.report->notes["OTF2 metric records with several members (one Rondo sample each)"] += 1;
  });
}

void generic_event(LocationState& s, uint64_t time, OTF2_AttributeList* attrs, const std::string& text) {
  auto g = otf2::parse_generic(text);
  if (!g) {
    s.keep("PARAMETER_STRING", time, std::string(otf2::kEventParameter) + "=\"" + text + "\"");
    return;
  }
  EventKey k;
  k.kind = g->kind;
  k.ref = static_cast<uint32_t>(g->ref);
  auto v = static_cast<uint8_t>(g->kind);
  if (g->kind == EventKind::GpuKernelLaunch) k.ref = s.process->region(static_cast<OTF2_RegionRef>(g->ref));
  if (v >= static_cast<uint8_t>(EventKind::IoOperationBegin) && v <= static_cast<uint8_t>(EventKind::IoDestroyHandle))
    k.ref = s.process->io_handle(static_cast<OTF2_IoHandleRef>(g->ref));
  for (int i = 0; i < g->np; ++i) k.params[i] = g->params[i];
  // A probe's communicator is written as the archive's reference (p2): back to this process's id.
  if (g->kind == EventKind::MpiProbe && g->np > 2) k.params[2] = s.process->comm(static_cast<OTF2_CommRef>(g->params[2]));
  int64_t data[kMaxData] = {};
  for (int i = 0; i < g->nd; ++i) data[i] = s.attribute(attrs, otf2::kAttrData[i]).value_or(0);
  // Exports of version-1 traces wrote a probe's size as its fourth parameter:
  // it is data now (FORMAT.md 7.2).
  if (g->kind == EventKind::MpiProbe && g->np > 3) {
    data[0] = k.params[3];
    k.params[3] = 0;
  }
  s.writer->event(k, time, data);
}

OTF2_CallbackCode ev_parameter_string(ARGS, OTF2_ParameterRef parameter, OTF2_StringRef value) {
  BODY({
    auto p = s.g->parameters.find(parameter);
    std::string name = p != s.g->parameters.end() ? s.g->string(p->second) : "";
    const std::string& text = s.g->string(value);
    if (name == otf2::kMarkerParameter)
      s.marker(time, text);
    else if (name == otf2::kEventParameter)
      generic_event(s, time, attrs, text);
    else
      s.keep("PARAMETER_STRING", time, name + "=\"" + text + "\"");
  });
}
std::string parameter_name(const LocationState& s, OTF2_ParameterRef parameter) {
  auto p = s.g->parameters.find(parameter);
  return p != s.g->parameters.end() ? s.g->string(p->second) : "parameter " + std::to_string(parameter);
}
OTF2_CallbackCode ev_parameter_int(ARGS, OTF2_ParameterRef parameter, int64_t value) {
  BODY(s.keep("PARAMETER_INT", time, parameter_name(s, parameter) + "=" + std::to_string(value)));
}
OTF2_CallbackCode ev_parameter_uint(ARGS, OTF2_ParameterRef parameter, uint64_t value) {
  BODY(s.keep("PARAMETER_UNSIGNED_INT", time, parameter_name(s, parameter) + "=" + std::to_string(value)));
}

// RMA: transfers and synchronisation map; window management and locks are kept as markers.
int64_t rma_target(LocationState& s, OTF2_RmaWinRef win, uint32_t remote) {
  auto w = s.g->windows.find(win);
  return s.process->world_rank(w != s.g->windows.end() ? w->second : OTF2_UNDEFINED_COMM, remote);
}
// A copy on an accelerator stream (otf2_gpu.h): GPU_MEMCPY inside its region,
// opened here (and closed at its completion) when the archive has none around it.
void gpu_copy(LocationState& s, uint64_t time, OTF2_AttributeList* attrs, bool put, OTF2_RmaWinRef win,
              uint32_t remote, uint64_t bytes) {
  bool self = false;
  if (auto w = s.g->windows.find(win); w != s.g->windows.end())
    if (auto c = s.g->comms.find(w->second); c != s.g->comms.end())
      if (auto m = s.g->member_groups.find(c->second.group); m != s.g->member_groups.end())
        self = remote < m->second.members.size() && m->second.members[remote] == s.location;
  auto copy = otf2::gpu_copy_from_rma(put, self, bytes, s.thread_index, s.attribute(attrs, otf2::kAttrGpuCopyDirection),
                                      s.attribute(attrs, otf2::kAttrGpuCorrelation));
  if (s.open_calls.empty()) s.enter(*(s.gpu_copy_region = s.process->region_named(copy.region, RegionRole::Cuda)), time);
  s.writer->event(copy.key, time, copy.data);
}
OTF2_CallbackCode ev_rma_put(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t bytes, uint64_t) {
  BODY(if (s.gpu_stream) gpu_copy(s, time, attrs, true, win, remote, bytes);
       else s.event(EventKind::RmaPut, time, 0, {rma_target(s, win, remote), s.process->window(win)},
                    {static_cast<int64_t>(bytes)}));
}
OTF2_CallbackCode ev_rma_get(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t bytes, uint64_t) {
  BODY(if (s.gpu_stream) gpu_copy(s, time, attrs, false, win, remote, bytes);
       else s.event(EventKind::RmaGet, time, 0, {rma_target(s, win, remote), s.process->window(win)},
                    {static_cast<int64_t>(bytes)}));
}
OTF2_CallbackCode ev_rma_atomic(ARGS, OTF2_RmaWinRef win, uint32_t remote, OTF2_RmaAtomicType type, uint64_t sent,
                                uint64_t, uint64_t) {
  BODY({
    if (type == OTF2_RMA_ATOMIC_TYPE_ACCUMULATE || type == OTF2_RMA_ATOMIC_TYPE_FETCH_AND_ACCUMULATE)
      s.event(EventKind::RmaAccumulate, time, 0,
              {rma_target(s, win, remote), s.process->window(win)}, {static_cast<int64_t>(sent)});
    else
      s.keep("RMA_ATOMIC", time, "type=" + std::to_string(type) + " remote=" + num32(remote));
  });
}
OTF2_CallbackCode ev_rma_sync(ARGS, OTF2_RmaWinRef win, uint32_t, OTF2_RmaSyncType type) {
  BODY(s.event(EventKind::RmaSync, time, 0,
               {s.process->window(win), s.attribute(attrs, otf2::kAttrSyncKind).value_or(type)}));
}
OTF2_CallbackCode ev_rma_win(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WIN_CREATE", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_win_destroy(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WIN_DESTROY", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_coll_begin(ARGS) { BODY(s.keep("RMA_COLLECTIVE_BEGIN", time)); }
OTF2_CallbackCode ev_rma_coll_end(ARGS, OTF2_CollectiveOp op, OTF2_RmaSyncLevel, OTF2_RmaWinRef win, uint32_t, uint64_t,
                                  uint64_t) {
  BODY(s.keep("RMA_COLLECTIVE_END", time,
              "operation=" + std::string(collective_name(otf2::from_otf2(op))) + " window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_group_sync(ARGS, OTF2_RmaSyncLevel, OTF2_RmaWinRef win, OTF2_GroupRef) {
  BODY(s.keep("RMA_GROUP_SYNC", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_request_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_REQUEST_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_acquire_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_ACQUIRE_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_try_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t, OTF2_LockType) {
  BODY(s.keep("RMA_TRY_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_release_lock(ARGS, OTF2_RmaWinRef win, uint32_t remote, uint64_t) {
  BODY(s.keep("RMA_RELEASE_LOCK", time, "window=" + std::to_string(win) + " remote=" + num32(remote)));
}
OTF2_CallbackCode ev_rma_wait_change(ARGS, OTF2_RmaWinRef win) {
  BODY(s.keep("RMA_WAIT_CHANGE", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_blocking(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(if (s.gpu_stream) {  // a GPU copy's end: its region's end too when the region was opened here
    if (s.gpu_copy_region) s.leave(*s.gpu_copy_region, time);
    s.gpu_copy_region.reset();
  } else s.keep("RMA_OP_COMPLETE_BLOCKING", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_nonblocking(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_COMPLETE_NON_BLOCKING", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_test(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_TEST", time, "window=" + std::to_string(win)));
}
OTF2_CallbackCode ev_rma_complete_remote(ARGS, OTF2_RmaWinRef win, uint64_t) {
  BODY(s.keep("RMA_OP_COMPLETE_REMOTE", time, "window=" + std::to_string(win)));
}

OTF2_CallbackCode ev_cc_enter(ARGS, OTF2_CallingContextRef cc, uint32_t) {
  BODY(s.keep("CALLING_CONTEXT_ENTER", time, "context=" + std::to_string(cc)));
}
OTF2_CallbackCode ev_cc_leave(ARGS, OTF2_CallingContextRef cc) {
  BODY(s.keep("CALLING_CONTEXT_LEAVE", time, "context=" + std::to_string(cc)));
}
OTF2_CallbackCode ev_cc_sample(ARGS, OTF2_CallingContextRef cc, uint32_t, OTF2_InterruptGeneratorRef) {
  BODY(s.keep("CALLING_CONTEXT_SAMPLE", time, "context=" + std::to_string(cc)));
}

// I/O.
int64_t otf2_to_open_flags(OTF2_IoAccessMode mode, OTF2_IoCreationFlag creation, OTF2_IoStatusFlag status) {
  int64_t f = mode == OTF2_IO_ACCESS_MODE_WRITE_ONLY   ? O_WRONLY
              : mode == OTF2_IO_ACCESS_MODE_READ_WRITE ? O_RDWR
                                                       : O_RDONLY;
  if (creation & OTF2_IO_CREATION_FLAG_CREATE) f |= O_CREAT;
  if (creation & OTF2_IO_CREATION_FLAG_TRUNCATE) f |= O_TRUNC;
  if (creation & OTF2_IO_CREATION_FLAG_EXCLUSIVE) f |= O_EXCL;
  if (creation & OTF2_IO_CREATION_FLAG_DIRECTORY) f |= O_DIRECTORY;
  if (creation & OTF2_IO_CREATION_FLAG_NO_FOLLOW) f |= O_NOFOLLOW;
  if (status & OTF2_IO_STATUS_FLAG_APPEND) f |= O_APPEND;
  if (status & OTF2_IO_STATUS_FLAG_NON_BLOCKING) f |= O_NONBLOCK;
  if (status & OTF2_IO_STATUS_FLAG_CLOSE_ON_EXEC) f |= O_CLOEXEC;
  if (status & OTF2_IO_STATUS_FLAG_SYNC) f |= O_SYNC;
  return f;
}
OTF2_CallbackCode ev_io_create(ARGS, OTF2_IoHandleRef handle, OTF2_IoAccessMode mode, OTF2_IoCreationFlag creation,
                               OTF2_IoStatusFlag status) {
  BODY({
    int64_t flags = s.attribute(attrs, otf2::kAttrOpenFlags).value_or(otf2_to_open_flags(mode, creation, status));
    s.event(EventKind::IoCreateHandle, time, s.process->io_handle(handle), {flags});
  });
}
OTF2_CallbackCode ev_io_destroy(ARGS, OTF2_IoHandleRef handle) {
  BODY(s.event(EventKind::IoDestroyHandle, time, s.process->io_handle(handle)));
}
OTF2_CallbackCode ev_io_begin(ARGS, OTF2_IoHandleRef handle, OTF2_IoOperationMode mode, OTF2_IoOperationFlag,
                              uint64_t bytes, uint64_t matching) {
  BODY({
    int64_t op = mode == OTF2_IO_OPERATION_MODE_READ    ? static_cast<int64_t>(IoOperation::Read)
                 : mode == OTF2_IO_OPERATION_MODE_WRITE ? static_cast<int64_t>(IoOperation::Write)
                                                        : static_cast<int64_t>(IoOperation::Flush);
    op = s.attribute(attrs, otf2::kAttrIoOperation).value_or(op);
    s.io_operations[matching] = op;
    s.event(EventKind::IoOperationBegin, time, s.process->io_handle(handle), {op},
            {static_cast<int64_t>(bytes), s.attribute(attrs, otf2::kAttrOffset).value_or(-1)});
  });
}
OTF2_CallbackCode ev_io_complete(ARGS, OTF2_IoHandleRef handle, uint64_t bytes, uint64_t matching) {
  BODY({
    int64_t op = 0;
    if (auto it = s.io_operations.find(matching); it != s.io_operations.end()) {
      op = it->second;
      s.io_operations.erase(it);
    }
    op = s.attribute(attrs, otf2::kAttrIoOperation).value_or(op);
    s.event(EventKind::IoOperationComplete, time, s.process->io_handle(handle), {op}, {static_cast<int64_t>(bytes)});
  });
}
OTF2_CallbackCode ev_io_duplicate(ARGS, OTF2_IoHandleRef from, OTF2_IoHandleRef to, OTF2_IoStatusFlag) {
  BODY(s.keep("IO_DUPLICATE_HANDLE", time, "from=" + std::to_string(from) + " to=" + std::to_string(to)));
}
OTF2_CallbackCode ev_io_seek(ARGS, OTF2_IoHandleRef handle, int64_t, OTF2_IoSeekOption, uint64_t) {
  BODY(s.keep("IO_SEEK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_status(ARGS, OTF2_IoHandleRef handle, OTF2_IoStatusFlag) {
  BODY(s.keep("IO_CHANGE_STATUS_FLAGS", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_delete(ARGS, OTF2_IoParadigmRef, OTF2_IoFileRef file) {
  BODY(s.keep("IO_DELETE_FILE", time,
              "file=" + text_of(*s.g, s.g->io_files.count(file) ? s.g->io_files.at(file) : OTF2_UNDEFINED_STRING)));
}
OTF2_CallbackCode ev_io_test(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_TEST", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_issued(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_ISSUED", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_cancelled(ARGS, OTF2_IoHandleRef handle, uint64_t) {
  BODY(s.keep("IO_OPERATION_CANCELLED", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_acquire(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_ACQUIRE_LOCK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_release(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_RELEASE_LOCK", time, "handle=" + std::to_string(handle)));
}
OTF2_CallbackCode ev_io_try(ARGS, OTF2_IoHandleRef handle, OTF2_LockType) {
  BODY(s.keep("IO_TRY_LOCK", time, "handle=" + std::to_string(handle)));
}

OTF2_CallbackCode ev_program_begin(ARGS, OTF2_StringRef name, uint32_t argc, const OTF2_StringRef*) {
  BODY({
    if (auto pid = s.attribute(attrs, "ProcessId")) s.pid = static_cast<uint32_t>(*pid);
    s.keep("PROGRAM_BEGIN", time, "name=" + text_of(*s.g, name) + " arguments=" + std::to_string(argc));
  });
}
OTF2_CallbackCode ev_program_end(ARGS, int64_t status) {
  BODY(s.keep("PROGRAM_END", time,
              "exit_status=" + (status == static_cast<int64_t>(OTF2_UNDEFINED_INT64) ? std::string("UNDEFINED")
                                                                                     : std::to_string(status))));
}

#undef ARGS
#undef BODY

OTF2_EvtReaderCallbacks* make_event_callbacks() {
  OTF2_EvtReaderCallbacks* c = OTF2_EvtReaderCallbacks_New();
  if (!c) throw ConversionError("OTF2_EvtReaderCallbacks_New failed");
  OTF2_EvtReaderCallbacks_SetUnknownCallback(c, ev_unknown);
  OTF2_EvtReaderCallbacks_SetBufferFlushCallback(c, ev_buffer_flush);
  OTF2_EvtReaderCallbacks_SetMeasurementOnOffCallback(c, ev_measurement);
  OTF2_EvtReaderCallbacks_SetEnterCallback(c, ev_enter);
  OTF2_EvtReaderCallbacks_SetLeaveCallback(c, ev_leave);
  OTF2_EvtReaderCallbacks_SetMpiSendCallback(c, ev_send);
  OTF2_EvtReaderCallbacks_SetMpiIsendCallback(c, ev_isend);
  OTF2_EvtReaderCallbacks_SetMpiIsendCompleteCallback(c, ev_isend_complete);
  OTF2_EvtReaderCallbacks_SetMpiIrecvRequestCallback(c, ev_irecv_request);
  OTF2_EvtReaderCallbacks_SetMpiRecvCallback(c, ev_recv);
  OTF2_EvtReaderCallbacks_SetMpiIrecvCallback(c, ev_irecv);
  OTF2_EvtReaderCallbacks_SetMpiRequestTestCallback(c, ev_request_test);
  OTF2_EvtReaderCallbacks_SetMpiRequestCancelledCallback(c, ev_request_cancelled);
  OTF2_EvtReaderCallbacks_SetMpiCollectiveBeginCallback(c, ev_coll_begin);
  OTF2_EvtReaderCallbacks_SetMpiCollectiveEndCallback(c, ev_coll_end);
  OTF2_EvtReaderCallbacks_SetOmpForkCallback(c, ev_omp_fork);
  OTF2_EvtReaderCallbacks_SetOmpJoinCallback(c, ev_omp_join);
  OTF2_EvtReaderCallbacks_SetOmpAcquireLockCallback(c, ev_omp_acquire);
  OTF2_EvtReaderCallbacks_SetOmpReleaseLockCallback(c, ev_omp_release);
  OTF2_EvtReaderCallbacks_SetOmpTaskCreateCallback(c, ev_omp_task_create);
  OTF2_EvtReaderCallbacks_SetOmpTaskSwitchCallback(c, ev_omp_task_switch);
  OTF2_EvtReaderCallbacks_SetOmpTaskCompleteCallback(c, ev_omp_task_complete);
  OTF2_EvtReaderCallbacks_SetMetricCallback(c, ev_metric);
  OTF2_EvtReaderCallbacks_SetParameterStringCallback(c, ev_parameter_string);
  OTF2_EvtReaderCallbacks_SetParameterIntCallback(c, ev_parameter_int);
  OTF2_EvtReaderCallbacks_SetParameterUnsignedIntCallback(c, ev_parameter_uint);
  OTF2_EvtReaderCallbacks_SetRmaWinCreateCallback(c, ev_rma_win);
  OTF2_EvtReaderCallbacks_SetRmaWinDestroyCallback(c, ev_rma_win_destroy);
  OTF2_EvtReaderCallbacks_SetRmaCollectiveBeginCallback(c, ev_rma_coll_begin);
  OTF2_EvtReaderCallbacks_SetRmaCollectiveEndCallback(c, ev_rma_coll_end);
  OTF2_EvtReaderCallbacks_SetRmaGroupSyncCallback(c, ev_rma_group_sync);
  OTF2_EvtReaderCallbacks_SetRmaRequestLockCallback(c, ev_rma_request_lock);
  OTF2_EvtReaderCallbacks_SetRmaAcquireLockCallback(c, ev_rma_acquire_lock);
  OTF2_EvtReaderCallbacks_SetRmaTryLockCallback(c, ev_rma_try_lock);
  OTF2_EvtReaderCallbacks_SetRmaReleaseLockCallback(c, ev_rma_release_lock);
  OTF2_EvtReaderCallbacks_SetRmaSyncCallback(c, ev_rma_sync);
  OTF2_EvtReaderCallbacks_SetRmaWaitChangeCallback(c, ev_rma_wait_change);
  OTF2_EvtReaderCallbacks_SetRmaPutCallback(c, ev_rma_put);
  OTF2_EvtReaderCallbacks_SetRmaGetCallback(c, ev_rma_get);
  OTF2_EvtReaderCallbacks_SetRmaAtomicCallback(c, ev_rma_atomic);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteBlockingCallback(c, ev_rma_complete_blocking);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteNonBlockingCallback(c, ev_rma_complete_nonblocking);
  OTF2_EvtReaderCallbacks_SetRmaOpTestCallback(c, ev_rma_test);
  OTF2_EvtReaderCallbacks_SetRmaOpCompleteRemoteCallback(c, ev_rma_complete_remote);
  OTF2_EvtReaderCallbacks_SetThreadForkCallback(c, ev_fork);
  OTF2_EvtReaderCallbacks_SetThreadJoinCallback(c, ev_join);
  OTF2_EvtReaderCallbacks_SetThreadTeamBeginCallback(c, ev_team_begin);
  OTF2_EvtReaderCallbacks_SetThreadTeamEndCallback(c, ev_team_end);
  OTF2_EvtReaderCallbacks_SetThreadAcquireLockCallback(c, ev_acquire);
  OTF2_EvtReaderCallbacks_SetThreadReleaseLockCallback(c, ev_release);
  OTF2_EvtReaderCallbacks_SetThreadTaskCreateCallback(c, ev_task_create);
  OTF2_EvtReaderCallbacks_SetThreadTaskSwitchCallback(c, ev_task_switch);
  OTF2_EvtReaderCallbacks_SetThreadTaskCompleteCallback(c, ev_task_complete);
  OTF2_EvtReaderCallbacks_SetThreadCreateCallback(c, ev_thread_create);
  OTF2_EvtReaderCallbacks_SetThreadBeginCallback(c, ev_thread_begin);
  OTF2_EvtReaderCallbacks_SetThreadWaitCallback(c, ev_thread_wait);
  OTF2_EvtReaderCallbacks_SetThreadEndCallback(c, ev_thread_end);
  OTF2_EvtReaderCallbacks_SetCallingContextEnterCallback(c, ev_cc_enter);
  OTF2_EvtReaderCallbacks_SetCallingContextLeaveCallback(c, ev_cc_leave);
  OTF2_EvtReaderCallbacks_SetCallingContextSampleCallback(c, ev_cc_sample);
  OTF2_EvtReaderCallbacks_SetIoCreateHandleCallback(c, ev_io_create);
  OTF2_EvtReaderCallbacks_SetIoDestroyHandleCallback(c, ev_io_destroy);
  OTF2_EvtReaderCallbacks_SetIoDuplicateHandleCallback(c, ev_io_duplicate);
  OTF2_EvtReaderCallbacks_SetIoSeekCallback(c, ev_io_seek);
  OTF2_EvtReaderCallbacks_SetIoChangeStatusFlagsCallback(c, ev_io_status);
  OTF2_EvtReaderCallbacks_SetIoDeleteFileCallback(c, ev_io_delete);
  OTF2_EvtReaderCallbacks_SetIoOperationBeginCallback(c, ev_io_begin);
  OTF2_EvtReaderCallbacks_SetIoOperationTestCallback(c, ev_io_test);
  OTF2_EvtReaderCallbacks_SetIoOperationIssuedCallback(c, ev_io_issued);
  OTF2_EvtReaderCallbacks_SetIoOperationCompleteCallback(c, ev_io_complete);
  OTF2_EvtReaderCallbacks_SetIoOperationCancelledCallback(c, ev_io_cancelled);
  OTF2_EvtReaderCallbacks_SetIoAcquireLockCallback(c, ev_io_acquire);
  OTF2_EvtReaderCallbacks_SetIoReleaseLockCallback(c, ev_io_release);
  OTF2_EvtReaderCallbacks_SetIoTryLockCallback(c, ev_io_try);
  OTF2_EvtReaderCallbacks_SetProgramBeginCallback(c, ev_program_begin);
  OTF2_EvtReaderCallbacks_SetProgramEndCallback(c, ev_program_end);
  OTF2_EvtReaderCallbacks_SetNonBlockingCollectiveRequestCallback(c, ev_nb_coll_request);
  OTF2_EvtReaderCallbacks_SetNonBlockingCollectiveCompleteCallback(c, ev_nb_coll_complete);
  OTF2_EvtReaderCallbacks_SetCommCreateCallback(c, ev_comm_create);
  OTF2_EvtReaderCallbacks_SetCommDestroyCallback(c, ev_comm_destroy);
  return c;
}

// ---------------------------------------------------------------------------

class ReaderHandle {
 public:
  explicit ReaderHandle(OTF2_Reader* r) : reader_(r) {}
  ReaderHandle(const ReaderHandle&) = delete;
  ReaderHandle& operator=(const ReaderHandle&) = delete;
  ~ReaderHandle() {
    if (reader_) OTF2_Reader_Close(reader_);
  }
  OTF2_Reader* get() const { return reader_; }

 private:
  OTF2_Reader* reader_;
};

void read_global_definitions(OTF2_Reader* reader, GlobalDefs& g) {
  OTF2_GlobalDefReader* defs = OTF2_Reader_GetGlobalDefReader(reader);
  if (!defs) otf2::fail("OTF2_Reader_GetGlobalDefReader", OTF2_ERROR_INVALID);
  OTF2_GlobalDefReaderCallbacks* c = OTF2_GlobalDefReaderCallbacks_New();
  if (!c) throw ConversionError("OTF2_GlobalDefReaderCallbacks_New failed");
  OTF2_GlobalDefReaderCallbacks_SetClockPropertiesCallback(c, def_clock);
  OTF2_GlobalDefReaderCallbacks_SetStringCallback(c, def_string);
  OTF2_GlobalDefReaderCallbacks_SetAttributeCallback(c, def_attribute);
  OTF2_GlobalDefReaderCallbacks_SetSystemTreeNodeCallback(c, def_node);
  OTF2_GlobalDefReaderCallbacks_SetLocationGroupCallback(c, def_location_group);
  OTF2_GlobalDefReaderCallbacks_SetLocationCallback(c, def_location);
  OTF2_GlobalDefReaderCallbacks_SetRegionCallback(c, def_region);
  OTF2_GlobalDefReaderCallbacks_SetGroupCallback(c, def_group);
  OTF2_GlobalDefReaderCallbacks_SetCommCallback(c, def_comm);
  OTF2_GlobalDefReaderCallbacks_SetInterCommCallback(c, def_inter_comm);
  OTF2_GlobalDefReaderCallbacks_SetMetricMemberCallback(c, def_metric_member);
  OTF2_GlobalDefReaderCallbacks_SetMetricClassCallback(c, def_metric_class);
  OTF2_GlobalDefReaderCallbacks_SetMetricInstanceCallback(c, def_metric_instance);
  OTF2_GlobalDefReaderCallbacks_SetParameterCallback(c, def_parameter);
  OTF2_GlobalDefReaderCallbacks_SetRmaWinCallback(c, def_window);
  OTF2_GlobalDefReaderCallbacks_SetIoParadigmCallback(c, def_io_paradigm);
  OTF2_GlobalDefReaderCallbacks_SetIoRegularFileCallback(c, def_io_file);
  OTF2_GlobalDefReaderCallbacks_SetIoHandleCallback(c, def_io_handle);
  OTF2_ErrorCode rc = OTF2_Reader_RegisterGlobalDefCallbacks(reader, defs, c, &g);
  OTF2_GlobalDefReaderCallbacks_Delete(c);
  check(rc, "registering the OTF2 definition callbacks");
  uint64_t n = 0;
  check(OTF2_Reader_ReadAllGlobalDefinitions(reader, defs, &n), "reading the OTF2 global definitions");
  check(OTF2_Reader_CloseGlobalDefReader(reader, defs), "OTF2_Reader_CloseGlobalDefReader");
}

std::string file_safe(std::string s) {
  for (char& c : s)
    if (c == '/' || c == '\\' || c == ' ' || static_cast<unsigned char>(c) < 32) c = '_';
  return s.empty() ? "otf2" : s;
}

OTF2_CallbackCode count_clock_offset(void* user, OTF2_TimeStamp, int64_t, double) {
  ++*static_cast<uint64_t*>(user);
  return OTF2_CALLBACK_SUCCESS;
}

class Importer {
 public:
  Importer(const std::string& anchor, const std::string& out, const ConvertOptions& options)
      : anchor_(anchor), out_(out), options_(options) {}
  ConvertReport run();

 private:
  void plan_ranks();
  void tell_repairs();
  void import_group(OTF2_Reader* reader, OTF2_LocationGroupRef group, const std::vector<OTF2_LocationRef>& locations,
                    OTF2_EvtReaderCallbacks* callbacks, bool local_defs);
  std::string host_of(OTF2_LocationGroupRef group) const;

  std::string anchor_, out_;
  ConvertOptions options_;
  GlobalDefs g_;
  ConvertReport report_;
  std::map<OTF2_CommRef, CommShape> shapes_;
  std::map<OTF2_LocationGroupRef, int32_t> rank_of_group_;
  int32_t world_size_ = 0;
  uint64_t records_ = 0;
  std::unique_ptr<detail::Progress> progress_;
};

std::string Importer::host_of(OTF2_LocationGroupRef group) const {
  auto g = g_.groups.find(group);
  if (g == g_.groups.end()) return "";
  // The nearest system tree node of class "node" (else the group's parent node).
  OTF2_SystemTreeNodeRef n = g->second.parent;
  std::string fallback;
  for (int depth = 0; depth < 64 && n != OTF2_UNDEFINED_SYSTEM_TREE_NODE; ++depth) {
    auto node = g_.nodes.find(n);
    if (node == g_.nodes.end()) break;
    if (fallback.empty()) fallback = g_.string(node->second.name);
    if (g_.string(node->second.cls) == "node") return g_.string(node->second.name);
    n = node->second.parent;
  }
  return fallback;
}

// Ranks: the MPI COMM_LOCATIONS group lists the ranks' locations in rank order;
// a location group's rank is the position of its location there. Without MPI,
// location groups are numbered in order.
void Importer::plan_ranks() {
  const GlobalDefs::Group* mpi_locations = nullptr;
  for (auto& [ref, grp] : g_.member_groups)
    if (grp.type == OTF2_GROUP_TYPE_COMM_LOCATIONS && grp.paradigm == OTF2_PARADIGM_MPI) mpi_locations = &grp;
  if (mpi_locations) {
    world_size_ = static_cast<int32_t>(mpi_locations->members.size());
    for (int32_t r = 0; r < world_size_; ++r) {
      auto loc = g_.locations.find(mpi_locations->members[r]);
      if (loc != g_.locations.end()) rank_of_group_.try_emplace(loc->second.group, r);
    }
  } else {
    // No MPI location list: an MPI archive still numbers its processes as
    // ranks (location group = rank); an archive without MPI has no ranks.
    bool mpi = false;
    for (auto& [ref, r] : g_.regions) mpi = mpi || r.paradigm == OTF2_PARADIGM_MPI;
    for (auto& [ref, grp] : g_.member_groups) mpi = mpi || grp.paradigm == OTF2_PARADIGM_MPI;
    int32_t r = 0;
    if (mpi)
      for (auto& [ref, grp] : g_.groups)
        if (grp.type != OTF2_LOCATION_GROUP_TYPE_ACCELERATOR) rank_of_group_[ref] = r++;
    world_size_ = r;
  }
  // Communicators with their members as world ranks.
  std::unordered_map<uint64_t, int32_t> location_rank;
  if (mpi_locations)
    for (int32_t r = 0; r < world_size_; ++r) location_rank[mpi_locations->members[r]] = r;
  auto ranks = [&](OTF2_GroupRef ref, CommShape& shape, std::vector<int32_t>& out) {
    auto grp = g_.member_groups.find(ref);
    if (grp == g_.member_groups.end()) return false;
    shape.mpi = shape.mpi || grp->second.paradigm == OTF2_PARADIGM_MPI;
    switch (grp->second.type) {
      case OTF2_GROUP_TYPE_COMM_SELF:
        shape.self = true;
        return true;
      case OTF2_GROUP_TYPE_COMM_LOCATIONS:
        for (uint64_t loc : grp->second.members) {
          auto it = location_rank.find(loc);
          out.push_back(it == location_rank.end() ? -1 : it->second);
        }
        return true;
      default:
        for (uint64_t m : grp->second.members) out.push_back(static_cast<int32_t>(m));
        return true;
    }
  };
  for (auto& [ref, comm] : g_.comms) {
    CommShape shape;
    shape.inter = comm.inter;
    if (!ranks(comm.group, shape, shape.local)) continue;
    if (comm.inter && !ranks(comm.remote, shape, shape.remote)) continue;
    shapes_.emplace(ref, std::move(shape));
  }
}

ConvertReport Importer::run() {
  auto start = std::chrono::steady_clock::now();
  otf2::install_error_handler();
  struct stat st {};
  if (stat(anchor_.c_str(), &st) != 0) throw ConversionError(anchor_ + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ConversionError(anchor_ + ": not an OTF2 anchor file (expected e.g. traces.otf2)");

  ReaderHandle reader(OTF2_Reader_Open(anchor_.c_str()));
  if (!reader.get()) {
    std::string why = otf2::take_last_error();
    throw ConversionError(anchor_ + ": not a readable OTF2 anchor file" + (why.empty() ? "" : " (" + why + ")"));
  }
  check(OTF2_Reader_SetSerialCollectiveCallbacks(reader.get()), "OTF2_Reader_SetSerialCollectiveCallbacks");
  try {
    read_global_definitions(reader.get(), g_);
  } catch (const ConversionError& e) {
    throw ConversionError(anchor_ + ": " + e.what());
  }
  if (g_.locations.empty()) throw ConversionError(anchor_ + ": the archive defines no locations");
  if (!g_.have_clock) report_.notes["archive without clock properties (1 tick taken as 1 ns)"] = 1;

  // The output directory must not already hold a trace: files would mix.
  detail::make_directory(out_);
  if (access(out_.c_str(), W_OK) != 0) throw ConversionError(out_ + ": cannot write: " + std::strerror(errno));
  for (const auto& entry : fs::directory_iterator(out_))
    if (entry.path().extension() == ".rnd")
      throw ConversionError(out_ + ": already holds a Rondo trace (" + entry.path().filename().string() +
                            "); choose another output directory");

  plan_ranks();

  uint64_t total = 0;
  std::map<OTF2_LocationGroupRef, std::vector<OTF2_LocationRef>> by_group;
  for (auto& [ref, loc] : g_.locations) {
    check(OTF2_Reader_SelectLocation(reader.get(), ref), "OTF2_Reader_SelectLocation");
    // Accelerator groups (GPU streams) belong to the process that created them.
    auto owner = g_.groups.find(loc.group);
    bool accelerator = owner != g_.groups.end() && owner->second.type == OTF2_LOCATION_GROUP_TYPE_ACCELERATOR &&
                       owner->second.creator != OTF2_UNDEFINED_LOCATION_GROUP;
    by_group[accelerator ? owner->second.creator : loc.group].push_back(ref);
    total += loc.events;
  }
  const bool local_defs = OTF2_Reader_OpenDefFiles(reader.get()) == OTF2_SUCCESS;
  otf2::take_last_error();
  check(OTF2_Reader_OpenEvtFiles(reader.get()), "OTF2_Reader_OpenEvtFiles");

  progress_ = std::make_unique<detail::Progress>(options_.progress, "importing", total);
  OTF2_EvtReaderCallbacks* callbacks = make_event_callbacks();
  try {
    for (auto& [group, locations] : by_group) import_group(reader.get(), group, locations, callbacks, local_defs);
  } catch (...) {
    OTF2_EvtReaderCallbacks_Delete(callbacks);
    throw;
  }
  OTF2_EvtReaderCallbacks_Delete(callbacks);
  progress_->finish();

  check(OTF2_Reader_CloseEvtFiles(reader.get()), "OTF2_Reader_CloseEvtFiles");
  if (local_defs) check(OTF2_Reader_CloseDefFiles(reader.get()), "OTF2_Reader_CloseDefFiles");
  report_.records = records_;
  tell_repairs();
  report_.seconds = detail::seconds_since(start);
  return report_;
}

// What the import changed or could not fix, one `rondo: import:` line each on
// stderr (stdout holds the summary).
void Importer::tell_repairs() {
  if (report_.leaves_out_of_order || report_.leaves_dropped)
    std::fprintf(stderr,
                 "rondo: import: %llu leaves did not match the innermost open call: they closed the %llu calls "
                 "still open inside them at their time, and %llu later leaves of calls no longer open were "
                 "dropped\n",
                 static_cast<unsigned long long>(report_.leaves_out_of_order),
                 static_cast<unsigned long long>(report_.calls_closed_early),
                 static_cast<unsigned long long>(report_.leaves_dropped));
  // Without ClockOffsets the ranks' clocks are taken as they are: a message
  // received before its send is then the archive's clock error, which the import
  // cannot know how to correct; guessing offsets would invent data.
  if (report_.clock_offsets > 0 || world_size_ < 2) return;
  format::TraceReader trace(out_);
  for (const analyzer::Message& m : analyzer::match_messages(trace))
    if (m.matched() && m.recv_ns < m.send_ns) ++report_.receives_before_send;
  if (report_.receives_before_send)
    std::fprintf(stderr,
                 "rondo: import: %llu messages received before they were sent: the OTF2 archive carries no clock "
                 "offsets\n",
                 static_cast<unsigned long long>(report_.receives_before_send));
}

void Importer::import_group(OTF2_Reader* reader, OTF2_LocationGroupRef group,
                            const std::vector<OTF2_LocationRef>& locations, OTF2_EvtReaderCallbacks* callbacks,
                            bool local_defs) {
  int32_t rank = -1;
  if (auto it = rank_of_group_.find(group); it != rank_of_group_.end()) rank = it->second;
  std::string host = host_of(group);
  ProcessBuilder builder(g_, shapes_, rank);
  std::string path = (fs::path(out_) / (file_safe(host) + "." + std::to_string(group) + ".rnd")).string();
  std::unique_ptr<ProcessFile> file;
  try {
    file = std::make_unique<ProcessFile>(path);
  } catch (const std::exception& e) {
    throw ConversionError(e.what());
  }
  auto append = [&](const std::vector<uint8_t>& chunk) {
    if (!file->append(chunk)) throw ConversionError(path + ": write failed: " + file->error());
  };

  std::optional<uint32_t> pid;
  uint32_t thread_index = 0;
  for (OTF2_LocationRef location : locations) {
    const GlobalDefs::Location& def = g_.locations.at(location);
    if (local_defs) {
      // Mapping tables and clock corrections live here when a writer left them.
      if (OTF2_DefReader* d = OTF2_Reader_GetDefReader(reader, location)) {
        // OTF2 keeps the ClockOffsets it reads here for the location's event
        // reader; the callback only counts them.
        OTF2_DefReaderCallbacks* c = OTF2_DefReaderCallbacks_New();
        OTF2_DefReaderCallbacks_SetClockOffsetCallback(c, count_clock_offset);
        OTF2_ErrorCode rc = OTF2_Reader_RegisterDefCallbacks(reader, d, c, &report_.clock_offsets);
        OTF2_DefReaderCallbacks_Delete(c);
        check(rc, "registering the OTF2 local definition callbacks");
        uint64_t n = 0;
        check(OTF2_Reader_ReadAllLocalDefinitions(reader, d, &n), "reading OTF2 local definitions");
        check(OTF2_Reader_CloseDefReader(reader, d), "OTF2_Reader_CloseDefReader");
      }
      otf2::take_last_error();
    }
    OTF2_EvtReader* events = OTF2_Reader_GetEvtReader(reader, location);
    if (!events) otf2::fail("opening the events of OTF2 location " + std::to_string(location), OTF2_ERROR_INVALID);
    // OTF2's rule (the default, said here because the time axis depends on it):
    // a timestamp t of this location becomes t + the offset interpolated
    // linearly between the ClockOffset definitions around t (the first or last
    // one outside them), so that all locations share the global clock.
    check(OTF2_EvtReader_ApplyClockOffsets(events, true), "OTF2_EvtReader_ApplyClockOffsets");

    ThreadWriter writer(thread_index, [&](Batch&& b) {
      for (auto& chunk : encode_batch(b, 3)) append(chunk);
    });
    LocationState state;
    state.g = &g_;
    state.process = &builder;
    state.writer = &writer;
    state.report = &report_;
    state.progress = progress_.get();
    state.records_total = &records_;
    state.rank = rank;
    state.thread_index = thread_index;
    state.location = location;
    state.gpu_stream = def.type == OTF2_LOCATION_TYPE_ACCELERATOR_STREAM;
    check(OTF2_Reader_RegisterEvtCallbacks(reader, events, callbacks, &state), "registering the OTF2 event callbacks");
    uint64_t n = 0;
    OTF2_ErrorCode rc = OTF2_Reader_ReadAllLocalEvents(reader, events, &n);
    if (!state.error.empty()) throw ConversionError(state.error);
    if (rc != OTF2_SUCCESS && def.events == 0 && n == 0) {
      // Writers may leave no event file for a location without events.
      otf2::take_last_error();
      report_.notes["locations without events whose event file could not be read"] += 1;
    } else if (rc != OTF2_SUCCESS) {
      otf2::fail("reading the events of OTF2 location " + std::to_string(location), rc);
    }
    writer.flush(true);
    report_.events += writer.events();
    check(OTF2_Reader_CloseEvtReader(reader, events), "OTF2_Reader_CloseEvtReader");
    if (state.pid) pid = state.pid;

    ThreadDef t;
    t.index = thread_index;
    t.kind = def.type == OTF2_LOCATION_TYPE_ACCELERATOR_STREAM ? ThreadKind::GpuStream : ThreadKind::Cpu;
    t.name = builder.string(g_.string(def.name));
    t.os_tid = location;
    builder.add_thread(t);
    ++thread_index;
    ++report_.threads;
  }
  if (builder.bad_ranks) report_.notes["MPI ranks outside their communicator (written as -1)"] += builder.bad_ranks;

  ProcessDef process;
  process.rank = rank;
  process.world_size = rank >= 0 ? world_size_ : 0;
  process.pid = pid.value_or(static_cast<uint32_t>(group));
  process.host = host;
  auto lg = g_.groups.find(group);
  process.command = lg != g_.groups.end() ? g_.string(lg->second.name) : "";
  ClockDef clock;
  clock.source = g_.resolution == 1000000000 ? 1 : 0;
  clock.ticks_per_second = g_.resolution;
  clock.start_ticks = g_.offset;
  clock.start_ns = 0;
  clock.start_realtime_ns = g_.realtime == OTF2_UNDEFINED_TIMESTAMP ? 0 : g_.realtime;
  for (const auto& chunk : process_end_chunks(builder.encode(process, clock), 0, 0, 3)) append(chunk);
  ++report_.processes;
}

}  // namespace

ConvertReport import_otf2(const std::string& anchor, const std::string& out_dir, const ConvertOptions& options) {
  Importer importer(anchor, out_dir, options);
  return importer.run();
}

}  // namespace rondo::converters
