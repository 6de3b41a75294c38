// The thread and I/O modules end to end: real programs recorded with
// `rondo record -t MODULES`, their traces read back (format/reader.h) and
// through `rondo stats --json`, with exact counts.
//
//   openmp   examples/openmp/omp_tour.c built with gcc (libgomp wrappers), with
//            clang (libomp, OMPT), and with gcc through `rondo instrument`
//            (OPARI2): the same counts, per thread
//   pthread  a contended mutex, every synchronisation object, 1000 threads
//   io       examples/io/file_io.c: calls and bytes
//   memory   allocations of a small program
//   hybrid   examples/openmp/hybrid_stencil.c on 2 ranks x 2 threads (with MPI)
#include <gtest/gtest.h>

#include "../common/run_command.h"
#include "../common/trace_check.h"
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "rondo/format/reader.h"

namespace {

using rondo::format::EventKind;
using rondo::format::IoOperation;

// Lock kinds (interceptors/pthread/lock_kinds.h).
constexpr int64_t kMutex = 1, kRwRead = 2, kRwWrite = 3, kSpin = 4, kOmpCritical = 10, kOmpLock = 11,
                  kOmpNestLock = 12;

using Result = rondo::test::CommandResult;

inline Result run(const std::string& command) { return rondo::test::run_command(command); }

const std::string kRondo = RONDO_CLI;

// ---------------------------------------------------------------------------
// What a trace holds, per thread

struct LockEvent {
  uint64_t ticks;
  bool acquire;
  int64_t kind, id;
  uint32_t thread;
};

struct ThreadView {
  uint32_t index = 0;
  uint64_t os_tid = 0;
  std::map<std::string, uint64_t> enters, leaves;
  std::map<EventKind, uint64_t> kinds;
  std::map<int64_t, uint64_t> acquired, released;  // by lock kind
  std::vector<LockEvent> locks;
  std::vector<int64_t> created, waited, begin_parent;  // thread events' data
  std::vector<int64_t> tasks_created, tasks_switched, tasks_completed;
  std::vector<int64_t> forks, team_sizes;
  std::map<int64_t, int64_t> io_requested, io_transferred;  // by I/O operation
  std::map<std::string, int64_t> metric_sums;                // metric name -> sum of samples
  std::map<std::string, uint64_t> metric_samples;            // metric name -> samples
  std::vector<std::string> io_created;                      // paths of IO_CREATE_HANDLE
  uint64_t entered(const std::string& region) const {
    auto it = enters.find(region);
    return it == enters.end() ? 0 : it->second;
  }
  uint64_t count(EventKind k) const {
    auto it = kinds.find(k);
    return it == kinds.end() ? 0 : it->second;
  }
};

struct ProcessView {
  int32_t rank = -1;
  bool ended = false;
  std::vector<std::string> problems;
  std::vector<ThreadView> threads;
  uint64_t total(const std::string& region) const {
    uint64_t n = 0;
    for (auto& t : threads) n += t.entered(region);
    return n;
  }
  uint64_t total(EventKind k) const {
    uint64_t n = 0;
    for (auto& t : threads) n += t.count(k);
    return n;
  }
  const ThreadView* thread(uint32_t index) const {
    for (auto& t : threads)
      if (t.index == index) return &t;
    return nullptr;
  }
};

std::vector<ProcessView> read_trace(const std::string& dir) {
  rondo::format::TraceReader reader(dir);
  std::vector<ProcessView> out;
  for (const auto& p : reader.processes()) {
    ProcessView pv;
    const auto& defs = p->defs();
    pv.rank = defs.process.rank;
    pv.ended = p->ended();
    for (size_t i = 0; i < p->thread_count(); ++i) {
      const auto& t = p->thread(i);
      ThreadView tv;
      tv.index = t.index();
      for (const auto& d : defs.threads)
        if (d.index == t.index()) tv.os_tid = d.os_tid;
      rondo::format::EventCursor cursor(t);
      rondo::format::Event e;
      while (cursor.next(e)) {
        const auto& key = e.def->key;
        ++tv.kinds[key.kind];
        switch (key.kind) {
          case EventKind::Enter: ++tv.enters[defs.region_name(key.ref)]; break;
          case EventKind::Leave: ++tv.leaves[defs.region_name(key.ref)]; break;
          case EventKind::ThreadAcquireLock:
          case EventKind::ThreadReleaseLock: {
            bool acquire = key.kind == EventKind::ThreadAcquireLock;
            ++(acquire ? tv.acquired : tv.released)[key.params[0]];
            tv.locks.push_back(LockEvent{e.ticks, acquire, key.params[0], e.data[0], t.index()});
            break;
          }
          case EventKind::MetricSample: {
            std::string name = key.ref < defs.metrics.size() ? defs.string(defs.metrics[key.ref].name) : "?";
            tv.metric_sums[name] += e.data[0];
            ++tv.metric_samples[name];
            break;
          }
          case EventKind::ThreadCreate: tv.created.push_back(e.data[0]); break;
          case EventKind::ThreadWait: tv.waited.push_back(e.data[0]); break;
          case EventKind::ThreadBegin: tv.begin_parent.push_back(e.data[0]); break;
          case EventKind::ThreadTaskCreate: tv.tasks_created.push_back(e.data[0]); break;
          case EventKind::ThreadTaskSwitch: tv.tasks_switched.push_back(e.data[0]); break;
          case EventKind::ThreadTaskComplete: tv.tasks_completed.push_back(e.data[0]); break;
          case EventKind::ThreadFork: tv.forks.push_back(key.params[0]); break;
          case EventKind::ThreadTeamBegin: tv.team_sizes.push_back(key.params[0]); break;
          case EventKind::IoOperationBegin: tv.io_requested[key.params[0]] += e.data[0]; break;
          case EventKind::IoOperationComplete:
            if (e.data[0] > 0) tv.io_transferred[key.params[0]] += e.data[0];
            break;
          case EventKind::IoCreateHandle:
            tv.io_created.push_back(key.ref < defs.io_handles.size() ? defs.string(defs.io_handles[key.ref].path) : "?");
            break;
          default: break;
        }
      }
      pv.threads.push_back(std::move(tv));
    }
    pv.problems = p->problems();
    out.push_back(std::move(pv));
  }
  return out;
}

// Time per thread, from the events (the test's own reading, independent of the
// analyzer): inclusive time per region name, and for the thread that forks
// teams, the time from each THREAD_FORK to its THREAD_JOIN and how much of it
// lies in no region.
struct ThreadTiming {
  uint32_t index = 0;
  std::map<std::string, int64_t> inclusive_ns;
  uint64_t forks = 0;
  int64_t fork_join_ns = 0;  // sum of THREAD_FORK .. THREAD_JOIN
  int64_t uncovered_ns = 0;  // the part of it outside every region
  int64_t in(const std::string& region) const {
    auto it = inclusive_ns.find(region);
    return it == inclusive_ns.end() ? 0 : it->second;
  }
};

std::vector<std::vector<ThreadTiming>> read_timing(const std::string& dir) {
  rondo::format::TraceReader reader(dir);
  std::vector<std::vector<ThreadTiming>> out;
  for (const auto& p : reader.processes()) {
    const auto& defs = p->defs();
    std::vector<ThreadTiming> threads;
    for (size_t i = 0; i < p->thread_count(); ++i) {
      const auto& t = p->thread(i);
      ThreadTiming tt;
      tt.index = t.index();
      std::vector<std::pair<std::string, int64_t>> open;  // region, enter time
      bool forked = false;
      size_t fork_depth = 0;
      int64_t fork_at = 0, covered_since = 0;  // covered_since: last time the thread was back at fork_depth
      rondo::format::EventCursor cursor(t);
      rondo::format::Event e;
      while (cursor.next(e)) {
        int64_t now = p->to_ns(e.ticks);
        const auto& key = e.def->key;
        if (key.kind == EventKind::Enter) {
          if (forked && open.size() == fork_depth) tt.uncovered_ns += now - covered_since;
          open.emplace_back(defs.region_name(key.ref), now);
        } else if (key.kind == EventKind::Leave && !open.empty()) {
          tt.inclusive_ns[open.back().first] += now - open.back().second;
          open.pop_back();
          if (forked && open.size() == fork_depth) covered_since = now;
        } else if (key.kind == EventKind::ThreadFork && !forked) {
          forked = true;
          fork_depth = open.size();
          fork_at = covered_since = now;
          ++tt.forks;
        } else if (key.kind == EventKind::ThreadJoin && forked && open.size() == fork_depth) {
          tt.uncovered_ns += now - covered_since;
          tt.fork_join_ns += now - fork_at;
          forked = false;
        }
      }
      threads.push_back(std::move(tt));
    }
    out.push_back(std::move(threads));
  }
  return out;
}

class Modules : public ::testing::Test {
 public:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() / ("rondo-openmp-" + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!getenv("RONDO_TEST_KEEP")) std::filesystem::remove_all(dir_);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  // Records `command` with `modules` into a fresh trace; returns its processes.
  std::vector<ProcessView> record(const std::string& modules, const std::string& command, const std::string& name,
                                  const std::string& env = "") {
    std::string trace = path(name);
    std::string t = modules.empty() ? "" : " -t " + modules;
    Result r = run(env + " " + kRondo + " record" + t + " -o " + trace + " -- " + command);
    EXPECT_EQ(r.status, 0) << r.out;
    last_output_ = r.out;
    EXPECT_TRUE(rondo::test::trace_valid(trace));
    auto processes = read_trace(trace);
    for (auto& p : processes) {
      EXPECT_TRUE(p.ended);
      EXPECT_TRUE(p.problems.empty()) << p.problems.front();
      for (auto& th : p.threads) EXPECT_EQ(th.enters, th.leaves) << "thread " << th.index << ": unbalanced regions";
    }
    return processes;
  }
  const std::string& output() const { return last_output_; }
  nlohmann::json stats(const std::string& name, const std::string& options = "") {
    Result r = run(kRondo + " stats --json " + options + " " + path(name));
    EXPECT_EQ(r.status, 0) << r.out;
    return nlohmann::json::parse(r.out);
  }
  static std::map<std::string, nlohmann::json> regions(const nlohmann::json& s) {
    std::map<std::string, nlohmann::json> out;
    for (auto& r : s["regions"]) out[r["name"].get<std::string>()] = r;
    return out;
  }

