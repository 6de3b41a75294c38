// GPU streams through OTF2 (converters/otf2/otf2_gpu.h): exported the way
// Score-P's CUDA adapter writes them (accelerator locations in accelerator
// location groups, kernels as CUDA regions, copies as RMA operations on a
// window per device) and imported back into GPU stream locations with the same
// kernels, copies, bytes and correlation ids. Real OTF2 library, real otf2-print.
#include <gtest/gtest.h>
#include <otf2/otf2.h>

#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "../common/otf2_test_archive.h"
#include "../common/run_command.h"
#include "../unit/trace_fixture.h"
#include "activity_translation.h"
#include "gpu_trace_writer.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/format/reader.h"

using namespace rondo;
using rondo::test::as_activity;
using rondo::test::copy_record;
using rondo::test::kernel_record;
using rondo::test::peer_copy_record;
using rondo::test::run_command;

namespace {

constexpr int kSteps = 6;

// Host thread; stream 13 of device 0: per step an HtoD copy (size varies), a
// kernel, a DtoH copy; stream 14 of device 0: a DtoD copy per step; stream 30
// of device 1: one peer copy.
void write_gpu_trace(const std::string& path) {
  rondo::test::GpuTraceWriter w(path);
  cuda::ActivityTranslator tr(w);
  uint64_t t = 1000;
  uint32_t corr = 1;
  for (int i = 0; i < kSteps; ++i, t += 1000) {
    w.host_call("cudaMemcpyAsync", t, t + 5, corr);
    auto in = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 13, t + 10, t + 100, 4096 + 64 * i, corr++);
    w.host_call("cudaLaunchKernel", t + 6, t + 9, corr);
    auto k = kernel_record("_Z4stepPfi", 13, t + 110, t + 500, corr++, 32 + i);
    w.host_call("cudaMemcpyAsync", t + 11, t + 15, corr);
    auto out = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, 13, t + 510, t + 600, 2048, corr++);
    w.host_call("cudaMemcpyAsync", t + 16, t + 19, corr);
    auto dd = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_DTOD, 14, t + 120, t + 130, 512, corr++);
    for (const CUpti_Activity* rec : {as_activity(in), as_activity(k), as_activity(out), as_activity(dd)}) tr.add(rec);
  }
  w.host_call("cudaMemcpyPeerAsync", t, t + 5, corr);
  auto peer = peer_copy_record(1, 30, 1, 0, t + 10, t + 90, 1 << 20, corr);
  tr.add(as_activity(peer));
  tr.drain();
  w.finish();
}

// Per location name: kernels, and copies as (direction, bytes, correlation) in order.
struct StreamContent {
  bool gpu_kind = false;
  int kernels = 0;
  std::vector<std::tuple<int64_t, int64_t, int64_t>> copies;
  std::vector<int64_t> kernel_correlations;
};
std::map<std::string, StreamContent> contents(const format::TraceReader& trace) {
  std::map<std::string, StreamContent> out;
  for (const auto& p : trace.processes())
    for (size_t i = 0; i < p->thread_count(); ++i) {
      std::string name;
      bool gpu = false;
      for (const auto& d : p->defs().threads)
        if (d.index == p->thread_index(i)) {
          name = p->defs().string(d.name);
          gpu = d.kind == format::ThreadKind::GpuStream;
        }
      StreamContent& c = out[name];
      c.gpu_kind = gpu;
      for (const format::Event& e : rondo::test::replay(p->thread(i))) {
        if (e.kind() == format::EventKind::GpuKernelLaunch) {
          ++c.kernels;
          c.kernel_correlations.push_back(e.data[0]);
        }
        if (e.kind() == format::EventKind::GpuMemcpy) c.copies.emplace_back(e.def->key.params[0], e.data[0], e.data[1]);
      }
    }
  return out;
}

size_t lines_starting(const std::string& text, const std::string& prefix) {
  size_t n = 0, at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    if (text.compare(at, prefix.size(), prefix) == 0) ++n;
    at = end + 1;
  }
  return n;
}

}  // namespace

