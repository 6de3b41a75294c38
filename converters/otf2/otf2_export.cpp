// Rondo trace -> OTF2 archive.
//
// Definitions are small and known up front; events are not. So the exporter
// replays one thread at a time straight into that location's OTF2 event writer
// (which flushes its chunks to disk as they fill), collects what the events
// refer to (communicators, windows, I/O handles, metrics, strings) on the way,
// and writes the unified global definitions last, as OTF2 allows.
#include <fcntl.h>
#include <otf2/otf2.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <new>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "otf2/otf2_calling_contexts.h"
#include "otf2/otf2_common.h"
#include "rondo/format/counter_columns.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/poll_folds.h"
#include "rondo/analyzer/trace_summary.h"
#include "otf2_gpu.h"
#include "rondo/converters/otf2.h"
#include "src/progress.h"
#include "src/trace_walk.h"

namespace rondo::converters {

namespace {

using namespace rondo::format;
using analyzer::CommunicatorInfo;
using analyzer::CommunicatorTable;
using otf2::check;
namespace fs = std::filesystem;

// Flush full chunks to disk. No post-flush callback: with one, OTF2 inserts a
// BufferFlush record whenever a chunk is flushed, which would add records.
OTF2_FlushType pre_flush(void*, OTF2_FileType, OTF2_LocationRef, void*, bool) { return OTF2_FLUSH; }
const OTF2_FlushCallbacks kFlushCallbacks = {pre_flush, nullptr};

// Chunk memory. Without memory callbacks OTF2 keeps up to 128 MiB of chunks per
// event writer before it flushes; with these, an event writer holds at most
// kEventChunksInMemory chunks: when the pool says no, OTF2 flushes them to disk
// (pre_flush above), releases them (free_all) and asks again.
constexpr size_t kEventChunksInMemory = 4;

struct ChunkList {
  std::vector<void*> chunks;
};

void* allocate_chunk(void*, OTF2_FileType type, OTF2_LocationRef, void** per_buffer, uint64_t size) {
  auto* list = static_cast<ChunkList*>(*per_buffer);
  if (!list) *per_buffer = list = new (std::nothrow) ChunkList;
  if (!list) return nullptr;
  if (type == OTF2_FILETYPE_EVENTS && list->chunks.size() >= kEventChunksInMemory) return nullptr;
  void* chunk = std::malloc(size);
  if (chunk) list->chunks.push_back(chunk);
  return chunk;
}

void free_chunks(void*, OTF2_FileType, OTF2_LocationRef, void** per_buffer, bool final) {
  auto* list = static_cast<ChunkList*>(*per_buffer);
  if (!list) return;
  for (void* chunk : list->chunks) std::free(chunk);
  list->chunks.clear();
  if (final) {
    delete list;
    *per_buffer = nullptr;
  }
}

const OTF2_MemoryCallbacks kMemoryCallbacks = {allocate_chunk, free_chunks};

class ArchiveHandle {
 public:
  explicit ArchiveHandle(OTF2_Archive* a) : archive_(a) {}
  ArchiveHandle(const ArchiveHandle&) = delete;
  ArchiveHandle& operator=(const ArchiveHandle&) = delete;
  ~ArchiveHandle() {
    if (archive_) OTF2_Archive_Close(archive_);
  }
  OTF2_Archive* get() const { return archive_; }
  void close() {
    OTF2_Archive* a = archive_;
    archive_ = nullptr;
    check(OTF2_Archive_Close(a), "closing the OTF2 archive");
  }

 private:
  OTF2_Archive* archive_;
};

// Owns an attribute list; the event writer empties it after each record.
class AttributeList {
 public:
  AttributeList() : list_(OTF2_AttributeList_New()) {
    if (!list_) throw ConversionError("OTF2_AttributeList_New failed");
  }
  ~AttributeList() { OTF2_AttributeList_Delete(list_); }
  AttributeList(const AttributeList&) = delete;
  AttributeList& operator=(const AttributeList&) = delete;
  OTF2_AttributeList* get() const { return list_; }