  std::filesystem::path dir_;
  std::string last_output_;
};

// ---------------------------------------------------------------------------
// OpenMP: the same program on libgomp (gcc) and libomp (clang)

constexpr int kThreads = 4, kReps = 3, kOrdered = 40;

struct TourRuntime {
  const char* name;
  const char* program;
  int loops_per_thread;  // `omp for` per thread and repetition
};

#ifdef OMP_TOUR_GCC
// gcc compiles static-schedule loops inline: libgomp never sees them (2 of the 8).
const TourRuntime kGcc{"gcc", OMP_TOUR_GCC, 6};
#ifdef OMP_TOUR_CLANG
const TourRuntime kClang{"clang", OMP_TOUR_CLANG, 8};
#endif
#ifdef OMP_TOUR_GCC_OPARI
// Through `rondo instrument` (OPARI2), gcc's static loops are `omp for` too.
const TourRuntime kGccOpari{"gcc+opari2", OMP_TOUR_GCC_OPARI, 8};
#endif

void check_tour(const std::vector<ProcessView>& processes, const TourRuntime& rt) {
  SCOPED_TRACE(rt.name);
  ASSERT_EQ(processes.size(), 1u);
  const ProcessView& p = processes[0];
  // One location per pool thread, for all 2 x kReps parallel regions: the pool's
  // threads keep theirs from one region to the next.
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kThreads));
  std::set<uint64_t> tids;
  for (const ThreadView& t : p.threads) {
    SCOPED_TRACE("thread " + std::to_string(t.index));
    tids.insert(t.os_tid);
    EXPECT_EQ(t.entered("omp parallel"), 2u * kReps);
    EXPECT_EQ(t.count(EventKind::ThreadTeamBegin), 2u * kReps);
    EXPECT_EQ(t.count(EventKind::ThreadTeamEnd), 2u * kReps);
    for (int64_t size : t.team_sizes) EXPECT_EQ(size, kThreads);
    EXPECT_EQ(t.entered("omp barrier"), 8u * kReps);
    EXPECT_EQ(t.entered("omp critical"), 2u * kReps);
    EXPECT_EQ(t.acquired.count(kOmpCritical) ? t.acquired.at(kOmpCritical) : 0, 2u * kReps);
    EXPECT_EQ(t.entered("omp single"), 2u * kReps);
    EXPECT_EQ(t.entered("omp sections"), 1u * kReps);
    EXPECT_EQ(t.entered("omp for"), static_cast<uint64_t>(rt.loops_per_thread) * kReps);
    // omp_set_lock + 2 x omp_set_nest_lock wait; those and omp_test_lock acquire.
    EXPECT_EQ(t.entered("omp lock"), 3u * kReps);
    uint64_t lock_acquired = (t.acquired.count(kOmpLock) ? t.acquired.at(kOmpLock) : 0) +
                             (t.acquired.count(kOmpNestLock) ? t.acquired.at(kOmpNestLock) : 0);
    uint64_t lock_released = (t.released.count(kOmpLock) ? t.released.at(kOmpLock) : 0) +
                             (t.released.count(kOmpNestLock) ? t.released.at(kOmpNestLock) : 0);
    EXPECT_EQ(lock_acquired, 4u * kReps);
    EXPECT_EQ(lock_released, 4u * kReps);
  }
  EXPECT_EQ(tids.size(), static_cast<size_t>(kThreads));
  // The master forks and joins every region, asking for kThreads.
  const ThreadView* master = p.thread(0);
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->forks, std::vector<int64_t>(2 * kReps, kThreads));
  EXPECT_EQ(master->count(EventKind::ThreadJoin), 2u * kReps);
  EXPECT_EQ(p.total(EventKind::ThreadFork), 2u * kReps);
  // Tasks: 8 + 2 per repetition, each created once, run once, completed once.
  EXPECT_EQ(p.total("omp task"), 10u * kReps);
  std::multiset<int64_t> created, switched, completed;
  for (const ThreadView& t : p.threads) {
    created.insert(t.tasks_created.begin(), t.tasks_created.end());
    switched.insert(t.tasks_switched.begin(), t.tasks_switched.end());
    completed.insert(t.tasks_completed.begin(), t.tasks_completed.end());
  }
  EXPECT_EQ(created.size(), 10u * kReps);
  EXPECT_EQ(std::set<int64_t>(created.begin(), created.end()).size(), created.size()) << "task ids are unique";
  EXPECT_EQ(switched, created);
  EXPECT_EQ(completed, created);
  EXPECT_EQ(p.total("omp taskwait"), 1u * kReps);
  EXPECT_EQ(p.total("omp taskgroup"), 1u * kReps);
  EXPECT_EQ(p.total("omp ordered"), static_cast<uint64_t>(kOrdered) * kReps);
}

std::string tour_command(const TourRuntime& rt) {
  return std::string(rt.program) + " " + std::to_string(kThreads) + " " + std::to_string(kReps);
}

TEST_F(Modules, OpenMpTourWithGccExactCountsPerThread) {
  auto trace = record("openmp", tour_command(kGcc), "gcc.rondo");
  EXPECT_NE(last_output_.find("omp_tour: 4 threads, 3 repetitions"), std::string::npos) << last_output_;
  check_tour(trace, kGcc);
}

