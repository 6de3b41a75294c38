// The GPU section of `rondo stats` (analyzer/gpu_stats.h; text, JSON, CSV) and
// the GPU records in `rondo print`, on traces written by the real translator
// from CUPTI activity structures.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../common/run_command.h"
#include "../unit/trace_fixture.h"
#include "activity_translation.h"
#include "gpu_trace_facts.h"
#include "gpu_trace_writer.h"
#include "rondo/analyzer/analysis.h"

using namespace rondo;
using rondo::test::as_activity;
using rondo::test::copy_record;
using rondo::test::kernel_record;
using rondo::test::memset_record;
using rondo::test::sync_record;

namespace {

// Stream 13: kernel step() [100, 300). Stream 14: HtoD copy of 1000 bytes
// [150, 250), kernel step() [260, 280), memset of 64 bytes [290, 295). Host:
// launches, then cudaDeviceSynchronize [300, 400).
void write_two_streams(const std::string& path) {
  rondo::test::GpuTraceWriter w(path);
  cuda::ActivityTranslator tr(w);
  w.host_call("cudaLaunchKernel", 10, 20, 1);
  w.host_call("cudaMemcpyAsync", 30, 40, 2);
  w.host_call("cudaLaunchKernel", 50, 60, 3);
  w.host_call("cudaMemsetAsync", 70, 80, 4);
  uint32_t sync = w.region("cudaDeviceSynchronize");
  w.host().enter(sync, 300);
  w.host().leave(sync, 400);
  auto k1 = kernel_record("_Z4stepv", 13, 100, 300, 1);
  auto c = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 14, 150, 250, 1000, 2);
  auto k2 = kernel_record("_Z4stepv", 14, 260, 280, 3);
  auto m = memset_record(14, 290, 295, 64, 4);
  for (const CUpti_Activity* rec : {as_activity(k1), as_activity(c), as_activity(k2), as_activity(m)}) tr.add(rec);
  tr.drain();
  w.finish();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST(GpuStats, KernelsCopiesStreamsDevicesOverlapAndSync) {
  rondo::test::TempDir dir;
  write_two_streams(dir.file("p.rnd"));
  format::TraceReader trace(dir.str());
  analyzer::StatsReport r = analyzer::analyze(trace, {});
  const analyzer::GpuStats& g = r.gpu;
  ASSERT_EQ(g.kernels.size(), 1u);
  EXPECT_EQ(g.kernels[0].name, "step()");
  EXPECT_EQ(g.kernels[0].calls, 2u);
  EXPECT_EQ(g.kernels[0].total_ns, 220);
  EXPECT_EQ(g.kernels[0].min_ns, 20);
  EXPECT_EQ(g.kernels[0].max_ns, 200);
  ASSERT_EQ(g.copies.size(), 2u);
  EXPECT_EQ(g.copies[0].kind, "HtoD");
  EXPECT_EQ(g.copies[0].count, 1u);
  EXPECT_EQ(g.copies[0].bytes, 1000);
  EXPECT_EQ(g.copies[0].total_ns, 100);
  EXPECT_DOUBLE_EQ(g.copies[0].bandwidth_bytes_per_s(), 1e10);
  EXPECT_EQ(g.copies[1].kind, "memset");
  EXPECT_EQ(g.copies[1].bytes, 64);
  ASSERT_EQ(g.streams.size(), 2u);
  EXPECT_EQ(g.streams[0].name, "GPU 0 stream 13");
  EXPECT_EQ(g.streams[0].device, 0);
  EXPECT_EQ(g.streams[0].stream, 13);
  EXPECT_EQ(g.streams[0].kernels, 1u);
  EXPECT_EQ(g.streams[0].busy_ns, 200);
  EXPECT_EQ(g.streams[1].stream, 14);
  EXPECT_EQ(g.streams[1].copies, 1u);
  EXPECT_EQ(g.streams[1].memsets, 1u);
  EXPECT_EQ(g.streams[1].busy_ns, 125);
  ASSERT_EQ(g.devices.size(), 1u);
  EXPECT_EQ(g.devices[0].busy_ns, 200);  // [100, 300) covers the other stream's work too
  EXPECT_EQ(g.devices[0].kernel_ns, 200);
  EXPECT_EQ(g.devices[0].copy_ns, 100);
  EXPECT_EQ(g.devices[0].overlap_ns, 100);  // the copy ran under kernel 1
  EXPECT_EQ(g.sync_calls, 1u);
  EXPECT_EQ(g.sync_ns, 100);
  // Per-stream busy time never exceeds the device's, nor the device's the trace's.
  for (const auto& s : g.streams) EXPECT_LE(s.busy_ns, g.devices[0].busy_ns);
  EXPECT_LE(g.devices[0].busy_ns, g.duration_ns);
}

// CUPTI's synchronisation records: counted by kind with the blocked time CUPTI
// measured, beside the host calls' own time; the synchronisation location is
// not a stream.
TEST(GpuStats, SynchronisationActivityByKind) {
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  std::filesystem::create_directories(trace);
  {
    rondo::test::GpuTraceWriter w(trace + "/p.rnd");
    cuda::ActivityTranslator tr(w);
    w.host_call("cudaLaunchKernel", 10, 20, 1);
    w.host_call("cudaStreamSynchronize", 30, 300, 2);
    w.host_call("cudaDeviceSynchronize", 310, 400, 3);
    w.host_call("cudaStreamSynchronize", 410, 420, 4);
    auto k = kernel_record("_Z4stepv", 13, 40, 290, 1);
    auto a = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE, 13, 32, 295, 2);
    auto b = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE, CUPTI_SYNCHRONIZATION_INVALID_VALUE,
                         312, 390, 3);
    auto c = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE, 13, 411, 415, 4);
    for (const CUpti_Activity* rec : {as_activity(k), as_activity(a), as_activity(b), as_activity(c)}) tr.add(rec);
    tr.drain();
    w.finish();
  }
  format::TraceReader t(trace);
  analyzer::StatsReport r = analyzer::analyze(t, {});
  const analyzer::GpuStats& g = r.gpu;
  ASSERT_EQ(g.streams.size(), 1u);
  EXPECT_EQ(g.sync_calls, 3u);  // host regions: 270 + 90 + 10
  EXPECT_EQ(g.sync_ns, 370);
  ASSERT_EQ(g.sync_activity.size(), 2u);
  EXPECT_EQ(g.sync_activity[0].kind, "context");
  EXPECT_EQ(g.sync_activity[0].count, 1u);
  EXPECT_EQ(g.sync_activity[0].blocked_ns, 78);
  EXPECT_EQ(g.sync_activity[1].kind, "stream");
  EXPECT_EQ(g.sync_activity[1].count, 2u);
  EXPECT_EQ(g.sync_activity[1].blocked_ns, 263 + 4);
  // CUPTI's waits lie inside the host calls.
  EXPECT_LE(g.sync_activity[0].blocked_ns + g.sync_activity[1].blocked_ns, g.sync_ns);

  auto json = rondo::test::run_command(std::string(RONDO_CLI) + " stats --json " + trace);
  ASSERT_EQ(json.status, 0) << json.out;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["gpu"]["sync"]["activity"][1]["kind"], "stream");
  EXPECT_EQ(j["gpu"]["sync"]["activity"][1]["blocked_ns"], 267);
  auto text = rondo::test::run_command(std::string(RONDO_CLI) + " stats " + trace);
  EXPECT_NE(text.out.find("GPU synchronisations (as CUPTI timed them)"), std::string::npos) << text.out;
  std::string csv = dir.file("csv");
  auto c = rondo::test::run_command(std::string(RONDO_CLI) + " stats --csv " + csv + " " + trace);
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_EQ(read_file(csv + "/gpu_sync.csv"), "kind,count,blocked_ns\ncontext,1,78\nstream,2,267\n");
  auto print = rondo::test::run_command(std::string(RONDO_CLI) + " print " + trace);
  EXPECT_NE(print.out.find("GPU_SYNC stream stream=1 correlation=2 end=295"), std::string::npos) << print.out;
  // Chrome: every host call's arrow ends, the synchronisations' on the synchronisation track.
  std::string chrome = dir.file("t.json");
  auto ex = rondo::test::run_command(std::string(RONDO_CLI) + " export " + trace + " --format chrome -o " + chrome);
  ASSERT_EQ(ex.status, 0) << ex.out;
  auto cj = nlohmann::json::parse(read_file(chrome));
  std::map<int64_t, int> starts, finishes;
  std::map<int, std::string> tracks;
  for (const auto& e : cj.is_array() ? cj : cj["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") tracks[e["tid"]] = e["args"]["name"];
    if (e.value("cat", "") != "gpu") continue;
    (e["ph"] == "s" ? starts : finishes)[e["id"]] = e["tid"];
  }
  EXPECT_EQ(starts.size(), 4u);
  ASSERT_EQ(finishes.size(), 4u);
  int on_sync_track = 0;
  for (auto [id, tid] : finishes) on_sync_track += tracks[tid].find("CUDA synchronisation") != std::string::npos;
  EXPECT_EQ(on_sync_track, 3);
}

