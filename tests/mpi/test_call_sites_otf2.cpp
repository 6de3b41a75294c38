// Call sites in the OTF2 export: a real Open MPI job makes MPI_Allreduce from
// two functions (programs/call_sites.c), recorded with RONDO_CALLSTACK=8 and
// exported with `rondo export --format otf2`. Read back with the real OTF2
// reader, every Enter of MPI_Allreduce carries a CALLING_CONTEXT attribute
// whose context is MPI_Allreduce, its parent the calling function at the line
// of the call (SourceCodeLocation: file, line), and that one's parent main;
// the SOURCE_CODE_LOCATION attribute is the same line. Exact counts per
// function.
#include <gtest/gtest.h>
#include <otf2/otf2.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../common/mpi_job.h"
#include "../common/run_command.h"

namespace {

namespace fs = std::filesystem;

constexpr int kRanks = 2, kSteps = 20;

uint32_t marked_line(const std::string& function) {
  std::ifstream in(CALL_SITES_SOURCE);
  std::string line;
  for (uint32_t n = 1; std::getline(in, line); ++n)
    if (line.find("/* SITE " + function + " */") != std::string::npos) return n;
  return 0;
}

// What the test reads back from the archive.
struct Archive {
  std::map<OTF2_StringRef, std::string> strings;
  std::map<OTF2_RegionRef, OTF2_StringRef> region_names;
  std::map<OTF2_SourceCodeLocationRef, std::pair<OTF2_StringRef, uint32_t>> locations;
  struct Context {
    OTF2_RegionRef region;
    OTF2_SourceCodeLocationRef location;
    OTF2_CallingContextRef parent;
  };
  std::map<OTF2_CallingContextRef, Context> contexts;
  std::map<std::string, OTF2_AttributeRef> attributes;
  std::vector<OTF2_LocationRef> location_refs;
  struct Enter {
    OTF2_RegionRef region;
    bool has_context = false, has_line = false;
    OTF2_CallingContextRef context = OTF2_UNDEFINED_CALLING_CONTEXT;
    OTF2_SourceCodeLocationRef line = OTF2_UNDEFINED_SOURCE_CODE_LOCATION;
  };
  std::vector<Enter> enters;

