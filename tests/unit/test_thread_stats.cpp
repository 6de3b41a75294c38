// OpenMP / pthread / I/O statistics (analyzer/thread_stats.h) on hand-built traces.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "../common/trace_check.h"
#include "rondo/analyzer/thread_stats.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

using Role = RegionRole;

test::MpiProcessSpec threaded_spec() {
  test::MpiProcessSpec spec;
  spec.rank = 0;
  spec.world_size = 1;
  spec.threads = 2;
  spec.regions = {{"omp parallel", Role::OpenMp},        {"omp barrier", Role::OpenMp},
                  {"omp critical", Role::OpenMp},        {"omp lock", Role::OpenMp},
                  {"pthread_mutex_lock", Role::Pthread}, {"pthread_mutex_unlock", Role::Pthread},
                  {"pthread_cond_wait", Role::Pthread},  {"work", Role::Function}};
  return spec;
}

void region(ThreadWriter& w, uint32_t r, uint64_t from, uint64_t to) {
  w.enter(r, from);
  w.leave(r, to);
}

}  // namespace

TEST(ThreadStats, PerThreadTimesAndImbalance) {
  test::TempDir dir;
  test::write_mpi_process(dir.file("p0.rnd"), threaded_spec(), [](int t, ThreadWriter& w) {
    if (t == 0) {
      w.enter(0, 0);          // omp parallel 0..100
      region(w, 1, 10, 30);   // barrier 20
      region(w, 7, 30, 40);   // work
      region(w, 2, 40, 45);   // critical 5
      w.leave(0, 100);
      region(w, 4, 110, 117);  // mutex lock: 7
      region(w, 5, 120, 125);  // unlock: not waiting
      region(w, 6, 130, 160);  // cond wait: 30
      region(w, 3, 170, 172);  // omp lock: 2
    } else {
      w.enter(0, 5);  // omp parallel 5..55
      region(w, 1, 20, 30);  // barrier 10
      w.leave(0, 55);
      region(w, 0, 200, 230);  // omp parallel 30
    }
  });
  format::TraceReader trace(dir.str());
  analyzer::ThreadStats s = analyzer::thread_stats(trace);
  EXPECT_TRUE(s.has_threads);
  ASSERT_EQ(s.threads.size(), 2u);
  const auto& t0 = s.threads[0];
  EXPECT_EQ(t0.label(), "0:0");
  EXPECT_EQ(t0.parallel_ns, 100);
  EXPECT_EQ(t0.barrier_ns, 20);
  EXPECT_EQ(t0.lock_ns, 14);  // omp critical 5, pthread_mutex_lock 7, omp lock 2
  EXPECT_EQ(t0.pthread_wait_ns, 30);  // pthread_cond_wait
  EXPECT_EQ(t0.fork_join_ns, 0);
  EXPECT_EQ(t0.span_ns, 172);
  const auto& t1 = s.threads[1];
  EXPECT_EQ(t1.label(), "0:1");
  EXPECT_EQ(t1.parallel_ns, 80);
  EXPECT_EQ(t1.barrier_ns, 10);
  EXPECT_EQ(t1.lock_ns, 0);
  EXPECT_EQ(t1.pthread_wait_ns, 0);
  EXPECT_EQ(t1.span_ns, 225);

  ASSERT_EQ(s.parallel_regions.size(), 1u);
  const auto& p = s.parallel_regions[0];
  EXPECT_EQ(p.name, "omp parallel");
  EXPECT_EQ(p.threads, 2u);
  EXPECT_EQ(p.calls, 3u);
  EXPECT_EQ(p.total_ns, 180);
  // Busy time: inclusive less barrier waiting (thread 0: 100 - 20, thread 1: 80 - 10).
  EXPECT_EQ(p.busy_ns, 150);
  EXPECT_EQ(p.max_ns, 80);
  EXPECT_DOUBLE_EQ(p.mean_ns(), 75.0);
  EXPECT_DOUBLE_EQ(p.imbalance(), 80.0 / 75.0);
  ASSERT_EQ(p.teams.size(), 1u);
  EXPECT_EQ(p.worst_rank(), 0);
  EXPECT_EQ(p.slowest_rank, 0);
  EXPECT_EQ(p.slowest_thread, 0);
  EXPECT_TRUE(s.io_files.empty());
}

