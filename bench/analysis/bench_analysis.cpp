// bench_analysis: what `rondo stats` computes on a large MPI trace, timed against the same computation replaying
// the OTF2 export of that trace with the OTF2 library, and the analyzer's scaling with threads.
//
//   bench_analysis --trace TRACE.rondo --otf2 EXPORT_DIR_OR_ANCHOR [--runs N]
//
// The OTF2 archive must be `rondo export TRACE --format otf2` of the same trace (run_analysis_bench.sh makes
// both). Every measurement starts from the files (a fresh TraceReader or OTF2_Reader each time) and keeps the
// best of N rounds; a round runs each measurement once, so that a change of load hits all of them alike.
//
//   flat profile    analyzer::flat_profile (what `rondo stats` prints; per-thread summaries), and
//                   analyzer::profile on 1 thread (replays the events), vs Enter/Leave callbacks + call stacks
//   message matrix  analyzer::mpi_stats(..).matrix_bytes() (every MPI statistic), and scan_mpi on 1 thread +
//                   match_messages (record indices, as `rondo stats` matches) + the matrix from them, vs
//                   MpiSend/MpiIsend/MpiRecv/MpiIrecv callbacks matched per channel into a matrix
//   loop statistics analyzer::loop_stats, LoopDetail::Structure (no timestamp read), Timed (the recorder's
//                   iteration times where the summaries hold them) and TimedFromEvents, 1 thread
//   scaling         analyzer::analyze with options.threads = 1 and 2; the two reports' JSON must be identical
//   rondo stats     open + analyze + JSON text, all sections and each section alone (--sections), every core,
//                   as ratios against the OTF2 flat profile
//
// The results are checked: the same regions and call counts (times within 0.01%), the same bytes matrix, the
// same number of events. Exit status 1 when a check fails. Nothing here asserts a timing.
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <sys/resource.h>

#include "otf2_replay.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/json_text.h"
#include "rondo/analyzer/sections.h"
#include "rondo/analyzer/loop_stats.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/profile.h"
#include "rondo/format/reader.h"

namespace {

namespace ra = rondo::analyzer;
namespace rf = rondo::format;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Matrix = std::vector<std::vector<uint64_t>>;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

uint64_t directory_bytes(const fs::path& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

// CPU seconds (user + system, every thread of the process) and minor page faults so far: on a shared, loaded
// machine these move far less than wall time.
struct CpuUse {
  double seconds = 0;
  long faults = 0;
  static CpuUse now() {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return {static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
                1e-6 * static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec),
            u.ru_minflt};
  }
};

// A measurement: keeps its best time over the rounds, and its least CPU time and page faults.
struct Timed {
  const char* label;
  std::function<void()> run;
  double best = 1e300;
  double best_cpu = 1e300;
  long least_faults = std::numeric_limits<long>::max();
  // Measurements under 50 ms run 5 times per round: a preempted run on a loaded machine costs them most.
  void once() {
    for (int k = 0; k < 5; ++k) {
      const auto start = Clock::now();
      const CpuUse cpu = CpuUse::now();
      run();
      const double s = seconds_since(start);
      const CpuUse after = CpuUse::now();
      best = std::min(best, s);
      best_cpu = std::min(best_cpu, after.seconds - cpu.seconds);
      least_faults = std::min(least_faults, after.faults - cpu.faults);
      if (s > 0.05) break;
    }
  }
};

ra::AnalysisOptions on_threads(unsigned threads) {
  ra::AnalysisOptions options;
  options.threads = threads;
  return options;
}

// ranks x ranks bytes of matched messages, as MpiStats::matrix_bytes counts them.
// From a matching made with MatchForm::Pairs (what `rondo stats` makes): a
// matched message's ranks and bytes are its send record's.
Matrix matrix_of(const ra::MpiScan& scan, const ra::MessageMatching& matching) {
  Matrix m(matching.world_size, std::vector<uint64_t>(matching.world_size, 0));
  for (const ra::MessagePair& p : matching.pairs) {
    if (p.send == ra::MessagePair::kNone || p.recv == ra::MessagePair::kNone) continue;
    const ra::SendRecord& s = scan.sends[p.send];
    if (s.src < 0 || s.dst < 0 || s.src >= matching.world_size || s.dst >= matching.world_size) continue;
    m[s.src][s.dst] += s.bytes;
  }
  return m;
}

// Same non-zero cells (matrices may differ in size where the last ranks sent nothing).
bool same_matrix(const Matrix& a, const Matrix& b) {
  const size_t n = std::max(a.size(), b.size());
  auto cell = [](const Matrix& m, size_t i, size_t j) { return i < m.size() && j < m[i].size() ? m[i][j] : 0; };
  for (size_t i = 0; i < n; ++i)
    for (size_t j = 0; j < n; ++j)
      if (cell(a, i, j) != cell(b, i, j)) return false;
  return true;
}

uint64_t matrix_total(const Matrix& m) {
  uint64_t total = 0;
  for (const auto& row : m)
    for (uint64_t v : row) total += v;
  return total;
}

double relative(int64_t a, int64_t b) {
  const double scale = std::max(std::fabs(static_cast<double>(a)), std::fabs(static_cast<double>(b)));
  return scale == 0 ? 0 : std::fabs(static_cast<double>(a) - static_cast<double>(b)) / scale;
}

int parse_runs(const char* text) {
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v <= 0 || v > 1000) {
    std::fprintf(stderr, "bench_analysis: --runs needs a positive integer, got '%s'\n", text);
    std::exit(2);
  }
  return static_cast<int>(v);
}

}  // namespace