TEST(GpuStats, WindowClipsActivities) {
  rondo::test::TempDir dir;
  write_two_streams(dir.file("p.rnd"));
  format::TraceReader trace(dir.str());
  analyzer::TimeWindow window;
  int64_t start = analyzer::trace_info(trace).start_ns;
  window.begin_ns = start + 200 - 10;  // the trace starts at tick 10
  window.end_ns = start + 400;
  analyzer::GpuStats g = analyzer::gpu_stats(trace, window, 210, {});
  EXPECT_EQ(g.devices.at(0).busy_ns, 100);  // [200, 300)
  EXPECT_EQ(g.devices.at(0).copy_ns, 50);   // [200, 250)
  EXPECT_EQ(g.devices.at(0).overlap_ns, 50);
}

TEST(GpuStats, NoGpuRecordsNoSection) {
  rondo::test::TempDir dir;
  rondo::test::write_process(dir.file("p.rnd"), 1, 1, [](int, format::ThreadWriter& w) {
    w.enter(0, 10);
    w.leave(0, 20);
  });
  format::TraceReader trace(dir.str());
  analyzer::StatsReport r = analyzer::analyze(trace, {});
  EXPECT_FALSE(r.gpu.any());
  EXPECT_FALSE(analyzer::stats_json(r).contains("gpu"));
}

