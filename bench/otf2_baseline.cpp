// OTF2 baseline for Rondo's benchmarks: write / size / profile / replay with the real OTF2 library.
#include "otf2_baseline.h"

#include <otf2/otf2.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace rondo::bench {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void fail_otf2(const char* what, OTF2_ErrorCode code) {
  throw std::runtime_error(std::string("otf2_baseline: ") + what + " failed: " + OTF2_Error_GetName(code) + " (" +
                           OTF2_Error_GetDescription(code) + ")");
}

void check(OTF2_ErrorCode code, const char* what) {
  if (code != OTF2_SUCCESS) fail_otf2(what, code);
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("otf2_baseline: " + what); }

// Flush everything to disk. No post-flush callback: with one, OTF2 inserts a BufferFlush event into the
// stream every time a chunk is flushed during measurement, which would change the event count.
OTF2_FlushType pre_flush(void* /*userData*/, OTF2_FileType /*fileType*/, OTF2_LocationRef /*location*/,
                         void* /*callerData*/, bool /*final*/) {
  return OTF2_FLUSH;
}

const OTF2_FlushCallbacks kFlushCallbacks = {pre_flush, nullptr};

// Closes the archive on scope exit (also on exceptions, so no handles leak).
class ArchiveHandle {
 public:
  explicit ArchiveHandle(OTF2_Archive* archive) : archive_(archive) {}
  ArchiveHandle(const ArchiveHandle&) = delete;
  ArchiveHandle& operator=(const ArchiveHandle&) = delete;
  ~ArchiveHandle() {
    if (archive_ != nullptr) OTF2_Archive_Close(archive_);
  }
  OTF2_Archive* get() const { return archive_; }
  // Close explicitly and report errors (the destructor cannot).
  void close() {
    OTF2_Archive* archive = archive_;
    archive_ = nullptr;
    check(OTF2_Archive_Close(archive), "OTF2_Archive_Close");
  }

 private:
  OTF2_Archive* archive_;
};

class ReaderHandle {
 public:
  explicit ReaderHandle(OTF2_Reader* reader) : reader_(reader) {}
  ReaderHandle(const ReaderHandle&) = delete;
  ReaderHandle& operator=(const ReaderHandle&) = delete;
  ~ReaderHandle() {
    if (reader_ != nullptr) OTF2_Reader_Close(reader_);
  }
  OTF2_Reader* get() const { return reader_; }
  void close() {
    OTF2_Reader* reader = reader_;
    reader_ = nullptr;
    check(OTF2_Reader_Close(reader), "OTF2_Reader_Close");
  }

 private:
  OTF2_Reader* reader_;
};

uint64_t total_file_size(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) total += entry.file_size();
  }
  return total;
}

// The whole file, or when `sample_bytes` > 0 and the file is larger: kSampleSlices slices of
// sample_bytes / kSampleSlices bytes each, evenly spaced from its start to its end, concatenated.
constexpr uint64_t kSampleSlices = 8;

std::vector<char> read_file_or_sample(const fs::path& path, uint64_t sample_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open " + path.string());
  in.seekg(0, std::ios::end);
  const std::streamoff end = in.tellg();
  if (end < 0) fail("cannot determine size of " + path.string());
  const auto size = static_cast<uint64_t>(end);
  std::vector<char> data;
  if (sample_bytes == 0 || size <= sample_bytes) {
    data.resize(size);
    in.seekg(0, std::ios::beg);
    if (size > 0 && !in.read(data.data(), end)) fail("cannot read " + path.string());
    return data;
  }
  const uint64_t slice = sample_bytes / kSampleSlices;
  data.resize(slice * kSampleSlices);
  for (uint64_t i = 0; i < kSampleSlices; ++i) {
    const uint64_t offset = (size - slice) * i / (kSampleSlices - 1);
    in.seekg(static_cast<std::streamoff>(offset), std::ios::beg);
    if (!in.read(data.data() + i * slice, static_cast<std::streamsize>(slice))) fail("cannot read " + path.string());
  }
  return data;
}