TEST(ThreadStats, NoThreadRecords) {
  test::TempDir dir;
  test::write_process(dir.file("p.rnd"), 1, 2, [](int, ThreadWriter& w) {
    w.enter(0, 0);
    region(w, 1, 1, 5);
    w.leave(0, 10);
  });
  format::TraceReader trace(dir.str());
  analyzer::ThreadStats s = analyzer::thread_stats(trace);
  EXPECT_FALSE(s.has_threads);
  EXPECT_TRUE(s.threads.empty());
  EXPECT_TRUE(s.parallel_regions.empty());
  EXPECT_TRUE(s.io_files.empty());
}

TEST(ThreadStats, RegionClassification) {
  using analyzer::wait_kind;
  using analyzer::WaitKind;
  for (const char* n : {"pthread_mutex_lock", "pthread_mutex_timedlock", "pthread_mutex_trylock",
                        "pthread_rwlock_rdlock", "pthread_rwlock_wrlock", "pthread_spin_lock", "omp critical",
                        "omp lock", "omp atomic", "omp critical @ a.c:12"})
    EXPECT_EQ(wait_kind(n), WaitKind::Lock) << n;
  for (const char* n : {"pthread_barrier_wait", "omp barrier", "omp implicit barrier", "omp barrier @ a.c:3"})
    EXPECT_EQ(wait_kind(n), WaitKind::Barrier) << n;
  for (const char* n : {"pthread_cond_wait", "pthread_cond_timedwait", "pthread_cond_clockwait", "sem_wait",
                        "sem_timedwait"})
    EXPECT_EQ(wait_kind(n), WaitKind::Condition) << n;
  EXPECT_EQ(wait_kind("omp fork"), WaitKind::ForkJoin);
  EXPECT_EQ(wait_kind("omp join"), WaitKind::ForkJoin);
  for (const char* n : {"pthread_mutex_unlock", "pthread_rwlock_unlock", "pthread_cond_signal", "pthread_create",
                        "pthread_join", "pthread_detach", "pthread_spin_unlock", "sem_post", "omp parallel",
                        "omp barriers", "omp for", "compute"})
    EXPECT_EQ(wait_kind(n), WaitKind::None) << n;
  EXPECT_TRUE(analyzer::is_parallel_region("omp parallel"));
  EXPECT_TRUE(analyzer::is_parallel_region("omp parallel @ a.c:7"));
  EXPECT_FALSE(analyzer::is_parallel_region("omp parallelism"));
}

