// Counters through OTF2: a Score-P-style archive with PAPI metrics (written
// here with the OTF2 writer exactly as Score-P lays them out) imports with exact
// per-region sums, and a Rondo trace's counters survive export and import.
#include <gtest/gtest.h>
#include <otf2/otf2.h>

#include <string>
#include <vector>

#include "rondo/analyzer/counters.h"
#include "rondo/converters/otf2.h"
#include "rondo/format/definitions.h"
#include "rondo/format/reader.h"
#include "rondo/format/writer.h"
#include "trace_fixture.h"

namespace {

using namespace rondo;
using namespace rondo::format;
using rondo::test::TempDir;

OTF2_FlushType flush_always(void*, OTF2_FileType, OTF2_LocationRef, void*, bool) { return OTF2_FLUSH; }

// main { compute x3 { } } on one location; a Metric record of class 0 (three
// PAPI members) just before every Enter and Leave, at the same time, as
// Score-P writes SCOREP_METRIC_PAPI=PAPI_TOT_CYC,PAPI_TOT_INS,!PAPI_L2_TCM.
// Record k carries cycles[k], instructions[k] (accumulated since the start) and
// l2[k] (misses from record k to record k+1: ABSOLUTE_NEXT).
struct ScorePRun {
  std::vector<uint64_t> cycles = {100, 250, 1000, 1200, 3000, 3100, 5000, 5300};
  std::vector<uint64_t> instructions = {50, 80, 600, 650, 2500, 2520, 4000, 4100};
  std::vector<uint64_t> l2 = {3, 40, 2, 55, 1, 70, 9, 0};
};

void write_scorep_archive(const std::string& dir, const ScorePRun& run) {
  OTF2_Archive* a = OTF2_Archive_Open(dir.c_str(), "traces", OTF2_FILEMODE_WRITE, 1 << 20, 4 << 20,
                                      OTF2_SUBSTRATE_POSIX, OTF2_COMPRESSION_NONE);
  ASSERT_NE(a, nullptr);
  OTF2_FlushCallbacks flush{flush_always, nullptr};
  ASSERT_EQ(OTF2_Archive_SetFlushCallbacks(a, &flush, nullptr), OTF2_SUCCESS);
  ASSERT_EQ(OTF2_Archive_SetSerialCollectiveCallbacks(a), OTF2_SUCCESS);
  ASSERT_EQ(OTF2_Archive_OpenEvtFiles(a), OTF2_SUCCESS);
  enum : OTF2_RegionRef { kMain, kCompute };
  OTF2_EvtWriter* w = OTF2_Archive_GetEvtWriter(a, 0);
  size_t k = 0;
  auto metric = [&](uint64_t t) {
    OTF2_Type types[3] = {OTF2_TYPE_UINT64, OTF2_TYPE_UINT64, OTF2_TYPE_UINT64};
    OTF2_MetricValue v[3];
    v[0].unsigned_int = run.cycles[k];
    v[1].unsigned_int = run.instructions[k];
    v[2].unsigned_int = run.l2[k];
    ++k;
    ASSERT_EQ(OTF2_EvtWriter_Metric(w, nullptr, t, 0, 3, types, v), OTF2_SUCCESS);
  };
  uint64_t t = 1000;
  metric(t);
  OTF2_EvtWriter_Enter(w, nullptr, t, kMain);
  for (int i = 0; i < 3; ++i) {
    t += 10;
    metric(t);
    OTF2_EvtWriter_Enter(w, nullptr, t, kCompute);
    t += 100;
    metric(t);
    OTF2_EvtWriter_Leave(w, nullptr, t, kCompute);
  }
  t += 10;
  metric(t);
  OTF2_EvtWriter_Leave(w, nullptr, t, kMain);
  OTF2_Archive_CloseEvtWriter(a, w);
  ASSERT_EQ(OTF2_Archive_CloseEvtFiles(a), OTF2_SUCCESS);

  OTF2_GlobalDefWriter* g = OTF2_Archive_GetGlobalDefWriter(a);
  OTF2_GlobalDefWriter_WriteClockProperties(g, 1000000000, 1000, 1000, OTF2_UNDEFINED_TIMESTAMP);
  const char* strings[] = {"", "main", "compute", "machine", "P0", "T0", "PAPI_TOT_CYC", "PAPI_TOT_INS",
                           "!PAPI_L2_TCM", "#", "Cycles", "Instructions", "L2 misses"};
  for (OTF2_StringRef i = 0; i < std::size(strings); ++i) OTF2_GlobalDefWriter_WriteString(g, i, strings[i]);
  for (OTF2_RegionRef r : {kMain, kCompute})
    OTF2_GlobalDefWriter_WriteRegion(g, r, r + 1, r + 1, 0, OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_COMPILER, 0, 0, 0,
                                     0);
  OTF2_GlobalDefWriter_WriteSystemTreeNode(g, 0, 3, 3, OTF2_UNDEFINED_SYSTEM_TREE_NODE);
  OTF2_GlobalDefWriter_WriteLocationGroup(g, 0, 4, OTF2_LOCATION_GROUP_TYPE_PROCESS, 0, OTF2_UNDEFINED_LOCATION_GROUP);
  OTF2_GlobalDefWriter_WriteLocation(g, 0, 5, OTF2_LOCATION_TYPE_CPU_THREAD, 16, 0);
  // Score-P: one member per PAPI event, uint64, unit "#", then one class of all.
  OTF2_MetricMode modes[3] = {OTF2_METRIC_ACCUMULATED_START, OTF2_METRIC_ACCUMULATED_START, OTF2_METRIC_ABSOLUTE_NEXT};
  for (OTF2_MetricMemberRef m = 0; m < 3; ++m)
    OTF2_GlobalDefWriter_WriteMetricMember(g, m, 6 + m, 10 + m, OTF2_METRIC_TYPE_PAPI, modes[m], OTF2_TYPE_UINT64,
                                           OTF2_BASE_DECIMAL, 0, 9);
  OTF2_MetricMemberRef members[3] = {0, 1, 2};
  OTF2_GlobalDefWriter_WriteMetricClass(g, 0, 3, members, OTF2_METRIC_SYNCHRONOUS_STRICT, OTF2_RECORDER_KIND_CPU);
  ASSERT_EQ(OTF2_Archive_Close(a), OTF2_SUCCESS);
}

TEST(Otf2Counters, ScorePPapiMetricsImportWithExactPerRegionSums) {
  TempDir dir;
  ScorePRun run;
  write_scorep_archive(dir.file("a"), run);
  converters::ConvertReport report = converters::import_otf2(dir.file("a") + "/traces.otf2", dir.file("t"));
  EXPECT_EQ(report.events, 8u) << "Metric records become counter readings, not events";
  TraceReader trace(dir.file("t"));
  analyzer::CounterProfile p = analyzer::counter_profile(trace);
  ASSERT_EQ(p.counters, (std::vector<std::string>{"PAPI_TOT_CYC", "PAPI_TOT_INS", "PAPI_L2_TCM"}));
  // Readings of the ABSOLUTE_NEXT member accumulated: record k's reading is
  // the sum of the values of the records before it.
  std::vector<uint64_t> l2(run.l2.size());
  for (size_t k = 1; k < l2.size(); ++k) l2[k] = l2[k - 1] + run.l2[k - 1];
  const std::vector<uint64_t>* readings[3] = {&run.cycles, &run.instructions, &l2};
  for (size_t j = 0; j < 3; ++j) {
    SCOPED_TRACE(p.counters[j]);
    const std::vector<uint64_t>& r = *readings[j];
    // Records: 0 main enter, 1/2, 3/4, 5/6 compute enter/leave, 7 main leave.
    uint64_t compute = (r[2] - r[1]) + (r[4] - r[3]) + (r[6] - r[5]);
    uint64_t main = r[7] - r[0];
    EXPECT_EQ(p.regions.at("compute").sums[j].inclusive, compute);
    EXPECT_EQ(p.regions.at("compute").sums[j].exclusive, compute);
    EXPECT_EQ(p.regions.at("main").sums[j].inclusive, main);
    EXPECT_EQ(p.regions.at("main").sums[j].exclusive, main - compute);
    EXPECT_EQ(p.in_regions[j], main);
  }
  EXPECT_EQ(p.regions.at("compute").calls, 3u);
  // The rates that need PAPI_TOT_INS and PAPI_TOT_CYC.
  auto rates = p.rates(p.regions.at("main"));
  EXPECT_DOUBLE_EQ(rates.at("IPC"), static_cast<double>(4100 - 50) / static_cast<double>(5300 - 100));
  EXPECT_DOUBLE_EQ(rates.at("PAPI_L2_TCM per 1000 instructions"),
                   1000.0 * static_cast<double>(l2[7] - l2[0]) / static_cast<double>(4100 - 50));
}

// A Rondo trace with two counters on two threads, written with the real writer.
void write_counter_trace(const std::string& dir) {
  std::filesystem::create_directories(dir);
  ProcessFile file(dir + "/host.7.rnd");
  std::vector<uint8_t> defs;
  ProcessDef process;
  process.pid = 7;
  encode::process(defs, process);
  const char* strings[] = {"", "outer", "inner", "perf::TASK-CLOCK", "perf::PAGE-FAULTS", "#"};
  for (uint32_t i = 1; i < std::size(strings); ++i) encode::string(defs, i, strings[i]);
  for (uint32_t r = 0; r < 2; ++r) encode::region(defs, r, RegionDef{r + 1, 0, 0, RegionRole::Function});
  encode::metric(defs, 0, MetricDef{3, 5, 0});
  encode::metric(defs, 1, MetricDef{4, 5, 0});
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  encode::clock(defs, clock);
  for (uint32_t t = 0; t < 2; ++t) encode::thread(defs, ThreadDef{t, 100 + t, ThreadKind::Cpu, 0, UINT32_MAX});
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  for (uint32_t t = 0; t < 2; ++t) {
    ThreadWriter w(t, [&](Batch&& b) {
      for (auto& chunk : encode_batch(b, 3)) file.append(chunk);
    }, 256);
    w.set_counters({0, 1});
    uint64_t ticks = 1000, clock_ns = 0, faults = 0;
    auto at = [&](uint64_t cpu, uint64_t pf) {
      clock_ns += cpu;
      faults += pf;
      w.counter_slot()[0] = clock_ns;
      w.counter_slot()[1] = faults;
      ticks += 10;
      return ticks;
    };
    for (int i = 0; i < 300; ++i) {
      w.enter(0, at(7, 0));
      for (int j = 0; j < 3; ++j) {
        w.enter(1, at(3 + static_cast<uint64_t>(i % 5), 1));
        w.leave(1, at(50 + static_cast<uint64_t>(j), static_cast<uint64_t>(i % 3)));
      }
      w.leave(0, at(11 * (t + 1), 2));
    }
    w.flush(true);
  }
}

TEST(Otf2Counters, RondoCountersSurviveExportAndImport) {
  TempDir dir;
  write_counter_trace(dir.file("t"));
  converters::export_otf2(dir.file("t"), dir.file("otf2"));
  converters::ConvertReport back = converters::import_otf2(dir.file("otf2") + "/traces.otf2", dir.file("back"));
  TraceReader original(dir.file("t")), imported(dir.file("back"));
  analyzer::CounterProfile a = analyzer::counter_profile(original), b = analyzer::counter_profile(imported);
  ASSERT_EQ(a.counters, (std::vector<std::string>{"perf::TASK-CLOCK", "perf::PAGE-FAULTS"}));
  EXPECT_EQ(b.counters, a.counters);
  ASSERT_EQ(b.regions.size(), a.regions.size());
  for (const auto& [name, r] : a.regions) {
    SCOPED_TRACE(name);
    const auto& other = b.regions.at(name);
    EXPECT_EQ(other.calls, r.calls);
    for (size_t j = 0; j < a.counters.size(); ++j) {
      EXPECT_EQ(other.sums[j].inclusive, r.sums[j].inclusive);
      EXPECT_EQ(other.sums[j].exclusive, r.sums[j].exclusive);
    }
  }
  EXPECT_EQ(b.thread_totals, a.thread_totals);
  EXPECT_EQ(back.events, 2u * 300 * 8) << "no Metric record became an event";
  // Every event's readings, not only the sums.
  for (size_t t = 0; t < 2; ++t) {
    const ThreadTrace& x = original.processes()[0]->thread(t);
    const ThreadTrace& y = imported.processes()[0]->thread(t);
    ASSERT_EQ(x.event_count(), y.event_count());
    for (uint64_t i = 0; i < x.event_count(); ++i)
      ASSERT_TRUE(std::equal(x.counters_at(i), x.counters_at(i) + 2, y.counters_at(i))) << "event " << i;
  }
}

}  // namespace