OTF2_CallbackCode collect_location(void* userData, OTF2_LocationRef self, OTF2_StringRef /*name*/,
                                   OTF2_LocationType /*locationType*/, uint64_t /*numberOfEvents*/,
                                   OTF2_LocationGroupRef /*locationGroup*/) {
  static_cast<std::vector<OTF2_LocationRef>*>(userData)->push_back(self);
  return OTF2_CALLBACK_SUCCESS;
}

// Opens the archive in `dir`, selects all locations, and reads all events in global time order through the
// global event reader, dispatching Enter/Leave to the given callbacks. Returns the reader's count of events
// read. `interrupted` is set when a callback returned OTF2_CALLBACK_INTERRUPT (the caller reports why).
uint64_t read_all_events(const std::string& dir, OTF2_GlobalEvtReaderCallback_Enter on_enter,
                         OTF2_GlobalEvtReaderCallback_Leave on_leave, void* user_data, bool& interrupted) {
  interrupted = false;
  const std::string anchor = otf2_anchor_path(dir);
  ReaderHandle reader(OTF2_Reader_Open(anchor.c_str()));
  if (reader.get() == nullptr) fail("OTF2_Reader_Open failed for " + anchor);

  // Only the global event reader is used; must be set before any per-location file is opened.
  OTF2_Boolean global_reader_hint = OTF2_TRUE;
  check(OTF2_Reader_SetHint(reader.get(), OTF2_HINT_GLOBAL_READER, &global_reader_hint), "OTF2_Reader_SetHint");
  check(OTF2_Reader_SetSerialCollectiveCallbacks(reader.get()), "OTF2_Reader_SetSerialCollectiveCallbacks");

  uint64_t location_count = 0;
  check(OTF2_Reader_GetNumberOfLocations(reader.get(), &location_count), "OTF2_Reader_GetNumberOfLocations");
  std::vector<OTF2_LocationRef> locations;
  locations.reserve(location_count);

  OTF2_GlobalDefReader* def_reader = OTF2_Reader_GetGlobalDefReader(reader.get());
  if (def_reader == nullptr) fail("OTF2_Reader_GetGlobalDefReader failed");
  OTF2_GlobalDefReaderCallbacks* def_callbacks = OTF2_GlobalDefReaderCallbacks_New();
  if (def_callbacks == nullptr) fail("OTF2_GlobalDefReaderCallbacks_New failed");
  OTF2_ErrorCode code = OTF2_GlobalDefReaderCallbacks_SetLocationCallback(def_callbacks, collect_location);
  if (code == OTF2_SUCCESS) code = OTF2_Reader_RegisterGlobalDefCallbacks(reader.get(), def_reader, def_callbacks, &locations);
  OTF2_GlobalDefReaderCallbacks_Delete(def_callbacks);
  check(code, "registering global definition callbacks");
  uint64_t definitions_read = 0;
  check(OTF2_Reader_ReadAllGlobalDefinitions(reader.get(), def_reader, &definitions_read),
        "OTF2_Reader_ReadAllGlobalDefinitions");
  check(OTF2_Reader_CloseGlobalDefReader(reader.get(), def_reader), "OTF2_Reader_CloseGlobalDefReader");
  if (locations.size() != location_count) {
    fail("anchor file announces " + std::to_string(location_count) + " locations, definitions contain " +
         std::to_string(locations.size()));
  }

  for (OTF2_LocationRef location : locations) {
    check(OTF2_Reader_SelectLocation(reader.get(), location), "OTF2_Reader_SelectLocation");
  }
  // Local definition files are optional in OTF2; read them (mapping tables) when present.
  const bool have_local_defs = OTF2_Reader_OpenDefFiles(reader.get()) == OTF2_SUCCESS;
  check(OTF2_Reader_OpenEvtFiles(reader.get()), "OTF2_Reader_OpenEvtFiles");
  for (OTF2_LocationRef location : locations) {
    if (have_local_defs) {
      OTF2_DefReader* local_defs = OTF2_Reader_GetDefReader(reader.get(), location);
      if (local_defs != nullptr) {
        uint64_t local_read = 0;
        check(OTF2_Reader_ReadAllLocalDefinitions(reader.get(), local_defs, &local_read),
              "OTF2_Reader_ReadAllLocalDefinitions");
        check(OTF2_Reader_CloseDefReader(reader.get(), local_defs), "OTF2_Reader_CloseDefReader");
      }
    }
    // Mandatory: creates the local event reader that the global event reader merges.
    if (OTF2_Reader_GetEvtReader(reader.get(), location) == nullptr) fail("OTF2_Reader_GetEvtReader failed");
  }
  if (have_local_defs) check(OTF2_Reader_CloseDefFiles(reader.get()), "OTF2_Reader_CloseDefFiles");

  OTF2_GlobalEvtReader* evt_reader = OTF2_Reader_GetGlobalEvtReader(reader.get());
  if (evt_reader == nullptr) fail("OTF2_Reader_GetGlobalEvtReader failed");
  OTF2_GlobalEvtReaderCallbacks* evt_callbacks = OTF2_GlobalEvtReaderCallbacks_New();
  if (evt_callbacks == nullptr) fail("OTF2_GlobalEvtReaderCallbacks_New failed");
  code = OTF2_GlobalEvtReaderCallbacks_SetEnterCallback(evt_callbacks, on_enter);
  if (code == OTF2_SUCCESS) code = OTF2_GlobalEvtReaderCallbacks_SetLeaveCallback(evt_callbacks, on_leave);
  if (code == OTF2_SUCCESS) code = OTF2_Reader_RegisterGlobalEvtCallbacks(reader.get(), evt_reader, evt_callbacks, user_data);
  OTF2_GlobalEvtReaderCallbacks_Delete(evt_callbacks);
  check(code, "registering global event callbacks");

  uint64_t events_read = 0;
  code = OTF2_Reader_ReadAllGlobalEvents(reader.get(), evt_reader, &events_read);
  if (code == OTF2_ERROR_INTERRUPTED_BY_CALLBACK) {
    interrupted = true;
  } else {
    check(code, "OTF2_Reader_ReadAllGlobalEvents");
  }
  check(OTF2_Reader_CloseGlobalEvtReader(reader.get(), evt_reader), "OTF2_Reader_CloseGlobalEvtReader");
  check(OTF2_Reader_CloseEvtFiles(reader.get()), "OTF2_Reader_CloseEvtFiles");
  reader.close();
  return events_read;
}