#ifdef OMP_TOUR_CLANG
TEST_F(Modules, OpenMpTourWithClangExactCountsPerThread) {
  auto trace = record("openmp", tour_command(kClang), "clang.rondo");
  EXPECT_NE(last_output_.find("omp_tour: 4 threads, 3 repetitions"), std::string::npos) << last_output_;
  check_tour(trace, kClang);
}

// The totals of `rondo stats` agree region by region, but for the static loops.
TEST_F(Modules, OpenMpGccAndClangGiveTheSameConstructCounts) {
  record("openmp", tour_command(kGcc), "gcc.rondo");
  record("openmp", tour_command(kClang), "clang.rondo");
  auto gcc = regions(stats("gcc.rondo"));
  auto clang = regions(stats("clang.rondo"));
  std::set<std::string> names;
  for (auto& [name, row] : gcc) names.insert(name);
  for (auto& [name, row] : clang) names.insert(name);
  for (const std::string& name : names) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(gcc.count(name) && clang.count(name));
    uint64_t g = gcc[name]["calls"], c = clang[name]["calls"];
    if (name == "omp for")
      EXPECT_EQ(c - g, 2u * kThreads * kReps);  // the static loops, inline in gcc's code
    else
      EXPECT_EQ(g, c);
  }
  EXPECT_EQ(gcc["omp parallel"]["calls"], 2 * kThreads * kReps);
  EXPECT_EQ(gcc["omp barrier"]["calls"], 8 * kThreads * kReps);
  EXPECT_EQ(gcc["omp task"]["calls"], 10 * kReps);
}

// Per thread through the command line: `--by thread` gives every pool thread its
// share of every region.
TEST_F(Modules, OpenMpStatsByThread) {
  record("openmp", tour_command(kClang), "clang.rondo");
  auto s = stats("clang.rondo", "--by thread");
  std::map<int, uint64_t> parallel, critical;
  for (auto& r : s["regions"]) {
    if (r["name"] == "omp parallel") parallel[r["thread"].get<int>()] += r["calls"].get<uint64_t>();
    if (r["name"] == "omp critical") critical[r["thread"].get<int>()] += r["calls"].get<uint64_t>();
  }
  ASSERT_EQ(parallel.size(), static_cast<size_t>(kThreads));
  for (auto& [thread, calls] : parallel) EXPECT_EQ(calls, 2u * kReps) << thread;
  for (auto& [thread, calls] : critical) EXPECT_EQ(calls, 2u * kReps) << thread;
}
#endif

// ---------------------------------------------------------------------------
// gcc through `rondo instrument` (OPARI2): every construct counts as with clang

#ifndef OMP_TOUR_GCC_OPARI
#define SKIP_WITHOUT_OPARI2() \
  GTEST_SKIP() << "opari2 not found (Debian: opari2 libpomp2-dev): examples/openmp/omp_tour_gcc_opari is not built"
#else
#define SKIP_WITHOUT_OPARI2() (void)0
#endif

TEST_F(Modules, OpenMpTourWithGccOpari2ExactCountsPerThread) {
  SKIP_WITHOUT_OPARI2();
#ifdef OMP_TOUR_GCC_OPARI
  auto trace = record("openmp", tour_command(kGccOpari), "opari.rondo");
  EXPECT_NE(last_output_.find("omp_tour: 4 threads, 3 repetitions"), std::string::npos) << last_output_;
  check_tour(trace, kGccOpari);
#endif
}

// Region by region and thread by thread. Which thread runs a task, and the
// taskwait and taskgroup of a single, is the runtime's choice: those compare in
// total; every other region and event compares per thread.
TEST_F(Modules, OpenMpGccWithOpari2AndClangGiveTheSameConstructCounts) {
  SKIP_WITHOUT_OPARI2();
#if defined(OMP_TOUR_GCC_OPARI) && !defined(OMP_TOUR_CLANG)
  GTEST_SKIP() << "no clang with OpenMP here: examples/openmp/omp_tour_clang is not built";
#endif
#if defined(OMP_TOUR_GCC_OPARI) && defined(OMP_TOUR_CLANG)
  auto gcc = record("openmp", tour_command(kGccOpari), "opari.rondo");
  auto clang = record("openmp", tour_command(kClang), "clang.rondo");
  ASSERT_EQ(gcc.size(), 1u);
  ASSERT_EQ(clang.size(), 1u);
  ASSERT_EQ(gcc[0].threads.size(), clang[0].threads.size());
  const std::set<std::string> scheduled = {"omp task", "omp taskwait", "omp taskgroup"};
  const std::set<EventKind> task_events = {EventKind::ThreadTaskCreate, EventKind::ThreadTaskSwitch,
                                           EventKind::ThreadTaskComplete};
  std::set<std::string> names;
  for (const ThreadView& t : gcc[0].threads)
    for (auto& [name, n] : t.enters) names.insert(name);
  for (const ThreadView& t : clang[0].threads)
    for (auto& [name, n] : t.enters) names.insert(name);
  for (const ThreadView& g : gcc[0].threads) {
    SCOPED_TRACE("thread " + std::to_string(g.index));
    const ThreadView* c = clang[0].thread(g.index);
    ASSERT_NE(c, nullptr);
    for (const std::string& name : names) {
      if (scheduled.count(name)) continue;
      EXPECT_EQ(g.entered(name), c->entered(name)) << name;
    }
    std::set<EventKind> kinds;
    for (auto& [k, n] : g.kinds) kinds.insert(k);
    for (auto& [k, n] : c->kinds) kinds.insert(k);
    for (EventKind k : kinds) {
      if (task_events.count(k) || k == EventKind::Enter || k == EventKind::Leave) continue;
      EXPECT_EQ(g.count(k), c->count(k)) << "event kind " << static_cast<int>(k);
    }
    EXPECT_EQ(g.acquired, c->acquired);
    EXPECT_EQ(g.released, c->released);
  }
  for (const std::string& name : names) {
    EXPECT_EQ(gcc[0].total(name), clang[0].total(name)) << name;
    std::printf("  %-14s gcc+opari2 %4llu  clang %4llu\n", name.c_str(),
                static_cast<unsigned long long>(gcc[0].total(name)),
                static_cast<unsigned long long>(clang[0].total(name)));
  }
  for (EventKind k : task_events) EXPECT_EQ(gcc[0].total(k), clang[0].total(k)) << static_cast<int>(k);
  EXPECT_EQ(gcc[0].total("omp for"), 8u * kThreads * kReps);
  EXPECT_EQ(gcc[0].total("omp barrier"), 8u * kThreads * kReps);
#endif
}

// The instrumented program runs as built without `rondo record`.
TEST_F(Modules, OpenMpInstrumentedProgramRunsUntraced) {
  SKIP_WITHOUT_OPARI2();
#ifdef OMP_TOUR_GCC_OPARI
  Result r = run(std::string(OMP_TOUR_GCC_OPARI) + " 2 1");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("omp_tour: 2 threads, 1 repetitions"), std::string::npos) << r.out;
#endif
}

