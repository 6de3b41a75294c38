// The translation of CUPTI activity records into Rondo records, fed with real
// CUpti_Activity structures (no GPU needed), written with the real writer and
// read back with the real reader.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "../unit/trace_fixture.h"
#include "activity_translation.h"
#include "gpu_trace_writer.h"
#include "rondo/format/reader.h"

using namespace rondo;
using format::EventKind;
using rondo::test::as_activity;
using rondo::test::copy_record;
using rondo::test::kernel_record;
using rondo::test::memset_record;
using rondo::test::peer_copy_record;
using rondo::test::sync_record;

namespace {

// "ENTER name @t", "GPU_KERNEL_LAUNCH name stream=S corr=C @t", ...
std::vector<std::string> describe(const format::ThreadTrace& t) {
  const auto& defs = t.process().defs();
  std::vector<std::string> out;
  for (const format::Event& e : rondo::test::replay(t)) {
    const format::EventKey& k = e.def->key;
    std::string s(format::kind_name(k.kind));
    switch (k.kind) {
      case EventKind::Enter: case EventKind::Leave: s += " " + defs.region_name(k.ref); break;
      case EventKind::GpuKernelLaunch:
        s += " " + defs.region_name(k.ref) + " stream=" + std::to_string(k.params[0]) +
             " corr=" + std::to_string(e.data[0]);
        break;
      case EventKind::GpuKernelConfig:
        s += " device=" + std::to_string(k.params[0]) + " grid=" + std::to_string(e.data[0]) +
             " block=" + std::to_string(e.data[1]);
        break;
      case EventKind::GpuMemcpy:
        s += " dir=" + std::to_string(k.params[0]) + " stream=" + std::to_string(k.params[1]) +
             " bytes=" + std::to_string(e.data[0]) + " corr=" + std::to_string(e.data[1]);
        break;
      case EventKind::GpuMemset:
        s += " stream=" + std::to_string(k.params[0]) + " bytes=" + std::to_string(e.data[0]) +
             " corr=" + std::to_string(e.data[1]);
        break;
      case EventKind::GpuApiCall: s += " corr=" + std::to_string(e.data[0]); break;
      case EventKind::GpuSync:
        s += " " + std::string(format::gpu_sync_kind_name(static_cast<format::GpuSyncKind>(k.params[0]))) +
             " stream=" + std::to_string(k.params[1]) + " corr=" + std::to_string(e.data[0]) +
             " end=" + std::to_string(e.data[1]);
        break;
      default: break;
    }
    out.push_back(s + " @" + std::to_string(e.ticks));
  }
  return out;
}

// The thread with this Thread-definition name ("GPU 0 stream 13").
const format::ThreadTrace* location(const format::ProcessReader& p, const std::string& name) {
  for (size_t i = 0; i < p.thread_count(); ++i)
    for (const auto& def : p.defs().threads)
      if (def.index == p.thread_index(i) && p.defs().string(def.name) == name) return &p.thread(i);
  return nullptr;
}

const char* kVaddMangled = "_Z4vaddPKfS0_Pfi";
const std::string kVadd = "vadd(float const*, float const*, float*, int)";

}  // namespace

TEST(CudaTranslation, KernelOnItsStreamWithLaunchConfigAndCorrelation) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    w.host_call("cudaLaunchKernel", 100, 110, 5);
    auto k = kernel_record(kVaddMangled, 13, 120, 170, 5, 4096, 256);
    EXPECT_TRUE(tr.add(as_activity(k)));
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  ASSERT_EQ(p.thread_count(), 2u);
  EXPECT_EQ(describe(p.thread(0)), (std::vector<std::string>{"ENTER cudaLaunchKernel @100",
                                                             "GPU_API_CALL corr=5 @110",
                                                             "LEAVE cudaLaunchKernel @110"}));
  const format::ThreadTrace* s = location(p, "GPU 0 stream 13");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(p.defs().threads.at(1).kind, format::ThreadKind::GpuStream);
  const int64_t grid = 4096 | int64_t{1} << 32 | int64_t{1} << 48;
  const int64_t block = 256 | 1 << 11 | 1 << 22 | int64_t{1536} << 32;
  EXPECT_EQ(describe(*s), (std::vector<std::string>{
                              "ENTER " + kVadd + " @120",
                              "GPU_KERNEL_LAUNCH " + kVadd + " stream=1 corr=5 @120",
                              "GPU_KERNEL_CONFIG device=0 grid=" + std::to_string(grid) +
                                  " block=" + std::to_string(block) + " @120",
                              "LEAVE " + kVadd + " @170"}));
  EXPECT_EQ(p.defs().regions.at(p.thread(1).events().at(0).key.ref).role, format::RegionRole::Cuda);
}