// ---- profile ----

struct ProfileState {
  struct Frame {
    uint32_t region;
    uint64_t start;
    uint64_t child_inclusive;
  };
  Otf2Profile* profile = nullptr;
  size_t region_count = 0;
  std::vector<Frame> stack;
  std::vector<uint32_t> active;  // open activations per region (recursion guard for inclusive time)
  bool have_location = false;
  OTF2_LocationRef location = 0;
  std::string error;
};

bool same_location(ProfileState& state, OTF2_LocationRef location) {
  if (!state.have_location) {
    state.have_location = true;
    state.location = location;
    return true;
  }
  if (location == state.location) return true;
  state.error = "profile supports a single location, found events of locations " + std::to_string(state.location) +
                " and " + std::to_string(location);
  return false;
}

OTF2_CallbackCode profile_enter(OTF2_LocationRef location, OTF2_TimeStamp time, void* userData,
                                OTF2_AttributeList* /*attributes*/, OTF2_RegionRef region) {
  auto& state = *static_cast<ProfileState*>(userData);
  if (!same_location(state, location)) return OTF2_CALLBACK_INTERRUPT;
  if (region >= state.region_count) {
    state.error = "enter of region " + std::to_string(region) + " >= region_count " + std::to_string(state.region_count);
    return OTF2_CALLBACK_INTERRUPT;
  }
  ++state.profile->events;
  ++state.profile->calls[region];
  ++state.active[region];
  state.stack.push_back({region, time, 0});
  return OTF2_CALLBACK_SUCCESS;
}