TEST(GpuOtf2, StreamsExportAsScorePDoesAndImportBackWithTheSameCopiesAndKernels) {
  rondo::test::TempDir dir;
  const std::string trace = dir.file("t.rondo"), otf2 = dir.file("otf2"), back = dir.file("back");
  std::filesystem::create_directories(trace);
  write_gpu_trace(trace + "/p.rnd");

  auto ex = run_command(std::string(RONDO_CLI) + " export " + trace + " --format otf2 -o " + otf2);
  ASSERT_EQ(ex.status, 0) << ex.out;

  // The archive, as OTF2's own reader sees it.
  auto defs = run_command(std::string(OTF2_PRINT) + " -G " + otf2 + "/traces.otf2");
  ASSERT_EQ(defs.status, 0) << defs.out;
  EXPECT_EQ(lines_starting(defs.out, "LOCATION_GROUP "), 3u) << defs.out;  // the process, GPU 0, GPU 1
  size_t accelerator_groups = 0, streams = 0;
  for (size_t at = defs.out.find("ACCELERATOR"); at != std::string::npos; at = defs.out.find("ACCELERATOR", at + 1))
    defs.out.compare(at, 18, "ACCELERATOR_STREAM") == 0 ? ++streams : ++accelerator_groups;
  EXPECT_EQ(accelerator_groups, 2u) << defs.out;
  EXPECT_EQ(streams, 3u) << defs.out;
  EXPECT_NE(defs.out.find("CUDA copies of GPU 0"), std::string::npos) << defs.out;
  EXPECT_NE(defs.out.find("\"step(float*, int)\""), std::string::npos) << defs.out;
  auto events = run_command(std::string(OTF2_PRINT) + " -Werror " + otf2 + "/traces.otf2");
  ASSERT_EQ(events.status, 0) << events.out;
  EXPECT_EQ(lines_starting(events.out, "RMA_GET "), static_cast<size_t>(2 * kSteps + 1)) << events.out;  // HtoD, DtoD, PtoP
  EXPECT_EQ(lines_starting(events.out, "RMA_PUT "), static_cast<size_t>(kSteps));                       // DtoH
  EXPECT_EQ(lines_starting(events.out, "RMA_OP_COMPLETE_BLOCKING "), static_cast<size_t>(3 * kSteps + 1));

  auto im = run_command(std::string(RONDO_CLI) + " import " + otf2 + "/traces.otf2 -o " + back);
  ASSERT_EQ(im.status, 0) << im.out;
  format::TraceReader original(trace), imported(back);
  ASSERT_EQ(imported.processes().size(), 1u);  // the accelerator groups belong to their process
  auto before = contents(original), after = contents(imported);
  ASSERT_EQ(after.size(), 4u);
  for (const char* name : {"GPU 0 stream 13", "GPU 0 stream 14", "GPU 1 stream 30"}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(after.count(name));
    EXPECT_TRUE(after[name].gpu_kind);
    EXPECT_EQ(after[name].kernels, before[name].kernels);
    EXPECT_EQ(after[name].kernel_correlations, before[name].kernel_correlations);
    EXPECT_EQ(after[name].copies, before[name].copies);
  }
  EXPECT_EQ(after["GPU 0 stream 13"].kernels, kSteps);
  EXPECT_EQ(after["GPU 0 stream 13"].copies.size(), 2u * kSteps);
  EXPECT_EQ(after["GPU 1 stream 30"].copies, (std::vector<std::tuple<int64_t, int64_t, int64_t>>{
                                                 {5, 1 << 20, 4 * kSteps + 1}}));

  // The statistics agree: the same kernels, copies per direction and bytes.
  analyzer::StatsReport a = analyzer::analyze(original, {}), b = analyzer::analyze(imported, {});
  ASSERT_EQ(b.gpu.kernels.size(), 1u);
  EXPECT_EQ(b.gpu.kernels[0].calls, static_cast<uint64_t>(kSteps));
  EXPECT_EQ(b.gpu.kernels[0].total_ns, a.gpu.kernels[0].total_ns);
  ASSERT_EQ(b.gpu.copies.size(), a.gpu.copies.size());
  for (size_t i = 0; i < a.gpu.copies.size(); ++i) {
    EXPECT_EQ(b.gpu.copies[i].kind, a.gpu.copies[i].kind);
    EXPECT_EQ(b.gpu.copies[i].count, a.gpu.copies[i].count);
    EXPECT_EQ(b.gpu.copies[i].bytes, a.gpu.copies[i].bytes);
    EXPECT_EQ(b.gpu.copies[i].total_ns, a.gpu.copies[i].total_ns);
  }
  EXPECT_EQ(a.gpu.copies.at(0).bytes, kSteps * 4096 + 64 * (kSteps * (kSteps - 1) / 2));
}