  std::string region(OTF2_RegionRef r) const { return strings.at(region_names.at(r)); }
};

OTF2_CallbackCode on_string(void* a, OTF2_StringRef self, const char* s) {
  static_cast<Archive*>(a)->strings[self] = s;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_region(void* a, OTF2_RegionRef self, OTF2_StringRef name, OTF2_StringRef, OTF2_StringRef,
                            OTF2_RegionRole, OTF2_Paradigm, OTF2_RegionFlag, OTF2_StringRef, uint32_t, uint32_t) {
  static_cast<Archive*>(a)->region_names[self] = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_location_def(void* a, OTF2_LocationRef self, OTF2_StringRef, OTF2_LocationType, uint64_t,
                                  OTF2_LocationGroupRef) {
  static_cast<Archive*>(a)->location_refs.push_back(self);
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_source_location(void* a, OTF2_SourceCodeLocationRef self, OTF2_StringRef file, uint32_t line) {
  static_cast<Archive*>(a)->locations[self] = {file, line};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_context(void* a, OTF2_CallingContextRef self, OTF2_RegionRef region,
                             OTF2_SourceCodeLocationRef location, OTF2_CallingContextRef parent) {
  static_cast<Archive*>(a)->contexts[self] = {region, location, parent};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_attribute(void* a, OTF2_AttributeRef self, OTF2_StringRef name, OTF2_StringRef, OTF2_Type) {
  auto* archive = static_cast<Archive*>(a);
  archive->attributes[archive->strings[name]] = self;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode on_enter(OTF2_LocationRef, OTF2_TimeStamp, void* a, OTF2_AttributeList* attrs,
                           OTF2_RegionRef region) {
  auto* archive = static_cast<Archive*>(a);
  Archive::Enter e{region};
  if (auto it = archive->attributes.find("CALLING_CONTEXT"); it != archive->attributes.end())
    e.has_context = OTF2_AttributeList_GetCallingContextRef(attrs, it->second, &e.context) == OTF2_SUCCESS;
  if (auto it = archive->attributes.find("SOURCE_CODE_LOCATION"); it != archive->attributes.end())
    e.has_line = OTF2_AttributeList_GetSourceCodeLocationRef(attrs, it->second, &e.line) == OTF2_SUCCESS;
  archive->enters.push_back(e);
  return OTF2_CALLBACK_SUCCESS;
}

Archive read_archive(const std::string& anchor) {
  Archive a;
  OTF2_Reader* r = OTF2_Reader_Open(anchor.c_str());
  EXPECT_NE(r, nullptr) << anchor;
  if (!r) return a;
  OTF2_Reader_SetSerialCollectiveCallbacks(r);
  OTF2_GlobalDefReader* defs = OTF2_Reader_GetGlobalDefReader(r);
  OTF2_GlobalDefReaderCallbacks* dc = OTF2_GlobalDefReaderCallbacks_New();
  OTF2_GlobalDefReaderCallbacks_SetStringCallback(dc, on_string);
  OTF2_GlobalDefReaderCallbacks_SetRegionCallback(dc, on_region);
  OTF2_GlobalDefReaderCallbacks_SetLocationCallback(dc, on_location_def);
  OTF2_GlobalDefReaderCallbacks_SetSourceCodeLocationCallback(dc, on_source_location);
  OTF2_GlobalDefReaderCallbacks_SetCallingContextCallback(dc, on_context);
  OTF2_GlobalDefReaderCallbacks_SetAttributeCallback(dc, on_attribute);
  OTF2_Reader_RegisterGlobalDefCallbacks(r, defs, dc, &a);
  uint64_t n = 0;
  EXPECT_EQ(OTF2_Reader_ReadAllGlobalDefinitions(r, defs, &n), OTF2_SUCCESS);
  OTF2_GlobalDefReaderCallbacks_Delete(dc);
  for (OTF2_LocationRef l : a.location_refs) OTF2_Reader_SelectLocation(r, l);
  OTF2_Reader_OpenEvtFiles(r);
  for (OTF2_LocationRef l : a.location_refs) OTF2_Reader_GetEvtReader(r, l);
  OTF2_GlobalEvtReader* events = OTF2_Reader_GetGlobalEvtReader(r);
  OTF2_GlobalEvtReaderCallbacks* ec = OTF2_GlobalEvtReaderCallbacks_New();
  OTF2_GlobalEvtReaderCallbacks_SetEnterCallback(ec, on_enter);
  OTF2_Reader_RegisterGlobalEvtCallbacks(r, events, ec, &a);
  EXPECT_EQ(OTF2_Reader_ReadAllGlobalEvents(r, events, &n), OTF2_SUCCESS);
  OTF2_GlobalEvtReaderCallbacks_Delete(ec);
  OTF2_Reader_CloseGlobalEvtReader(r, events);
  OTF2_Reader_CloseEvtFiles(r);
  OTF2_Reader_Close(r);
  return a;
}

TEST(CallSitesOtf2, EveryMpiCallRefersToItsCallingContextWithFunctionFileAndLine) {
  std::string mpirun = rondo::test::find_mpirun(RONDO_MPIEXEC);
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun: MPI tests skipped";
  fs::path dir = fs::temp_directory_path() / ("rondo-call-sites-otf2-" + std::to_string(getpid()) + "-" +
                                              std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  std::string trace = (dir / "trace").string(), out = (dir / "otf2").string();
  auto job = rondo::test::record_mpi_job(RONDO_CLI, mpirun, dir.string(), trace, kRanks,
                                         rondo::test::shell_quoted(CALL_SITES) + " " + std::to_string(kSteps),
                                         "RONDO_CALLSTACK=8 ");
  ASSERT_EQ(job.status, 0) << job.out;
  auto exported = rondo::test::run_command(rondo::test::shell_quoted(RONDO_CLI) + " export " +
                                           rondo::test::shell_quoted(trace) + " --format otf2 -o " +
                                           rondo::test::shell_quoted(out));
  ASSERT_EQ(exported.status, 0) << exported.out;
  Archive a = read_archive(out + "/traces.otf2");

  std::map<std::string, uint64_t> calls;  // by calling function
  for (const Archive::Enter& e : a.enters) {
    if (a.region(e.region) != "MPI_Allreduce") continue;
    ASSERT_TRUE(e.has_context);
    ASSERT_TRUE(a.contexts.count(e.context));
    const Archive::Context& leaf = a.contexts.at(e.context);
    EXPECT_EQ(leaf.region, e.region);  // the leaf is the call itself
    ASSERT_TRUE(a.contexts.count(leaf.parent));
    const Archive::Context& caller = a.contexts.at(leaf.parent);
    std::string function = a.region(caller.region);
    ASSERT_TRUE(a.locations.count(caller.location)) << function;
    auto [file, line] = a.locations.at(caller.location);
    EXPECT_EQ(fs::path(a.strings.at(file)).filename(), "call_sites.c") << function;
    EXPECT_EQ(line, marked_line(function)) << function;
    ASSERT_TRUE(e.has_line);
    EXPECT_EQ(e.line, caller.location);
    ASSERT_TRUE(a.contexts.count(caller.parent)) << function;
    const Archive::Context& outer = a.contexts.at(caller.parent);
    EXPECT_EQ(a.region(outer.region), "main");
    EXPECT_EQ(fs::path(a.strings.at(a.locations.at(outer.location).first)).filename(), "call_sites.c");
    ++calls[function];
  }
  EXPECT_EQ(calls, (std::map<std::string, uint64_t>{{"check_residual", 1u * kSteps * kRanks},
                                                    {"exchange_halo", 2u * kSteps * kRanks}}));
  // Calls without a call site (main, instrumented or not) carry no context.
  for (const Archive::Enter& e : a.enters) {
    if (a.region(e.region) == "main") {
      EXPECT_FALSE(e.has_context);
    }
  }
  if (!getenv("RONDO_TEST_KEEP")) fs::remove_all(dir);
}

}  // namespace