// Imbalance is measured per team (process): rank 0's two threads are equally
// busy, rank 1's are not. Pooled over all four threads the imbalance would be
// 90 / 78.75 = 1.14; rank 1's team alone is 90 / 67.5 = 1.33.
TEST(ThreadStats, ImbalancePerTeamAndBarrierWaiting) {
  test::TempDir dir;
  test::MpiProcessSpec spec;
  spec.world_size = 2;
  spec.threads = 2;
  spec.regions = {{"omp parallel", Role::OpenMp},          {"omp implicit barrier", Role::OpenMp},
                  {"omp fork", Role::OpenMp},              {"omp join", Role::OpenMp},
                  {"pthread_barrier_wait", Role::Pthread}, {"pthread_mutex_lock", Role::Pthread}};
  spec.rank = 0;
  test::write_mpi_process(dir.file("r0.rnd"), spec, [](int t, ThreadWriter& w) {
    if (t == 0) {
      region(w, 2, 0, 5);  // omp fork
      w.enter(0, 5);
      region(w, 1, 95, 105);  // waits 10
      w.leave(0, 105);
      region(w, 3, 105, 108);  // omp join
    } else {
      w.enter(0, 6);
      region(w, 1, 96, 105);  // waits 9
      w.leave(0, 105);
    }
  });
  spec.rank = 1;
  test::write_mpi_process(dir.file("r1.rnd"), spec, [](int t, ThreadWriter& w) {
    w.enter(0, 0);
    region(w, 1, t == 0 ? 90 : 45, 100);  // waits 10 (busy 90), 55 (busy 45)
    w.leave(0, 100);
    if (t == 1) {
      region(w, 4, 200, 230);  // pthread barrier: 30
      region(w, 5, 240, 250);  // mutex: 10
    }
  });
  format::TraceReader trace(dir.str());
  analyzer::ThreadStats s = analyzer::thread_stats(trace);
  ASSERT_EQ(s.threads.size(), 4u);
  EXPECT_EQ(s.threads[0].label(), "0:0");
  EXPECT_EQ(s.threads[0].parallel_ns, 100);
  EXPECT_EQ(s.threads[0].barrier_ns, 10);
  EXPECT_EQ(s.threads[0].fork_join_ns, 8);
  EXPECT_EQ(s.threads[1].barrier_ns, 9);
  EXPECT_EQ(s.threads[1].fork_join_ns, 0);
  EXPECT_EQ(s.threads[3].label(), "1:1");
  EXPECT_EQ(s.threads[3].barrier_ns, 55 + 30);
  EXPECT_EQ(s.threads[3].lock_ns, 10);
  EXPECT_EQ(s.threads[3].pthread_wait_ns, 0);

  ASSERT_EQ(s.parallel_regions.size(), 1u);
  const auto& p = s.parallel_regions[0];
  EXPECT_EQ(p.threads, 4u);
  EXPECT_EQ(p.total_ns, 100 + 99 + 100 + 100);
  EXPECT_EQ(p.busy_ns, 90 + 90 + 90 + 45);
  EXPECT_EQ(p.max_ns, 90);
  EXPECT_EQ(p.slowest_rank, 0);
  EXPECT_EQ(p.slowest_thread, 0);
  ASSERT_EQ(p.teams.size(), 2u);
  EXPECT_EQ(p.teams[0].rank, 0);
  EXPECT_EQ(p.teams[0].threads, 2u);
  EXPECT_DOUBLE_EQ(p.teams[0].imbalance(), 1.0);
  EXPECT_EQ(p.teams[1].rank, 1);
  EXPECT_EQ(p.teams[1].max_ns, 90);
  EXPECT_DOUBLE_EQ(p.teams[1].mean_ns(), 67.5);
  EXPECT_EQ(p.teams[1].slowest_thread, 0);
  EXPECT_DOUBLE_EQ(p.imbalance(), 90.0 / 67.5);
  EXPECT_EQ(p.worst_rank(), 1);
  EXPECT_DOUBLE_EQ(p.mean_imbalance(), (1.0 + 90.0 / 67.5) / 2);
}