OTF2_CallbackCode profile_leave(OTF2_LocationRef location, OTF2_TimeStamp time, void* userData,
                                OTF2_AttributeList* /*attributes*/, OTF2_RegionRef region) {
  auto& state = *static_cast<ProfileState*>(userData);
  if (!same_location(state, location)) return OTF2_CALLBACK_INTERRUPT;
  if (state.stack.empty() || state.stack.back().region != region) {
    state.error = "leave of region " + std::to_string(region) + " does not match " +
                  (state.stack.empty() ? std::string("an empty call stack")
                                       : "open region " + std::to_string(state.stack.back().region));
    return OTF2_CALLBACK_INTERRUPT;
  }
  const ProfileState::Frame frame = state.stack.back();
  state.stack.pop_back();
  if (time < frame.start) {
    state.error = "leave of region " + std::to_string(region) + " before its enter";
    return OTF2_CALLBACK_INTERRUPT;
  }
  const uint64_t inclusive = time - frame.start;
  ++state.profile->events;
  state.profile->exclusive[region] += inclusive - frame.child_inclusive;
  if (--state.active[region] == 0) state.profile->inclusive[region] += inclusive;
  if (!state.stack.empty()) state.stack.back().child_inclusive += inclusive;
  return OTF2_CALLBACK_SUCCESS;
}

// ---- replay ----

OTF2_CallbackCode count_event(OTF2_LocationRef /*location*/, OTF2_TimeStamp /*time*/, void* userData,
                              OTF2_AttributeList* /*attributes*/, OTF2_RegionRef /*region*/) {
  ++*static_cast<uint64_t*>(userData);
  return OTF2_CALLBACK_SUCCESS;
}

}  // namespace

std::string otf2_anchor_path(const std::string& dir) {
  return (fs::path(dir) / (std::string(kOtf2ArchiveName) + ".otf2")).string();
}

