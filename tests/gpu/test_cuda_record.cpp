// The cuda module end to end: `rondo record` of the CUDA examples. Without a
// GPU (CI): the one-line message, the program's own exit status, a valid trace
// of the host side. With a GPU (label gpu, skipped without one): exact kernel
// and copy counts, bytes per direction, kernels after their launch on their
// stream, and `rondo stats --json` agreeing with the counts.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include "../unit/trace_fixture.h"
#include "cuda_device.h"
#include "gpu_trace_facts.h"
#include "rondo/format/reader.h"

using rondo::test::run_command;
using namespace rondo;

namespace {

const std::string kCli = RONDO_CLI;

size_t occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::string region_of(const format::ProcessReader& p, const format::Event& e) {
  return p.defs().region_name(e.def->key.ref);
}

}  // namespace

TEST(CudaRecord, AvailListsTheModule) {
  auto r = run_command(kCli + " avail");
  ASSERT_EQ(r.status, 0) << r.out;
  size_t line = r.out.find("\ncuda ");
  ASSERT_NE(line, std::string::npos) << r.out;
  EXPECT_NE(r.out.substr(line, r.out.find('\n', line + 1) - line).find("available"), std::string::npos) << r.out;
}

TEST(CudaRecord, WithoutDeviceTheProgramRunsAsUntracedAndItsHostSideIsKept) {
  if (rondo::test::cuda_device_missing().empty()) GTEST_SKIP() << "a CUDA device is present: this is the no-GPU case";
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  auto r = run_command(kCli + " record -o " + trace + " -- " + CUDA_VECTOR_ADD + " 2");
  // The program's own status: its first CUDA call fails and it exits 3.
  EXPECT_EQ(r.status, 3) << r.out;
  EXPECT_EQ(occurrences(r.out, "rondo: no CUDA device: GPU activity not recorded\n"), 1u) << r.out;
  EXPECT_NE(r.out.find("cuda (libcudart.so"), std::string::npos) << "cuda module chosen from the program\n" << r.out;
  ASSERT_TRUE(rondo::test::trace_valid(trace));
  format::TraceReader t(trace);
  ASSERT_EQ(t.processes().size(), 1u);
  const auto& p = *t.processes()[0];
  ASSERT_EQ(p.thread_count(), 1u);  // the host thread, no GPU stream
  std::vector<std::string> events;
  for (const format::Event& e : rondo::test::replay(p.thread(0))) events.push_back(region_of(p, e));
  // The program called exit(3) inside its scope: the call is still open where
  // the thread's data ends, an ENTER without its LEAVE.
  EXPECT_EQ(events, (std::vector<std::string>{"vector_add"}));
}

// nvcc links the CUDA runtime statically by default: no libcudart in DT_NEEDED,
// yet the module is chosen (from the device code and the runtime's symbols),
// and the run is the same as with the shared runtime.
TEST(CudaRecord, StaticCudartIsDetectedWithoutDtNeeded) {
  auto elf = run_command("readelf -d " + std::string(CUDA_VECTOR_ADD_STATIC));
  ASSERT_EQ(elf.status, 0) << elf.out;
  ASSERT_EQ(elf.out.find("libcudart"), std::string::npos) << "the example must link cudart statically\n" << elf.out;
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  auto r = run_command(kCli + " record -o " + trace + " -- " + CUDA_VECTOR_ADD_STATIC + " 2");
  EXPECT_NE(r.out.find("cuda (CUDA code linked in (static cudart))"), std::string::npos) << r.out;
  ASSERT_TRUE(rondo::test::trace_valid(trace));
  if (!rondo::test::cuda_device_missing().empty()) {
    EXPECT_EQ(r.status, 3) << r.out;
    EXPECT_EQ(occurrences(r.out, "rondo: no CUDA device: GPU activity not recorded\n"), 1u) << r.out;
  } else {
    EXPECT_EQ(r.status, 0) << r.out;
  }
}

