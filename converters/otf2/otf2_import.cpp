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
#include "otf2/otf2_import_defs.h"
#include "otf2/otf2_import_events.h"
#include "otf2/otf2_import_process.h"
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
using namespace otf2_import;
using otf2::check;
namespace fs = std::filesystem;

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
    if (mpi_locations->members.size() > static_cast<size_t>(format::kMaxWorldSize))
      throw ConversionError(anchor_ + ": " + std::to_string(mpi_locations->members.size()) +
                            " MPI ranks, more than a Rondo trace holds (" + std::to_string(format::kMaxWorldSize) + ")");
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
  const auto out_of_order = static_cast<unsigned long long>(report_.leaves_out_of_order);
  const auto closed = static_cast<unsigned long long>(report_.calls_closed_early);
  const auto dropped = static_cast<unsigned long long>(report_.leaves_dropped);
  if (out_of_order && dropped)
    std::fprintf(stderr,
                 "rondo: import: %llu leaves did not match the innermost open call: they closed the %llu calls "
                 "still open inside them at their time, and %llu later leaves of calls no longer open were "
                 "dropped\n",
                 out_of_order, closed, dropped);
  else if (out_of_order)
    std::fprintf(stderr,
                 "rondo: import: %llu leaves did not match the innermost open call: they closed the %llu calls "
                 "still open inside them at their time\n",
                 out_of_order, closed);
  else if (dropped)
    std::fprintf(stderr, "rondo: import: %llu leaves of calls that were not open were dropped\n", dropped);
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