namespace {

// One process, one thread, two I/O handles ("/data/a.dat", "/data/b.dat").
void write_io_process(const std::string& path, const std::function<void(ThreadWriter&)>& record) {
  ProcessFile file(path);
  std::vector<uint8_t> defs;
  ProcessDef p;
  p.pid = 7;
  p.host = "testhost";
  encode::process(defs, p);
  encode::string(defs, 1, "read");
  encode::region(defs, 0, RegionDef{1, 0, 0, RegionRole::Io});
  encode::string(defs, 2, "/data/a.dat");
  encode::string(defs, 3, "/data/b.dat");
  encode::io_handle(defs, 0, IoHandleDef{2, 0});
  encode::io_handle(defs, 1, IoHandleDef{3, 0});
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  encode::clock(defs, clock);
  encode::thread(defs, ThreadDef{0, 0, ThreadKind::Cpu, 0, UINT32_MAX});
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  ThreadWriter w(0, [&](Batch&& b) {
    for (auto& c : encode_batch(b, 3)) file.append(c);
  });
  record(w);
  w.flush(true);
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

void io_op(ThreadWriter& w, uint32_t handle, IoOperation op, uint64_t from, uint64_t to, int64_t asked,
           int64_t done) {
  EventKey begin{EventKind::IoOperationBegin, handle, {static_cast<int64_t>(op), 0, 0, 0}};
  EventKey complete{EventKind::IoOperationComplete, handle, {static_cast<int64_t>(op), 0, 0, 0}};
  int64_t b[2] = {asked, -1};
  int64_t c[1] = {done};
  w.event(begin, from, b);
  w.event(complete, to, c);
}

}  // namespace

TEST(ThreadStats, IoPerFile) {
  test::TempDir dir;
  write_io_process(dir.file("p.rnd"), [](ThreadWriter& w) {
    w.enter(0, 5);
    io_op(w, 0, IoOperation::Read, 10, 25, 100, 64);     // a: 64 bytes read in 15 ns
    w.leave(0, 26);
    io_op(w, 1, IoOperation::Write, 30, 70, 200, 200);   // b: 200 bytes written in 40 ns
    io_op(w, 0, IoOperation::Read, 80, 81, 100, -1);     // a: failed read, 1 ns
    io_op(w, 0, IoOperation::Seek, 90, 95, 0, 0);        // a: other, 5 ns
    io_op(w, 1, IoOperation::Write, 100, 104, 10, 8);    // b: 8 bytes in 4 ns
  });
  format::TraceReader trace(dir.str());
  analyzer::ThreadStats s = analyzer::thread_stats(trace);
  EXPECT_TRUE(s.has_threads);
  EXPECT_TRUE(s.threads.empty());
  ASSERT_EQ(s.io_files.size(), 2u);
  const auto& b = s.io_files[0];  // 44 ns
  EXPECT_EQ(b.path, "/data/b.dat");
  EXPECT_EQ(b.writes, 2u);
  EXPECT_EQ(b.bytes_written, 208u);
  EXPECT_EQ(b.write_ns, 44);
  EXPECT_EQ(b.reads, 0u);
  EXPECT_EQ(b.time_ns(), 44);
  const auto& a = s.io_files[1];  // 21 ns
  EXPECT_EQ(a.path, "/data/a.dat");
  EXPECT_EQ(a.reads, 2u);
  EXPECT_EQ(a.failed, 1u);
  EXPECT_EQ(a.bytes_read, 64u);
  EXPECT_EQ(a.read_ns, 16);
  EXPECT_EQ(a.other, 1u);
  EXPECT_EQ(a.other_ns, 5);
  EXPECT_EQ(a.writes, 0u);
  EXPECT_EQ(a.time_ns(), 21);
}

// A real OpenMP program recorded with 4 threads: `rondo stats --json` has a
// "threads" section with one row per thread.
TEST(ThreadStats, RecordedOpenMpProgram) {
  if (!std::filesystem::exists(OMP_TOUR_GCC)) GTEST_SKIP() << "omp_tour_gcc not built";
  test::TempDir dir;
  std::string trace = dir.file("trace"), json = dir.file("stats.json");
  std::string record = std::string("OMP_NUM_THREADS=4 ") + RONDO_CLI + " record -t openmp -o " + trace + " " +
                       OMP_TOUR_GCC + " > /dev/null 2>&1";
  ASSERT_EQ(std::system(record.c_str()), 0) << record;
  EXPECT_TRUE(rondo::test::trace_valid(trace));
  std::string stats = std::string(RONDO_CLI) + " stats --json " + trace + " > " + json;
  ASSERT_EQ(std::system(stats.c_str()), 0) << stats;
  std::ifstream in(json);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t section = text.find("\n  \"threads\": {");
  ASSERT_NE(section, std::string::npos);
  size_t rows = 0;
  for (size_t at = text.find("\"span_ns\"", section); at != std::string::npos; at = text.find("\"span_ns\"", at + 1))
    ++rows;
  EXPECT_EQ(rows, 4u);
  EXPECT_NE(text.find("\"name\": \"omp parallel\"", section), std::string::npos);
}