// Compiling and linking apart (objects of `rondo instrument -c`), and the
// command's failures: one line, the compiler's own exit status.
TEST_F(Modules, OpenMpInstrumentCommand) {
  SKIP_WITHOUT_OPARI2();
#ifdef OMP_TOUR_GCC_OPARI
  const std::string instrument = kRondo + " instrument " + GCC_FOR_OPENMP;
  Result r = run(instrument + " -fopenmp -O2 -c " + OMP_TOUR_SOURCE + " -o " + path("tour.o"));
  ASSERT_EQ(r.status, 0) << r.out;
  r = run(instrument + " -fopenmp " + path("tour.o") + " -o " + path("tour"));
  ASSERT_EQ(r.status, 0) << r.out;
  auto trace = record("openmp", path("tour") + " 2 1", "apart.rondo");
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].total("omp for"), 8u * 2);
  EXPECT_EQ(trace[0].total("omp barrier"), 8u * 2);

  // Without -fopenmp the compiler runs unchanged.
  r = run(instrument + " --version");
  EXPECT_EQ(r.status, 0) << r.out;
  // A compiler error: the compiler's exit status.
  {
    std::FILE* f = std::fopen(path("bad.c").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("int main(void) { return }\n", f);
    std::fclose(f);
  }
  r = run(instrument + " -fopenmp -c " + path("bad.c") + " -o " + path("bad.o"));
  EXPECT_EQ(r.status, 1) << r.out;
  // No opari2 in PATH: one line saying so.
  r = run("env PATH=/nonexistent " + instrument + " -fopenmp -c " + OMP_TOUR_SOURCE + " -o " + path("x.o"));
  EXPECT_EQ(r.status, 1) << r.out;
  EXPECT_EQ(r.out, "rondo: instrument: opari2 not found (Debian: apt install opari2 libpomp2-dev)\n");
#endif
}

// With the pthread module too, libgomp's pool threads are created (and recorded
// as such) once, and the OpenMP counts do not change.
TEST_F(Modules, OpenMpWithPthreadModuleKeepsCounts) {
  auto trace = record("openmp,pthread", tour_command(kGcc), "both.rondo");
  check_tour(trace, kGcc);
  const ThreadView* master = trace[0].thread(0);
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->created.size(), static_cast<size_t>(kThreads - 1));
  // Nothing libgomp does internally with pthreads is the program's.
  EXPECT_EQ(trace[0].total("pthread_mutex_lock"), 0u);
}

// Without -t, a program linking an OpenMP runtime gets the openmp module.
TEST_F(Modules, OpenMpChosenByDefault) {
  auto trace = record("", std::string(OMP_TOUR_GCC) + " 2 1", "default.rondo");
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].total("omp parallel"), 4u);
}

#endif  // OMP_TOUR_GCC

#ifdef TASK_VARIANTS
void check_task_variants(Modules& test, const char* program, const std::string& name);

TEST_F(Modules, OpenMpTaskDataSurvivesTheWrapper) { check_task_variants(*this, TASK_VARIANTS, "gcc.rondo"); }
#ifdef TASK_VARIANTS_CLANG
TEST_F(Modules, OpenMpTaskVariantsWithClang) { check_task_variants(*this, TASK_VARIANTS_CLANG, "clang.rondo"); }
#endif
#endif

// ---------------------------------------------------------------------------
// Barrier waiting and the fork and join of teams, with a known imbalance
// (tests/openmp/programs/omp_imbalance.c): in each of the two regions of a
// repetition, thread k of the team sleeps k x kStepMs before a barrier, so it
// waits (kTeam - 1 - k) x kStepMs there for the last one: at the barrier ending
// the first parallel region (`omp implicit barrier`) and at the one ending the
// worksharing loop of the second (`omp barrier`). On a loaded machine a thread
// may start its sleep late or oversleep, so the test compares the trace with
// the waits the program measured itself (the last arrival less each thread's,
// by CLOCK_MONOTONIC just before the barrier), less half a step per barrier
// for a thread preempted between its clock read and the barrier.

constexpr int kTeam = 4, kImbalanceReps = 3;
constexpr int64_t kStepMs = 20, kMs = 1000000;

// One thread's waiting as omp_imbalance measured and printed it.
struct MeasuredWait {
  int64_t implicit_ns = 0, loop_ns = 0;
  int64_t total() const { return implicit_ns + loop_ns; }
};

// The program's lines "thread K waited I ns at the implicit barrier, L ns at
// the loop's", by thread number.
std::vector<MeasuredWait> measured_waits(const std::string& output) {
  std::vector<MeasuredWait> out;
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    int k = 0;
    long long implicit = 0, loop = 0;
    if (std::sscanf(line.c_str(), "omp_imbalance: thread %d waited %lld ns at the implicit barrier, %lld ns", &k,
                    &implicit, &loop) != 3 ||
        k != static_cast<int>(out.size()))
      continue;
    out.push_back({implicit, loop});
  }
  return out;
}

void check_imbalance(Modules& test, const char* program, const std::string& name) {
  SCOPED_TRACE(name);
  auto trace = test.record("openmp", std::string(program) + " " + std::to_string(kTeam) + " " +
                                         std::to_string(kImbalanceReps) + " " + std::to_string(kStepMs),
                           name);
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kTeam));
  // Per repetition: two regions of kTeam threads, one of a single thread (the master).
  constexpr uint64_t kRegions = 2 * kImbalanceReps, kAlone = kImbalanceReps;
  for (const ThreadView& t : p.threads) {
    SCOPED_TRACE("thread " + std::to_string(t.index));
    uint64_t alone = t.index == 0 ? kAlone : 0;
    EXPECT_EQ(t.entered("omp parallel"), kRegions + alone);
    // One per parallel region and thread, none in a team of one.
    EXPECT_EQ(t.entered("omp implicit barrier"), kRegions);
    EXPECT_EQ(t.entered("omp barrier"), static_cast<uint64_t>(kImbalanceReps));  // the loop's
    // Only the encountering thread forks and joins, once per region.
    uint64_t own = t.index == 0 ? kRegions + kAlone : 0;
    EXPECT_EQ(t.entered("omp fork"), own);
    EXPECT_EQ(t.entered("omp join"), own);
    EXPECT_EQ(t.count(EventKind::ThreadFork), own);
    EXPECT_EQ(t.count(EventKind::ThreadJoin), own);
  }

  // What the program measured, per thread number, ordered by waiting: the
  // threads stay about a step apart, so the order is the thread numbers'.
  std::vector<MeasuredWait> measured = measured_waits(test.output());
  ASSERT_EQ(measured.size(), static_cast<size_t>(kTeam)) << test.output();
  std::sort(measured.begin(), measured.end(),
            [](const MeasuredWait& a, const MeasuredWait& b) { return a.total() > b.total(); });

  // The trace's own times, thread by thread. Pool threads get their locations
  // in the order they start, not by thread number: order them by waiting.
  auto timing = read_timing(test.path(name));
  ASSERT_EQ(timing.size(), 1u);
  std::vector<ThreadTiming> by_wait = timing[0];
  std::sort(by_wait.begin(), by_wait.end(), [](const ThreadTiming& a, const ThreadTiming& b) {
    return a.in("omp implicit barrier") + a.in("omp barrier") > b.in("omp implicit barrier") + b.in("omp barrier");
  });
  // No upper bound in wall time (a loaded machine stretches any wait): waiting
  // is bounded by the region that holds it, below.
  const int64_t tolerance = kStepMs / 2 * kMs * kImbalanceReps;
  for (int k = 0; k < kTeam; ++k) {
    const ThreadTiming& t = by_wait[static_cast<size_t>(k)];
    const MeasuredWait& m = measured[static_cast<size_t>(k)];
    SCOPED_TRACE("thread number " + std::to_string(k) + " (location " + std::to_string(t.index) + ")");
    // The region-ending barrier of the second region adds only its own jitter.
    EXPECT_GE(t.in("omp implicit barrier"), m.implicit_ns - tolerance);
    EXPECT_GE(t.in("omp barrier"), m.loop_ns - tolerance);
    // Waiting is part of the region: the barrier ending it is inside it.
    EXPECT_LE(t.in("omp implicit barrier") + t.in("omp barrier"), t.in("omp parallel"));
  }
  // The master's time from each fork to its join is in regions (`omp fork`,
  // `omp parallel`, `omp join`), but for the few instructions between them.
  const ThreadTiming* master = nullptr;
  for (const ThreadTiming& t : timing[0])
    if (t.index == 0) master = &t;
  ASSERT_NE(master, nullptr);
  EXPECT_EQ(master->forks, kRegions + kAlone);
  EXPECT_GT(master->fork_join_ns, 0);
  EXPECT_LE(master->uncovered_ns * 20, master->fork_join_ns)
      << master->uncovered_ns << " ns of " << master->fork_join_ns << " ns between fork and join in no region";
  EXPECT_EQ(master->in("omp fork") + master->in("omp parallel") + master->in("omp join") + master->uncovered_ns,
            master->fork_join_ns);
  // Every thread's `omp parallel` lies between the master's forks and joins,
  // not in the serial time after them (libomp tells workers late that their
  // region ended: at the next fork).
  for (const ThreadTiming& t : timing[0])
    EXPECT_LE(t.in("omp parallel"), master->fork_join_ns + kMs) << "thread " << t.index;

  // `rondo stats`: the same waiting per thread, and the imbalance of the team.
  auto s = test.stats(name);
  const auto& threads = s["threads"]["threads"];
  ASSERT_EQ(threads.size(), static_cast<size_t>(kTeam));
  std::vector<int64_t> waits;
  for (auto& t : threads) {
    waits.push_back(t["barrier_ns"].get<int64_t>());
    const ThreadTiming* mine = nullptr;
    for (const ThreadTiming& tt : timing[0])
      if (static_cast<int>(tt.index) == t["thread"].get<int>()) mine = &tt;
    ASSERT_NE(mine, nullptr);
    // The analyzer converts each thread's tick sums once, this test each call:
    // they agree to rounding.
    EXPECT_NEAR(t["barrier_ns"].get<double>(), mine->in("omp implicit barrier") + mine->in("omp barrier"), 1000);
    EXPECT_NEAR(t["fork_join_ns"].get<double>(), mine->in("omp fork") + mine->in("omp join"), 1000);
    EXPECT_NEAR(t["parallel_ns"].get<double>(), mine->in("omp parallel"), 1000);
  }
  std::sort(waits.rbegin(), waits.rend());
  for (int k = 0; k < kTeam; ++k)
    EXPECT_GE(waits[static_cast<size_t>(k)], measured[static_cast<size_t>(k)].total() - 2 * tolerance);
  const auto& regions = s["threads"]["parallel_regions"];
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0]["teams"].size(), 1u);
  // Busy times 0, 2, 4, 6 steps per repetition (plus overheads): max / mean is
  // near 2 (6 / 3), well above 1.
  EXPECT_GT(regions[0]["imbalance"].get<double>(), 1.5);
  EXPECT_EQ(regions[0]["worst_rank"].get<int>(), 0);
}