 private:
  OTF2_AttributeList* list_;
};

// Global strings, deduplicated by their text.
class Strings {
 public:
  OTF2_StringRef operator()(const std::string& s) {
    auto [it, inserted] = ids_.try_emplace(s, static_cast<OTF2_StringRef>(list_.size()));
    if (inserted) list_.push_back(s);
    return it->second;
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::unordered_map<std::string, OTF2_StringRef> ids_;
  std::vector<std::string> list_;
};

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

OTF2_RegionRole mpi_role(std::string_view n) {
  if (n == "MPI_Barrier" || n == "MPI_Ibarrier") return OTF2_REGION_ROLE_BARRIER;
  if (starts_with(n, "MPI_Bcast") || starts_with(n, "MPI_Scatter") || starts_with(n, "MPI_Ibcast") ||
      starts_with(n, "MPI_Iscatter"))
    return OTF2_REGION_ROLE_COLL_ONE2ALL;
  if (starts_with(n, "MPI_Gather") || n == "MPI_Reduce" || starts_with(n, "MPI_Igather") || n == "MPI_Ireduce")
    return OTF2_REGION_ROLE_COLL_ALL2ONE;
  if (starts_with(n, "MPI_Allreduce") || starts_with(n, "MPI_Allgather") || starts_with(n, "MPI_Alltoall") ||
      starts_with(n, "MPI_Reduce_scatter") || starts_with(n, "MPI_Iall") || starts_with(n, "MPI_Ireduce_scatter") ||
      starts_with(n, "MPI_Neighbor"))
    return OTF2_REGION_ROLE_COLL_ALL2ALL;
  if (starts_with(n, "MPI_Scan") || starts_with(n, "MPI_Exscan")) return OTF2_REGION_ROLE_COLL_OTHER;
  if (n == "MPI_Put" || n == "MPI_Get" || n == "MPI_Rput" || n == "MPI_Rget") return OTF2_REGION_ROLE_RMA;
  if (n == "MPI_Accumulate" || n == "MPI_Get_accumulate" || n == "MPI_Fetch_and_op" || n == "MPI_Compare_and_swap")
    return OTF2_REGION_ROLE_ATOMIC;
  if (starts_with(n, "MPI_File_read") || starts_with(n, "MPI_File_write") || starts_with(n, "MPI_File_iread") ||
      starts_with(n, "MPI_File_iwrite"))
    return OTF2_REGION_ROLE_FILE_IO;
  if (starts_with(n, "MPI_File_")) return OTF2_REGION_ROLE_FILE_IO_METADATA;
  for (std::string_view p : {"MPI_Send", "MPI_Recv", "MPI_Isend", "MPI_Irecv", "MPI_Ssend", "MPI_Bsend", "MPI_Rsend",
                             "MPI_Issend", "MPI_Ibsend", "MPI_Irsend", "MPI_Sendrecv", "MPI_Wait", "MPI_Test",
                             "MPI_Probe", "MPI_Iprobe", "MPI_Start", "MPI_Mprobe", "MPI_Mrecv", "MPI_Imrecv"})
    if (starts_with(n, p)) return OTF2_REGION_ROLE_POINT2POINT;
  return OTF2_REGION_ROLE_FUNCTION;
}

// `n` is the OpenMP construct `construct`, alone or followed by a source
// location (a prefix alone would take "omp fork" for "omp for").
bool is_construct(std::string_view n, std::string_view construct) {
  return starts_with(n, construct) && (n.size() == construct.size() || n[construct.size()] == ' ');
}

OTF2_RegionRole openmp_role(std::string_view n) {
  if (is_construct(n, "omp parallel")) return OTF2_REGION_ROLE_PARALLEL;
  if (is_construct(n, "omp for") || is_construct(n, "omp do") || is_construct(n, "omp loop")) return OTF2_REGION_ROLE_LOOP;
  if (is_construct(n, "omp barrier")) return OTF2_REGION_ROLE_BARRIER;
  if (is_construct(n, "omp implicit barrier")) return OTF2_REGION_ROLE_IMPLICIT_BARRIER;
  if (is_construct(n, "omp critical")) return OTF2_REGION_ROLE_CRITICAL;
  if (is_construct(n, "omp single")) return OTF2_REGION_ROLE_SINGLE;
  if (is_construct(n, "omp master") || is_construct(n, "omp masked")) return OTF2_REGION_ROLE_MASTER;
  if (is_construct(n, "omp taskwait")) return OTF2_REGION_ROLE_TASK_WAIT;
  if (is_construct(n, "omp task")) return OTF2_REGION_ROLE_TASK;
  if (is_construct(n, "omp sections")) return OTF2_REGION_ROLE_SECTIONS;
  if (is_construct(n, "omp section")) return OTF2_REGION_ROLE_SECTION;
  if (is_construct(n, "omp ordered")) return OTF2_REGION_ROLE_ORDERED;
  return OTF2_REGION_ROLE_FUNCTION;
}

// The OTF2 role and paradigm of a region (the importer maps them back).
std::pair<OTF2_RegionRole, OTF2_Paradigm> region_kind(RegionRole role, std::string_view name) {
  switch (role) {
    case RegionRole::Function:
      return {OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_COMPILER};
    case RegionRole::User:
      return {OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_USER};
    case RegionRole::Mpi:
      return {mpi_role(name), OTF2_PARADIGM_MPI};
    case RegionRole::OpenMp:
      return {openmp_role(name), OTF2_PARADIGM_OPENMP};
    case RegionRole::Pthread:
      if (name == "pthread_create") return {OTF2_REGION_ROLE_THREAD_CREATE, OTF2_PARADIGM_PTHREAD};
      if (name == "pthread_join") return {OTF2_REGION_ROLE_THREAD_WAIT, OTF2_PARADIGM_PTHREAD};
      return {OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_PTHREAD};
    case RegionRole::Io:
      return {OTF2_REGION_ROLE_FILE_IO, OTF2_PARADIGM_NONE};
    case RegionRole::Memory:
      if (name.find("realloc") != std::string_view::npos) return {OTF2_REGION_ROLE_REALLOCATE, OTF2_PARADIGM_NONE};
      if (name.find("free") != std::string_view::npos) return {OTF2_REGION_ROLE_DEALLOCATE, OTF2_PARADIGM_NONE};
      return {OTF2_REGION_ROLE_ALLOCATE, OTF2_PARADIGM_NONE};
    case RegionRole::Cuda:
      return {OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_CUDA};
  }
  return {OTF2_REGION_ROLE_UNKNOWN, OTF2_PARADIGM_UNKNOWN};
}

// POSIX open(2) flags -> OTF2's access mode and flags.
void open_flags_to_otf2(int64_t flags, OTF2_IoAccessMode& mode, OTF2_IoCreationFlag& creation,
                        OTF2_IoStatusFlag& status) {
  switch (flags & O_ACCMODE) {
    case O_WRONLY:
      mode = OTF2_IO_ACCESS_MODE_WRITE_ONLY;
      break;
    case O_RDWR:
      mode = OTF2_IO_ACCESS_MODE_READ_WRITE;
      break;
    default:
      mode = OTF2_IO_ACCESS_MODE_READ_ONLY;
      break;
  }
  creation = OTF2_IO_CREATION_FLAG_NONE;
  if (flags & O_CREAT) creation |= OTF2_IO_CREATION_FLAG_CREATE;
  if (flags & O_TRUNC) creation |= OTF2_IO_CREATION_FLAG_TRUNCATE;
  if (flags & O_EXCL) creation |= OTF2_IO_CREATION_FLAG_EXCLUSIVE;
  if (flags & O_DIRECTORY) creation |= OTF2_IO_CREATION_FLAG_DIRECTORY;
  if (flags & O_NOFOLLOW) creation |= OTF2_IO_CREATION_FLAG_NO_FOLLOW;
  status = OTF2_IO_STATUS_FLAG_NONE;
  if (flags & O_APPEND) status |= OTF2_IO_STATUS_FLAG_APPEND;
  if (flags & O_NONBLOCK) status |= OTF2_IO_STATUS_FLAG_NON_BLOCKING;
  if (flags & O_CLOEXEC) status |= OTF2_IO_STATUS_FLAG_CLOSE_ON_EXEC;
  if (flags & O_SYNC) status |= OTF2_IO_STATUS_FLAG_SYNC;
}

struct GlobalRegion {
  std::string name, file;
  uint32_t line = 0;
  RegionRole role = RegionRole::Function;
};

struct Location {
  OTF2_LocationRef ref = 0;
  uint32_t group = 0;         // location group ref
  size_t process = SIZE_MAX;  // position in the trace; SIZE_MAX: placeholder of a missing rank
  size_t thread = SIZE_MAX;   // position in the process; SIZE_MAX: the process has no thread
  std::string name;
  OTF2_LocationType type = OTF2_LOCATION_TYPE_CPU_THREAD;
  uint64_t events = 0;  // OTF2 records written
  int32_t device = -1;  // GPU streams: their device (otf2_gpu.h)
};

struct LocationGroup {
  std::string name;
  std::string host;
  OTF2_LocationGroupRef creator = OTF2_UNDEFINED_LOCATION_GROUP;
  OTF2_LocationGroupType type = OTF2_LOCATION_GROUP_TYPE_PROCESS;
};

struct Metric {
  std::string name, unit;
  uint8_t mode = 0;
};

struct IoHandle {
  std::string path;
  uint32_t paradigm = 0;  // Rondo's: 0 POSIX, 1 ISO C, 2 MPI-IO
  std::string host;
};

struct Attribute {
  OTF2_AttributeRef ref;
  OTF2_Type type;
  std::string description;
};

// The state of one location while its events are written.
struct LocationWriter {
  OTF2_EvtWriter* writer = nullptr;
  size_t process = 0;
  uint32_t thread_index = 0;
  uint32_t position = 0;  // of the thread in its process (= its rank in the process's thread team)
  int32_t rank = -1;
  uint64_t previous = 0;
  bool any = false;
  uint64_t next_matching_id = 0;                                        // RMA and I/O operations
  std::unordered_map<OTF2_IoHandleRef, std::vector<uint64_t>> open_io;  // matching ids of begun operations
  analyzer::OpenPolls open_polls;  // folded polls: first records whose last is still to come
  int64_t polls_laid_out_ns = 0;   // where the previous function's calls of a run of polls ended
  // Counters (FORMAT.md 8.4): the thread's readings go out as Score-P writes
  // PAPI counters, one Metric record of a strictly synchronous class before
  // every Enter and Leave.
  const ThreadTrace* thread = nullptr;
  OTF2_MetricRef counter_class = OTF2_UNDEFINED_METRIC;
  int32_t device = -1;                                   // GPU streams: their device
  OTF2_RmaWinRef gpu_copy = OTF2_UNDEFINED_RMA_WIN;      // the window of the copy running on this stream
  uint64_t gpu_copy_id = 0;                              // and its matching id
};

class Exporter {
 public:
  Exporter(const TraceReader& trace, const ConvertOptions& options)
      : trace_(trace),
        options_(options),
        comms_(analyzer::communicator_table(trace)),
        world_size_(analyzer::world_size(trace)) {
    strings_("");  // string 0, as other writers do
  }

  ConvertReport run(const std::string& out_dir);

 private:
  void plan();
  void write_events(OTF2_Archive* archive);
  void write_thread(OTF2_Archive* archive, Location& loc, const ProcessReader& process, const ThreadTrace* thread);
  void write_event(LocationWriter& lw, const ProcessReader& process, const Event& e);
  void write_polls(LocationWriter& lw, const ProcessReader& process, const Event& e);
  OTF2_ErrorCode write_gpu_copy(LocationWriter& lw, const Event& e, uint64_t t);
  void write_definitions(OTF2_Archive* archive);

  uint64_t stamp(LocationWriter& lw, int64_t ns);
  OTF2_RegionRef region(size_t process, uint32_t local);
  OTF2_RegionRef region_named(const std::string& name, const std::string& file, uint32_t line, RegionRole role);
  struct Comm {
    OTF2_CommRef ref = OTF2_UNDEFINED_COMM;
    uint32_t index = CommunicatorTable::kNone;  // in the communicator table
  };
  Comm comm(size_t process, int64_t local);
  OTF2_CommRef table_comm(uint32_t index);
  uint32_t comm_rank(const Comm& comm, int64_t world_rank, int32_t self_rank);
  OTF2_CommRef thread_comm(size_t process, OTF2_Paradigm paradigm);
  OTF2_RmaWinRef window(size_t process, int64_t local);
  OTF2_MetricRef metric(size_t process, uint32_t local);
  OTF2_IoHandleRef io_handle(size_t process, uint32_t local);
  OTF2_AttributeRef attribute(const char* name, OTF2_Type type, const char* description);
  OTF2_ParameterRef parameter(const char* name);
  void add_int(OTF2_AttributeList* list, const char* name, int64_t value, const char* description);
  void add_calling_context(size_t process, const ProcessDefinitions& defs, uint32_t site, OTF2_RegionRef region,
                           OTF2_AttributeList* list);
  void note(const std::string& what, uint64_t n = 1) { report_.notes[what] += n; }

  const TraceReader& trace_;
  ConvertOptions options_;
  CommunicatorTable comms_;
  int32_t world_size_;
  ConvertReport report_;
  Strings strings_;
  AttributeList attrs_;

  std::vector<Location> locations_;
  std::vector<LocationGroup> groups_;
  std::vector<std::vector<size_t>> process_locations_;  // per process: indices into locations_
  std::vector<OTF2_LocationRef> rank_location_;         // per world rank: its first location

  std::vector<GlobalRegion> regions_;
  std::unordered_map<std::string, OTF2_RegionRef> region_by_name_;
  std::vector<std::vector<OTF2_RegionRef>> region_map_;  // per process: local id -> global

  // Communicators: table index -> OTF2 ref, given on first use so that refs
  // stay dense while thread-team communicators are made along the way.
  OTF2_CommRef next_comm_ = 0;
  std::vector<OTF2_CommRef> table_comm_ref_;
  std::vector<std::array<std::unordered_map<int32_t, uint32_t>, 2>> comm_rank_cache_;
  std::map<std::pair<size_t, OTF2_Paradigm>, OTF2_CommRef> thread_comms_;

  std::map<std::pair<size_t, int64_t>, OTF2_RmaWinRef> windows_;
  std::vector<std::pair<size_t, int64_t>> window_list_;

  std::vector<Metric> metrics_;
  std::map<std::tuple<std::string, std::string, uint8_t>, OTF2_MetricRef> metric_by_key_;
  std::map<std::pair<size_t, uint32_t>, OTF2_MetricRef> metric_map_;
  // Metric classes of counters: the members of each, by class ref -
  // counter_class_base_. Their refs follow the one-member classes of all
  // metrics (registered before the first event), so that refs stay dense.
  OTF2_MetricRef counter_class_base_ = 0;
  std::map<std::vector<OTF2_MetricMemberRef>, OTF2_MetricRef> counter_class_by_members_;
  std::vector<std::vector<OTF2_MetricMemberRef>> counter_classes_;
  OTF2_MetricRef counter_class(size_t process, const ThreadTrace& thread);
  void write_counters(LocationWriter& lw, uint64_t time, uint64_t index);