namespace {

// An archive as Score-P's CUDA adapter writes it (1 tick = 1 ns): host thread
// (location 0) in process group 0; stream location 1 in accelerator group 1,
// created by group 0; a CUDA window over both. On the stream: HtoD copy as
// RmaGet from the host, a kernel as a bare CUDA region, DtoH as RmaPut to the
// host, DtoD as RmaGet from the stream itself; no Rondo attributes.
void write_scorep_like_archive(const std::string& dir) {
  OTF2_Archive* a = rondo::test::open_otf2_archive(dir);
  ASSERT_NE(a, nullptr);
  enum : OTF2_RegionRef { kMemcpy, kKernel };
  OTF2_EvtWriter* w = OTF2_Archive_GetEvtWriter(a, 0);
  OTF2_EvtWriter_Enter(w, nullptr, 50, kMemcpy);
  OTF2_EvtWriter_Leave(w, nullptr, 800, kMemcpy);
  OTF2_Archive_CloseEvtWriter(a, w);
  w = OTF2_Archive_GetEvtWriter(a, 1);
  OTF2_EvtWriter_RmaGet(w, nullptr, 100, 0, 0, 4096, 42);
  OTF2_EvtWriter_RmaOpCompleteBlocking(w, nullptr, 200, 0, 42);
  OTF2_EvtWriter_Enter(w, nullptr, 300, kKernel);
  OTF2_EvtWriter_Leave(w, nullptr, 400, kKernel);
  OTF2_EvtWriter_RmaPut(w, nullptr, 500, 0, 0, 2048, 42);
  OTF2_EvtWriter_RmaOpCompleteBlocking(w, nullptr, 600, 0, 42);
  OTF2_EvtWriter_RmaGet(w, nullptr, 700, 0, 1, 512, 42);
  OTF2_EvtWriter_RmaOpCompleteBlocking(w, nullptr, 710, 0, 42);
  OTF2_Archive_CloseEvtWriter(a, w);
  ASSERT_EQ(OTF2_Archive_CloseEvtFiles(a), OTF2_SUCCESS);
  OTF2_GlobalDefWriter* g = OTF2_Archive_GetGlobalDefWriter(a);
  OTF2_GlobalDefWriter_WriteClockProperties(g, 1000000000, 0, 1000, OTF2_UNDEFINED_TIMESTAMP);
  const char* strings[] = {"", "cudaMemcpy", "saxpy", "machine", "process 0", "CUDA[0]", "master thread",
                           "CUDA[0:13]", "CUDA_WINDOW", "CUDA locations"};
  for (OTF2_StringRef i = 0; i < std::size(strings); ++i) OTF2_GlobalDefWriter_WriteString(g, i, strings[i]);
  OTF2_GlobalDefWriter_WriteRegion(g, kMemcpy, 1, 1, 0, OTF2_REGION_ROLE_DATA_TRANSFER, OTF2_PARADIGM_CUDA, 0, 0, 0, 0);
  OTF2_GlobalDefWriter_WriteRegion(g, kKernel, 2, 2, 0, OTF2_REGION_ROLE_FUNCTION, OTF2_PARADIGM_CUDA, 0, 0, 0, 0);
  OTF2_GlobalDefWriter_WriteSystemTreeNode(g, 0, 3, 3, OTF2_UNDEFINED_SYSTEM_TREE_NODE);
  OTF2_GlobalDefWriter_WriteLocationGroup(g, 0, 4, OTF2_LOCATION_GROUP_TYPE_PROCESS, 0, OTF2_UNDEFINED_LOCATION_GROUP);
  OTF2_GlobalDefWriter_WriteLocationGroup(g, 1, 5, OTF2_LOCATION_GROUP_TYPE_ACCELERATOR, 0, 0);
  OTF2_GlobalDefWriter_WriteLocation(g, 0, 6, OTF2_LOCATION_TYPE_CPU_THREAD, 2, 0);
  OTF2_GlobalDefWriter_WriteLocation(g, 1, 7, OTF2_LOCATION_TYPE_ACCELERATOR_STREAM, 8, 1);
  const uint64_t members[] = {0, 1};
  OTF2_GlobalDefWriter_WriteGroup(g, 0, 9, OTF2_GROUP_TYPE_COMM_LOCATIONS, OTF2_PARADIGM_CUDA, OTF2_GROUP_FLAG_NONE, 2,
                                  members);
  OTF2_GlobalDefWriter_WriteGroup(g, 1, 0, OTF2_GROUP_TYPE_COMM_GROUP, OTF2_PARADIGM_CUDA, OTF2_GROUP_FLAG_NONE, 2,
                                  members);
  OTF2_GlobalDefWriter_WriteComm(g, 0, 9, 1, OTF2_UNDEFINED_COMM, OTF2_COMM_FLAG_NONE);
  OTF2_GlobalDefWriter_WriteRmaWin(g, 0, 8, 0, OTF2_RMA_WIN_FLAG_NONE);
  ASSERT_EQ(OTF2_Archive_Close(a), OTF2_SUCCESS);
}

}  // namespace