#ifdef OMP_IMBALANCE_GCC
TEST_F(Modules, OpenMpBarrierWaitingWithGcc) { check_imbalance(*this, OMP_IMBALANCE_GCC, "gcc.rondo"); }
#endif
TEST_F(Modules, OpenMpBarrierWaitingWithClang) {
#ifdef OMP_IMBALANCE_CLANG
  check_imbalance(*this, OMP_IMBALANCE_CLANG, "clang.rondo");
#else
  GTEST_SKIP() << "no clang with OpenMP (Debian: clang libomp-dev): omp_imbalance_clang is not built";
#endif
}
TEST_F(Modules, OpenMpBarrierWaitingWithOpari2) {
#ifdef OMP_IMBALANCE_OPARI
  check_imbalance(*this, OMP_IMBALANCE_OPARI, "opari.rondo");
#else
  GTEST_SKIP() << "opari2 not found (Debian: opari2 libpomp2-dev): omp_imbalance_opari is not built";
#endif
}

// ---------------------------------------------------------------------------
// pthreads

TEST_F(Modules, PthreadContendedMutex) {
  constexpr int kWorkers = 4, kRounds = 2000;
  auto trace = record("pthread", std::string(CONTENTION) + " 4 2000", "contention.rondo");
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  // The main thread and the workers: the runtime's own threads are not there.
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kWorkers + 1));
  const ThreadView* main = p.thread(0);
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->entered("pthread_create"), 4u);
  EXPECT_EQ(main->entered("pthread_join"), 4u);
  std::set<int64_t> workers;
  for (const ThreadView& t : p.threads)
    if (t.index != 0) workers.insert(t.index);
  EXPECT_EQ(std::set<int64_t>(main->created.begin(), main->created.end()), workers);
  EXPECT_EQ(std::set<int64_t>(main->waited.begin(), main->waited.end()), workers);

  uint64_t mutex_id = 0;
  for (const ThreadView& t : p.threads) {
    if (t.index == 0) continue;
    SCOPED_TRACE("thread " + std::to_string(t.index));
    EXPECT_EQ(t.begin_parent, std::vector<int64_t>{0});
    EXPECT_EQ(t.count(EventKind::ThreadEnd), 1u);
    EXPECT_EQ(t.entered("pthread_mutex_lock"), static_cast<uint64_t>(kRounds));
    EXPECT_EQ(t.entered("pthread_mutex_unlock"), static_cast<uint64_t>(kRounds));
    EXPECT_EQ(t.entered("pthread_barrier_wait"), 1u);
    EXPECT_EQ(t.acquired.at(kMutex), static_cast<uint64_t>(kRounds));
    EXPECT_EQ(t.released.at(kMutex), static_cast<uint64_t>(kRounds));
    for (const LockEvent& l : t.locks) {
      if (!mutex_id) mutex_id = static_cast<uint64_t>(l.id);
      EXPECT_EQ(static_cast<uint64_t>(l.id), mutex_id) << "one mutex";
    }
  }
  // Holding never overlaps: each thread acquires and releases alternately, and
  // in time order one holding interval ends before the next begins. Timestamps
  // of different threads come from different cores' clocks, which virtual
  // machines keep in step only to some tens of nanoseconds, so an interval may
  // seem to begin a little before the previous one ends: less than half the
  // shortest holding time is tolerated (a real overlap would be a whole interval).
  struct Holding {
    uint64_t from, to;
    uint32_t thread;
  };
  std::vector<Holding> held;
  for (const ThreadView& t : p.threads) {
    for (size_t i = 0; i + 1 < t.locks.size(); i += 2) {
      ASSERT_TRUE(t.locks[i].acquire && !t.locks[i + 1].acquire) << "thread " << t.index << " event " << i;
      held.push_back({t.locks[i].ticks, t.locks[i + 1].ticks, t.index});
    }
  }
  ASSERT_EQ(held.size(), static_cast<size_t>(kWorkers * kRounds));
  std::sort(held.begin(), held.end(), [](const Holding& a, const Holding& b) { return a.from < b.from; });
  uint64_t shortest = UINT64_MAX;
  for (const Holding& h : held) shortest = std::min(shortest, h.to - h.from);
  for (size_t i = 0; i + 1 < held.size(); ++i)
    ASSERT_GE(held[i + 1].from + shortest / 2, held[i].to)
        << "thread " << held[i + 1].thread << " acquired while thread " << held[i].thread << " held the mutex";
  // Waiting shows: the lock's region took time.
  auto r = regions(stats("contention.rondo"));
  EXPECT_EQ(r["pthread_mutex_lock"]["calls"], kWorkers * kRounds);
  EXPECT_GT(r["pthread_mutex_lock"]["inclusive_ns"].get<int64_t>(), 0);
  EXPECT_GT(r["pthread_mutex_lock"]["max_ns"].get<int64_t>(), 0);
}