TEST(CudaTranslation, CopiesOfEachKindAndMemset) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    auto a = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 7, 10, 20, 4096, 1);
    auto b = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_DTOH, 7, 30, 50, 8192, 2, CUPTI_ACTIVITY_MEMORY_KIND_PAGEABLE);
    auto c = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_DTOD, 7, 60, 61, 100, 3);
    auto d = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOH, 7, 70, 72, 10, 4);
    auto e = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_PTOP, 7, 80, 90, 1 << 20, 5);
    auto f = memset_record(7, 95, 99, 256, 6);
    for (const CUpti_Activity* rec : {as_activity(a), as_activity(b), as_activity(c), as_activity(d),
                                      as_activity(e), as_activity(f)})
      EXPECT_TRUE(tr.add(rec));
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  const format::ThreadTrace* s = location(p, "GPU 0 stream 7");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(describe(*s), (std::vector<std::string>{
                              "ENTER Memcpy HtoD (pinned) @10", "GPU_MEMCPY dir=1 stream=1 bytes=4096 corr=1 @10",
                              "LEAVE Memcpy HtoD (pinned) @20",
                              "ENTER Memcpy DtoH (pageable) @30", "GPU_MEMCPY dir=2 stream=1 bytes=8192 corr=2 @30",
                              "LEAVE Memcpy DtoH (pageable) @50",
                              "ENTER Memcpy DtoD @60", "GPU_MEMCPY dir=3 stream=1 bytes=100 corr=3 @60",
                              "LEAVE Memcpy DtoD @61",
                              "ENTER Memcpy HtoH (pinned) @70", "GPU_MEMCPY dir=4 stream=1 bytes=10 corr=4 @70",
                              "LEAVE Memcpy HtoH (pinned) @72",
                              "ENTER Memcpy PtoP @80", "GPU_MEMCPY dir=5 stream=1 bytes=1048576 corr=5 @80",
                              "LEAVE Memcpy PtoP @90",
                              "ENTER Memset @95", "GPU_MEMSET stream=1 bytes=256 corr=6 @95", "LEAVE Memset @99"}));
}

// CUPTI_ACTIVITY_KIND_MEMCPY2 (CUpti_ActivityMemcpyPtoP4 in CUDA 13): a copy
// between two devices, on the stream of the device that ran it.
TEST(CudaTranslation, PeerToPeerCopiesAreCopiesOnTheirStream) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    w.host_call("cudaMemcpyPeerAsync", 5, 8, 21);
    auto a = peer_copy_record(1, 30, 1, 0, 10, 40, 1 << 20, 21);
    auto b = peer_copy_record(1, 30, 0, 1, 50, 70, 4096, 22);
    EXPECT_TRUE(tr.add(as_activity(b)));  // out of order: written in start order
    EXPECT_TRUE(tr.add(as_activity(a)));
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  ASSERT_EQ(p.thread_count(), 2u);
  const format::ThreadTrace* s = location(p, "GPU 1 stream 30");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(describe(*s), (std::vector<std::string>{
                              "ENTER Memcpy PtoP @10", "GPU_MEMCPY dir=5 stream=1 bytes=1048576 corr=21 @10",
                              "LEAVE Memcpy PtoP @40", "ENTER Memcpy PtoP @50",
                              "GPU_MEMCPY dir=5 stream=1 bytes=4096 corr=22 @50", "LEAVE Memcpy PtoP @70"}));
}