TEST(GpuOtf2, ScorePArchiveImportsIntoAGpuStreamWithCopiesByDirection) {
  rondo::test::TempDir dir;
  write_scorep_like_archive(dir.file("a"));
  if (HasFatalFailure()) return;
  auto im = run_command(std::string(RONDO_CLI) + " import " + dir.file("a") + "/traces.otf2 -o " + dir.file("t"));
  ASSERT_EQ(im.status, 0) << im.out;
  format::TraceReader t(dir.file("t"));
  ASSERT_EQ(t.processes().size(), 1u);
  auto c = contents(t);
  ASSERT_TRUE(c.count("CUDA[0:13]"));
  EXPECT_TRUE(c["CUDA[0:13]"].gpu_kind);
  EXPECT_EQ(c["CUDA[0:13]"].copies, (std::vector<std::tuple<int64_t, int64_t, int64_t>>{
                                        {1, 4096, 0}, {2, 2048, 0}, {3, 512, 0}}));
  analyzer::StatsReport r = analyzer::analyze(t, {});
  ASSERT_EQ(r.gpu.kernels.size(), 1u);
  EXPECT_EQ(r.gpu.kernels[0].name, "saxpy");
  EXPECT_EQ(r.gpu.kernels[0].calls, 1u);
  EXPECT_EQ(r.gpu.kernels[0].total_ns, 100);
  ASSERT_EQ(r.gpu.copies.size(), 3u);
  EXPECT_EQ(r.gpu.copies[0].kind, "HtoD");
  EXPECT_EQ(r.gpu.copies[0].total_ns, 100);  // the region opened at the RmaGet, closed at its completion
  EXPECT_EQ(r.gpu.copies[1].kind, "DtoH");
  EXPECT_EQ(r.gpu.copies[2].kind, "DtoD");
  EXPECT_EQ(r.gpu.copies[2].total_ns, 10);
  ASSERT_EQ(r.gpu.streams.size(), 1u);
  EXPECT_EQ(r.gpu.streams[0].busy_ns, 100 + 100 + 100 + 10);
}

// The real trace of fixtures/ (recorded on an H200): through OTF2 and back, every
// stream keeps its kernels, copies (direction, bytes, correlation) in order.
TEST(GpuOtf2, RealTraceRecordedOnAnH200ThroughOtf2AndBack) {
  rondo::test::TempDir dir;
  const std::string trace = std::string(RONDO_GPU_FIXTURES) + "/h200-stream-pipeline";
  const std::string otf2 = dir.file("otf2"), back = dir.file("back");
  auto ex = run_command(std::string(RONDO_CLI) + " export " + trace + " --format otf2 -o " + otf2);
  ASSERT_EQ(ex.status, 0) << ex.out;
  auto events = run_command(std::string(OTF2_PRINT) + " -Werror " + otf2 + "/traces.otf2");
  ASSERT_EQ(events.status, 0) << events.out.substr(0, 2000);
  EXPECT_EQ(lines_starting(events.out, "RMA_GET "), 24u);  // HtoD: 8 chunks x 3 steps
  EXPECT_EQ(lines_starting(events.out, "RMA_PUT "), 24u);  // DtoH
  auto im = run_command(std::string(RONDO_CLI) + " import " + otf2 + "/traces.otf2 -o " + back);
  ASSERT_EQ(im.status, 0) << im.out;
  format::TraceReader original(trace), imported(back);
  auto before = contents(original), after = contents(imported);
  int streams = 0;
  for (const auto& [name, content] : before) {
    if (!content.gpu_kind) continue;
    SCOPED_TRACE(name);
    ++streams;
    ASSERT_TRUE(after.count(name));
    EXPECT_TRUE(after[name].gpu_kind);
    EXPECT_EQ(content.kernels, 6);
    EXPECT_EQ(content.copies.size(), 12u);
    EXPECT_EQ(after[name].kernels, content.kernels);
    EXPECT_EQ(after[name].kernel_correlations, content.kernel_correlations);
    EXPECT_EQ(after[name].copies, content.copies);
  }
  EXPECT_EQ(streams, 4);
}
