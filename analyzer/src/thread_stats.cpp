#include "rondo/analyzer/thread_stats.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <tuple>

#include "rondo/analyzer/parallel.h"
#include "rondo/analyzer/trace_summary.h"
#include "section_passes.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool has_io_events(const ThreadTrace& t) {
  for (const EventDef& d : t.events())
    if (d.key.kind == EventKind::IoOperationBegin || d.key.kind == EventKind::IoOperationComplete) return true;
  return false;
}

}  // namespace

namespace {

// `name` is the construct `base`, alone or followed by a source location.
bool is_construct(const std::string& name, const char* base) {
  return starts_with(name, base) && (name.size() == std::strlen(base) || name[std::strlen(base)] == ' ');
}

bool is_omp_barrier(const std::string& name) {
  return is_construct(name, "omp barrier") || is_construct(name, "omp implicit barrier");
}

}  // namespace

bool is_parallel_region(const std::string& name) { return is_construct(name, "omp parallel"); }

WaitKind wait_kind(const std::string& name) {
  if (is_omp_barrier(name) || name == "pthread_barrier_wait") return WaitKind::Barrier;
  if (is_construct(name, "omp critical") || is_construct(name, "omp lock") || is_construct(name, "omp atomic"))
    return WaitKind::Lock;
  if (is_construct(name, "omp fork") || is_construct(name, "omp join")) return WaitKind::ForkJoin;
  // pthread: getting a mutex, rwlock or spin lock (not giving it back).
  if (starts_with(name, "pthread_mutex_") || starts_with(name, "pthread_rwlock_") || starts_with(name, "pthread_spin_"))
    return ends_with(name, "unlock") || name.find("lock") == std::string::npos ? WaitKind::None : WaitKind::Lock;
  if (starts_with(name, "pthread_cond_")) return ends_with(name, "wait") ? WaitKind::Condition : WaitKind::None;
  if (name == "sem_wait" || name == "sem_timedwait" || name == "sem_clockwait") return WaitKind::Condition;
  return WaitKind::None;
}

double ParallelRegionStats::mean_imbalance() const {
  double sum = 0;
  for (const TeamImbalance& t : teams) sum += t.imbalance();
  return teams.empty() ? 0 : sum / static_cast<double>(teams.size());
}

const TeamImbalance* ParallelRegionStats::worst_team() const {
  const TeamImbalance* worst = nullptr;
  for (const TeamImbalance& t : teams)
    if (!worst || t.imbalance() > worst->imbalance()) worst = &t;
  return worst;
}

namespace {

// The threads section's map over one thread: spans from the summary, I/O
// operations from a replay of threads whose grammar has any (a summary lists
// regions, not event kinds, so the grammar is decoded to know).
class ActivityPass final : public SectionPass<ThreadActivityPartial> {
 public:
  ActivityPass(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window) : p_(p), window_(window) {
    out_.process = pi;
    out_.thread = ti;
    ThreadSummary summary;
    uint64_t first, last;
    bool has_summary = p.thread_summary(ti, summary);
    if (has_summary) {
      first = summary.first_ticks;
      last = summary.last_ticks;
    } else {
      first = p.thread(ti).first_ticks();
      last = p.thread(ti).last_ticks();
    }
    out_.span_ns = std::max<int64_t>(0, window.clip(p.to_ns(first), p.to_ns(std::max(first, last))));
    out_.has_io = has_io_events(p.thread(ti));
  }

  bool needs_events() const override { return out_.has_io; }

  bool on_event(const Event& e, const EventCursor&) override {
    EventKind k = e.kind();
    if (k == EventKind::IoOperationBegin) {
      open_ops_[e.def->key.ref].push_back(e.ticks);
    } else if (k == EventKind::IoOperationComplete) {
      complete(e);
    }
    return true;
  }

  ThreadActivityPartial take() override {
    for (auto& [_, f] : files_) out_.files.push_back(f);
    return std::move(out_);
  }

 private:
  void complete(const Event& e) {
    const ProcessDefinitions& defs = p_.defs();
    uint32_t handle = e.def->key.ref;
    int64_t ns = 0;
    auto it = open_ops_.find(handle);
    if (it != open_ops_.end() && !it->second.empty()) {
      uint64_t begin = it->second.back();
      it->second.pop_back();
      ns = duration_ns(p_, e.ticks - std::min(e.ticks, begin));
    }
    if (!window_.contains(p_.to_ns(e.ticks))) return;  // operations count where they complete
    std::string path = handle < defs.io_handles.size() ? defs.string(defs.io_handles[handle].path)
                                                       : "<handle " + std::to_string(handle) + ">";
    IoFileStats& f = files_[path];
    f.path = path;
    int64_t bytes = e.data[0];
    auto op = static_cast<IoOperation>(e.def->key.params[0]);
    if (bytes < 0) ++f.failed;
    uint64_t moved = bytes > 0 ? static_cast<uint64_t>(bytes) : 0;
    if (op == IoOperation::Read) {
      ++f.reads;
      f.bytes_read += moved;
      f.read_ns = format::add_ns(f.read_ns, ns);
    } else if (op == IoOperation::Write) {
      ++f.writes;
      f.bytes_written += moved;
      f.write_ns = format::add_ns(f.write_ns, ns);
    } else {
      ++f.other;
      f.other_ns = format::add_ns(f.other_ns, ns);
    }
  }