// CUPTI_ACTIVITY_KIND_SYNCHRONIZATION (CUpti_ActivitySynchronization2): each
// host wait is a GPU_SYNC on the process's synchronisation location, with the
// correlation id of the host call and the stream it waited for when CUPTI names
// one the process ran work on; overlapping waits (two host threads) stay events.
TEST(CudaTranslation, SynchronisationsAreHostWaitsJoinedToTheirCall) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    auto k = kernel_record("_Z1kv", 13, 100, 400, 1);
    w.host_call("cudaLaunchKernel", 90, 95, 1);
    w.host_call("cudaStreamSynchronize", 96, 405, 2);
    auto stream = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE, 13, 97, 402, 2);
    auto context = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_CONTEXT_SYNCHRONIZE,
                               CUPTI_SYNCHRONIZATION_INVALID_VALUE, 410, 420, 3);
    auto event = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_EVENT_SYNCHRONIZE,
                             CUPTI_SYNCHRONIZATION_INVALID_VALUE, 415, 430, 4);
    auto unseen = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE, 99, 440, 441, 5);
    auto untimed = sync_record(CUPTI_ACTIVITY_SYNCHRONIZATION_TYPE_STREAM_SYNCHRONIZE, 13, 0, 0, 6);
    EXPECT_TRUE(tr.add(as_activity(k)));
    for (const CUpti_Activity* rec : {as_activity(event), as_activity(stream), as_activity(context), as_activity(unseen)})
      EXPECT_TRUE(tr.add(rec));
    EXPECT_FALSE(tr.add(as_activity(untimed)));
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  ASSERT_EQ(p.thread_count(), 3u);
  const format::ThreadTrace* y = location(p, "CUDA synchronisation");
  ASSERT_NE(y, nullptr);
  for (const auto& def : p.defs().threads)
    if (def.index == y->index()) {
      EXPECT_EQ(def.kind, format::ThreadKind::GpuSynchronisation);
    }
  const format::ThreadTrace* s = location(p, "GPU 0 stream 13");
  ASSERT_NE(s, nullptr);
  const std::string st = std::to_string(s->index());
  EXPECT_EQ(describe(*y), (std::vector<std::string>{"GPU_SYNC stream stream=" + st + " corr=2 end=402 @97",
                                                    "GPU_SYNC context stream=-1 corr=3 end=420 @410",
                                                    "GPU_SYNC event stream=-1 corr=4 end=430 @415",
                                                    "GPU_SYNC stream stream=-1 corr=5 end=441 @440"}));
  // The host call carries the same correlation id.
  EXPECT_EQ(describe(p.thread(0))[4], "GPU_API_CALL corr=2 @405");
}

TEST(CudaTranslation, OverlappingStreamsAreSeparateLocations) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    auto k = kernel_record("_Z4stepv", 13, 100, 300, 1);
    auto c = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 14, 150, 250, 1000, 2);
    auto k2 = kernel_record("_Z4stepv", 14, 260, 280, 3);
    for (const CUpti_Activity* rec : {as_activity(k), as_activity(c), as_activity(k2)}) tr.add(rec);
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  ASSERT_EQ(p.thread_count(), 3u);
  const auto* s13 = location(p, "GPU 0 stream 13");
  const auto* s14 = location(p, "GPU 0 stream 14");
  ASSERT_TRUE(s13 && s14);
  EXPECT_EQ(describe(*s13).front(), "ENTER step() @100");
  EXPECT_EQ(describe(*s13).back(), "LEAVE step() @300");
  EXPECT_EQ(describe(*s14), (std::vector<std::string>{
                                "ENTER Memcpy HtoD (pinned) @150",
                                "GPU_MEMCPY dir=1 stream=" + std::to_string(s14->index()) + " bytes=1000 corr=2 @150",
                                "LEAVE Memcpy HtoD (pinned) @250", "ENTER step() @260",
                                "GPU_KERNEL_LAUNCH step() stream=" + std::to_string(s14->index()) + " corr=3 @260",
                                "GPU_KERNEL_CONFIG device=0 grid=" + std::to_string(64 | int64_t{1} << 32 | int64_t{1} << 48) +
                                    " block=" + std::to_string(256 | 1 << 11 | 1 << 22 | int64_t{1536} << 32) + " @260",
                                "LEAVE step() @280"}));
}