TEST(GpuStats, CliTextJsonCsvAndPrint) {
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  std::filesystem::create_directories(trace);
  write_two_streams(trace + "/p.rnd");
  auto text = rondo::test::run_command(std::string(RONDO_CLI) + " stats " + trace);
  ASSERT_EQ(text.status, 0) << text.out;
  EXPECT_NE(text.out.find("GPU kernels"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("GPU 0 stream 14"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("Host blocked in CUDA synchronisation: 100 ns in 1 call"), std::string::npos) << text.out;

  auto json = rondo::test::run_command(std::string(RONDO_CLI) + " stats --json " + trace);
  ASSERT_EQ(json.status, 0) << json.out;
  auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["gpu"]["kernels"][0]["name"], "step()");
  EXPECT_EQ(j["gpu"]["kernels"][0]["calls"], 2);
  EXPECT_EQ(j["gpu"]["copies"][0]["bytes"], 1000);
  EXPECT_EQ(j["gpu"]["streams"][1]["busy_ns"], 125);
  EXPECT_EQ(j["gpu"]["devices"][0]["copy_compute_overlap_ns"], 100);
  EXPECT_EQ(j["gpu"]["sync"]["blocked_ns"], 100);

  std::string csv = dir.file("csv");
  auto c = rondo::test::run_command(std::string(RONDO_CLI) + " stats --csv " + csv + " " + trace);
  ASSERT_EQ(c.status, 0) << c.out;
  EXPECT_EQ(read_file(csv + "/gpu_kernels.csv"), "name,calls,total_ns,mean_ns,min_ns,max_ns\nstep(),2,220,110.0,20,200\n");
  EXPECT_EQ(read_file(csv + "/gpu_copies.csv"),
            "kind,count,bytes,total_ns,bandwidth_bytes_per_s\nHtoD,1,1000,100,10000000000\nmemset,1,64,5,12800000000\n");

  auto print = rondo::test::run_command(std::string(RONDO_CLI) + " print " + trace);
  EXPECT_EQ(print.status, 0) << print.out;
  EXPECT_NE(print.out.find("GPU_KERNEL_LAUNCH step() stream=1 correlation=1"), std::string::npos) << print.out;
  EXPECT_NE(print.out.find("GPU_KERNEL_CONFIG device=0 grid=(64,1,1) block=(256,1,1) shared=1536"), std::string::npos)
      << print.out;
  EXPECT_NE(print.out.find("GPU_MEMCPY HtoD stream=2 bytes=1000 correlation=2"), std::string::npos) << print.out;
  EXPECT_NE(print.out.find("GPU_API_CALL correlation=4"), std::string::npos) << print.out;
}

TEST(GpuStats, ChromeExportHasStreamTracksAndFlowArrowsFromLaunchToKernel) {
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  std::filesystem::create_directories(trace);
  write_two_streams(trace + "/p.rnd");
  std::string json = dir.file("t.json");
  auto r = rondo::test::run_command(std::string(RONDO_CLI) + " export " + trace + " --format chrome -o " + json);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(read_file(json));
  const auto& events = j.is_array() ? j : j["traceEvents"];
  std::map<int64_t, int> starts, finishes;  // flow id -> tid
  std::map<int, std::string> track_names;
  for (const auto& e : events) {
    if (e["ph"] == "M" && e["name"] == "thread_name") track_names[e["tid"]] = e["args"]["name"];
    if (e.value("cat", "") != "gpu") continue;
    if (e["ph"] == "s") starts[e["id"]] = e["tid"];
    if (e["ph"] == "f") {
      EXPECT_EQ(e["bp"], "e");
      finishes[e["id"]] = e["tid"];
    }
  }
  ASSERT_EQ(starts.size(), 4u);  // two launches, a copy and a memset
  ASSERT_EQ(finishes.size(), 4u);
  for (auto [id, tid] : starts) {
    ASSERT_TRUE(finishes.count(id)) << "flow " << id << " has no end";
    EXPECT_EQ(track_names[tid], "thread 0");  // from the host thread...
    EXPECT_NE(track_names[finishes[id]].find("(GPU 0 stream 1"), std::string::npos) << track_names[finishes[id]];
  }
}

// A real trace: examples/cuda/stream_pipeline.cu (8 chunks of 2^18 floats on 4
// streams, 3 steps) recorded on an NVIDIA H200 (fixtures/README.md). The
// expected numbers come from the program: per chunk and step one HtoD copy, one
// kernel and one DtoH copy, chunk c on stream c % 4; one synchronisation per step.
TEST(GpuStats, RealTraceRecordedOnAnH200AgreesWithTheProgram) {
  constexpr int kChunks = 8, kSteps = 3, kStreams = 4;
  constexpr int64_t kChunkBytes = (1 << 18) * 4;
  const std::string trace = std::string(RONDO_GPU_FIXTURES) + "/h200-stream-pipeline";
  format::TraceReader reader(trace);
  ASSERT_EQ(reader.processes().size(), 1u);
  rondo::test::GpuTraceFacts f = rondo::test::gpu_trace_facts(*reader.processes()[0]);
  EXPECT_EQ(f.streams, kStreams);
  EXPECT_EQ(f.kernels, kChunks * kSteps);
  EXPECT_EQ(f.kernels_by_name["scale(float*, int, float)"], kChunks * kSteps);
  EXPECT_EQ(f.copies, 2 * kChunks * kSteps);
  EXPECT_EQ(f.copy_bytes["HtoD"], kChunks * kSteps * kChunkBytes);
  EXPECT_EQ(f.copy_bytes["DtoH"], kChunks * kSteps * kChunkBytes);
  rondo::test::expect_device_activity_after_its_host_call(f);

  auto r = rondo::test::run_command(std::string(RONDO_CLI) + " stats --json " + trace);
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  const auto& gpu = j["gpu"];
  ASSERT_EQ(gpu["kernels"].size(), 1u);
  EXPECT_EQ(gpu["kernels"][0]["calls"], kChunks * kSteps);
  ASSERT_EQ(gpu["copies"].size(), 2u);
  for (const auto& c : gpu["copies"]) {
    EXPECT_EQ(c["count"], kChunks * kSteps) << c.dump();
    EXPECT_EQ(c["bytes"], kChunks * kSteps * kChunkBytes) << c.dump();
  }
  ASSERT_EQ(gpu["streams"].size(), static_cast<size_t>(kStreams));
  for (const auto& s : gpu["streams"]) {
    EXPECT_EQ(s["kernels"], kChunks / kStreams * kSteps) << s.dump();
    EXPECT_EQ(s["copies"], 2 * kChunks / kStreams * kSteps) << s.dump();
  }
  EXPECT_EQ(gpu["sync"]["calls"], kSteps);
  std::map<std::string, int64_t> calls;
  for (const auto& region : j["regions"]) calls[region["name"]] = region["calls"];
  EXPECT_EQ(calls["cudaLaunchKernel"], kChunks * kSteps);
  EXPECT_EQ(calls["cudaMemcpyAsync"], 2 * kChunks * kSteps);
  EXPECT_EQ(calls["cudaDeviceSynchronize"], kSteps);
  EXPECT_EQ(calls["cudaStreamCreate"], kStreams);
  EXPECT_EQ(calls["pipeline step"], kSteps);  // NVTX
}

// The other real trace: examples/cuda/vector_add.cu linked with the static CUDA
// runtime, 5 steps of 2^20 floats (two copies in, a kernel, one copy out).
TEST(GpuStats, RealStaticCudartTraceRecordedOnAnH200AgreesWithTheProgram) {
  constexpr int kSteps = 5;
  constexpr int64_t kBytes = (1 << 20) * 4;
  format::TraceReader reader(std::string(RONDO_GPU_FIXTURES) + "/h200-vector-add-static");
  ASSERT_EQ(reader.processes().size(), 1u);
  rondo::test::GpuTraceFacts f = rondo::test::gpu_trace_facts(*reader.processes()[0]);
  EXPECT_EQ(f.streams, 1);
  EXPECT_EQ(f.kernels_by_name["vector_add(float const*, float const*, float*, int)"], kSteps);
  EXPECT_EQ(f.kernels, kSteps);
  EXPECT_EQ(f.copies, 3 * kSteps);
  EXPECT_EQ(f.copy_bytes["HtoD"], 2 * kSteps * kBytes);
  EXPECT_EQ(f.copy_bytes["DtoH"], kSteps * kBytes);
  rondo::test::expect_device_activity_after_its_host_call(f);
}