  const ProcessReader& p_;
  TimeWindow window_;
  ThreadActivityPartial out_;
  std::map<std::string, IoFileStats> files_;
  std::map<uint32_t, std::vector<uint64_t>> open_ops_;  // handle -> begin ticks (nested/stacked)
};

}  // namespace

std::unique_ptr<SectionPass<ThreadActivityPartial>> activity_pass(const ProcessReader& p, uint32_t pi, uint32_t ti,
                                                                  const TimeWindow& window) {
  return std::make_unique<ActivityPass>(p, pi, ti, window);
}

ThreadActivityPartial thread_activity(const ProcessReader& p, uint32_t pi, uint32_t ti, const TimeWindow& window) {
  ActivityPass pass(p, pi, ti, window);
  return run_alone<ThreadActivityPartial>(pass, p, ti);
}

namespace {

// One thread's share of one parallel region name.
struct ThreadParallel {
  std::string name;
  uint64_t calls = 0;
  int64_t inclusive_ns = 0;
};

// Adds one thread's time in a parallel region to its team and to the region.
void add_to_team(ParallelRegionStats& pr, int32_t rank, int32_t thread, uint64_t calls, int64_t inclusive_ns,
                 int64_t busy_ns) {
  ++pr.threads;
  pr.calls += calls;
  pr.total_ns = format::add_ns(pr.total_ns, inclusive_ns);
  pr.busy_ns = format::add_ns(pr.busy_ns, busy_ns);
  if (pr.threads == 1 || busy_ns > pr.max_ns) {
    pr.max_ns = busy_ns;
    pr.slowest_rank = rank;
    pr.slowest_thread = thread;
  }
  if (pr.teams.empty() || pr.teams.back().rank != rank) {
    pr.teams.push_back(TeamImbalance{});
    pr.teams.back().rank = rank;
  }
  TeamImbalance& team = pr.teams.back();
  ++team.threads;
  team.calls += calls;
  team.busy_ns = format::add_ns(team.busy_ns, busy_ns);
  if (team.threads == 1 || busy_ns > team.max_ns) {
    team.max_ns = busy_ns;
    team.slowest_thread = thread;
  }
}

}  // namespace