// Failed trylocks (EBUSY) are folded (FORMAT.md 7.2, POLLS): one pair per run
// of failures, and every try still counts as a call of its region, from the
// summaries and from the replay (call tree) alike. With `env`
// RONDO_POLL_TIMES=count (`polls_counted`: `rondo record --poll-times count`)
// the failed tries are counted without a clock read: the same runs and calls,
// with no duration; the try that took a lock is a call of 0 ns, and its
// acquisition is kept.
void expect_folded_trylocks(Modules& m, const std::string& name, const std::string& env, bool polls_counted) {
  constexpr int kFirstRun = 500;
  auto trace = m.record("pthread", std::string(TRYLOCK_POLLS) + " " + std::to_string(kFirstRun), name, env);
  ASSERT_EQ(trace.size(), 1u);
  const ThreadView* main = trace[0].thread(0);
  ASSERT_NE(main, nullptr);
  std::regex line(R"(polls: (\S+) calls=(\d+) failed=(\d+) runs=1)");
  std::map<std::string, std::pair<uint64_t, uint64_t>> printed;  // name -> (calls, failed)
  const std::string& out = m.output();
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it)
    printed[(*it)[1]] = {std::stoull((*it)[2]), std::stoull((*it)[3])};
  ASSERT_EQ(printed.size(), 4u) << out;
  EXPECT_EQ(main->count(EventKind::Polls), 2u * 4);  // one run per lock: its first and last record
  auto s = m.stats(name);
  auto r = Modules::regions(s);
  uint64_t took = 0;
  for (const auto& [function, counts] : printed) {
    SCOPED_TRACE(function);
    EXPECT_GE(counts.second, static_cast<uint64_t>(kFirstRun));
    EXPECT_EQ(main->entered(function), counts.first - counts.second);  // the try that took the lock
    EXPECT_EQ(r[function]["calls"].get<uint64_t>(), counts.first);
    EXPECT_EQ(r[function]["exclusive_ns"], r[function]["inclusive_ns"]);
    if (polls_counted) {
      EXPECT_EQ(r[function]["inclusive_ns"], 0);
    }
    uint64_t tree = 0;
    for (const auto& row : s["call_tree"])
      if (row["name"] == function) tree += row["calls"].get<uint64_t>();
    EXPECT_EQ(tree, counts.first);
    took += counts.first - counts.second;
  }
  uint64_t acquired = 0;
  for (const auto& [lock, n] : main->acquired) acquired += n;
  EXPECT_GE(acquired, took);  // every successful try acquired its lock (the program's other locks too)
  Result info = run(kRondo + " info --json " + m.path(name));
  EXPECT_EQ(nlohmann::json::parse(info.out)["polls_counted"], polls_counted);
}

TEST_F(Modules, PthreadFailedTrylocksFoldAndCountEveryTry) {
  expect_folded_trylocks(*this, "trylock.rondo", "", false);
}

TEST_F(Modules, PthreadFailedTrylocksCountedWithoutTimes) {
  expect_folded_trylocks(*this, "trylock_counted.rondo", "RONDO_POLL_TIMES=count", true);
}

// Failed omp_test_lock / omp_test_nest_lock are folded the same way, with
// libgomp (wrappers) and libomp (OMPT tool): one run each, every test a call
// of `omp test lock`, every successful one an acquisition. With `env`
// RONDO_POLL_TIMES=count (`polls_counted`), the same with tests of no duration.
void expect_folded_lock_tests(Modules& m, const std::string& program, const std::string& name,
                              const std::string& env = "", bool polls_counted = false) {
  constexpr int kFirstRun = 300;
  auto trace = m.record("openmp", program + " " + std::to_string(kFirstRun), name, env);
  ASSERT_EQ(trace.size(), 1u);
  std::regex line(R"(polls: (\S+) calls=(\d+) failed=(\d+) runs=1)");
  uint64_t calls = 0, failed = 0, lines = 0;
  const std::string& out = m.output();
  for (std::sregex_iterator it(out.begin(), out.end(), line), end; it != end; ++it, ++lines) {
    calls += std::stoull((*it)[2]);
    failed += std::stoull((*it)[3]);
    EXPECT_GE(std::stoull((*it)[3]), static_cast<uint64_t>(kFirstRun)) << (*it)[0];
  }
  ASSERT_EQ(lines, 2u) << out;
  uint64_t pairs = 0, entered = 0;
  for (const ThreadView& t : trace[0].threads) {
    pairs += t.count(EventKind::Polls) / 2;
    entered += t.entered("omp test lock");
  }
  EXPECT_EQ(pairs, 2u);
  EXPECT_EQ(entered, calls - failed);
  auto s = m.stats(name);
  uint64_t counted = 0, tree = 0;
  for (const auto& r : s["regions"])
    if (r["name"] == "omp test lock") {
      counted += r["calls"].get<uint64_t>();
      if (polls_counted) {
        EXPECT_EQ(r["inclusive_ns"], 0);
      }
    }
  for (const auto& r : s["call_tree"])
    if (r["name"] == "omp test lock") tree += r["calls"].get<uint64_t>();
  EXPECT_EQ(counted, calls);
  EXPECT_EQ(tree, calls);
}

#ifdef OMP_TEST_LOCK_POLLS_GCC
TEST_F(Modules, OpenMpFailedLockTestsFoldWithLibgomp) {
  expect_folded_lock_tests(*this, OMP_TEST_LOCK_POLLS_GCC, "test_lock_gcc.rondo");
}
#endif

#ifdef OMP_TEST_LOCK_POLLS_GCC
TEST_F(Modules, OpenMpFailedLockTestsCountedWithLibgomp) {
  expect_folded_lock_tests(*this, OMP_TEST_LOCK_POLLS_GCC, "test_lock_gcc_counted.rondo", "RONDO_POLL_TIMES=count",
                           true);
}
#endif

#ifdef OMP_TEST_LOCK_POLLS_CLANG
TEST_F(Modules, OpenMpFailedLockTestsFoldWithLibomp) {
  expect_folded_lock_tests(*this, OMP_TEST_LOCK_POLLS_CLANG, "test_lock_clang.rondo");
}
#endif

TEST_F(Modules, PthreadEverySynchronisationObject) {
  constexpr int kWorkers = 4, kRounds = 10;
  auto trace = record("pthread", std::string(PTHREAD_TOUR) + " 4 10", "tour.rondo");
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kWorkers + 1));
  const ThreadView* main = p.thread(0);
  EXPECT_EQ(main->entered("sem_post"), static_cast<uint64_t>(kWorkers));
  EXPECT_EQ(main->entered("pthread_cond_broadcast"), 1u);
  EXPECT_EQ(main->entered("pthread_mutex_lock"), 1u);
  for (const ThreadView& t : p.threads) {
    if (t.index == 0) continue;
    SCOPED_TRACE("thread " + std::to_string(t.index));
    EXPECT_EQ(t.entered("pthread_rwlock_rdlock"), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_rwlock_wrlock"), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_rwlock_tryrdlock"), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_rwlock_unlock"), 3u * kRounds);
    EXPECT_EQ(t.acquired.at(kRwRead), 2u * kRounds);
    EXPECT_EQ(t.released.at(kRwRead), 2u * kRounds);
    EXPECT_EQ(t.acquired.at(kRwWrite), 1u * kRounds);
    EXPECT_EQ(t.released.at(kRwWrite), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_spin_lock"), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_spin_unlock"), 1u * kRounds);
    EXPECT_EQ(t.acquired.at(kSpin), 1u * kRounds);
    EXPECT_EQ(t.entered("pthread_barrier_wait"), 2u * kRounds);
    EXPECT_EQ(t.entered("pthread_mutex_trylock"), 1u * kRounds);
    EXPECT_EQ(t.entered("sem_wait"), 1u);
    EXPECT_EQ(t.entered("pthread_mutex_lock"), 1u);
    // Each wait gives the mutex back and takes it again.
    uint64_t waits = t.entered("pthread_cond_wait");
    EXPECT_EQ(t.acquired.at(kMutex), 1u * kRounds + 1 + waits);
    EXPECT_EQ(t.released.at(kMutex), 1u * kRounds + 1 + waits);
  }
}