// Real kernels (label gpu).
TEST(CudaGpu, VectorAddCountsBytesAndOrder) {
  if (std::string why = rondo::test::cuda_device_missing(); !why.empty()) GTEST_SKIP() << why;
  constexpr int kSteps = 5;
  constexpr int64_t kBytes = (1 << 20) * 4;
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  auto r = run_command(kCli + " record -o " + trace + " -- " + CUDA_VECTOR_ADD + " " + std::to_string(kSteps));
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(rondo::test::trace_valid(trace));
  format::TraceReader t(trace);
  rondo::test::GpuTraceFacts f = rondo::test::gpu_trace_facts(*t.processes().at(0));
  EXPECT_EQ(f.streams, 1);
  EXPECT_EQ(f.kernels, kSteps);
  EXPECT_EQ(f.kernels_by_name["vector_add(float const*, float const*, float*, int)"], kSteps);
  EXPECT_EQ(f.copies, 3 * kSteps);
  EXPECT_EQ(f.copy_bytes["HtoD"], 2 * kSteps * kBytes);
  EXPECT_EQ(f.copy_bytes["DtoH"], kSteps * kBytes);
  rondo::test::expect_device_activity_after_its_host_call(f);
  auto stats = run_command(kCli + " stats --json " + trace);
  ASSERT_EQ(stats.status, 0) << stats.out;
  auto j = nlohmann::json::parse(stats.out);
  ASSERT_EQ(j["gpu"]["kernels"].size(), 1u);
  EXPECT_EQ(j["gpu"]["kernels"][0]["calls"], kSteps);
  EXPECT_EQ(j["gpu"]["copies"][0]["kind"], "HtoD");
  EXPECT_EQ(j["gpu"]["copies"][0]["bytes"], 2 * kSteps * kBytes);
  EXPECT_EQ(j["gpu"]["copies"][1]["kind"], "DtoH");
  EXPECT_EQ(j["gpu"]["copies"][1]["count"], kSteps);
}

TEST(CudaGpu, PipelineStreamsAndNvtx) {
  if (std::string why = rondo::test::cuda_device_missing(); !why.empty()) GTEST_SKIP() << why;
  constexpr int kChunks = 8, kSteps = 3;
  rondo::test::TempDir dir;
  std::string trace = dir.file("t.rondo");
  auto r = run_command(kCli + " record -o " + trace + " -- " + CUDA_STREAM_PIPELINE + " " + std::to_string(kChunks) +
                       " " + std::to_string(kSteps));
  ASSERT_EQ(r.status, 0) << r.out;
  ASSERT_TRUE(rondo::test::trace_valid(trace));
  auto stats = run_command(kCli + " stats --json " + trace);
  ASSERT_EQ(stats.status, 0) << stats.out;
  auto j = nlohmann::json::parse(stats.out);
  EXPECT_EQ(j["gpu"]["streams"].size(), 4u);
  EXPECT_EQ(j["gpu"]["kernels"][0]["calls"], kChunks * kSteps);
  EXPECT_EQ(j["gpu"]["sync"]["calls"], kSteps);
  bool nvtx = false;
  std::map<std::string, int64_t> calls;
  for (const auto& region : j["regions"]) {
    std::string name = region["name"];
    calls[name] = region["calls"];
    if (name == "pipeline step") nvtx = region["calls"] == kSteps;
    // CUPTI looks the kernel's name up around each launch (cuKernelGetName):
    // the tool's calls, not the program's.
    EXPECT_EQ(name.find("GetName"), std::string::npos) << name;
    EXPECT_EQ(name.find("GetAttribute"), std::string::npos) << name;
  }
  EXPECT_TRUE(nvtx) << "NVTX range 'pipeline step' recorded once per step";
  // The program's own calls, exactly: one launch and two copies per chunk and step.
  EXPECT_EQ(calls["cudaLaunchKernel"], kChunks * kSteps);
  EXPECT_EQ(calls["cudaMemcpyAsync"], 2 * kChunks * kSteps);
  EXPECT_EQ(calls["cudaDeviceSynchronize"], kSteps);
}

TEST(CudaRecord, ForcedOnAProgramWithoutCudaTheModuleIsSilent) {
  rondo::test::TempDir dir;
  auto r = run_command(kCli + " record -t cuda -o " + dir.file("t.rondo") + " -- /bin/sh -c 'exit 7'");
  EXPECT_EQ(r.status, 7) << r.out;
  EXPECT_EQ(r.out.find("CUDA"), std::string::npos) << r.out;
}