TEST(CudaTranslation, OutOfOrderBuffersAreWrittenInStartOrder) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    // The second buffer (later kernels) completes first.
    auto k3 = kernel_record("_Z1kv", 13, 300, 350, 3);
    auto k4 = kernel_record("_Z1kv", 13, 400, 450, 4);
    auto k1 = kernel_record("_Z1kv", 13, 100, 150, 1);
    auto k2 = kernel_record("_Z1kv", 13, 200, 250, 2);
    for (const CUpti_Activity* rec : {as_activity(k3), as_activity(k4)}) tr.add(rec);
    for (const CUpti_Activity* rec : {as_activity(k1), as_activity(k2)}) tr.add(rec);
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& events = describe(*location(*r.processes().at(0), "GPU 0 stream 13"));
  ASSERT_EQ(events.size(), 16u);
  std::vector<std::string> enters;
  for (const auto& e : events)
    if (e.rfind("GPU_KERNEL_LAUNCH", 0) == 0) enters.push_back(e);
  EXPECT_EQ(enters, (std::vector<std::string>{"GPU_KERNEL_LAUNCH k() stream=1 corr=1 @100",
                                              "GPU_KERNEL_LAUNCH k() stream=1 corr=2 @200",
                                              "GPU_KERNEL_LAUNCH k() stream=1 corr=3 @300",
                                              "GPU_KERNEL_LAUNCH k() stream=1 corr=4 @400"}));
}

TEST(CudaTranslation, BufferDeliveredAtExitIsWrittenByTheFinalDrain) {
  rondo::test::TempDir dir;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    auto k1 = kernel_record("_Z1kv", 13, 100, 150, 1);
    tr.add(as_activity(k1));
    tr.drain();  // MPI_Finalize
    EXPECT_EQ(tr.held(), 0u);
    auto k2 = kernel_record("_Z1kv", 13, 200, 250, 2);  // the buffer CUPTI completes at exit
    tr.add(as_activity(k2));
    EXPECT_EQ(tr.held(), 1u);
    tr.drain();  // the exit flush hook
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& events = describe(*location(*r.processes().at(0), "GPU 0 stream 13"));
  ASSERT_EQ(events.size(), 8u);
  EXPECT_EQ(events[1], "GPU_KERNEL_LAUNCH k() stream=1 corr=1 @100");
  EXPECT_EQ(events[5], "GPU_KERNEL_LAUNCH k() stream=1 corr=2 @200");
  EXPECT_EQ(events[7], "LEAVE k() @250");
}