Otf2WriteResult write_otf2(const std::string& dir, const std::vector<std::string>& region_names,
                           const std::vector<SimpleEvent>& events, uint64_t timer_resolution) {
  if (dir.empty()) fail("empty archive directory");
  if (timer_resolution == 0) fail("timer resolution must be positive");
  if (region_names.size() >= static_cast<size_t>(OTF2_UNDEFINED_REGION)) fail("too many regions");
  // Validate up front: OTF2 rejects a timestamp smaller than the previous one (OTF2_ERROR_INVALID_ARGUMENT, event
  // dropped), and a half-written archive is worse than none.
  uint64_t previous = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const SimpleEvent& event = events[i];
    if (event.region >= region_names.size()) fail("event references undefined region " + std::to_string(event.region));
    if (i > 0 && event.timestamp < previous) fail("events are not time-ordered at index " + std::to_string(i));
    previous = event.timestamp;
  }

  std::error_code ec;
  fs::remove_all(dir, ec);
  if (ec) fail("cannot remove " + dir + ": " + ec.message());
  fs::create_directories(dir, ec);
  if (ec) fail("cannot create " + dir + ": " + ec.message());

  const auto start = Clock::now();

  ArchiveHandle archive(OTF2_Archive_Open(dir.c_str(), kOtf2ArchiveName, OTF2_FILEMODE_WRITE,
                                          1024 * 1024 /* event chunk size */, 4 * 1024 * 1024 /* def chunk size */,
                                          OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE));
  if (archive.get() == nullptr) fail("OTF2_Archive_Open failed for " + dir);
  check(OTF2_Archive_SetFlushCallbacks(archive.get(), &kFlushCallbacks, nullptr), "OTF2_Archive_SetFlushCallbacks");
  check(OTF2_Archive_SetSerialCollectiveCallbacks(archive.get()), "OTF2_Archive_SetSerialCollectiveCallbacks");
  check(OTF2_Archive_SetCreator(archive.get(), "Rondo otf2_baseline"), "OTF2_Archive_SetCreator");

  // ---- events (location 0) ----
  constexpr OTF2_LocationRef kLocation = 0;
  check(OTF2_Archive_OpenEvtFiles(archive.get()), "OTF2_Archive_OpenEvtFiles");
  OTF2_EvtWriter* writer = OTF2_Archive_GetEvtWriter(archive.get(), kLocation);
  if (writer == nullptr) fail("OTF2_Archive_GetEvtWriter failed");
  for (const SimpleEvent& event : events) {
    const OTF2_ErrorCode code = event.enter ? OTF2_EvtWriter_Enter(writer, nullptr, event.timestamp, event.region)
                                            : OTF2_EvtWriter_Leave(writer, nullptr, event.timestamp, event.region);
    if (code != OTF2_SUCCESS) fail_otf2(event.enter ? "OTF2_EvtWriter_Enter" : "OTF2_EvtWriter_Leave", code);
  }
  uint64_t event_count = 0;
  check(OTF2_EvtWriter_GetNumberOfEvents(writer, &event_count), "OTF2_EvtWriter_GetNumberOfEvents");
  check(OTF2_Archive_CloseEvtWriter(archive.get(), writer), "OTF2_Archive_CloseEvtWriter");
  check(OTF2_Archive_CloseEvtFiles(archive.get()), "OTF2_Archive_CloseEvtFiles");

  // ---- local definitions: empty, but present so readers find a definition file for every location ----
  check(OTF2_Archive_OpenDefFiles(archive.get()), "OTF2_Archive_OpenDefFiles");
  OTF2_DefWriter* local_defs = OTF2_Archive_GetDefWriter(archive.get(), kLocation);
  if (local_defs == nullptr) fail("OTF2_Archive_GetDefWriter failed");
  check(OTF2_Archive_CloseDefWriter(archive.get(), local_defs), "OTF2_Archive_CloseDefWriter");
  check(OTF2_Archive_CloseDefFiles(archive.get()), "OTF2_Archive_CloseDefFiles");

  // ---- global definitions ----
  OTF2_GlobalDefWriter* defs = OTF2_Archive_GetGlobalDefWriter(archive.get());
  if (defs == nullptr) fail("OTF2_Archive_GetGlobalDefWriter failed");

  const uint64_t first = events.empty() ? 0 : events.front().timestamp;
  const uint64_t last = events.empty() ? 0 : events.back().timestamp;
  check(OTF2_GlobalDefWriter_WriteClockProperties(defs, timer_resolution, first /* global offset */,
                                                  last - first /* trace length */, OTF2_UNDEFINED_TIMESTAMP),
        "OTF2_GlobalDefWriter_WriteClockProperties");

  // Strings first: every later definition references them.
  OTF2_StringRef next_string = 0;
  auto add_string = [&](const char* text) {
    const OTF2_StringRef ref = next_string++;
    check(OTF2_GlobalDefWriter_WriteString(defs, ref, text), "OTF2_GlobalDefWriter_WriteString");
    return ref;
  };
  const OTF2_StringRef empty_string = add_string("");
  std::vector<OTF2_StringRef> region_strings;
  region_strings.reserve(region_names.size());
  for (const std::string& name : region_names) region_strings.push_back(add_string(name.c_str()));
  const OTF2_StringRef node_name = add_string("localhost");
  const OTF2_StringRef node_class = add_string("node");
  const OTF2_StringRef process_name = add_string("Process 0");
  const OTF2_StringRef thread_name = add_string("Thread 0");

  for (size_t i = 0; i < region_names.size(); ++i) {
    check(OTF2_GlobalDefWriter_WriteRegion(defs, static_cast<OTF2_RegionRef>(i), region_strings[i] /* name */,
                                           region_strings[i] /* canonical name */, empty_string /* description */,
                                           OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_USER, OTF2_REGION_FLAG_NONE,
                                           empty_string /* source file */, 0, 0),
          "OTF2_GlobalDefWriter_WriteRegion");
  }
  constexpr OTF2_SystemTreeNodeRef kNode = 0;
  constexpr OTF2_LocationGroupRef kProcess = 0;
  check(OTF2_GlobalDefWriter_WriteSystemTreeNode(defs, kNode, node_name, node_class, OTF2_UNDEFINED_SYSTEM_TREE_NODE),
        "OTF2_GlobalDefWriter_WriteSystemTreeNode");
  check(OTF2_GlobalDefWriter_WriteLocationGroup(defs, kProcess, process_name, OTF2_LOCATION_GROUP_TYPE_PROCESS, kNode,
                                                OTF2_UNDEFINED_LOCATION_GROUP),
        "OTF2_GlobalDefWriter_WriteLocationGroup");
  check(OTF2_GlobalDefWriter_WriteLocation(defs, kLocation, thread_name, OTF2_LOCATION_TYPE_CPU_THREAD, event_count,
                                           kProcess),
        "OTF2_GlobalDefWriter_WriteLocation");

  // Closing the archive writes the global definitions and the anchor file.
  archive.close();
  const double seconds = seconds_since(start);
  return {total_file_size(dir), seconds};
}

