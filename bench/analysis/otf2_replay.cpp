#include "otf2_replay.h"

#include <otf2/otf2.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <memory>
#include <stdexcept>
#include <unordered_map>

namespace rondo::bench {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("OTF2: " + what); }

void check(OTF2_ErrorCode code, const char* what) {
  if (code != OTF2_SUCCESS) fail(std::string(what) + ": " + OTF2_Error_GetName(code));
}

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Grows `v` so that `index` is valid, filling with `fill`.
template <typename T>
T& at_grow(std::vector<T>& v, size_t index, const T& fill) {
  if (index >= v.size()) v.resize(index + 1, fill);
  return v[index];
}

// The global definitions both replays need.
struct Definitions {
  uint64_t timer_resolution = 1000000000;
  std::vector<std::string> strings;         // by string ref
  std::vector<uint32_t> region_name;        // region ref -> string ref
  std::vector<OTF2_LocationRef> locations;  // in definition order
  std::vector<OTF2_LocationRef> mpi_world;  // MPI locations group: world rank -> location ref
  struct Group {
    OTF2_GroupType type = OTF2_GROUP_TYPE_UNKNOWN;
    OTF2_Paradigm paradigm = OTF2_PARADIGM_UNKNOWN;
    std::vector<uint64_t> members;
  };
  std::vector<Group> groups;         // by group ref
  std::vector<uint32_t> comm_group;  // comm ref -> group ref (kNone: not a communicator)
};