// DESIGN.md principle 1: grid sizes and byte counts that change every step are
// data, so a time-step loop stays one loop on the stream and on the host.
TEST(CudaTranslation, TimeStepLoopWithVaryingSizesStaysOneLoop) {
  rondo::test::TempDir dir;
  constexpr int kSteps = 200;
  {
    rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
    cuda::ActivityTranslator tr(w);
    uint64_t t = 1000;
    for (int i = 0; i < kSteps; ++i) {
      auto corr = static_cast<uint32_t>(2 * i + 1);
      w.host_call("cudaMemcpyAsync", t, t + 5, corr);
      w.host_call("cudaLaunchKernel", t + 6, t + 9, corr + 1);
      auto c = copy_record(CUPTI_ACTIVITY_MEMCPY_KIND_HTOD, 13, t + 10, t + 20, 1000 + 8 * i, corr);
      auto k = kernel_record("_Z4stepv", 13, t + 25, t + 60, corr + 1, 10 + i, 128);
      tr.add(as_activity(c));
      tr.add(as_activity(k));
      t += 100;
    }
    tr.drain();
    w.finish();
  }
  format::TraceReader r(dir.str());
  const auto& p = *r.processes().at(0);
  const auto* stream = location(p, "GPU 0 stream 13");
  ASSERT_NE(stream, nullptr);
  EXPECT_EQ(stream->event_count(), 7u * kSteps);
  EXPECT_EQ(stream->events().size(), 7u);  // one event id each, whatever the sizes
  ASSERT_EQ(stream->loops().size(), 1u);
  EXPECT_EQ(stream->top_level().size(), 1u);
  EXPECT_EQ(stream->loop_counts(0), (std::vector<uint32_t>{kSteps}));
  const auto& host = p.thread(0);
  EXPECT_EQ(host.event_count(), 6u * kSteps);
  ASSERT_EQ(host.loops().size(), 1u);
  EXPECT_EQ(host.loop_counts(0), (std::vector<uint32_t>{kSteps}));
  // The values are all there, in order.
  std::vector<std::string> events = describe(*stream);
  EXPECT_EQ(events[5 + 7 * 10], "GPU_KERNEL_CONFIG device=0 grid=" + std::to_string(20 | int64_t{1} << 32 | int64_t{1} << 48) +
                                    " block=" + std::to_string(128 | 1 << 11 | 1 << 22 | int64_t{1536} << 32) + " @2025");
  EXPECT_EQ(events[1 + 7 * 199], "GPU_MEMCPY dir=1 stream=1 bytes=2592 corr=399 @20910");
}

TEST(CudaTranslation, RecordsOfOtherKindsAreIgnored) {
  rondo::test::GpuTraceWriter* unused = nullptr;
  (void)unused;
  rondo::test::TempDir dir;
  rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
  cuda::ActivityTranslator tr(w);
  CUpti_ActivityAPI api{};
  api.kind = CUPTI_ACTIVITY_KIND_RUNTIME;
  EXPECT_FALSE(tr.add(as_activity(api)));
  EXPECT_EQ(tr.held(), 0u);
  w.finish();
}

TEST(CudaTranslation, HeldRecordsPerStreamAreBounded) {
  rondo::test::TempDir dir;
  rondo::test::GpuTraceWriter w(dir.file("p.rnd"));
  cuda::ActivityTranslator tr(w);
  for (uint32_t i = 0; i <= cuda::ActivityTranslator::kHeldPerStream; ++i) {
    auto k = kernel_record("_Z1kv", 13, 100 + 10 * i, 105 + 10 * i, i + 1);
    tr.add(as_activity(k));
  }
  EXPECT_LE(tr.held(), cuda::ActivityTranslator::kHeldPerStream / 2 + 1);
  w.finish();
}

TEST(CudaTranslation, NamesAndPacking) {
  EXPECT_EQ(cuda::kernel_name("_Z4stepv"), "step()");
  EXPECT_EQ(cuda::kernel_name("not_mangled"), "not_mangled");
  EXPECT_EQ(cuda::kernel_name(nullptr), "<unknown kernel>");
  EXPECT_EQ(cuda::copy_kind(CUPTI_ACTIVITY_MEMCPY_KIND_ATOH), format::GpuCopyKind::DeviceToHost);
  EXPECT_EQ(format::pack_gpu_grid(2147483647, 65535, 65535), static_cast<int64_t>(0xffffffff7fffffffull));
  EXPECT_EQ(format::pack_gpu_block(1024, 1024, 64, 232448), 1024 | 1024 << 11 | 64 << 22 | int64_t{232448} << 32);
  format::GpuLaunchGeometry g = format::unpack_gpu_geometry(format::pack_gpu_grid(2147483647, 65535, 3),
                                                            format::pack_gpu_block(1024, 7, 64, 232448));
  EXPECT_EQ(g.grid[0], 2147483647u);
  EXPECT_EQ(g.grid[1], 65535u);
  EXPECT_EQ(g.grid[2], 3u);
  EXPECT_EQ(g.block[0], 1024u);
  EXPECT_EQ(g.block[1], 7u);
  EXPECT_EQ(g.block[2], 64u);
  EXPECT_EQ(g.shared_bytes, 232448u);
}