// Waiting in pthread calls counts where `rondo stats` says: barrier waiting at
// the barrier, mutex waiting as lock waiting, the semaphore as condition
// waiting (tests/openmp/programs/pthread_waits.c: worker k waits about
// (kWorkers - 1 - k) steps at the barrier, then at least 2 steps for the mutex
// the main thread holds; a detached thread posts the semaphore after a step).
TEST_F(Modules, PthreadWaitingByKindAndDetach) {
  constexpr int kWorkers = 4;
  constexpr int64_t kStep = 20 * kMs;
  auto trace = record("pthread", std::string(PTHREAD_WAITS) + " 4 20", "waits.rondo");
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kWorkers + 2));
  const ThreadView* main = p.thread(0);
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->entered("pthread_detach"), 1u);
  EXPECT_EQ(main->entered("pthread_create"), static_cast<uint64_t>(kWorkers + 1));
  EXPECT_EQ(main->created.size(), static_cast<size_t>(kWorkers + 1));
  EXPECT_EQ(main->waited.size(), static_cast<size_t>(kWorkers));  // the detached thread is never joined
  const ThreadView* detached = p.thread(kWorkers + 1);
  ASSERT_NE(detached, nullptr);
  EXPECT_EQ(detached->begin_parent, std::vector<int64_t>{0});
  EXPECT_EQ(detached->count(EventKind::ThreadEnd), 1u);
  EXPECT_EQ(detached->entered("sem_post"), 1u);

  auto s = stats("waits.rondo");
  std::map<int, nlohmann::json> rows;
  for (auto& t : s["threads"]["threads"]) rows[t["thread"].get<int>()] = t;
  ASSERT_EQ(rows.size(), static_cast<size_t>(kWorkers + 2));
  auto timing = read_timing(path("waits.rondo"));
  ASSERT_EQ(timing.size(), 1u);
  for (const ThreadTiming& t : timing[0]) {
    SCOPED_TRACE("thread " + std::to_string(t.index));
    const auto& row = rows[static_cast<int>(t.index)];
    // (to rounding: the analyzer converts tick sums, this test each call)
    EXPECT_NEAR(row["barrier_ns"].get<double>(), t.in("pthread_barrier_wait"), 1000);
    EXPECT_NEAR(row["lock_ns"].get<double>(), t.in("pthread_mutex_lock"), 1000);
    EXPECT_NEAR(row["pthread_wait_ns"].get<double>(), t.in("sem_wait"), 1000);
    if (t.index >= 1 && t.index <= static_cast<uint32_t>(kWorkers)) {
      // Workers start in order: worker k is location k + 1.
      int64_t k = t.index - 1;
      EXPECT_GE(row["barrier_ns"].get<int64_t>(), (kWorkers - 1 - k) * kStep - 4 * kMs);
      EXPECT_GE(row["lock_ns"].get<int64_t>(), 2 * kStep - 4 * kMs);
      EXPECT_EQ(row["pthread_wait_ns"].get<int64_t>(), 0);
    }
  }
  EXPECT_GE(rows[0]["pthread_wait_ns"].get<int64_t>(), kStep - 4 * kMs);  // sem_wait for the detached thread
  EXPECT_EQ(rows[0]["barrier_ns"].get<int64_t>(), 0);
}

TEST_F(Modules, PthreadThousandThreads) {
  constexpr int kCreated = 1000;
  auto trace = record("pthread", std::string(MANY_THREADS) + " 1000", "many.rondo");
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  ASSERT_EQ(p.threads.size(), static_cast<size_t>(kCreated + 1));
  const ThreadView* main = p.thread(0);
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->entered("pthread_create"), static_cast<uint64_t>(kCreated));
  EXPECT_EQ(main->entered("pthread_join"), static_cast<uint64_t>(kCreated));
  std::set<int64_t> others;
  for (const ThreadView& t : p.threads) {
    if (t.index == 0) continue;
    others.insert(t.index);
    EXPECT_EQ(t.begin_parent, std::vector<int64_t>{0}) << t.index;
    EXPECT_EQ(t.count(EventKind::ThreadEnd), 1u) << t.index;
  }
  EXPECT_EQ(std::set<int64_t>(main->created.begin(), main->created.end()), others);
  EXPECT_EQ(main->created.size(), static_cast<size_t>(kCreated));
  EXPECT_EQ(std::set<int64_t>(main->waited.begin(), main->waited.end()), others);
}

TEST_F(Modules, PthreadChosenByDefault) {
  auto trace = record("", std::string(PRODUCER_CONSUMER) + " 2 2 500", "pc.rondo");
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].threads.size(), 5u);
  // Every item is put in and taken out under the lock; and the end of each producer.
  EXPECT_GE(trace[0].total("pthread_mutex_lock"), 2u * 500 + 2u * 500 + 2u);
  EXPECT_EQ(trace[0].total("pthread_create"), 4u);
}

// ---------------------------------------------------------------------------
// I/O

TEST_F(Modules, IoCallsAndBytes) {
  constexpr int64_t kBlock = 4096, kBlocks = 16;
  std::string work = path("files");
  std::filesystem::create_directories(work);
  // Small batches: the runtime writes the trace while the program runs, and
  // those writes must not show.
  auto trace = record("io", std::string(FILE_IO) + " " + work + " 4096 16", "io.rondo", "RONDO_BATCH_EVENTS=64");
  ASSERT_EQ(trace.size(), 1u);
  ASSERT_EQ(trace[0].threads.size(), 1u);
  const ThreadView& t = trace[0].threads[0];
  std::map<std::string, uint64_t> expected = {
      {"open", 1},  {"write", kBlocks}, {"pwrite", 1},  {"writev", 1}, {"fsync", 1},
      {"fdatasync", 1}, {"lseek", 1},  {"read", kBlocks + 1}, {"pread", 1}, {"readv", 1},
      {"close", 1}, {"fopen", 1},     {"fwrite", kBlocks}, {"fflush", 1}, {"fread", kBlocks},
      {"fclose", 1}};
  EXPECT_EQ(t.enters, expected);
  auto op = [](IoOperation o) { return static_cast<int64_t>(o); };
  int64_t total = (2 * kBlocks + 2) * kBlock;
  EXPECT_EQ(t.io_transferred.at(op(IoOperation::Write)), total);
  EXPECT_EQ(t.io_transferred.at(op(IoOperation::Read)), total);
  EXPECT_EQ(t.io_requested.at(op(IoOperation::Write)), total);
  EXPECT_EQ(t.io_requested.at(op(IoOperation::Read)), total + kBlock);  // readv asked at the end of the file
  EXPECT_EQ(t.count(EventKind::IoOperationBegin), t.count(EventKind::IoOperationComplete));
  EXPECT_EQ(t.count(EventKind::IoCreateHandle), 2u);
  EXPECT_EQ(t.count(EventKind::IoDestroyHandle), 2u);
  ASSERT_EQ(t.io_created.size(), 2u);
  EXPECT_EQ(t.io_created[0], work + "/posix.dat");
  EXPECT_EQ(t.io_created[1], work + "/stdio.dat");
  auto r = regions(stats("io.rondo"));
  EXPECT_EQ(r["write"]["calls"], kBlocks);
  EXPECT_EQ(r["pwrite"]["calls"], 1);
}

TEST_F(Modules, IoChosenByDefault) {
  std::string work = path("files");
  std::filesystem::create_directories(work);
  auto trace = record("", std::string(FILE_IO) + " " + work + " 512 4", "io.rondo");
  ASSERT_EQ(trace.size(), 1u);
  EXPECT_EQ(trace[0].total("write"), 4u);
}

// ---------------------------------------------------------------------------
// Memory (opt-in)