ThreadStats reduce_thread_stats(const TraceReader& trace, const std::vector<ProfilePartial>& profiles,
                                const std::vector<ThreadActivityPartial>& activity) {
  ThreadStats s;
  std::map<std::string, ParallelRegionStats> parallel;
  std::map<std::string, IoFileStats> files;
  for (size_t i = 0; i < profiles.size() && i < activity.size(); ++i) {
    const ProfilePartial& prof = profiles[i];
    const ProcessReader& p = *trace.processes()[prof.process];
    const ProcessDefinitions& defs = p.defs();
    ThreadTimes times;
    times.rank = process_label(trace, prof.process);
    times.thread = static_cast<int32_t>(p.thread_index(prof.thread));
    bool threaded = false;
    int64_t omp_barrier_ns = 0;  // OpenMP barriers: not the thread's own work in a parallel region
    std::vector<ThreadParallel> regions;
    for (const RegionPartial& r : prof.regions) {
      if (r.region >= defs.regions.size() || r.calls == 0) continue;
      RegionRole role = defs.regions[r.region].role;
      if (role == RegionRole::Io) s.has_threads = true;
      if (role != RegionRole::OpenMp && role != RegionRole::Pthread) continue;
      threaded = true;
      const std::string& name = defs.region_name(r.region);
      int64_t ns = r.inclusive_ns;
      if (role == RegionRole::OpenMp && is_parallel_region(name)) {
        times.parallel_ns = format::add_ns(times.parallel_ns, ns);
        regions.push_back(ThreadParallel{name, r.calls, ns});
        continue;
      }
      switch (wait_kind(name)) {
        case WaitKind::Barrier:
          times.barrier_ns = format::add_ns(times.barrier_ns, ns);
          if (role == RegionRole::OpenMp) omp_barrier_ns = format::add_ns(omp_barrier_ns, ns);
          break;
        case WaitKind::Lock: times.lock_ns = format::add_ns(times.lock_ns, ns); break;
        case WaitKind::Condition: times.pthread_wait_ns = format::add_ns(times.pthread_wait_ns, ns); break;
        case WaitKind::ForkJoin: times.fork_join_ns = format::add_ns(times.fork_join_ns, ns); break;
        case WaitKind::None: break;
      }
    }
    // The barrier waiting comes off the thread's parallel regions in proportion
    // to their time (exact with one region name, the usual case: barriers are
    // inside parallel regions).
    for (const ThreadParallel& r : regions) {
      double share = times.parallel_ns > 0 ? static_cast<double>(r.inclusive_ns) / static_cast<double>(times.parallel_ns) : 0;
      int64_t waiting = std::min(r.inclusive_ns, static_cast<int64_t>(std::llround(share * static_cast<double>(omp_barrier_ns))));
      ParallelRegionStats& pr = parallel[r.name];
      pr.name = r.name;
      add_to_team(pr, times.rank, times.thread, r.calls, r.inclusive_ns, r.inclusive_ns - waiting);
    }
    if (threaded) {
      times.span_ns = activity[i].span_ns;
      s.threads.push_back(times);
    }
    if (activity[i].has_io) s.has_threads = true;
    for (const IoFileStats& f : activity[i].files) {
      IoFileStats& total = files[f.path];
      total.path = f.path;
      total.reads += f.reads;
      total.writes += f.writes;
      total.other += f.other;
      total.failed += f.failed;
      total.bytes_read += f.bytes_read;
      total.bytes_written += f.bytes_written;
      total.read_ns = format::add_ns(total.read_ns, f.read_ns);
      total.write_ns = format::add_ns(total.write_ns, f.write_ns);
      total.other_ns = format::add_ns(total.other_ns, f.other_ns);
    }
  }
  for (auto& [_, pr] : parallel) {
    // Locations come process by process, but two processes may share a label.
    std::map<int32_t, TeamImbalance> teams;
    for (const TeamImbalance& t : pr.teams) {
      TeamImbalance& m = teams[t.rank];
      m.rank = t.rank;
      if (m.threads == 0 || t.max_ns > m.max_ns) {
        m.max_ns = t.max_ns;
        m.slowest_thread = t.slowest_thread;
      }
      m.threads += t.threads;
      m.calls += t.calls;
      m.busy_ns = format::add_ns(m.busy_ns, t.busy_ns);
    }
    pr.teams.clear();
    for (auto& [rank, t] : teams) pr.teams.push_back(t);
    s.parallel_regions.push_back(pr);
  }
  for (auto& [_, f] : files) s.io_files.push_back(f);
  std::stable_sort(s.threads.begin(), s.threads.end(), [](const ThreadTimes& a, const ThreadTimes& b) {
    return std::tie(a.rank, a.thread) < std::tie(b.rank, b.thread);
  });
  std::stable_sort(s.parallel_regions.begin(), s.parallel_regions.end(),
                   [](const ParallelRegionStats& a, const ParallelRegionStats& b) { return a.total_ns > b.total_ns; });
  std::stable_sort(s.io_files.begin(), s.io_files.end(),
                   [](const IoFileStats& a, const IoFileStats& b) { return a.time_ns() > b.time_ns(); });
  if (!s.threads.empty() || !s.io_files.empty()) s.has_threads = true;
  return s;
}

ThreadStats thread_stats(const TraceReader& trace, const AnalysisOptions& options) {
  std::vector<Location> locations = all_locations(trace);
  std::vector<ProfilePartial> profiles(locations.size());
  std::vector<ThreadActivityPartial> activity(locations.size());
  parallel_for(locations.size(), options.threads, [&](size_t i) {
    const ProcessReader& p = *trace.processes()[locations[i].process];
    profiles[i] = profile_thread(p, locations[i].process, locations[i].thread, options.window, false);
    activity[i] = thread_activity(p, locations[i].process, locations[i].thread, options.window);
  });
  return reduce_thread_stats(trace, profiles, activity);
}

void to_json(nlohmann::json& j, const ThreadActivityPartial& a) {
  nlohmann::json files = nlohmann::json::array();
  for (auto& f : a.files)
    files.push_back({f.path, f.reads, f.writes, f.other, f.failed, f.bytes_read, f.bytes_written, f.read_ns,
                     f.write_ns, f.other_ns});
  j = {{"process", a.process}, {"thread", a.thread}, {"span_ns", a.span_ns}, {"has_io", a.has_io}, {"files", files}};
}

void from_json(const nlohmann::json& j, ThreadActivityPartial& a) {
  a.process = j.at("process").get<uint32_t>();
  a.thread = j.at("thread").get<uint32_t>();
  a.span_ns = j.at("span_ns").get<int64_t>();
  a.has_io = j.at("has_io").get<bool>();
  a.files.clear();
  for (auto& f : j.at("files")) {
    IoFileStats s;
    s.path = f.at(0).get<std::string>();
    s.reads = f.at(1).get<uint64_t>();
    s.writes = f.at(2).get<uint64_t>();
    s.other = f.at(3).get<uint64_t>();
    s.failed = f.at(4).get<uint64_t>();
    s.bytes_read = f.at(5).get<uint64_t>();
    s.bytes_written = f.at(6).get<uint64_t>();
    s.read_ns = f.at(7).get<int64_t>();
    s.write_ns = f.at(8).get<int64_t>();
    s.other_ns = f.at(9).get<int64_t>();
    a.files.push_back(std::move(s));
  }
}

}  // namespace rondo::analyzer