  std::vector<IoHandle> io_handles_;
  std::map<std::pair<size_t, uint32_t>, OTF2_IoHandleRef> io_map_;

  std::map<std::string, Attribute> attributes_;
  otf2::CallingContexts contexts_;  // of the calls with a call site (otf2_calling_contexts.h)
  std::map<std::string, OTF2_ParameterRef> parameters_;

  // Locks of the current process: lock id -> (dense OTF2 id, acquisitions so far).
  std::unordered_map<int64_t, std::pair<uint32_t, uint32_t>> locks_;

  uint64_t min_ts_ = UINT64_MAX, max_ts_ = 0;
  uint64_t bytes_total_ = 0, bytes_done_ = 0;
  uint64_t process_events_ = 0, process_done_ = 0;  // of the process being written
  std::unique_ptr<detail::Progress> progress_;
};

ConvertReport Exporter::run(const std::string& out_dir) {
  auto start = std::chrono::steady_clock::now();
  otf2::install_error_handler();
  detail::make_directory(out_dir);
  if (access(out_dir.c_str(), W_OK) != 0) throw ConversionError(out_dir + ": cannot write: " + std::strerror(errno));
  // Replace an earlier export (only the archive's own entries).
  std::error_code ec;
  for (const char* entry : {"traces.otf2", "traces.def", "traces"}) {
    fs::remove_all(fs::path(out_dir) / entry, ec);
    if (ec) throw ConversionError((fs::path(out_dir) / entry).string() + ": cannot remove: " + ec.message());
  }

  plan();

  ArchiveHandle archive(OTF2_Archive_Open(out_dir.c_str(), otf2::kArchiveName, OTF2_FILEMODE_WRITE,
                                          1024 * 1024 /* event chunk */, 4 * 1024 * 1024 /* definition chunk */,
                                          OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE));
  if (!archive.get()) {
    std::string why = otf2::take_last_error();
    throw ConversionError(out_dir + ": cannot create an OTF2 archive" + (why.empty() ? "" : " (" + why + ")"));
  }
  check(OTF2_Archive_SetFlushCallbacks(archive.get(), &kFlushCallbacks, nullptr), "OTF2_Archive_SetFlushCallbacks");
  check(OTF2_Archive_SetMemoryCallbacks(archive.get(), &kMemoryCallbacks, nullptr), "OTF2_Archive_SetMemoryCallbacks");
  check(OTF2_Archive_SetSerialCollectiveCallbacks(archive.get()), "OTF2_Archive_SetSerialCollectiveCallbacks");
  check(OTF2_Archive_SetCreator(archive.get(), "Rondo 0.1.0 (rondo export)"), "OTF2_Archive_SetCreator");
  check(OTF2_Archive_SetDescription(archive.get(), ("Converted from the Rondo trace " + trace_.dir()).c_str()),
        "OTF2_Archive_SetDescription");

  bytes_total_ = detail::total_file_bytes(trace_);
  progress_ = std::make_unique<detail::Progress>(options_.progress, "exporting", bytes_total_);
  write_events(archive.get());
  progress_->finish();

  // Every location gets a (empty) local definition file, so readers find one for each.
  check(OTF2_Archive_OpenDefFiles(archive.get()), "OTF2_Archive_OpenDefFiles");
  for (const Location& loc : locations_) {
    OTF2_DefWriter* w = OTF2_Archive_GetDefWriter(archive.get(), loc.ref);
    if (!w) otf2::fail("OTF2_Archive_GetDefWriter", OTF2_ERROR_INVALID);
    check(OTF2_Archive_CloseDefWriter(archive.get(), w), "OTF2_Archive_CloseDefWriter");
  }
  check(OTF2_Archive_CloseDefFiles(archive.get()), "OTF2_Archive_CloseDefFiles");

  write_definitions(archive.get());
  archive.close();

  report_.processes = trace_.processes().size();
  if (auto problems = trace_.problems(); !problems.empty())
    note("damage reported by the trace reader (see rondo info; data up to it was exported)", problems.size());
  report_.seconds = detail::seconds_since(start);
  return report_;
}

// Locations, location groups and the rank -> location table, before any event.
void Exporter::plan() {
  const auto& procs = trace_.processes();
  rank_location_.assign(static_cast<size_t>(std::max(world_size_, 0)), OTF2_UNDEFINED_LOCATION);
  process_locations_.resize(procs.size());
  region_map_.resize(procs.size());
  std::map<uint32_t, uint32_t> group_of_pid;
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    const ProcessReader& p = *procs[pi];
    LocationGroup g;
    g.name = detail::process_name(p);
    g.host = p.defs().process.host;
    groups_.push_back(g);
    group_of_pid.emplace(p.defs().process.pid, static_cast<uint32_t>(pi));
    size_t n = std::max<size_t>(p.thread_count(), 1);
    for (size_t t = 0; t < n; ++t) {
      Location loc;
      loc.ref = locations_.size();
      loc.group = static_cast<uint32_t>(pi);
      loc.process = pi;
      loc.thread = t < p.thread_count() ? t : SIZE_MAX;
      loc.name = "thread " + std::to_string(t);
      process_locations_[pi].push_back(locations_.size());
      locations_.push_back(loc);
    }
    int32_t r = p.rank();
    if (r >= 0 && static_cast<size_t>(r) < rank_location_.size() && rank_location_[r] == OTF2_UNDEFINED_LOCATION)
      rank_location_[r] = locations_[process_locations_[pi].front()].ref;
    // Unified regions: one per name, in process order.
    const ProcessDefinitions& defs = p.defs();
    for (uint32_t id = 0; id < defs.regions.size(); ++id) {
      const RegionDef& rd = defs.regions[id];
      std::string name = defs.string(rd.name);
      if (name.empty()) name = "region " + std::to_string(id);
      region_map_[pi].push_back(region_named(name, defs.string(rd.file), rd.line, rd.role));
    }
  }
  // Fork children: their group records the group that created them.
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    auto it = group_of_pid.find(procs[pi]->defs().process.parent_pid);
    if (it != group_of_pid.end() && it->second != pi) groups_[pi].creator = it->second;
  }
  // GPU streams: an accelerator location group per device of each process (otf2_gpu.h).
  for (size_t pi = 0; pi < procs.size(); ++pi) {
    const ProcessDefinitions& defs = procs[pi]->defs();
    std::vector<int32_t> devices;
    for (size_t li : process_locations_[pi]) {
      Location& loc = locations_[li];
      uint32_t index = loc.thread == SIZE_MAX ? UINT32_MAX : procs[pi]->thread_index(loc.thread);
      if (index < defs.threads.size() && defs.threads[index].kind == ThreadKind::GpuStream)
        loc.device = std::max(0, otf2::gpu_stream_device(defs.string(defs.threads[index].name)));
      devices.push_back(loc.device);
    }
    for (const otf2::AcceleratorGroup& a : otf2::accelerator_groups(devices, groups_[pi].name)) {
      groups_.push_back({a.name, groups_[pi].host, static_cast<OTF2_LocationGroupRef>(pi),
                         OTF2_LOCATION_GROUP_TYPE_ACCELERATOR});
      for (size_t m : a.members) locations_[process_locations_[pi][m]].group = static_cast<uint32_t>(groups_.size() - 1);
    }
  }
  // A rank no process file stands for (lost file) still needs a location for
  // the MPI communicators' location list.
  for (size_t r = 0; r < rank_location_.size(); ++r) {
    if (rank_location_[r] != OTF2_UNDEFINED_LOCATION) continue;
    LocationGroup g;
    g.name = "rank " + std::to_string(r) + " (not in the trace)";
    groups_.push_back(g);
    Location loc;
    loc.ref = locations_.size();
    loc.group = static_cast<uint32_t>(groups_.size() - 1);
    loc.name = "thread 0";
    rank_location_[r] = loc.ref;
    locations_.push_back(loc);
    note("ranks missing from the trace (empty locations written)");
  }
}

OTF2_RegionRef Exporter::region_named(const std::string& name, const std::string& file, uint32_t line,
                                      RegionRole role) {
  auto [it, inserted] = region_by_name_.try_emplace(name, static_cast<OTF2_RegionRef>(regions_.size()));
  if (inserted) regions_.push_back(GlobalRegion{name, file, line, role});
  return it->second;
}

OTF2_RegionRef Exporter::region(size_t process, uint32_t local) {
  if (local < region_map_[process].size()) return region_map_[process][local];
  note("events referring to undefined regions");
  return region_named("unknown region " + std::to_string(local), "", 0, RegionRole::Function);
}

void Exporter::write_events(OTF2_Archive* archive) {
  check(OTF2_Archive_OpenEvtFiles(archive), "OTF2_Archive_OpenEvtFiles");
  // Every defined metric first: counter classes are numbered after them. (Only
  // a METRIC event naming an undefined metric, in a damaged trace, adds one
  // later, whose class ref may then equal a counter class's.)
  for (size_t pi = 0; pi < trace_.processes().size(); ++pi)
    for (uint32_t local = 0; local < trace_.processes()[pi]->defs().metrics.size(); ++local) metric(pi, local);
  counter_class_base_ = static_cast<OTF2_MetricRef>(metrics_.size());
  for (size_t pi = 0; pi < trace_.processes().size(); ++pi) {
    auto process = detail::reopen_process(trace_, pi);
    locks_.clear();
    process_events_ = process_done_ = 0;
    for (size_t t = 0; t < process->thread_count(); ++t) process_events_ += process->thread(t).event_count();
    for (size_t li : process_locations_[pi]) {
      Location& loc = locations_[li];
      const ThreadTrace* thread = loc.thread == SIZE_MAX ? nullptr : &process->thread(loc.thread);
      write_thread(archive, loc, *process, thread);
    }
    bytes_done_ += trace_.processes()[pi]->file_size();
    progress_->update(bytes_done_, report_.events);
  }
  // Placeholders of missing ranks: an empty event file each.
  for (Location& loc : locations_)
    if (loc.process == SIZE_MAX) {
      OTF2_EvtWriter* w = OTF2_Archive_GetEvtWriter(archive, loc.ref);
      if (!w) otf2::fail("OTF2_Archive_GetEvtWriter", OTF2_ERROR_INVALID);
      check(OTF2_Archive_CloseEvtWriter(archive, w), "OTF2_Archive_CloseEvtWriter");
    }
  check(OTF2_Archive_CloseEvtFiles(archive), "OTF2_Archive_CloseEvtFiles");
}

void Exporter::write_thread(OTF2_Archive* archive, Location& loc, const ProcessReader& process,
                            const ThreadTrace* thread) {
  LocationWriter lw;
  lw.writer = OTF2_Archive_GetEvtWriter(archive, loc.ref);
  if (!lw.writer) otf2::fail("OTF2_Archive_GetEvtWriter", OTF2_ERROR_INVALID);
  lw.process = loc.process;
  lw.position = loc.thread == SIZE_MAX ? 0 : static_cast<uint32_t>(loc.thread);
  lw.rank = process.rank();
  lw.device = loc.device;
  if (thread) {
    ++report_.threads;
    lw.thread_index = thread->index();
    const ProcessDefinitions& defs = process.defs();
    if (lw.thread_index < defs.threads.size()) {
      const ThreadDef& td = defs.threads[lw.thread_index];
      if (td.kind == ThreadKind::GpuStream) loc.type = OTF2_LOCATION_TYPE_ACCELERATOR_STREAM;
      if (td.name != 0 && !defs.string(td.name).empty()) loc.name = defs.string(td.name);
    }
    if (loc.name.rfind("thread ", 0) == 0) loc.name = "thread " + std::to_string(lw.thread_index);
    if (thread->truncated()) note("threads whose data ends early (exported up to their last complete chunk)");
    lw.thread = thread;
    if (!thread->counter_metrics().empty()) lw.counter_class = counter_class(lw.process, *thread);
    const uint64_t file_bytes = process.file_size();
    EventCursor cursor(*thread);
    Event e;
    while (cursor.next(e)) {
      write_event(lw, process, e);
      if ((++process_done_ & 0x3FFF) == 0)
        progress_->update(bytes_done_ + file_bytes * std::min(process_done_, process_events_) /
                                            std::max<uint64_t>(process_events_, 1),
                          report_.events);
    }
  }
  check(OTF2_EvtWriter_GetNumberOfEvents(lw.writer, &loc.events), "OTF2_EvtWriter_GetNumberOfEvents");
  check(OTF2_Archive_CloseEvtWriter(archive, lw.writer), "OTF2_Archive_CloseEvtWriter");
}

// OTF2 wants each location's timestamps non-decreasing; Rondo keeps a thread's
// raw ticks, which may step back by a few ticks between cores.
uint64_t Exporter::stamp(LocationWriter& lw, int64_t ns) {
  uint64_t t = 0;
  if (ns < 0)
    note("timestamps before the clock's origin (written as 0)");
  else
    t = static_cast<uint64_t>(ns);
  if (lw.any && t < lw.previous) {
    t = lw.previous;
    note("timestamps raised to keep their location monotonic");
  }
  lw.previous = t;
  lw.any = true;
  min_ts_ = std::min(min_ts_, t);
  max_ts_ = std::max(max_ts_, t);
  return t;
}

OTF2_CommRef Exporter::table_comm(uint32_t index) {
  if (index >= table_comm_ref_.size()) table_comm_ref_.resize(index + 1, OTF2_UNDEFINED_COMM);
  if (table_comm_ref_[index] == OTF2_UNDEFINED_COMM) table_comm_ref_[index] = next_comm_++;
  return table_comm_ref_[index];
}

Exporter::Comm Exporter::comm(size_t process, int64_t local) {
  Comm c;
  if (local < 0 || local >= static_cast<int64_t>(CommunicatorTable::kNone)) return c;  // MPI_COMM_NULL
  c.index = comms_.resolve(process, static_cast<uint32_t>(local));
  c.ref = table_comm(c.index);
  return c;
}

// The rank of `world_rank` in `comm` as seen from `self_rank` (the remote side
// of an intercommunicator), which is what OTF2's MPI records hold.
uint32_t Exporter::comm_rank(const Comm& c, int64_t world_rank, int32_t self_rank) {
  if (c.index == CommunicatorTable::kNone || world_rank < 0) return OTF2_UNDEFINED_UINT32;
  const uint32_t index = c.index;
  const CommunicatorInfo& info = comms_[index];
  int side = 0;
  const std::vector<int32_t>* ranks = &info.world_ranks;
  if (info.intercommunicator() &&
      std::find(info.world_ranks.begin(), info.world_ranks.end(), self_rank) != info.world_ranks.end()) {
    ranks = &info.remote_world_ranks;
    side = 1;
  }
  if (ranks->empty()) return static_cast<uint32_t>(world_rank);  // undefined communicator: world ranks
  if (comm_rank_cache_.size() <= index) comm_rank_cache_.resize(index + 1);
  auto& cache = comm_rank_cache_[index][side];
  if (cache.empty())
    for (uint32_t i = 0; i < ranks->size(); ++i) cache.emplace((*ranks)[i], i);
  auto it = cache.find(static_cast<int32_t>(world_rank));
  if (it == cache.end()) {
    note("peers not in their communicator's group (rank written as undefined)");
    return OTF2_UNDEFINED_UINT32;
  }
  return it->second;
}

OTF2_CommRef Exporter::thread_comm(size_t process, OTF2_Paradigm paradigm) {
  auto [it, inserted] = thread_comms_.try_emplace({process, paradigm}, 0);
  if (inserted) it->second = next_comm_++;
  return it->second;
}

OTF2_RmaWinRef Exporter::window(size_t process, int64_t local) {
  auto [it, inserted] = windows_.try_emplace({process, local}, static_cast<OTF2_RmaWinRef>(window_list_.size()));
  if (inserted) {
    window_list_.push_back({process, local});
    // The window's communicator: targets are world ranks, or for a device's
    // copy window the process's own locations (otf2_gpu.h).
    if (otf2::is_gpu_window(local)) thread_comm(process, OTF2_PARADIGM_CUDA);
    else comm(process, 0);
  }
  return it->second;
}

OTF2_MetricRef Exporter::counter_class(size_t process, const ThreadTrace& thread) {
  std::vector<OTF2_MetricMemberRef> members;
  for (uint32_t local : thread.counter_metrics()) members.push_back(metric(process, local));
  auto [it, inserted] = counter_class_by_members_.try_emplace(
      members, counter_class_base_ + static_cast<OTF2_MetricRef>(counter_classes_.size()));
  if (inserted) counter_classes_.push_back(members);
  return it->second;
}

void Exporter::write_counters(LocationWriter& lw, uint64_t time, uint64_t index) {
  const uint64_t* readings = lw.thread->counters_at(index);
  if (!readings) return;
  size_t m = lw.thread->counter_metrics().size();
  OTF2_Type types[kMaxCounters];
  OTF2_MetricValue values[kMaxCounters];
  for (size_t j = 0; j < m; ++j) {
    types[j] = OTF2_TYPE_UINT64;
    values[j].unsigned_int = readings[j];
  }
  OTF2_ErrorCode rc =
      OTF2_EvtWriter_Metric(lw.writer, nullptr, time, lw.counter_class, static_cast<uint8_t>(m), types, values);
  if (rc != OTF2_SUCCESS) otf2::fail("writing an OTF2 Metric record of counters", rc);
}

// A copy on a GPU stream, as Score-P writes it (otf2_gpu.h): an RMA operation
// at its start, completed where its region is left.
OTF2_ErrorCode Exporter::write_gpu_copy(LocationWriter& lw, const Event& e, uint64_t t) {
  const EventKey& k = e.def->key;
  otf2::GpuRmaShape shape = otf2::gpu_rma_shape(static_cast<GpuCopyKind>(k.params[0]));
  OTF2_AttributeList* attrs = attrs_.get();
  add_int(attrs, otf2::kAttrGpuCopyDirection, k.params[0], "Rondo GPU copy direction (GPU_MEMCPY p0)");
  add_int(attrs, otf2::kAttrGpuCorrelation, e.data[1], "CUPTI correlation id of the host call");
  lw.gpu_copy = window(lw.process, otf2::gpu_window_id(lw.device));
  lw.gpu_copy_id = lw.next_matching_id++;
  uint32_t remote = shape.remote_is_stream ? lw.position : 0;  // ranks of the process's locations; 0 the host
  auto bytes = static_cast<uint64_t>(e.data[0]);
  return shape.put ? OTF2_EvtWriter_RmaPut(lw.writer, attrs, t, lw.gpu_copy, remote, bytes, lw.gpu_copy_id)
                   : OTF2_EvtWriter_RmaGet(lw.writer, attrs, t, lw.gpu_copy, remote, bytes, lw.gpu_copy_id);
}

OTF2_MetricRef Exporter::metric(size_t process, uint32_t local) {
  auto found = metric_map_.find({process, local});
  if (found != metric_map_.end()) return found->second;
  const ProcessDefinitions& defs = trace_.processes()[process]->defs();
  Metric m;
  if (local < defs.metrics.size()) {
    m.name = defs.string(defs.metrics[local].name);
    m.unit = defs.string(defs.metrics[local].unit);
    m.mode = defs.metrics[local].mode;
  }
  if (m.name.empty()) m.name = "metric " + std::to_string(local);
  auto [it, inserted] =
      metric_by_key_.try_emplace({m.name, m.unit, m.mode}, static_cast<OTF2_MetricRef>(metrics_.size()));
  if (inserted) metrics_.push_back(m);
  metric_map_.emplace(std::make_pair(process, local), it->second);
  return it->second;
}

OTF2_IoHandleRef Exporter::io_handle(size_t process, uint32_t local) {
  auto [it, inserted] = io_map_.try_emplace({process, local}, static_cast<OTF2_IoHandleRef>(io_handles_.size()));
  if (inserted) {
    const ProcessDefinitions& defs = trace_.processes()[process]->defs();
    IoHandle h;
    if (local < defs.io_handles.size()) {
      h.path = defs.string(defs.io_handles[local].path);
      h.paradigm = defs.io_handles[local].paradigm;
    }
    if (h.path.empty()) h.path = "file " + std::to_string(local);
    h.host = defs.process.host;
    io_handles_.push_back(h);
  }
  return it->second;
}

OTF2_AttributeRef Exporter::attribute(const char* name, OTF2_Type type, const char* description) {
  auto [it, inserted] =
      attributes_.try_emplace(name, Attribute{static_cast<OTF2_AttributeRef>(attributes_.size()), type, description});
  return it->second.ref;
}

void Exporter::add_int(OTF2_AttributeList* list, const char* name, int64_t value, const char* description) {
  check(OTF2_AttributeList_AddInt64(list, attribute(name, OTF2_TYPE_INT64, description), value),
        "OTF2_AttributeList_AddInt64");
}

// An ENTER made from a call site (--callstack): its calling context and the
// line of the call, as attributes of the Enter record (otf2_calling_contexts.h).
void Exporter::add_calling_context(size_t process, const ProcessDefinitions& defs, uint32_t site,
                                   OTF2_RegionRef region, OTF2_AttributeList* list) {
  auto function_region = [&](const std::string& function, const std::string& file) {
    return region_named(function, file, 0, RegionRole::Function);
  };
  otf2::CallingContexts::Leaf leaf = contexts_.leaf(process, defs, site, region, function_region);
  if (leaf.context == OTF2_UNDEFINED_CALLING_CONTEXT) return;
  check(OTF2_AttributeList_AddCallingContextRef(
            list, attribute(otf2::kAttrCallingContext, OTF2_TYPE_CALLING_CONTEXT, "Rondo call site: calling context"),
            leaf.context),
        "OTF2_AttributeList_AddCallingContextRef");
  if (leaf.call_location != OTF2_UNDEFINED_SOURCE_CODE_LOCATION)
    check(OTF2_AttributeList_AddSourceCodeLocationRef(
              list, attribute(otf2::kAttrSourceCodeLocation, OTF2_TYPE_SOURCE_CODE_LOCATION,
                              "Rondo call site: the source line the call was made from"),
              leaf.call_location),
          "OTF2_AttributeList_AddSourceCodeLocationRef");
}

OTF2_ParameterRef Exporter::parameter(const char* name) {
  auto [it, inserted] = parameters_.try_emplace(name, static_cast<OTF2_ParameterRef>(parameters_.size()));
  return it->second;
}

// Folded polls (FORMAT.md 7.2): each polled function's part of a run becomes one
// call of its region, Enter and Leave both carrying the exact number of polls
// (rondo::polls) and the time inside them (rondo::polls_inside_ns); OTF2 tools
// count it as one call, `rondo stats` counts every poll. OTF2 calls nest, so the
// parts of a run that polled several functions in turn are laid out one after
// the other within the run, in the order their last polls came.
void Exporter::write_polls(LocationWriter& lw, const ProcessReader& process, const Event& e) {
  const EventKey& k = e.def->key;
  if (!polls_last(k)) {
    lw.open_polls.open(k.ref, e.ticks);
    return;
  }
  int64_t begin = std::max(process.to_ns(lw.open_polls.close(k.ref, e.ticks)), lw.polls_laid_out_ns);
  int64_t end = std::max(begin, process.to_ns(e.ticks));
  lw.polls_laid_out_ns = end;
  int64_t inside = analyzer::duration_ns(process, static_cast<uint64_t>(std::max<int64_t>(0, e.data[1])));
  OTF2_AttributeList* attrs = attrs_.get();
  OTF2_RegionRef r = region(lw.process, k.ref);
  for (bool enter : {true, false}) {
    add_int(attrs, otf2::kAttrPolls, e.data[0], "Rondo folded polls: number of unsuccessful polls in this call");
    add_int(attrs, otf2::kAttrPollsInside, inside, "Rondo folded polls: nanoseconds spent inside the polls");
    OTF2_ErrorCode rc = enter ? OTF2_EvtWriter_Enter(lw.writer, attrs, stamp(lw, begin), r)
                              : OTF2_EvtWriter_Leave(lw.writer, attrs, stamp(lw, end), r);
    if (rc != OTF2_SUCCESS) otf2::fail("writing an OTF2 record for a POLLS event", rc);
  }
}

void Exporter::write_event(LocationWriter& lw, const ProcessReader& process, const Event& e) {
  const EventKey& k = e.def->key;
  if (k.kind == EventKind::Polls) return write_polls(lw, process, e);
  const size_t pi = lw.process;
  OTF2_EvtWriter* w = lw.writer;
  const uint64_t t = stamp(lw, process.to_ns(e.ticks));
  OTF2_AttributeList* attrs = attrs_.get();
  OTF2_ErrorCode rc = OTF2_SUCCESS;
  auto u32 = [](int64_t v) { return static_cast<uint32_t>(v); };
  auto u64 = [](int64_t v) { return static_cast<uint64_t>(v); };

  auto generic = [&] {
    otf2::GenericEvent g;
    g.kind = k.kind;
    g.ref = k.ref;
    if (k.kind == EventKind::GpuKernelLaunch) g.ref = region(pi, k.ref);
    auto v = static_cast<uint8_t>(k.kind);
    if (v >= static_cast<uint8_t>(EventKind::IoOperationBegin) && v <= static_cast<uint8_t>(EventKind::IoDestroyHandle))
      g.ref = io_handle(pi, k.ref);
    g.np = std::min<int>(e.def->params, kMaxParams);
    g.nd = std::min<int>(e.def->data, kMaxData);
    for (int i = 0; i < g.np; ++i) g.params[i] = k.params[i];
    // The probe's communicator as the archive's communicator, like refs above.
    if (k.kind == EventKind::MpiProbe) g.params[2] = comm(pi, k.params[2]).ref;
    for (int i = 0; i < g.nd; ++i) add_int(attrs, otf2::kAttrData[i], e.data[i], "Rondo event data field");
    note(std::string("Rondo events without an OTF2 record, written as '") + otf2::kEventParameter +
         "' parameters: " + std::string(kind_name(k.kind)));
    return OTF2_EvtWriter_ParameterString(w, attrs, t, parameter(otf2::kEventParameter),
                                          strings_(otf2::generic_text(g)));
  };

  // Sizes of messages, collectives and RMA, from either file layout.
  const TransferBytes bytes = transfer_bytes(*e.def, e.data);
  switch (k.kind) {
    case EventKind::Enter:
      if (lw.counter_class != OTF2_UNDEFINED_METRIC) write_counters(lw, t, e.index);
      if (e.def->params > 0)
        add_calling_context(pi, process.defs(), static_cast<uint32_t>(k.params[0]), region(pi, k.ref), attrs);
      rc = OTF2_EvtWriter_Enter(w, attrs, t, region(pi, k.ref));
      break;
    case EventKind::Leave:
      if (lw.gpu_copy != OTF2_UNDEFINED_RMA_WIN) {  // the end of the copy whose region this leaves
        rc = OTF2_EvtWriter_RmaOpCompleteBlocking(w, nullptr, t, lw.gpu_copy, lw.gpu_copy_id);
        lw.gpu_copy = OTF2_UNDEFINED_RMA_WIN;
        if (rc != OTF2_SUCCESS) break;
        ++report_.records;
      }
      if (lw.counter_class != OTF2_UNDEFINED_METRIC) write_counters(lw, t, e.index);
      rc = OTF2_EvtWriter_Leave(w, nullptr, t, region(pi, k.ref));
      break;
    case EventKind::GpuMemcpy:
      rc = lw.device >= 0 ? write_gpu_copy(lw, e, t) : generic();
      break;
    case EventKind::Marker:
      rc = OTF2_EvtWriter_ParameterString(w, nullptr, t, parameter(otf2::kMarkerParameter),
                                          strings_(process.defs().string(k.ref)));
      break;
    case EventKind::MetricSample: {
      OTF2_Type type = OTF2_TYPE_UINT64;
      OTF2_MetricValue value;
      value.unsigned_int = u64(e.data[0]);
      rc = OTF2_EvtWriter_Metric(w, nullptr, t, metric(pi, k.ref), 1, &type, &value);
      break;
    }
    case EventKind::MpiSend: {
      Comm c = comm(pi, k.params[2]);
      rc = OTF2_EvtWriter_MpiSend(w, nullptr, t, comm_rank(c, k.params[0], lw.rank), c.ref, u32(k.params[1]),
                                  u64(bytes.bytes));
      break;
    }
    case EventKind::MpiRecv: {
      Comm c = comm(pi, k.params[2]);
      rc = OTF2_EvtWriter_MpiRecv(w, nullptr, t, comm_rank(c, k.params[0], lw.rank), c.ref, u32(k.params[1]),
                                  u64(bytes.bytes));
      break;
    }
    case EventKind::MpiIsend: {
      Comm c = comm(pi, k.params[2]);
      rc = OTF2_EvtWriter_MpiIsend(w, nullptr, t, comm_rank(c, k.params[0], lw.rank), c.ref, u32(k.params[1]),
                                   u64(bytes.bytes), u64(e.data[0]));
      break;
    }
    case EventKind::MpiIrecv: {
      Comm c = comm(pi, k.params[2]);
      rc = OTF2_EvtWriter_MpiIrecv(w, nullptr, t, comm_rank(c, k.params[0], lw.rank), c.ref, u32(k.params[1]),
                                   u64(bytes.bytes), u64(e.data[0]));
      break;
    }
    case EventKind::MpiIsendComplete:
      rc = OTF2_EvtWriter_MpiIsendComplete(w, nullptr, t, u64(e.data[0]));
      break;
    case EventKind::MpiIrecvRequest:
      rc = OTF2_EvtWriter_MpiIrecvRequest(w, nullptr, t, u64(e.data[0]));
      break;
    case EventKind::MpiRequestTest:
      rc = OTF2_EvtWriter_MpiRequestTest(w, nullptr, t, u64(e.data[0]));
      break;
    case EventKind::MpiRequestCancelled:
      rc = OTF2_EvtWriter_MpiRequestCancelled(w, nullptr, t, u64(e.data[0]));
      break;
    case EventKind::MpiProbe:
      // OTF2 has no probe record (the MPI_Probe call itself is the region
      // around this event): the result travels as a "rondo::event" parameter,
      // "MPI_PROBE kind=24 ref=0 p=SOURCE,TAG,COMM nd=1" with BYTES in the
      // first data attribute (version-1 traces: "p=SOURCE,TAG,COMM,BYTES nd=0"),
      // the source as a world rank and COMM the archive's communicator reference.
      rc = generic();
      break;
    case EventKind::MpiCollectiveBegin:
      rc = OTF2_EvtWriter_MpiCollectiveBegin(w, nullptr, t);
      break;
    case EventKind::MpiCollectiveEnd: {
      bool exact = true;
      OTF2_CollectiveOp op = otf2::to_otf2(static_cast<CollectiveOp>(k.ref), exact);
      if (!exact) add_int(attrs, otf2::kAttrCollectiveOp, k.ref, "Rondo collective operation (no OTF2 equivalent)");
      Comm c = comm(pi, k.params[0]);
      rc = OTF2_EvtWriter_MpiCollectiveEnd(w, attrs, t, op, c.ref, comm_rank(c, k.params[1], lw.rank), u64(bytes.bytes),
                                           u64(bytes.received));
      break;
    }
    case EventKind::RmaPut:
    case EventKind::RmaGet: {
      OTF2_RmaWinRef win = window(pi, k.params[1]);
      auto fn = k.kind == EventKind::RmaPut ? OTF2_EvtWriter_RmaPut : OTF2_EvtWriter_RmaGet;
      rc = fn(w, nullptr, t, win, u32(k.params[0]), u64(bytes.bytes), lw.next_matching_id++);
      break;
    }
    case EventKind::RmaAccumulate:
      rc = OTF2_EvtWriter_RmaAtomic(w, nullptr, t, window(pi, k.params[1]), u32(k.params[0]),
                                    OTF2_RMA_ATOMIC_TYPE_ACCUMULATE, u64(bytes.bytes), 0, lw.next_matching_id++);
      break;
    case EventKind::RmaSync:
      add_int(attrs, otf2::kAttrSyncKind, k.params[1], "Rondo RMA synchronisation kind");
      rc = OTF2_EvtWriter_RmaSync(w, attrs, t, window(pi, k.params[0]), OTF2_UNDEFINED_UINT32,
                                  OTF2_RMA_SYNC_TYPE_MEMORY);
      break;
    case EventKind::ThreadFork:
      rc = OTF2_EvtWriter_ThreadFork(w, nullptr, t, OTF2_PARADIGM_OPENMP, u32(k.params[0]));
      break;
    case EventKind::ThreadJoin:
      rc = OTF2_EvtWriter_ThreadJoin(w, nullptr, t, OTF2_PARADIGM_OPENMP);
      break;
    case EventKind::ThreadTeamBegin:
      add_int(attrs, otf2::kAttrTeamSize, k.params[0], "Size of the thread team");
      rc = OTF2_EvtWriter_ThreadTeamBegin(w, attrs, t, thread_comm(pi, OTF2_PARADIGM_OPENMP));
      break;
    case EventKind::ThreadTeamEnd:
      rc = OTF2_EvtWriter_ThreadTeamEnd(w, nullptr, t, thread_comm(pi, OTF2_PARADIGM_OPENMP));
      break;
    case EventKind::ThreadAcquireLock:
    case EventKind::ThreadReleaseLock: {
      auto [it, inserted] = locks_.try_emplace(e.data[0], static_cast<uint32_t>(locks_.size()), 0u);
      bool acquire = k.kind == EventKind::ThreadAcquireLock;
      if (acquire) ++it->second.second;
      add_int(attrs, otf2::kAttrLockKind, k.params[0], "Rondo lock kind");
      add_int(attrs, otf2::kAttrLockId, e.data[0], "Rondo lock id");
      auto fn = acquire ? OTF2_EvtWriter_ThreadAcquireLock : OTF2_EvtWriter_ThreadReleaseLock;
      rc = fn(w, attrs, t, OTF2_PARADIGM_UNKNOWN, it->second.first, it->second.second);
      break;
    }
    case EventKind::ThreadTaskCreate:
    case EventKind::ThreadTaskSwitch:
    case EventKind::ThreadTaskComplete: {
      auto fn = k.kind == EventKind::ThreadTaskCreate   ? OTF2_EvtWriter_ThreadTaskCreate
                : k.kind == EventKind::ThreadTaskSwitch ? OTF2_EvtWriter_ThreadTaskSwitch
                                                        : OTF2_EvtWriter_ThreadTaskComplete;
      // OTF2 names a task by (creating thread's rank in the team, generation
      // number); Rondo's 64-bit task id travels as an attribute.
      add_int(attrs, otf2::kAttrTaskId, e.data[0], "Rondo task id");
      rc = fn(w, attrs, t, thread_comm(pi, OTF2_PARADIGM_OPENMP), lw.position, static_cast<uint32_t>(u64(e.data[0])));
      break;
    }
    case EventKind::ThreadCreate:
      rc = OTF2_EvtWriter_ThreadCreate(w, nullptr, t, thread_comm(pi, OTF2_PARADIGM_PTHREAD), u64(e.data[0]));
      break;
    case EventKind::ThreadBegin:
      add_int(attrs, otf2::kAttrCreator, e.data[0], "Thread index of the creating thread");
      rc = OTF2_EvtWriter_ThreadBegin(w, attrs, t, thread_comm(pi, OTF2_PARADIGM_PTHREAD), lw.thread_index);
      break;
    case EventKind::ThreadWait:
      rc = OTF2_EvtWriter_ThreadWait(w, nullptr, t, thread_comm(pi, OTF2_PARADIGM_PTHREAD), u64(e.data[0]));
      break;
    case EventKind::ThreadEnd:
      rc = OTF2_EvtWriter_ThreadEnd(w, nullptr, t, thread_comm(pi, OTF2_PARADIGM_PTHREAD), lw.thread_index);
      break;
    case EventKind::IoCreateHandle: {
      OTF2_IoAccessMode mode;
      OTF2_IoCreationFlag creation;
      OTF2_IoStatusFlag status;
      open_flags_to_otf2(k.params[0], mode, creation, status);
      add_int(attrs, otf2::kAttrOpenFlags, k.params[0], "open() flags as recorded");
      rc = OTF2_EvtWriter_IoCreateHandle(w, attrs, t, io_handle(pi, k.ref), mode, creation, status);
      break;
    }
    case EventKind::IoDestroyHandle:
      rc = OTF2_EvtWriter_IoDestroyHandle(w, nullptr, t, io_handle(pi, k.ref));
      break;
    case EventKind::IoOperationBegin:
    case EventKind::IoOperationComplete: {
      auto op = static_cast<IoOperation>(k.params[0]);
      OTF2_IoOperationMode mode;
      if (op == IoOperation::Read)
        mode = OTF2_IO_OPERATION_MODE_READ;
      else if (op == IoOperation::Write)
        mode = OTF2_IO_OPERATION_MODE_WRITE;
      else if (op == IoOperation::Flush || op == IoOperation::Sync)
        mode = OTF2_IO_OPERATION_MODE_FLUSH;
      else {
        rc = generic();  // seek, open, close: no OTF2 operation mode
        break;
      }
      OTF2_IoHandleRef h = io_handle(pi, k.ref);
      auto& open = lw.open_io[h];
      if (k.kind == EventKind::IoOperationBegin) {
        uint64_t id = lw.next_matching_id++;
        open.push_back(id);
        if (op == IoOperation::Sync) add_int(attrs, otf2::kAttrIoOperation, k.params[0], "Rondo I/O operation");
        if (e.data[1] >= 0)
          check(OTF2_AttributeList_AddUint64(
                    attrs, attribute(otf2::kAttrOffset, OTF2_TYPE_UINT64, "Absolute read/write offset within a file."),
                    u64(e.data[1])),
                "OTF2_AttributeList_AddUint64");
        rc = OTF2_EvtWriter_IoOperationBegin(w, attrs, t, h, mode, OTF2_IO_OPERATION_FLAG_NONE, u64(e.data[0]), id);
      } else {
        uint64_t id;
        if (!open.empty()) {
          id = open.back();
          open.pop_back();
        } else {
          id = lw.next_matching_id++;
          note("I/O completions without a recorded begin (e.g. MPI-IO)");
        }
        add_int(attrs, otf2::kAttrIoOperation, k.params[0], "Rondo I/O operation");
        // A failed operation (-1) becomes OTF2_UNDEFINED_UINT64.
        rc = OTF2_EvtWriter_IoOperationComplete(w, attrs, t, h, u64(e.data[0]), id);
      }
      break;
    }
    default:
      rc = generic();
      break;
  }
  if (rc != OTF2_SUCCESS)
    otf2::fail(std::string("writing an OTF2 record for a ") + std::string(kind_name(k.kind)) + " event", rc);
  // Attributes the record did not take (none should be left) must not leak into the next one.
  OTF2_AttributeList_RemoveAllAttributes(attrs);
  ++report_.events;
  ++report_.records;
}

void Exporter::write_definitions(OTF2_Archive* archive) {
  OTF2_GlobalDefWriter* d = OTF2_Archive_GetGlobalDefWriter(archive);
  if (!d) otf2::fail("OTF2_Archive_GetGlobalDefWriter", OTF2_ERROR_INVALID);

  // Collect everything first (interning strings), then write strings before the
  // definitions that use them.
  std::vector<std::function<void()>> later;
  auto def = [&](std::function<OTF2_ErrorCode()> fn, const char* what) {
    later.push_back([fn = std::move(fn), what] { check(fn(), what); });
  };
  const OTF2_StringRef empty = strings_("");

  // System tree: one machine, one node per host.
  const OTF2_SystemTreeNodeRef machine = 0;
  OTF2_StringRef machine_name = strings_("machine"), machine_class = strings_("machine");
  def(
      [=] {
        return OTF2_GlobalDefWriter_WriteSystemTreeNode(d, machine, machine_name, machine_class,
                                                        OTF2_UNDEFINED_SYSTEM_TREE_NODE);
      },
      "WriteSystemTreeNode");
  def([=] { return OTF2_GlobalDefWriter_WriteSystemTreeNodeDomain(d, machine, OTF2_SYSTEM_TREE_DOMAIN_MACHINE); },
      "WriteSystemTreeNodeDomain");
  std::map<std::string, OTF2_SystemTreeNodeRef> nodes;
  auto node_of = [&](const std::string& host) {
    auto [it, inserted] = nodes.try_emplace(host, static_cast<OTF2_SystemTreeNodeRef>(nodes.size() + 1));
    if (inserted) {
      OTF2_SystemTreeNodeRef ref = it->second;
      OTF2_StringRef name = strings_(host.empty() ? "unknown host" : host), cls = strings_("node");
      def([=] { return OTF2_GlobalDefWriter_WriteSystemTreeNode(d, ref, name, cls, machine); }, "WriteSystemTreeNode");
      def([=] { return OTF2_GlobalDefWriter_WriteSystemTreeNodeDomain(d, ref, OTF2_SYSTEM_TREE_DOMAIN_SHARED_MEMORY); },
          "WriteSystemTreeNodeDomain");
    }
    return it->second;
  };
  for (uint32_t g = 0; g < groups_.size(); ++g) {
    OTF2_SystemTreeNodeRef node = node_of(groups_[g].host);
    OTF2_StringRef name = strings_(groups_[g].name);
    OTF2_LocationGroupRef creator = groups_[g].creator;
    OTF2_LocationGroupType type = groups_[g].type;
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteLocationGroup(d, g, name, type, node, creator);
        },
        "WriteLocationGroup");
  }
  for (const Location& loc : locations_) {
    OTF2_StringRef name = strings_(loc.name);
    Location l = loc;
    def([=] { return OTF2_GlobalDefWriter_WriteLocation(d, l.ref, name, l.type, l.events, l.group); }, "WriteLocation");
  }

  // Regions.
  for (OTF2_RegionRef r = 0; r < regions_.size(); ++r) {
    const GlobalRegion& g = regions_[r];
    // (Not a structured binding: clang 14 cannot capture those.)
    const std::pair<OTF2_RegionRole, OTF2_Paradigm> kind = region_kind(g.role, g.name);
    const OTF2_RegionRole role = kind.first;
    const OTF2_Paradigm paradigm = kind.second;
    OTF2_StringRef name = strings_(g.name);
    OTF2_StringRef file = g.file.empty() ? OTF2_UNDEFINED_STRING : strings_(g.file);
    uint32_t line = g.line;
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteRegion(d, r, name, name, empty, role, paradigm, OTF2_REGION_FLAG_NONE, file,
                                                  line, 0);
        },
        "WriteRegion");
  }

  // Groups and communicators. MPI: the locations of the world ranks, in rank
  // order; each communicator's group lists world ranks (positions in that list).
  OTF2_GroupRef next_group = 0;
  std::map<std::pair<OTF2_Paradigm, std::vector<uint64_t>>, OTF2_GroupRef> rank_groups;
  auto group = [&](OTF2_GroupType type, OTF2_Paradigm paradigm, std::vector<uint64_t> members,
                   const std::string& name) {
    if (type == OTF2_GROUP_TYPE_COMM_GROUP) {
      auto found = rank_groups.find({paradigm, members});
      if (found != rank_groups.end()) return found->second;
    }
    OTF2_GroupRef ref = next_group++;
    if (type == OTF2_GROUP_TYPE_COMM_GROUP) rank_groups.emplace(std::make_pair(paradigm, members), ref);
    OTF2_StringRef n = strings_(name);
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteGroup(d, ref, n, type, paradigm, OTF2_GROUP_FLAG_NONE,
                                                 static_cast<uint32_t>(members.size()), members.data());
        },
        "WriteGroup");
    return ref;
  };
  // Communicators must be written in the order of their refs (otf2-print checks).
  std::map<OTF2_CommRef, std::function<void()>> comm_defs;
  // Define every communicator of the table, used or not.
  for (uint32_t i = 0; i < comms_.size(); ++i) table_comm(i);
  if (!table_comm_ref_.empty()) {
    group(OTF2_GROUP_TYPE_COMM_LOCATIONS, OTF2_PARADIGM_MPI,
          std::vector<uint64_t>(rank_location_.begin(), rank_location_.end()), "MPI_COMM_WORLD locations");
    std::vector<uint64_t> all(rank_location_.size());
    std::iota(all.begin(), all.end(), 0);
    OTF2_CommRef world_ref = OTF2_UNDEFINED_COMM;
    for (uint32_t i = 0; i < comms_.size(); ++i)
      if (!comms_[i].intercommunicator() && comms_[i].instance == 0 &&
          comms_[i].world_ranks.size() == rank_location_.size() &&
          std::equal(comms_[i].world_ranks.begin(), comms_[i].world_ranks.end(), all.begin()))
        world_ref = table_comm_ref_[i];
    for (uint32_t i = 0; i < comms_.size(); ++i) {
      const CommunicatorInfo& info = comms_[i];
      auto ranks = [&](const std::vector<int32_t>& r) {
        if (r.empty()) return all;  // undefined communicator: taken as world ranks
        return std::vector<uint64_t>(r.begin(), r.end());
      };
      OTF2_CommRef ref = table_comm_ref_[i];
      OTF2_StringRef name = strings_(info.name.empty() ? "comm " + std::to_string(i) : info.name);
      OTF2_GroupRef a = group(OTF2_GROUP_TYPE_COMM_GROUP, OTF2_PARADIGM_MPI, ranks(info.world_ranks), "");
      if (info.intercommunicator()) {
        OTF2_GroupRef b = group(OTF2_GROUP_TYPE_COMM_GROUP, OTF2_PARADIGM_MPI, ranks(info.remote_world_ranks), "");
        OTF2_CommRef common = world_ref;
        comm_defs[ref] = [=] {
          check(OTF2_GlobalDefWriter_WriteInterComm(d, ref, name, a, b, common, OTF2_COMM_FLAG_NONE), "WriteInterComm");
        };
      } else {
        comm_defs[ref] = [=] {
          check(OTF2_GlobalDefWriter_WriteComm(d, ref, name, a, OTF2_UNDEFINED_COMM, OTF2_COMM_FLAG_NONE), "WriteComm");
        };
      }
    }
  }
  // Thread teams / contingents: per paradigm, every location; per process, its own.
  std::map<OTF2_Paradigm, bool> paradigms;
  for (auto& [key, ref] : thread_comms_) paradigms[key.second] = true;
  for (auto& [paradigm, _] : paradigms) {
    std::vector<uint64_t> all(locations_.size());
    std::iota(all.begin(), all.end(), 0);
    group(OTF2_GROUP_TYPE_COMM_LOCATIONS, paradigm, all,
          paradigm == OTF2_PARADIGM_OPENMP ? "OpenMP locations"
          : paradigm == OTF2_PARADIGM_CUDA ? "CUDA locations"
                                           : "pthread locations");
  }
  for (auto& [key, ref] : thread_comms_) {
    auto [process, paradigm] = key;
    std::vector<uint64_t> members;
    for (size_t li : process_locations_[process]) members.push_back(locations_[li].ref);
    OTF2_GroupRef g = group(OTF2_GROUP_TYPE_COMM_GROUP, paradigm, members, "");
    OTF2_StringRef name =
        strings_(groups_[process].name + (paradigm == OTF2_PARADIGM_OPENMP ? " thread team"
                                          : paradigm == OTF2_PARADIGM_CUDA ? " CUDA locations"
                                                                           : " threads"));
    OTF2_CommRef c = ref;
    comm_defs[c] = [=] {
      check(OTF2_GlobalDefWriter_WriteComm(d, c, name, g, OTF2_UNDEFINED_COMM, OTF2_COMM_FLAG_NONE), "WriteComm");
    };
  }
  for (auto& [ref, fn] : comm_defs) later.push_back(std::move(fn));

  // RMA windows: one per process and window (Rondo's window ids are per process).
  for (OTF2_RmaWinRef w = 0; w < window_list_.size(); ++w) {
    auto [process, local] = window_list_[w];
    bool gpu = otf2::is_gpu_window(local);
    OTF2_StringRef name = strings_(gpu ? "CUDA copies of GPU " + std::to_string(otf2::gpu_window_device(local)) + " of " +
                                             groups_[process].name
                                       : "window " + std::to_string(local) + " of " + groups_[process].name);
    OTF2_CommRef c = gpu ? thread_comm(process, OTF2_PARADIGM_CUDA) : comm(process, 0).ref;
    def([=] { return OTF2_GlobalDefWriter_WriteRmaWin(d, w, name, c, OTF2_RMA_WIN_FLAG_NONE); }, "WriteRmaWin");
  }

  // Metrics: one member and one class each.
  for (OTF2_MetricRef m = 0; m < metrics_.size(); ++m) {
    const Metric& metric = metrics_[m];
    OTF2_StringRef name = strings_(metric.name), unit = strings_(metric.unit);
    OTF2_MetricMode mode = metric.mode == 1   ? OTF2_METRIC_ABSOLUTE_POINT
                           : metric.mode == 2 ? OTF2_METRIC_RELATIVE_LAST
                                              : OTF2_METRIC_ACCUMULATED_START;
    OTF2_MetricType type = metric.name.rfind("PAPI_", 0) == 0 ? OTF2_METRIC_TYPE_PAPI : OTF2_METRIC_TYPE_OTHER;
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteMetricMember(d, m, name, empty, type, mode, OTF2_TYPE_UINT64,
                                                        OTF2_BASE_DECIMAL, 0, unit);
        },
        "WriteMetricMember");
    def(
        [=] {
          OTF2_MetricMemberRef member = m;
          return OTF2_GlobalDefWriter_WriteMetricClass(d, m, 1, &member, OTF2_METRIC_ASYNCHRONOUS,
                                                       OTF2_RECORDER_KIND_CPU);
        },
        "WriteMetricClass");
  }

  // Counters: one class per set of counters, recorded at every enter and leave
  // (as Score-P's SCOREP_METRIC_PAPI).
  for (size_t i = 0; i < counter_classes_.size(); ++i) {
    const std::vector<OTF2_MetricMemberRef>& members = counter_classes_[i];
    OTF2_MetricRef ref = counter_class_base_ + static_cast<OTF2_MetricRef>(i);
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteMetricClass(d, ref, static_cast<uint8_t>(members.size()), members.data(),
                                                       OTF2_METRIC_SYNCHRONOUS_STRICT, OTF2_RECORDER_KIND_CPU);
        },
        "WriteMetricClass");
  }

  // I/O: paradigms, files (per host) and handles.
  std::map<uint32_t, OTF2_IoParadigmRef> io_paradigms;
  std::map<std::pair<std::string, std::string>, OTF2_IoFileRef> files;
  for (OTF2_IoHandleRef h = 0; h < io_handles_.size(); ++h) {
    const IoHandle& handle = io_handles_[h];
    auto [pit, new_paradigm] =
        io_paradigms.try_emplace(handle.paradigm, static_cast<OTF2_IoParadigmRef>(io_paradigms.size()));
    if (new_paradigm) {
      static const char* kIds[] = {"POSIX", "ISOC", "MPI-IO"};
      const char* id = handle.paradigm < 3 ? kIds[handle.paradigm] : "UNKNOWN";
      OTF2_StringRef ident = strings_(id), name = strings_(id);
      OTF2_IoParadigmRef ref = pit->second;
      OTF2_IoParadigmClass cls = handle.paradigm == 2 ? OTF2_IO_PARADIGM_CLASS_PARALLEL : OTF2_IO_PARADIGM_CLASS_SERIAL;
      OTF2_IoParadigmFlag flags = handle.paradigm == 0 ? OTF2_IO_PARADIGM_FLAG_OS : OTF2_IO_PARADIGM_FLAG_NONE;
      def(
          [=] {
            return OTF2_GlobalDefWriter_WriteIoParadigm(d, ref, ident, name, cls, flags, 0, nullptr, nullptr, nullptr);
          },
          "WriteIoParadigm");
    }
    auto [fit, new_file] = files.try_emplace({handle.path, handle.host}, static_cast<OTF2_IoFileRef>(files.size()));
    if (new_file) {
      OTF2_IoFileRef ref = fit->second;
      OTF2_StringRef path = strings_(handle.path);
      OTF2_SystemTreeNodeRef scope = node_of(handle.host);
      def([=] { return OTF2_GlobalDefWriter_WriteIoRegularFile(d, ref, path, scope); }, "WriteIoRegularFile");
    }
    OTF2_StringRef name = strings_(handle.path);
    OTF2_IoFileRef file = fit->second;
    OTF2_IoParadigmRef paradigm = pit->second;
    def(
        [=] {
          return OTF2_GlobalDefWriter_WriteIoHandle(d, h, name, file, paradigm, OTF2_IO_HANDLE_FLAG_NONE,
                                                    OTF2_UNDEFINED_COMM, OTF2_UNDEFINED_IO_HANDLE);
        },
        "WriteIoHandle");
  }

  // Attributes and parameters, in the order of their refs.
  std::map<OTF2_AttributeRef, std::pair<std::string, Attribute>> attributes;
  for (auto& [name, a] : attributes_) attributes.emplace(a.ref, std::make_pair(name, a));
  for (auto& [ref, named] : attributes) {
    OTF2_StringRef n = strings_(named.first), desc = strings_(named.second.description);
    Attribute attr = named.second;
    def([=] { return OTF2_GlobalDefWriter_WriteAttribute(d, attr.ref, n, desc, attr.type); }, "WriteAttribute");
  }
  std::map<OTF2_ParameterRef, std::string> parameters;
  for (auto& [name, ref] : parameters_) parameters.emplace(ref, name);
  for (auto& [ref, name] : parameters) {
    OTF2_StringRef n = strings_(name);
    OTF2_ParameterRef p = ref;
    def([=] { return OTF2_GlobalDefWriter_WriteParameter(d, p, n, OTF2_PARAMETER_TYPE_STRING); }, "WriteParameter");
  }

  // Call sites: source locations, then calling contexts (parents before children).
  for (OTF2_SourceCodeLocationRef ref = 0; ref < contexts_.locations().size(); ++ref) {
    OTF2_StringRef file = strings_(contexts_.locations()[ref].file);
    uint32_t line = contexts_.locations()[ref].line;
    def([=] { return OTF2_GlobalDefWriter_WriteSourceCodeLocation(d, ref, file, line); }, "WriteSourceCodeLocation");
  }
  for (OTF2_CallingContextRef ref = 0; ref < contexts_.nodes().size(); ++ref) {
    otf2::CallingContexts::Node n = contexts_.nodes()[ref];
    def([=] { return OTF2_GlobalDefWriter_WriteCallingContext(d, ref, n.region, n.location, n.parent); },
        "WriteCallingContext");
  }

  // Clock: ns (to_ns of every process), origin and length from the events.
  uint64_t offset = min_ts_ == UINT64_MAX ? 0 : min_ts_;
  uint64_t length = min_ts_ == UINT64_MAX ? 0 : max_ts_ - min_ts_;
  uint64_t realtime = OTF2_UNDEFINED_TIMESTAMP;
  if (!trace_.processes().empty()) {
    const ProcessReader& p0 = *trace_.processes().front();
    int64_t wall;
    if (p0.defs().process.clock_offset_ns == 0 && offset <= INT64_MAX &&
        realtime_of(p0.defs().clock, static_cast<int64_t>(offset), wall) && wall >= 0)
      realtime = static_cast<uint64_t>(wall);
  }
  check(OTF2_GlobalDefWriter_WriteClockProperties(d, 1000000000, offset, length, realtime),
        "OTF2_GlobalDefWriter_WriteClockProperties");
  for (OTF2_StringRef s = 0; s < strings_.list().size(); ++s)
    check(OTF2_GlobalDefWriter_WriteString(d, s, strings_.list()[s].c_str()), "OTF2_GlobalDefWriter_WriteString");
  for (auto& fn : later) fn();
}

}  // namespace

ConvertReport export_otf2(const std::string& trace_dir, const std::string& out_dir, const ConvertOptions& options) {
  auto trace = detail::open_trace(trace_dir);
  Exporter exporter(*trace, options);
  return exporter.run(out_dir);
}

}  // namespace rondo::converters