OTF2_CallbackCode def_clock(void* user, uint64_t resolution, uint64_t, uint64_t, uint64_t) {
  static_cast<Definitions*>(user)->timer_resolution = resolution;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_string(void* user, OTF2_StringRef self, const char* text) {
  at_grow(static_cast<Definitions*>(user)->strings, self, std::string()) = text;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_region(void* user, OTF2_RegionRef self, OTF2_StringRef name, OTF2_StringRef, OTF2_StringRef,
                             OTF2_RegionRole, OTF2_Paradigm, OTF2_RegionFlag, OTF2_StringRef, uint32_t, uint32_t) {
  at_grow(static_cast<Definitions*>(user)->region_name, self, kNone) = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_location(void* user, OTF2_LocationRef self, OTF2_StringRef, OTF2_LocationType, uint64_t,
                               OTF2_LocationGroupRef) {
  static_cast<Definitions*>(user)->locations.push_back(self);
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_group(void* user, OTF2_GroupRef self, OTF2_StringRef, OTF2_GroupType type,
                            OTF2_Paradigm paradigm, OTF2_GroupFlag, uint32_t count, const uint64_t* members) {
  auto* defs = static_cast<Definitions*>(user);
  Definitions::Group& g = at_grow(defs->groups, self, Definitions::Group{});
  g.type = type;
  g.paradigm = paradigm;
  g.members.assign(members, members + count);
  if (type == OTF2_GROUP_TYPE_COMM_LOCATIONS && paradigm == OTF2_PARADIGM_MPI) defs->mpi_world = g.members;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_comm(void* user, OTF2_CommRef self, OTF2_StringRef, OTF2_GroupRef group, OTF2_CommRef,
                           OTF2_CommFlag) {
  at_grow(static_cast<Definitions*>(user)->comm_group, self, kNone) = group;
  return OTF2_CALLBACK_SUCCESS;
}

// An open archive: global definitions read, every location's event file ready for the global event reader.
class Archive {
 public:
  explicit Archive(const std::string& anchor) : reader_(OTF2_Reader_Open(anchor.c_str())) {
    if (reader_ == nullptr) fail("cannot open " + anchor);
    try {
      open();
    } catch (...) {
      OTF2_Reader_Close(reader_);
      throw;
    }
  }
  ~Archive() { OTF2_Reader_Close(reader_); }
  Archive(const Archive&) = delete;
  Archive& operator=(const Archive&) = delete;

  const Definitions& defs() const { return defs_; }

  // Dense index of a location ref (its position in the definitions).
  uint32_t location_index(OTF2_LocationRef ref) const {
    return ref < location_index_.size() ? location_index_[ref] : kNone;
  }

  // Replays every event of every location in time order; returns how many events the reader read.
  uint64_t replay(OTF2_GlobalEvtReaderCallbacks* callbacks, void* user, const std::string& callback_error) {
    OTF2_GlobalEvtReader* events = OTF2_Reader_GetGlobalEvtReader(reader_);
    if (events == nullptr) fail("OTF2_Reader_GetGlobalEvtReader failed");
    check(OTF2_Reader_RegisterGlobalEvtCallbacks(reader_, events, callbacks, user),
          "OTF2_Reader_RegisterGlobalEvtCallbacks");
    uint64_t read = 0;
    const OTF2_ErrorCode code = OTF2_Reader_ReadGlobalEvents(reader_, events, OTF2_UNDEFINED_UINT64, &read);
    OTF2_Reader_CloseGlobalEvtReader(reader_, events);
    if (code == OTF2_ERROR_INTERRUPTED_BY_CALLBACK) fail(callback_error.empty() ? "replay interrupted" : callback_error);
    check(code, "OTF2_Reader_ReadGlobalEvents");
    check(OTF2_Reader_CloseEvtFiles(reader_), "OTF2_Reader_CloseEvtFiles");
    return read;
  }

 private:
  void open() {
    OTF2_Boolean global_reader = OTF2_TRUE;
    check(OTF2_Reader_SetHint(reader_, OTF2_HINT_GLOBAL_READER, &global_reader), "OTF2_Reader_SetHint");
    check(OTF2_Reader_SetSerialCollectiveCallbacks(reader_), "OTF2_Reader_SetSerialCollectiveCallbacks");

    OTF2_GlobalDefReader* def_reader = OTF2_Reader_GetGlobalDefReader(reader_);
    if (def_reader == nullptr) fail("OTF2_Reader_GetGlobalDefReader failed");
    OTF2_GlobalDefReaderCallbacks* cb = OTF2_GlobalDefReaderCallbacks_New();
    if (cb == nullptr) fail("OTF2_GlobalDefReaderCallbacks_New failed");
    OTF2_GlobalDefReaderCallbacks_SetClockPropertiesCallback(cb, def_clock);
    OTF2_GlobalDefReaderCallbacks_SetStringCallback(cb, def_string);
    OTF2_GlobalDefReaderCallbacks_SetRegionCallback(cb, def_region);
    OTF2_GlobalDefReaderCallbacks_SetLocationCallback(cb, def_location);
    OTF2_GlobalDefReaderCallbacks_SetGroupCallback(cb, def_group);
    OTF2_GlobalDefReaderCallbacks_SetCommCallback(cb, def_comm);
    const OTF2_ErrorCode code = OTF2_Reader_RegisterGlobalDefCallbacks(reader_, def_reader, cb, &defs_);
    OTF2_GlobalDefReaderCallbacks_Delete(cb);
    check(code, "OTF2_Reader_RegisterGlobalDefCallbacks");
    uint64_t read = 0;
    check(OTF2_Reader_ReadAllGlobalDefinitions(reader_, def_reader, &read), "OTF2_Reader_ReadAllGlobalDefinitions");
    check(OTF2_Reader_CloseGlobalDefReader(reader_, def_reader), "OTF2_Reader_CloseGlobalDefReader");
    if (defs_.timer_resolution == 0) fail("timer resolution 0");

    for (size_t i = 0; i < defs_.locations.size(); ++i) {
      const OTF2_LocationRef ref = defs_.locations[i];
      if (ref >= (uint64_t{1} << 24)) fail("location ref " + std::to_string(ref) + " too large for a dense index");
      at_grow(location_index_, static_cast<size_t>(ref), kNone) = static_cast<uint32_t>(i);
      check(OTF2_Reader_SelectLocation(reader_, ref), "OTF2_Reader_SelectLocation");
    }
    // Local definitions (mapping tables) are optional; read them where the archive has them.
    const bool local_defs = OTF2_Reader_OpenDefFiles(reader_) == OTF2_SUCCESS;
    check(OTF2_Reader_OpenEvtFiles(reader_), "OTF2_Reader_OpenEvtFiles");
    for (const OTF2_LocationRef ref : defs_.locations) {
      if (local_defs) {
        if (OTF2_DefReader* d = OTF2_Reader_GetDefReader(reader_, ref)) {
          uint64_t n = 0;
          check(OTF2_Reader_ReadAllLocalDefinitions(reader_, d, &n), "OTF2_Reader_ReadAllLocalDefinitions");
          check(OTF2_Reader_CloseDefReader(reader_, d), "OTF2_Reader_CloseDefReader");
        }
      }
      // The global event reader merges the local event readers, which must exist first.
      if (OTF2_Reader_GetEvtReader(reader_, ref) == nullptr) fail("OTF2_Reader_GetEvtReader failed");
    }
    if (local_defs) check(OTF2_Reader_CloseDefFiles(reader_), "OTF2_Reader_CloseDefFiles");
  }

  OTF2_Reader* reader_;
  Definitions defs_;
  std::vector<uint32_t> location_index_;
};

// Callbacks and the callback data of a replay, released however the replay ends.
struct EvtCallbacks {
  OTF2_GlobalEvtReaderCallbacks* cb = OTF2_GlobalEvtReaderCallbacks_New();
  EvtCallbacks() {
    if (cb == nullptr) fail("OTF2_GlobalEvtReaderCallbacks_New failed");
  }
  ~EvtCallbacks() { OTF2_GlobalEvtReaderCallbacks_Delete(cb); }
  EvtCallbacks(const EvtCallbacks&) = delete;
  EvtCallbacks& operator=(const EvtCallbacks&) = delete;
};

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---------------------------------------------------------------------------
// Flat profile.

struct ProfileState {
  const Archive* archive = nullptr;
  struct Frame {
    OTF2_RegionRef region;
    OTF2_TimeStamp start;
    uint64_t callees = 0;  // inclusive time of the direct callees
  };
  struct Location {
    std::vector<Frame> stack;
    std::vector<uint32_t> active;  // open activations per region (recursion)
  };
  std::vector<Location> locations;
  std::vector<uint64_t> calls, inclusive, exclusive;  // by region ref, in timer ticks
  std::string error;
};

OTF2_CallbackCode on_enter(OTF2_LocationRef location, OTF2_TimeStamp time, void* user, OTF2_AttributeList*,
                           OTF2_RegionRef region) {
  auto* s = static_cast<ProfileState*>(user);
  const uint32_t l = s->archive->location_index(location);
  if (l == kNone || region >= s->calls.size()) {
    s->error = "enter of an undefined region or on an undefined location";
    return OTF2_CALLBACK_INTERRUPT;
  }
  ProfileState::Location& loc = s->locations[l];
  ++s->calls[region];
  ++loc.active[region];
  loc.stack.push_back({region, time, 0});
  return OTF2_CALLBACK_SUCCESS;
}

OTF2_CallbackCode on_leave(OTF2_LocationRef location, OTF2_TimeStamp time, void* user, OTF2_AttributeList*,
                           OTF2_RegionRef region) {
  auto* s = static_cast<ProfileState*>(user);
  const uint32_t l = s->archive->location_index(location);
  if (l == kNone) {
    s->error = "leave on an undefined location";
    return OTF2_CALLBACK_INTERRUPT;
  }
  ProfileState::Location& loc = s->locations[l];
  if (loc.stack.empty() || loc.stack.back().region != region) {
    s->error = "leave of region " + std::to_string(region) + " does not match the innermost open region";
    return OTF2_CALLBACK_INTERRUPT;
  }
  const ProfileState::Frame f = loc.stack.back();
  loc.stack.pop_back();
  const uint64_t inclusive = time - f.start;
  s->exclusive[region] += inclusive - f.callees;
  if (--loc.active[region] == 0) s->inclusive[region] += inclusive;
  if (!loc.stack.empty()) loc.stack.back().callees += inclusive;
  return OTF2_CALLBACK_SUCCESS;
}

int64_t to_ns(uint64_t ticks, uint64_t resolution) {
  if (resolution == 1000000000) return static_cast<int64_t>(ticks);
  return static_cast<int64_t>(static_cast<long double>(ticks) * 1e9L / static_cast<long double>(resolution));
}

// ---------------------------------------------------------------------------
// Message matrix.

struct ChannelKey {
  uint32_t comm;
  int32_t src, dst;
  uint32_t tag;
  bool operator==(const ChannelKey&) const = default;
};
struct ChannelHash {
  size_t operator()(const ChannelKey& k) const {
    uint64_t h = (uint64_t{k.comm} << 32) ^ k.tag;
    h = h * 0x9E3779B97F4A7C15ull ^ ((uint64_t(uint32_t(k.src)) << 32) | uint32_t(k.dst));
    return static_cast<size_t>(h * 0xBF58476D1CE4E5B9ull);
  }
};
// One (communicator, sender, receiver, tag): MPI delivers its messages in order, so the n-th send is matched by
// the n-th receive whichever of the two the time-ordered replay meets first.
struct Channel {
  std::vector<uint64_t> send_bytes;
  uint64_t receives = 0;
};

struct MatrixState {
  const Archive* archive = nullptr;
  std::vector<int32_t> world_rank_of_location;  // by location index, -1: not an MPI rank
  std::vector<const std::vector<uint64_t>*> comm_ranks;  // comm ref -> comm rank -> world rank (nullptr: none)
  std::unordered_map<ChannelKey, Channel, ChannelHash> channels;
  std::string error;

  // World ranks of the event's location and of `peer` (a rank of `comm`); false on an undefined reference.
  bool ranks(OTF2_LocationRef location, OTF2_CommRef comm, uint32_t peer, int32_t& self, int32_t& other) {
    const uint32_t l = archive->location_index(location);
    if (l == kNone || world_rank_of_location[l] < 0) {
      error = "MPI event on a location that is not an MPI rank";
      return false;
    }
    if (comm >= comm_ranks.size() || comm_ranks[comm] == nullptr || peer >= comm_ranks[comm]->size()) {
      error = "MPI event with an undefined communicator or peer rank";
      return false;
    }
    self = world_rank_of_location[l];
    other = static_cast<int32_t>((*comm_ranks[comm])[peer]);
    return true;
  }
  OTF2_CallbackCode send(OTF2_LocationRef location, OTF2_CommRef comm, uint32_t receiver, uint32_t tag,
                         uint64_t bytes) {
    int32_t src = 0, dst = 0;
    if (!ranks(location, comm, receiver, src, dst)) return OTF2_CALLBACK_INTERRUPT;
    channels[ChannelKey{comm, src, dst, tag}].send_bytes.push_back(bytes);
    return OTF2_CALLBACK_SUCCESS;
  }
  OTF2_CallbackCode recv(OTF2_LocationRef location, OTF2_CommRef comm, uint32_t sender, uint32_t tag) {
    int32_t dst = 0, src = 0;
    if (!ranks(location, comm, sender, dst, src)) return OTF2_CALLBACK_INTERRUPT;
    ++channels[ChannelKey{comm, src, dst, tag}].receives;
    return OTF2_CALLBACK_SUCCESS;
  }
};

OTF2_CallbackCode on_send(OTF2_LocationRef location, OTF2_TimeStamp, void* user, OTF2_AttributeList*,
                          uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t bytes) {
  return static_cast<MatrixState*>(user)->send(location, comm, receiver, tag, bytes);
}
OTF2_CallbackCode on_isend(OTF2_LocationRef location, OTF2_TimeStamp, void* user, OTF2_AttributeList*,
                           uint32_t receiver, OTF2_CommRef comm, uint32_t tag, uint64_t bytes, uint64_t) {
  return static_cast<MatrixState*>(user)->send(location, comm, receiver, tag, bytes);
}
OTF2_CallbackCode on_recv(OTF2_LocationRef location, OTF2_TimeStamp, void* user, OTF2_AttributeList*,
                          uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t) {
  return static_cast<MatrixState*>(user)->recv(location, comm, sender, tag);
}
OTF2_CallbackCode on_irecv(OTF2_LocationRef location, OTF2_TimeStamp, void* user, OTF2_AttributeList*,
                           uint32_t sender, OTF2_CommRef comm, uint32_t tag, uint64_t, uint64_t) {
  return static_cast<MatrixState*>(user)->recv(location, comm, sender, tag);
}

}  // namespace

Otf2FlatProfile otf2_flat_profile(const std::string& anchor) {
  const auto start = Clock::now();
  Archive archive(anchor);
  const Definitions& defs = archive.defs();
  const size_t regions = defs.region_name.size();
  ProfileState state;
  state.archive = &archive;
  state.locations.resize(defs.locations.size());
  for (auto& loc : state.locations) {
    loc.active.assign(regions, 0);
    loc.stack.reserve(64);
  }
  state.calls.assign(regions, 0);
  state.inclusive.assign(regions, 0);
  state.exclusive.assign(regions, 0);

  EvtCallbacks cb;
  OTF2_GlobalEvtReaderCallbacks_SetEnterCallback(cb.cb, on_enter);
  OTF2_GlobalEvtReaderCallbacks_SetLeaveCallback(cb.cb, on_leave);
  Otf2FlatProfile out;
  out.events = archive.replay(cb.cb, &state, state.error);
  out.locations = defs.locations.size();
  for (size_t l = 0; l < state.locations.size(); ++l) {
    if (!state.locations[l].stack.empty())
      fail(std::to_string(state.locations[l].stack.size()) + " region(s) left open on location " + std::to_string(l));
  }
  for (size_t r = 0; r < regions; ++r) {
    if (state.calls[r] == 0) continue;
    const uint32_t name = defs.region_name[r];
    if (name == kNone || name >= defs.strings.size()) fail("region " + std::to_string(r) + " has no name");
    Otf2RegionTotals& t = out.regions[defs.strings[name]];
    t.calls += state.calls[r];
    t.inclusive_ns += to_ns(state.inclusive[r], defs.timer_resolution);
    t.exclusive_ns += to_ns(state.exclusive[r], defs.timer_resolution);
  }
  out.seconds = seconds_since(start);
  return out;
}

Otf2MessageMatrix otf2_message_matrix(const std::string& anchor) {
  const auto start = Clock::now();
  Archive archive(anchor);
  const Definitions& defs = archive.defs();
  MatrixState state;
  state.archive = &archive;
  state.world_rank_of_location.assign(defs.locations.size(), -1);
  for (size_t rank = 0; rank < defs.mpi_world.size(); ++rank) {
    const uint32_t l = archive.location_index(defs.mpi_world[rank]);
    if (l == kNone) fail("the MPI locations group names an undefined location");
    state.world_rank_of_location[l] = static_cast<int32_t>(rank);
  }
  state.comm_ranks.assign(defs.comm_group.size(), nullptr);
  for (size_t c = 0; c < defs.comm_group.size(); ++c) {
    const uint32_t g = defs.comm_group[c];
    if (g == kNone || g >= defs.groups.size()) continue;
    const Definitions::Group& group = defs.groups[g];
    if (group.type == OTF2_GROUP_TYPE_COMM_GROUP && group.paradigm == OTF2_PARADIGM_MPI)
      state.comm_ranks[c] = &group.members;
  }

  EvtCallbacks cb;
  OTF2_GlobalEvtReaderCallbacks_SetMpiSendCallback(cb.cb, on_send);
  OTF2_GlobalEvtReaderCallbacks_SetMpiIsendCallback(cb.cb, on_isend);
  OTF2_GlobalEvtReaderCallbacks_SetMpiRecvCallback(cb.cb, on_recv);
  OTF2_GlobalEvtReaderCallbacks_SetMpiIrecvCallback(cb.cb, on_irecv);
  Otf2MessageMatrix out;
  out.events = archive.replay(cb.cb, &state, state.error);
  out.ranks = static_cast<int32_t>(defs.mpi_world.size());
  out.bytes.assign(out.ranks, std::vector<uint64_t>(out.ranks, 0));
  for (const auto& [key, channel] : state.channels) {
    const uint64_t sends = channel.send_bytes.size();
    const uint64_t matched = std::min(sends, channel.receives);
    out.matched += matched;
    out.unmatched_sends += sends - matched;
    out.unmatched_receives += channel.receives - matched;
    if (key.src >= out.ranks || key.dst >= out.ranks) fail("message between ranks outside MPI_COMM_WORLD");
    uint64_t& cell = out.bytes[key.src][key.dst];
    for (uint64_t i = 0; i < matched; ++i) cell += channel.send_bytes[i];
  }
  out.seconds = seconds_since(start);
  return out;
}

}  // namespace rondo::bench
