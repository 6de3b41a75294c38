// Fuzz target: the OTF2 importer's translation of decoded records. The input is
// a program that writes a small OTF2 archive with the OTF2 library itself
// (definitions with references that may point nowhere, events in any order on up
// to three locations), so that every input reaches the importer's callbacks,
// which is where Rondo's own code reads what an archive says.
#include <otf2/otf2.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "fuzz_targets.h"
#include "rondo/converters/otf2.h"
#include "rondo/format/error.h"
#include "trace_exercise.h"

namespace rondo::fuzz {
namespace {

namespace fs = std::filesystem;

// Reads the input as numbers; 0 once it is used up.
class Source {
 public:
  Source(const uint8_t* data, size_t size) : p_(data), end_(data + size) {}
  bool done() const { return p_ == end_; }
  uint8_t u8() { return p_ < end_ ? *p_++ : 0; }
  uint32_t u32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(u8()) << (8 * i);
    return v;
  }
  uint64_t u64() { return u32() | (static_cast<uint64_t>(u32()) << 32); }
  // A small reference: usually one of the `n` defined, sometimes just past them or undefined.
  uint32_t ref(uint32_t n) {
    uint8_t b = u8();
    if (b == 0xff) return OTF2_UNDEFINED_UINT32;
    return b % (n + 1);
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
};

OTF2_FlushType pre_flush(void*, OTF2_FileType, OTF2_LocationRef, void*, bool) { return OTF2_FLUSH; }
const OTF2_FlushCallbacks kFlush = {pre_flush, nullptr};

constexpr const char* kStrings[] = {"",        "main",           "MPI_Send", "MPI_Recv", "MPI_Allreduce", "compute",
                                    "MPI_COMM_WORLD", "host",     "rank",     "thread",   "!$omp parallel", "MPI"};
constexpr uint32_t kStringCount = sizeof kStrings / sizeof kStrings[0];
constexpr uint32_t kRegions = 6, kGroups = 2, kComms = 3;

void write_definitions(OTF2_Archive* archive, Source& in, uint32_t groups, uint32_t locations,
                       const std::vector<uint64_t>& events) {
  OTF2_GlobalDefWriter* d = OTF2_Archive_GetGlobalDefWriter(archive);
  OTF2_GlobalDefWriter_WriteClockProperties(d, in.u8() ? 1000000000 : in.u32(), in.u32(), in.u64(), in.u64());
  for (uint32_t s = 0; s < kStringCount; ++s) OTF2_GlobalDefWriter_WriteString(d, s, kStrings[s]);
  OTF2_GlobalDefWriter_WriteSystemTreeNode(d, 0, 7, 7, OTF2_UNDEFINED_SYSTEM_TREE_NODE);
  for (uint32_t g = 0; g < groups; ++g)
    OTF2_GlobalDefWriter_WriteLocationGroup(d, g, in.ref(kStringCount), OTF2_LOCATION_GROUP_TYPE_PROCESS,
                                            in.ref(1), OTF2_UNDEFINED_LOCATION_GROUP);
  for (uint32_t l = 0; l < locations; ++l)
    OTF2_GlobalDefWriter_WriteLocation(d, l, 9, in.u8() % 2 ? OTF2_LOCATION_TYPE_CPU_THREAD : OTF2_LOCATION_TYPE_ACCELERATOR_STREAM,
                                       events[l], l % groups);
  for (uint32_t r = 0; r < kRegions; ++r)
    OTF2_GlobalDefWriter_WriteRegion(d, r, in.ref(kStringCount), in.ref(kStringCount), 0,
                                     static_cast<OTF2_RegionRole>(in.u8() % 40),
                                     static_cast<OTF2_Paradigm>(in.u8() % 40), OTF2_REGION_FLAG_NONE, 0, 0, 0);
  for (uint32_t g = 0; g < kGroups; ++g) {
    uint32_t n = in.u8() % 5;
    std::vector<uint64_t> members;
    for (uint32_t m = 0; m < n; ++m) members.push_back(in.u8() % 4);
    OTF2_GroupType type = g == 0 ? OTF2_GROUP_TYPE_COMM_LOCATIONS : OTF2_GROUP_TYPE_COMM_GROUP;
    if (in.u8() % 4 == 0) type = OTF2_GROUP_TYPE_COMM_SELF;
    OTF2_GlobalDefWriter_WriteGroup(d, g, 0, type, in.u8() % 2 ? OTF2_PARADIGM_MPI : OTF2_PARADIGM_OPENMP,
                                    OTF2_GROUP_FLAG_NONE, n, members.data());
  }
  for (uint32_t c = 0; c < kComms; ++c)
    OTF2_GlobalDefWriter_WriteComm(d, c, 6, in.ref(kGroups), c == 0 ? OTF2_UNDEFINED_COMM : in.ref(kComms),
                                   OTF2_COMM_FLAG_NONE);
}

void write_event(OTF2_EvtWriter* w, Source& in, uint64_t time) {
  switch (in.u8() % 20) {
    case 0: OTF2_EvtWriter_Enter(w, nullptr, time, in.ref(kRegions)); break;
    case 1: OTF2_EvtWriter_Leave(w, nullptr, time, in.ref(kRegions)); break;
    case 2: OTF2_EvtWriter_MpiSend(w, nullptr, time, in.ref(4), in.ref(kComms), in.u8(), in.u32()); break;
    case 3: OTF2_EvtWriter_MpiRecv(w, nullptr, time, in.ref(4), in.ref(kComms), in.u8(), in.u32()); break;
    case 4: OTF2_EvtWriter_MpiIsend(w, nullptr, time, in.ref(4), in.ref(kComms), in.u8(), in.u32(), in.u8()); break;
    case 5: OTF2_EvtWriter_MpiIsendComplete(w, nullptr, time, in.u8()); break;
    case 6: OTF2_EvtWriter_MpiIrecvRequest(w, nullptr, time, in.u8()); break;
    case 7: OTF2_EvtWriter_MpiIrecv(w, nullptr, time, in.ref(4), in.ref(kComms), in.u8(), in.u32(), in.u8()); break;
    case 8: OTF2_EvtWriter_MpiRequestTest(w, nullptr, time, in.u8()); break;
    case 9: OTF2_EvtWriter_MpiRequestCancelled(w, nullptr, time, in.u8()); break;
    case 10: OTF2_EvtWriter_MpiCollectiveBegin(w, nullptr, time); break;
    case 11:
      OTF2_EvtWriter_MpiCollectiveEnd(w, nullptr, time, static_cast<OTF2_CollectiveOp>(in.u8() % 30), in.ref(kComms),
                                      in.ref(4), in.u32(), in.u32());
      break;
    case 12: OTF2_EvtWriter_ThreadFork(w, nullptr, time, OTF2_PARADIGM_OPENMP, in.u8()); break;
    case 13: OTF2_EvtWriter_ThreadJoin(w, nullptr, time, OTF2_PARADIGM_OPENMP); break;
    case 14: OTF2_EvtWriter_ThreadTeamBegin(w, nullptr, time, in.ref(kComms)); break;
    case 15: OTF2_EvtWriter_ThreadTeamEnd(w, nullptr, time, in.ref(kComms)); break;
    case 16: OTF2_EvtWriter_ThreadAcquireLock(w, nullptr, time, OTF2_PARADIGM_OPENMP, in.u8(), in.u8()); break;
    case 17: OTF2_EvtWriter_ThreadReleaseLock(w, nullptr, time, OTF2_PARADIGM_OPENMP, in.u8(), in.u8()); break;
    case 18: OTF2_EvtWriter_ThreadTaskCreate(w, nullptr, time, in.ref(kComms), in.u8(), in.u8()); break;
    default: OTF2_EvtWriter_ThreadCreate(w, nullptr, time, in.ref(kComms), in.u8()); break;
  }
}

// Writes the archive the input describes into `dir`: its first kDefinitionBytes
// say what the definitions hold, the rest is events. False when OTF2 refused it.
constexpr size_t kDefinitionBytes = 64;
bool write_archive(const std::string& dir, const uint8_t* data, size_t size) {
  Source defs(data, std::min(size, kDefinitionBytes)), in(data + std::min(size, kDefinitionBytes),
                                                           size - std::min(size, kDefinitionBytes));
  OTF2_Archive* archive = OTF2_Archive_Open(dir.c_str(), "traces", OTF2_FILEMODE_WRITE, 1024 * 1024,
                                            4 * 1024 * 1024, OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE);
  if (!archive) return false;
  OTF2_Archive_SetFlushCallbacks(archive, &kFlush, nullptr);
  OTF2_Archive_SetSerialCollectiveCallbacks(archive);
  uint32_t groups = 1 + defs.u8() % 2, locations = 1 + defs.u8() % 3;
  std::vector<uint64_t> events(locations, 0);
  OTF2_Archive_OpenEvtFiles(archive);
  std::vector<OTF2_EvtWriter*> writers;
  for (uint32_t l = 0; l < locations; ++l) writers.push_back(OTF2_Archive_GetEvtWriter(archive, l));
  uint64_t time = 1000;
  for (int n = 0; n < 4096 && !in.done(); ++n) {
    uint8_t where = in.u8();
    // Time mostly advances; sometimes it stands still or goes back.
    time += (where & 0xc0) == 0xc0 ? static_cast<uint64_t>(-static_cast<int64_t>(in.u8())) : in.u8();
    uint32_t l = where % locations;
    write_event(writers[l], in, time);
    ++events[l];
  }
  for (auto* w : writers) OTF2_Archive_CloseEvtWriter(archive, w);
  OTF2_Archive_CloseEvtFiles(archive);
  write_definitions(archive, defs, groups, locations, events);
  OTF2_Archive_OpenDefFiles(archive);
  for (uint32_t l = 0; l < locations; ++l) OTF2_Archive_CloseDefWriter(archive, OTF2_Archive_GetDefWriter(archive, l));
  OTF2_Archive_CloseDefFiles(archive);
  return OTF2_Archive_Close(archive) == OTF2_SUCCESS;
}

const fs::path& work_dir() {
  static const fs::path dir = [] {
    fs::path d = fs::temp_directory_path() / ("rondo-fuzz-otf2-" + std::to_string(getpid()));
    fs::create_directories(d);
    static fs::path cleanup;
    cleanup = d;
    std::atexit([] {
      std::error_code ec;
      fs::remove_all(cleanup, ec);
    });
    return d;
  }();
  return dir;
}

}  // namespace

int otf2_import(const uint8_t* data, size_t size) {
  const fs::path archive = work_dir() / "archive", trace = work_dir() / "trace";
  fs::remove_all(archive);
  fs::remove_all(trace);
  if (!write_archive(archive.string(), data, size)) return 0;
  try {
    converters::import_otf2((archive / "traces.otf2").string(), trace.string());
  } catch (const converters::ConversionError&) {
    return 0;  // the importer says what it cannot translate
  }
  exercise_trace(trace.string());
  return 0;
}

}  // namespace rondo::fuzz