int main(int argc, char** argv) {
  std::string trace_dir, otf2_arg;
  int runs = 3;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--trace") == 0 && i + 1 < argc) {
      trace_dir = argv[++i];
    } else if (std::strcmp(argv[i], "--otf2") == 0 && i + 1 < argc) {
      otf2_arg = argv[++i];
    } else if (std::strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = parse_runs(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s --trace TRACE.rondo --otf2 EXPORT_DIR_OR_ANCHOR [--runs N]\n", argv[0]);
      return 2;
    }
  }
  if (trace_dir.empty() || otf2_arg.empty()) {
    std::fprintf(stderr, "usage: %s --trace TRACE.rondo --otf2 EXPORT_DIR_OR_ANCHOR [--runs N]\n", argv[0]);
    return 2;
  }

  try {
    const fs::path otf2_dir = fs::is_directory(otf2_arg) ? fs::path(otf2_arg) : fs::path(otf2_arg).parent_path();
    const std::string anchor = fs::is_directory(otf2_arg) ? (otf2_dir / "traces.otf2").string() : otf2_arg;

    // The trace as the benchmark sees it (outside any timing).
    uint64_t events = 0, threads = 0;
    size_t processes = 0;
    {
      const rf::TraceReader trace(trace_dir);
      processes = trace.processes().size();
      for (const auto& p : trace.processes()) {
        for (size_t t = 0; t < p->thread_count(); ++t) {
          events += p->thread(t).event_count();
          ++threads;
        }
      }
    }
    if (events < 10000000)
      std::printf("note      fewer than 10 million events: record more iterations for the reference numbers\n");
    const uint64_t rondo_bytes = directory_bytes(trace_dir), otf2_bytes = directory_bytes(otf2_dir);
    std::printf("trace     %s: %zu processes, %" PRIu64 " threads, %" PRIu64 " events\n", trace_dir.c_str(),
                processes, threads, events);
    std::printf("sizes     Rondo %" PRIu64 " bytes (%.3f B/event), OTF2 export %" PRIu64
                " bytes (%.2f B/event), OTF2/Rondo %.0fx\n",
                rondo_bytes, static_cast<double>(rondo_bytes) / static_cast<double>(events), otf2_bytes,
                static_cast<double>(otf2_bytes) / static_cast<double>(events),
                static_cast<double>(otf2_bytes) / static_cast<double>(rondo_bytes));

    // Results of the last round, checked after the timings.
    std::vector<ra::RegionRow> flat;
    ra::Profile replayed;
    rondo::bench::Otf2FlatProfile otf2_profile;
    Matrix stats_matrix, matched_matrix;
    ra::MessageMatching matching;
    rondo::bench::Otf2MessageMatrix otf2_matrix;
    ra::LoopStats loops_structure, loops_timed, loops_from_events;
    std::string report_json[2];
    double split_scan = 1e300, split_match = 0;  // of the fastest scan + match run

    // A window holding the whole trace is not TimeWindow::whole(), so analyzer::profile replays every event
    // instead of taking the recorder's summaries: the same work as the OTF2 side, on Rondo's reader.
    ra::AnalysisOptions replay_options = on_threads(1);
    replay_options.window.begin_ns = std::numeric_limits<int64_t>::min() + 1;

    std::vector<Timed> timed = {
        {"flat_profile (summaries)",
         [&] {
           const rf::TraceReader trace(trace_dir);
           flat = ra::flat_profile(trace);
         }},
        {"profile by replay, 1 thread",
         [&] {
           const rf::TraceReader trace(trace_dir);
           replayed = ra::profile(trace, replay_options, false);
         }},
        {"OTF2 flat profile", [&] { otf2_profile = rondo::bench::otf2_flat_profile(anchor); }},
        {"mpi_stats().matrix_bytes()",
         [&] {
           const rf::TraceReader trace(trace_dir);
           stats_matrix = ra::mpi_stats(trace).matrix_bytes();
         }},
        {"scan_mpi + match_messages, 1 thread",
         [&] {
           const auto start = Clock::now();
           const rf::TraceReader trace(trace_dir);
           const ra::MpiScan scan = ra::scan_mpi(trace, on_threads(1));
           const double scanned = seconds_since(start);
           matching = ra::match_messages(scan, 0, ra::MatchForm::Pairs);
           matched_matrix = matrix_of(scan, matching);
           const double matched = seconds_since(start) - scanned;
           if (scanned + matched < split_scan + split_match) {
             split_scan = scanned;
             split_match = matched;
           }
         }},
        {"OTF2 message matrix", [&] { otf2_matrix = rondo::bench::otf2_message_matrix(anchor); }},
        {"loop_stats Structure, 1 thread",
         [&] {
           const rf::TraceReader trace(trace_dir);
           loops_structure = ra::loop_stats(trace, on_threads(1), ra::LoopDetail::Structure);
         }},
        {"loop_stats Timed, 1 thread",
         [&] {
           const rf::TraceReader trace(trace_dir);
           loops_timed = ra::loop_stats(trace, on_threads(1), ra::LoopDetail::Timed);
         }},
        {"loop_stats TimedFromEvents, 1 thread",
         [&] {
           const rf::TraceReader trace(trace_dir);
           loops_from_events = ra::loop_stats(trace, on_threads(1), ra::LoopDetail::TimedFromEvents);
         }},
        {"analyze, 1 thread",
         [&] {
           const rf::TraceReader trace(trace_dir);
           report_json[0] = ra::stats_json(ra::analyze(trace, on_threads(1))).dump();
         }},
        {"analyze, 2 threads",
         [&] {
           const rf::TraceReader trace(trace_dir);
           report_json[1] = ra::stats_json(ra::analyze(trace, on_threads(2))).dump();
         }},
    };
    // What `rondo stats --json [--sections S]` does from the files, on every core (its default): open, analyze
    // the sections, make the JSON text. One measurement for all sections, one per section.
    std::vector<std::string> section_labels = {"rondo stats --json, all sections"};
    for (const ra::SectionName& s : ra::section_names())
      section_labels.push_back(std::string("rondo stats --json --sections ") + s.name);
    std::vector<size_t> section_json_bytes(section_labels.size());
    for (size_t k = 0; k < section_labels.size(); ++k) {
      const ra::Sections sections = k == 0 ? ra::kAllSections : ra::section_names()[k - 1].section;
      timed.push_back({section_labels[k].c_str(), [&, k, sections] {
                         const rf::TraceReader trace(trace_dir);
                         ra::AnalysisOptions options;
                         options.sections = sections;
                         section_json_bytes[k] = ra::json_text(ra::stats_json(ra::analyze(trace, options)), 2).size();
                       }});
    }
    auto find = [&](const char* label) -> const Timed& {
      for (const Timed& t : timed)
        if (std::strcmp(t.label, label) == 0) return t;
      throw std::logic_error(std::string("no measurement ") + label);
    };
    auto best = [&](const char* label) { return find(label).best; };

    for (int round = 0; round < runs; ++round) {
      for (Timed& t : timed) t.once();
      std::fprintf(stderr, "round %d of %d done\n", round + 1, runs);
    }

    // ---- checks ----
    bool profile_ok = otf2_profile.events == events;
    uint64_t call_mismatches = 0;
    double worst_inclusive = 0, worst_exclusive = 0;
    std::string worst_region = "-";
    uint64_t time_mismatches = 0;
    size_t flat_regions = 0;
    for (const ra::RegionRow& row : flat) {
      if (row.calls == 0) continue;
      ++flat_regions;
      const auto found = otf2_profile.regions.find(row.name);
      if (found == otf2_profile.regions.end() || found->second.calls != row.calls) {
        ++call_mismatches;
        continue;
      }
      const double inclusive = relative(row.inclusive_ns, found->second.inclusive_ns);
      const double exclusive = relative(row.exclusive_ns, found->second.exclusive_ns);
      // Rondo sums durations in ticks and converts the sum; the export converts every timestamp: up to 1 ns
      // of rounding per call apart.
      const auto close = [&](int64_t a, int64_t b) {
        const double diff = std::fabs(static_cast<double>(a) - static_cast<double>(b));
        return diff <= std::max(1e-4 * std::max(std::fabs(double(a)), std::fabs(double(b))), double(row.calls));
      };
      if (!close(row.inclusive_ns, found->second.inclusive_ns) || !close(row.exclusive_ns, found->second.exclusive_ns))
        ++time_mismatches;
      if (std::max(inclusive, exclusive) > std::max(worst_inclusive, worst_exclusive)) {
        worst_region = row.name + " (inclusive " + std::to_string(row.inclusive_ns) + " vs " +
                       std::to_string(found->second.inclusive_ns) + " ns, exclusive " +
                       std::to_string(row.exclusive_ns) + " vs " + std::to_string(found->second.exclusive_ns) +
                       " ns)";
      }
      worst_inclusive = std::max(worst_inclusive, inclusive);
      worst_exclusive = std::max(worst_exclusive, exclusive);
    }
    uint64_t replay_mismatches = 0;
    for (const ra::RegionRow& row : replayed.regions) {
      const auto found = otf2_profile.regions.find(row.name);
      if (row.calls != 0 && (found == otf2_profile.regions.end() || found->second.calls != row.calls))
        ++replay_mismatches;
    }
    profile_ok = profile_ok && call_mismatches == 0 && replay_mismatches == 0 &&
                 flat_regions == otf2_profile.regions.size() && time_mismatches == 0;
    const bool matrix_ok = otf2_matrix.events == events && same_matrix(stats_matrix, otf2_matrix.bytes) &&
                           same_matrix(matched_matrix, otf2_matrix.bytes) && matching.matched == otf2_matrix.matched;
    const bool loops_ok = !loops_structure.timed && loops_timed.timed &&
                          loops_structure.rows.size() + loops_structure.cut_rows ==
                              loops_timed.rows.size() + loops_timed.cut_rows &&
                          ra::loops_json(loops_timed) == ra::loops_json(loops_from_events);
    const bool identical = report_json[0] == report_json[1];

    // ---- report ----
    std::printf("\nchecks    flat profile: %zu regions, call counts %s, times within %.1e (inclusive) / %.1e "
                "(exclusive) of OTF2's, %" PRIu64 " beyond 1e-4 or 1 ns per call\n",
                flat_regions, call_mismatches == 0 && replay_mismatches == 0 ? "identical" : "DIFFER",
                worst_inclusive, worst_exclusive, time_mismatches);
    std::printf("          largest time difference: %s\n", worst_region.c_str());
    std::printf("          message matrix: %" PRIu64 " matched messages (OTF2 %" PRIu64 "), %" PRIu64
                " bytes; matrices %s\n",
                matching.matched, otf2_matrix.matched, matrix_total(otf2_matrix.bytes),
                same_matrix(stats_matrix, otf2_matrix.bytes) && same_matrix(matched_matrix, otf2_matrix.bytes)
                    ? "identical"
                    : "DIFFER");
    std::printf("          events read by the OTF2 reader: %" PRIu64 " (Rondo trace: %" PRIu64 ")\n",
                otf2_profile.events, events);
    std::printf("          loops: %zu rows (structure) / %zu rows (timed); timed from the events %s\n",
                loops_structure.rows.size(), loops_timed.rows.size(),
                ra::loops_json(loops_timed) == ra::loops_json(loops_from_events) ? "identical" : "DIFFER");

    std::printf("\nBest of %d rounds, every run from the files (open + read + compute), %" PRIu64 " events\n", runs,
                events);
    std::printf("  %-40s %12s %12s %10s\n", "what", "Rondo s", "OTF2 s", "OTF2/Rondo");
    auto row = [&](const char* what, const char* rondo_label, const char* otf2_label) {
      const double r = best(rondo_label);
      if (otf2_label == nullptr) {
        std::printf("  %-40s %12.4f %12s %10s\n", what, r, "-", "-");
      } else {
        const double o = best(otf2_label);
        std::printf("  %-40s %12.4f %12.4f %9.1fx\n", what, r, o, o / r);
      }
    };
    row("flat profile: rondo stats (flat_profile)", "flat_profile (summaries)", "OTF2 flat profile");
    row("flat profile: by replay, 1 thread", "profile by replay, 1 thread", "OTF2 flat profile");
    row("message matrix: mpi_stats (all MPI)", "mpi_stats().matrix_bytes()", "OTF2 message matrix");
    row("message matrix: scan + match, 1 thread", "scan_mpi + match_messages, 1 thread", "OTF2 message matrix");
    std::printf("  %-40s %12.4f\n", "  of which open + scan_mpi", split_scan);
    std::printf("  %-40s %12.4f\n", "  of which match_messages", split_match);
    row("loop stats: structure (no timestamps)", "loop_stats Structure, 1 thread", nullptr);
    row("loop stats: timed (iteration times)", "loop_stats Timed, 1 thread", nullptr);
    row("loop stats: timed from the events", "loop_stats TimedFromEvents, 1 thread", nullptr);
    std::printf("  OTF2 replay rates: flat profile %.1f Mevents/s, message matrix %.1f Mevents/s\n",
                static_cast<double>(events) / best("OTF2 flat profile") / 1e6,
                static_cast<double>(events) / best("OTF2 message matrix") / 1e6);
    std::printf("  loop stats, timed / structure: %.1fx\n",
                best("loop_stats Timed, 1 thread") / best("loop_stats Structure, 1 thread"));

    const double one = best("analyze, 1 thread"), two = best("analyze, 2 threads");
    std::printf("\nScaling: analyzer::analyze (every statistic of rondo stats), %" PRIu64 " threads of the trace\n",
                threads);
    std::printf("  1 thread   %8.4f s\n", one);
    std::printf("  2 threads  %8.4f s   speedup %.2fx\n", two, one / two);
    std::printf("  identical: %s (stats_json of the two reports, %zu bytes)\n", identical ? "yes" : "no",
                report_json[0].size());

    std::printf("\nrondo stats --json from the files, every core, against the OTF2 reader's flat profile of the export"
                "\n(issue 13 targets: all sections >= 10x, goal 100x)\n");
    std::printf("  %-48s %12s %10s %12s %10s %10s %12s\n", "what", "Rondo s", "OTF2/Rondo", "JSON bytes", "CPU s",
                "OTF2/Rondo", "page faults");
    const Timed& otf2_flat = find("OTF2 flat profile");
    for (size_t k = 0; k < section_labels.size(); ++k) {
      const Timed& t = find(section_labels[k].c_str());
      std::printf("  %-48s %12.4f %9.1fx %12zu %10.4f %9.1fx %12ld\n", section_labels[k].c_str(), t.best,
                  otf2_flat.best / t.best, section_json_bytes[k], t.best_cpu, otf2_flat.best_cpu / t.best_cpu,
                  t.least_faults);
    }
    std::printf("  %-48s %12.4f %10s %12s %10.4f %10s %12ld\n", "OTF2 flat profile (baseline)", otf2_flat.best, "", "",
                otf2_flat.best_cpu, "", otf2_flat.least_faults);

    const bool all_ok = profile_ok && matrix_ok && loops_ok && identical;
    if (!all_ok) {
      std::fprintf(stderr, "bench_analysis: checks failed (profile %s, matrix %s, loops %s, scaling %s)\n",
                   profile_ok ? "ok" : "differs", matrix_ok ? "ok" : "differs", loops_ok ? "ok" : "differs",
                   identical ? "ok" : "differs");
    }
    return all_ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_analysis: %s\n", e.what());
    return 1;
  }
}