TEST_F(Modules, MemoryAllocations) {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  // tests/runtime/harness.h: the sanitizer's runtime, preloaded first, binds
  // malloc; ahead of it the module crashes in the sanitizer's own start-up.
  GTEST_SKIP() << "not under a sanitizer: its runtime, preloaded first, binds malloc ahead of the memory module";
#endif
  auto trace = record("memory", std::string(ALLOCATIONS) + " 100", "memory.rondo");
  ASSERT_EQ(trace.size(), 1u);
  const ThreadView* main = trace[0].thread(0);
  ASSERT_NE(main, nullptr);
  EXPECT_EQ(main->entered("malloc"), 100u);
  EXPECT_EQ(main->entered("calloc"), 100u);
  EXPECT_EQ(main->entered("realloc"), 100u);
  EXPECT_EQ(main->entered("posix_memalign"), 100u);
  EXPECT_EQ(main->entered("free"), 300u);
  // Sizes: per round malloc 64 + calloc 4 x 16 + posix_memalign 256 + realloc to 128.
  EXPECT_EQ(main->metric_samples.at("heap bytes requested"), 400u);
  EXPECT_EQ(main->metric_sums.at("heap bytes requested"), 100 * (64 + 64 + 256 + 128));
  // Freed: the usable size of each block, at least what was asked (64, 128, 256).
  EXPECT_EQ(main->metric_samples.at("heap bytes freed"), 300u);
  EXPECT_GE(main->metric_sums.at("heap bytes freed"), 100 * (64 + 128 + 256));
  EXPECT_LT(main->metric_sums.at("heap bytes freed"), 100 * (64 + 128 + 256 + 3 * 64));
}

TEST_F(Modules, MemoryNotChosenByDefault) {
  auto trace = record("", std::string(ALLOCATIONS) + " 10", "memory.rondo");
  for (auto& p : trace) EXPECT_EQ(p.total("malloc"), 0u);
}

// ---------------------------------------------------------------------------
// Hybrid MPI + OpenMP

#ifdef HYBRID_STENCIL
TEST_F(Modules, HybridTwoRanksTwoThreads) {
  constexpr int kSteps = 20;
  auto trace = record("mpi,openmp",
                      std::string(MPIEXEC) + " --allow-run-as-root --oversubscribe -np 2 " + HYBRID_STENCIL +
                          " 4096 20 2",
                      "hybrid.rondo");
  ASSERT_EQ(trace.size(), 2u);
  std::set<int32_t> ranks;
  for (const ProcessView& p : trace) {
    SCOPED_TRACE("rank " + std::to_string(p.rank));
    ranks.insert(p.rank);
    ASSERT_EQ(p.threads.size(), 2u);
    for (const ThreadView& t : p.threads) {
      EXPECT_EQ(t.entered("omp parallel"), static_cast<uint64_t>(kSteps));
      EXPECT_EQ(t.entered("omp for"), static_cast<uint64_t>(kSteps));
    }
    const ThreadView* master = p.thread(0);
    ASSERT_NE(master, nullptr);
    EXPECT_EQ(master->entered("MPI_Sendrecv"), 2u * kSteps);
    EXPECT_EQ(master->entered("MPI_Allreduce"), 1u);
    EXPECT_EQ(p.total("MPI_Sendrecv"), 2u * kSteps);  // funneled: only the master calls MPI
  }
  EXPECT_EQ(ranks, (std::set<int32_t>{0, 1}));
  // Imbalance is per team: each rank's two threads, not the four pooled.
  auto s = stats("hybrid.rondo");
  const auto& regions = s["threads"]["parallel_regions"];
  ASSERT_EQ(regions.size(), 1u);
  ASSERT_EQ(regions[0]["teams"].size(), 2u);
  double worst = 0, sum = 0;
  for (int r = 0; r < 2; ++r) {
    const auto& team = regions[0]["teams"][static_cast<size_t>(r)];
    EXPECT_EQ(team["rank"].get<int>(), r);
    EXPECT_EQ(team["threads"].get<int>(), 2);
    EXPECT_EQ(team["calls"].get<int>(), 2 * kSteps);
    EXPECT_GE(team["imbalance"].get<double>(), 1.0);
    worst = std::max(worst, team["imbalance"].get<double>());
    sum += team["imbalance"].get<double>();
  }
  EXPECT_DOUBLE_EQ(regions[0]["imbalance"].get<double>(), worst);
  EXPECT_DOUBLE_EQ(regions[0]["mean_imbalance"].get<double>(), sum / 2);
}
#endif

#ifdef TASK_VARIANTS
void check_task_variants(Modules& test, const char* program, const std::string& name) {
  // The program checks each task's data itself, and fails when one is wrong.
  auto trace = test.record("openmp", program, name);
  ASSERT_EQ(trace.size(), 1u);
  const ProcessView& p = trace[0];
  EXPECT_EQ(p.total("omp task"), 26u);
  EXPECT_EQ(p.total(EventKind::ThreadTaskCreate), 26u);
  EXPECT_EQ(p.total(EventKind::ThreadTaskComplete), 26u);
  EXPECT_EQ(p.total("omp taskwait"), 1u);
  EXPECT_EQ(p.total("omp taskloop"), 1u);
  EXPECT_EQ(p.total("omp taskgroup"), 1u);
  EXPECT_EQ(p.total("omp single"), 4u);
}
#endif

// ---------------------------------------------------------------------------
// Module choice from the whole dependency closure

#ifdef OMP_THROUGH_LIB
// The program does not link libgomp; its own library (found through the
// executable's RUNPATH) does. Without -t it still gets the openmp module, says
// why, and every thread records its parallel regions.
TEST_F(Modules, OpenMpReachedThroughAnOwnLibraryIsChosen) {
  constexpr int kRegions = 3, kTeam = 4;
  auto trace = record("", std::string(OMP_THROUGH_LIB) + " " + std::to_string(kRegions) + " " + std::to_string(kTeam),
                      "through-lib.rondo");
  EXPECT_NE(last_output_.find("rondo: modules "), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find("openmp (libgomp.so.1 via librondo_test_omp_kernel.so)"), std::string::npos)
      << last_output_;
  ASSERT_EQ(trace.size(), 1u);
  ASSERT_EQ(trace[0].threads.size(), static_cast<size_t>(kTeam));
  for (const ThreadView& t : trace[0].threads) EXPECT_EQ(t.entered("omp parallel"), static_cast<uint64_t>(kRegions));
}

// `rondo record -- ./run.sh`: the modules come from the programs the script runs.
TEST_F(Modules, ScriptWrapperGetsTheModulesOfTheProgramItRuns) {
  std::string script = path("run.sh");
  {
    std::ofstream out(script);
    out << "#!/bin/sh\n# runs the solver\nset -e\nOMP_WAIT_POLICY=passive " << OMP_THROUGH_LIB << " 2 2\necho done\n";
  }
  std::filesystem::permissions(script, std::filesystem::perms::owner_exec, std::filesystem::perm_options::add);
  auto trace = record("", script, "script.rondo");
  EXPECT_NE(last_output_.find("openmp (libgomp.so.1 via librondo_test_omp_kernel.so in rondo_test_omp_through_lib)"),
            std::string::npos)
      << last_output_;
  ASSERT_EQ(trace.size(), 1u) << "only the program records: the shell is not instrumented";
  EXPECT_EQ(trace[0].total("omp parallel"), 2u * 2u);
}
#endif

// Debian's GROMACS links libgomp only through libgromacs.so: `gmx` without -t
// gets the openmp module.
TEST_F(Modules, GromacsGetsTheOpenMpModule) {
  if (access("/usr/bin/gmx", X_OK) != 0) GTEST_SKIP() << "gmx (Debian package gromacs) is not installed";
  Result r = run(kRondo + " record -o " + path("gmx.rondo") + " -- /usr/bin/gmx --version");
  EXPECT_EQ(r.status, 0) << r.out;
  EXPECT_NE(r.out.find("openmp (libgomp.so.1 via libgromacs.so"), std::string::npos) << r.out;
}

}  // namespace