uint64_t zstd_compressed_size(const std::string& dir, int level, uint64_t sample_bytes, bool* estimated) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (cctx == nullptr) fail("ZSTD_createCCtx failed");
  if (estimated != nullptr) *estimated = false;
  uint64_t total = 0;
  std::vector<char> out;
  try {
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      const uint64_t file_size = entry.file_size();
      const std::vector<char> in = read_file_or_sample(entry.path(), sample_bytes);
      out.resize(ZSTD_compressBound(in.size()));
      const size_t size = ZSTD_compressCCtx(cctx, out.data(), out.size(), in.data(), in.size(), level);
      if (ZSTD_isError(size)) fail(std::string("ZSTD_compress failed: ") + ZSTD_getErrorName(size));
      if (in.size() < file_size) {
        // Extrapolate the sample's compression ratio to the whole file.
        total += static_cast<uint64_t>(static_cast<double>(size) * static_cast<double>(file_size) /
                                           static_cast<double>(in.size()) +
                                       0.5);
        if (estimated != nullptr) *estimated = true;
      } else {
        total += size;
      }
    }
  } catch (...) {
    ZSTD_freeCCtx(cctx);
    throw;
  }
  ZSTD_freeCCtx(cctx);
  return total;
}

Otf2Profile profile_otf2(const std::string& dir, size_t region_count) {
  Otf2Profile profile;
  const auto start = Clock::now();
  profile.calls.assign(region_count, 0);
  profile.inclusive.assign(region_count, 0);
  profile.exclusive.assign(region_count, 0);
  ProfileState state;
  state.profile = &profile;
  state.region_count = region_count;
  state.active.assign(region_count, 0);
  state.stack.reserve(256);

  bool interrupted = false;
  read_all_events(dir, profile_enter, profile_leave, &state, interrupted);
  if (interrupted) fail("profile: " + (state.error.empty() ? std::string("interrupted by callback") : state.error));
  if (!state.stack.empty()) {
    fail("profile: " + std::to_string(state.stack.size()) + " region(s) still open at end of trace, innermost " +
         std::to_string(state.stack.back().region));
  }
  profile.seconds = seconds_since(start);
  return profile;
}

double replay_otf2_events_per_second(const std::string& dir) {
  const auto start = Clock::now();
  uint64_t counted = 0;
  bool interrupted = false;
  const uint64_t events_read = read_all_events(dir, count_event, count_event, &counted, interrupted);
  const double seconds = seconds_since(start);
  if (interrupted) fail("replay interrupted");
  // events_read counts every record the reader decoded; `counted` only the dispatched Enter/Leave ones.
  if (counted > events_read) fail("replay: callbacks saw more events than the reader reports");
  if (seconds <= 0) return std::numeric_limits<double>::infinity();
  return static_cast<double>(events_read) / seconds;
}

}  // namespace rondo::bench
