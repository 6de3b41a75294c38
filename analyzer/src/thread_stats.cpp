#include "rondo/analyzer/thread_stats.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>

#include "rondo/analyzer/trace_summary.h"

namespace rondo::analyzer {

using namespace rondo::format;

namespace {

int64_t ticks_to_ns(const ProcessReader& p, uint64_t ticks) {
  return static_cast<int64_t>(std::llround(static_cast<double>(ticks) / p.ticks_per_ns()));
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }
bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Inclusive statistics per region of one thread, in ticks: the summary, or a
// replay with a call stack when the thread has none.
std::vector<RegionStats> region_stats(const ProcessReader& p, size_t thread) {
  ThreadSummary summary;
  if (p.thread_summary(thread, summary)) return summary.regions;
  std::vector<RegionStats> stats;
  std::vector<std::pair<uint32_t, uint64_t>> stack;  // region, enter ticks
  try {
    EventCursor cursor(p.thread(thread));
    Event e;
    while (cursor.next(e)) {
      if (e.kind() == EventKind::Enter) {
        stack.emplace_back(e.def->key.ref, e.ticks);
      } else if (e.kind() == EventKind::Leave) {
        while (!stack.empty() && stack.back().first != e.def->key.ref) stack.pop_back();
        if (stack.empty()) continue;
        auto [region, start] = stack.back();
        stack.pop_back();
        if (stats.size() <= region) stats.resize(region + 1);
        stats[region].inclusive.add(e.ticks - std::min(e.ticks, start));
      }
    }
  } catch (const FormatError&) {
    // damaged data: keep what was read
  }
  return stats;
}

bool has_io_events(const ThreadTrace& t) {
  for (const EventDef& d : t.events())
    if (d.key.kind == EventKind::IoOperationBegin || d.key.kind == EventKind::IoOperationComplete) return true;
  return false;
}

}  // namespace

bool is_pthread_wait_region(const std::string& name) {
  if (ends_with(name, "unlock")) return false;
  if (starts_with(name, "pthread_mutex_") || starts_with(name, "pthread_rwlock_") || starts_with(name, "pthread_spin_"))
    return name.find("lock") != std::string::npos;
  if (starts_with(name, "pthread_cond_")) return ends_with(name, "wait");
  return name == "pthread_barrier_wait";
}

bool is_omp_lock_region(const std::string& name) {
  return name == "omp critical" || name == "omp lock" || name == "omp atomic";
}

ThreadStats thread_stats(const TraceReader& trace) {
  ThreadStats s;
  std::map<std::string, ParallelRegionStats> parallel;
  std::map<std::string, IoFileStats> files;
  for (uint32_t pi = 0; pi < trace.processes().size(); ++pi) {
    const ProcessReader& p = *trace.processes()[pi];
    const ProcessDefinitions& defs = p.defs();
    int32_t rank = process_label(trace, pi);
    for (uint32_t ti = 0; ti < p.thread_count(); ++ti) {
      ThreadTimes times;
      times.rank = rank;
      times.thread = static_cast<int32_t>(p.thread_index(ti));
      bool threaded = false;
      std::vector<RegionStats> stats = region_stats(p, ti);
      for (uint32_t r = 0; r < stats.size() && r < defs.regions.size(); ++r) {
        const DurationStats& inc = stats[r].inclusive;
        if (inc.count == 0) continue;
        RegionRole role = defs.regions[r].role;
        if (role == RegionRole::Io) s.has_threads = true;
        if (role != RegionRole::OpenMp && role != RegionRole::Pthread) continue;
        threaded = true;
        const std::string& name = defs.region_name(r);
        int64_t ns = ticks_to_ns(p, inc.sum);
        if (role == RegionRole::Pthread) {
          if (is_pthread_wait_region(name)) times.pthread_wait_ns += ns;
          continue;
        }
        if (starts_with(name, "omp parallel")) {
          times.parallel_ns += ns;
          ParallelRegionStats& pr = parallel[name];
          pr.name = name;
          ++pr.threads;
          pr.calls += inc.count;
          pr.total_ns += ns;
          if (pr.threads == 1 || ns > pr.max_ns) {
            pr.max_ns = ns;
            pr.slowest_rank = times.rank;
            pr.slowest_thread = times.thread;
          }
        } else if (name == "omp barrier") {
          times.barrier_ns += ns;
        } else if (is_omp_lock_region(name)) {
          times.lock_ns += ns;
        }
      }
      if (threaded) {
        ThreadSummary summary;
        uint64_t first, last;
        if (p.thread_summary(ti, summary)) {
          first = summary.first_ticks;
          last = summary.last_ticks;
        } else {
          first = p.thread(ti).first_ticks();
          last = p.thread(ti).last_ticks();
        }
        times.span_ns = ticks_to_ns(p, last - std::min(first, last));
        s.threads.push_back(times);
      }

      // I/O: replay only threads whose grammar has I/O operations.
      const ThreadTrace& t = p.thread(ti);
      if (!has_io_events(t)) continue;
      s.has_threads = true;
      std::map<uint32_t, std::vector<uint64_t>> open_ops;  // handle -> begin ticks (nested/stacked)
      try {
        EventCursor cursor(t);
        Event e;
        while (cursor.next(e)) {
          EventKind k = e.kind();
          if (k == EventKind::IoOperationBegin) {
            open_ops[e.def->key.ref].push_back(e.ticks);
          } else if (k == EventKind::IoOperationComplete) {
            uint32_t handle = e.def->key.ref;
            int64_t ns = 0;
            auto it = open_ops.find(handle);
            if (it != open_ops.end() && !it->second.empty()) {
              uint64_t begin = it->second.back();
              it->second.pop_back();
              ns = ticks_to_ns(p, e.ticks - std::min(e.ticks, begin));
            }
            std::string path = handle < defs.io_handles.size() ? defs.string(defs.io_handles[handle].path)
                                                               : "<handle " + std::to_string(handle) + ">";
            IoFileStats& f = files[path];
            f.path = path;
            int64_t bytes = e.data[0];
            auto op = static_cast<IoOperation>(e.def->key.params[0]);
            if (bytes < 0) ++f.failed;
            uint64_t moved = bytes > 0 ? static_cast<uint64_t>(bytes) : 0;
            if (op == IoOperation::Read) {
              ++f.reads;
              f.bytes_read += moved;
              f.read_ns += ns;
            } else if (op == IoOperation::Write) {
              ++f.writes;
              f.bytes_written += moved;
              f.write_ns += ns;
            } else {
              ++f.other;
              f.other_ns += ns;
            }
          }
        }
      } catch (const FormatError&) {
        // damaged data: keep what was read
      }
    }
  }
  for (auto& [_, pr] : parallel) s.parallel_regions.push_back(pr);
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

}  // namespace rondo::analyzer
