// Self-test / demo of the OTF2 baseline: writes ~1M events of a nested loop pattern as OTF2, validates the
// archive with `otf2-print`, prints sizes per event (raw, zstd-3, zstd-19), profiles it (checking exact call
// counts and times against what was generated) and measures replay throughput.
//
// Usage: otf2_baseline_selftest [archive-dir] [iterations]
// Exit status 0 when every check passed, 1 otherwise.
#include "otf2_baseline.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace {

using rondo::bench::SimpleEvent;

constexpr uint32_t kCallsPerIteration = 10;  // main -> 10 calls per iteration

struct Workload {
  std::vector<std::string> region_names;  // 0 = main, 1..10 = work_0..work_9
  std::vector<SimpleEvent> events;
  std::vector<uint64_t> calls, inclusive, exclusive;  // expected profile
};

// Small deterministic PRNG so that timestamp deltas look like real measurements (not a constant stride,
// which would compress unrealistically well).
struct XorShift64 {
  uint64_t state;
  uint64_t next() {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  }
  uint64_t range(uint64_t lo, uint64_t hi) { return lo + next() % (hi - lo + 1); }
};

// main { for it in iterations: for j in 0..9: work_j() }  ->  2 + 20 * iterations events.
Workload make_workload(uint64_t iterations) {
  Workload w;
  w.region_names.push_back("main");
  for (uint32_t j = 0; j < kCallsPerIteration; ++j) w.region_names.push_back("work_" + std::to_string(j));
  const size_t regions = w.region_names.size();
  w.calls.assign(regions, 0);
  w.inclusive.assign(regions, 0);
  w.exclusive.assign(regions, 0);
  w.events.reserve(2 + 2 * kCallsPerIteration * iterations);

  XorShift64 rng{0x9E3779B97F4A7C15ull};
  uint64_t t = 1'000'000'000'000ull;  // ~1000 s of CLOCK_MONOTONIC uptime, in ns
  const uint64_t main_start = t;
  w.events.push_back({t, 0, true});
  w.calls[0] = 1;
  uint64_t children = 0;
  for (uint64_t it = 0; it < iterations; ++it) {
    t += rng.range(20, 80);  // loop overhead in main
    for (uint32_t j = 0; j < kCallsPerIteration; ++j) {
      const uint32_t region = 1 + j;
      w.events.push_back({t, region, true});
      const uint64_t duration = rng.range(100, 1100) + 40 * j;
      t += duration;
      w.events.push_back({t, region, false});
      ++w.calls[region];
      w.inclusive[region] += duration;
      w.exclusive[region] += duration;
      children += duration;
      t += rng.range(5, 30);  // between calls
    }
  }
  t += 500;
  w.events.push_back({t, 0, false});
  w.inclusive[0] = t - main_start;
  w.exclusive[0] = w.inclusive[0] - children;
  return w;
}

int g_failures = 0;

void expect(bool ok, const std::string& what) {
  std::printf("  [%s] %s\n", ok ? "ok" : "FAIL", what.c_str());
  if (!ok) ++g_failures;
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

struct CommandResult {
  int exit_code = -1;
  std::string stdout_text;  // only kept when requested
  uint64_t enter_lines = 0, leave_lines = 0;
  std::string stderr_text;
};

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Runs a command, counting ENTER/LEAVE event lines of otf2-print output; stderr is captured via a file.
CommandResult run_otf2_print(const std::string& args, const std::string& stderr_path, bool keep_stdout) {
  CommandResult result;
  const std::string command = "otf2-print " + args + " 2>" + shell_quote(stderr_path);
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return result;
  std::string line;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) {
    line += buffer;
    if (line.empty() || line.back() != '\n') continue;  // long line, keep reading
    if (line.rfind("ENTER ", 0) == 0) ++result.enter_lines;
    else if (line.rfind("LEAVE ", 0) == 0) ++result.leave_lines;
    if (keep_stdout) result.stdout_text += line;
    line.clear();
  }
  const int status = pclose(pipe);
  result.exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
  result.stderr_text = read_text_file(stderr_path);
  return result;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "(empty)" : s;
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  namespace rb = rondo::bench;
  try {
    const std::string dir =
        argc > 1 ? argv[1] : (fs::temp_directory_path() / "rondo_otf2_baseline_selftest").string();
    const uint64_t iterations = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 50'000;

    const Workload w = make_workload(iterations);
    const uint64_t n = w.events.size();
    std::printf("workload: main -> %u calls per iteration, %" PRIu64 " iterations, %" PRIu64 " events, %zu regions\n",
                kCallsPerIteration, iterations, n, w.region_names.size());

    // ---- write ----
    const rb::Otf2WriteResult written = rb::write_otf2(dir, w.region_names, w.events);
    std::printf("write: %s -> %" PRIu64 " bytes in %.3f s (%.1f Mevents/s)\n", dir.c_str(), written.bytes_on_disk,
                written.seconds, static_cast<double>(n) / written.seconds / 1e6);
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
      if (entry.is_regular_file()) {
        std::printf("  %-40s %10" PRIuMAX " bytes\n", fs::relative(entry.path(), dir).c_str(),
                    static_cast<uintmax_t>(entry.file_size()));
      }
    }

    // ---- sizes ----
    const uint64_t zstd3 = rb::zstd_compressed_size(dir, 3);
    const uint64_t zstd19 = rb::zstd_compressed_size(dir, 19);
    std::printf("size: raw %" PRIu64 " B (%.3f B/event), zstd-3 %" PRIu64 " B (%.3f B/event), zstd-19 %" PRIu64
                " B (%.3f B/event)\n",
                written.bytes_on_disk, static_cast<double>(written.bytes_on_disk) / static_cast<double>(n), zstd3,
                static_cast<double>(zstd3) / static_cast<double>(n), zstd19,
                static_cast<double>(zstd19) / static_cast<double>(n));

    // ---- otf2-print validation ----
    std::printf("otf2-print validation:\n");
    const std::string anchor = rb::otf2_anchor_path(dir);
    const std::string err_path = dir + ".otf2-print.stderr";
    {
      // Full event dump with warnings turned into errors: count the events it prints.
      const CommandResult events = run_otf2_print("-Werror " + shell_quote(anchor), err_path, false);
      expect(events.exit_code == 0, "otf2-print -Werror exit status " + std::to_string(events.exit_code));
      expect(events.stderr_text.empty(), "otf2-print stderr empty: " + trimmed(events.stderr_text));
      expect(events.enter_lines + events.leave_lines == n,
             "otf2-print printed " + std::to_string(events.enter_lines) + " ENTER + " +
                 std::to_string(events.leave_lines) + " LEAVE = " +
                 std::to_string(events.enter_lines + events.leave_lines) + " events (expected " + std::to_string(n) +
                 ")");
      expect(events.enter_lines == events.leave_lines, "ENTER count equals LEAVE count");
    }
    {
      // Anchor file + global definitions: the location must announce the real event count.
      const CommandResult defs = run_otf2_print("-A --silent -Werror " + shell_quote(anchor), err_path, true);
      expect(defs.exit_code == 0, "otf2-print -A --silent -Werror exit status " + std::to_string(defs.exit_code));
      expect(defs.stderr_text.empty(), "otf2-print -A stderr empty: " + trimmed(defs.stderr_text));
      const std::string needle = "# Events: " + std::to_string(n) + ",";
      expect(defs.stdout_text.find(needle) != std::string::npos, "LOCATION definition shows \"" + needle + "\"");
      std::istringstream lines(defs.stdout_text);
      for (std::string line; std::getline(lines, line);) {
        if (line.rfind("CLOCK_PROPERTIES", 0) == 0 || line.rfind("LOCATION ", 0) == 0) {
          std::printf("    %s\n", line.c_str());
        }
      }
    }
    std::error_code ignored;
    fs::remove(err_path, ignored);

    // ---- profile ----
    std::printf("profile (OTF2 global event reader, Enter/Leave callbacks):\n");
    double best_profile = 1e300;
    rb::Otf2Profile profile;
    for (int run = 0; run < 3; ++run) {
      profile = rb::profile_otf2(dir, w.region_names.size());
      best_profile = std::min(best_profile, profile.seconds);
      std::printf("  run %d: %.3f s (%.2f Mevents/s)\n", run + 1, profile.seconds,
                  static_cast<double>(profile.events) / profile.seconds / 1e6);
    }
    expect(profile.events == n, "profile saw " + std::to_string(profile.events) + " events");
    expect(profile.calls == w.calls, "call counts equal generated counts");
    expect(profile.inclusive == w.inclusive, "inclusive times equal generated times");
    expect(profile.exclusive == w.exclusive, "exclusive times equal generated times");
    std::printf("  %-8s %10s %16s %16s\n", "region", "calls", "inclusive[ns]", "exclusive[ns]");
    for (size_t r = 0; r < w.region_names.size(); ++r) {
      std::printf("  %-8s %10" PRIu64 " %16" PRIu64 " %16" PRIu64 "\n", w.region_names[r].c_str(), profile.calls[r],
                  profile.inclusive[r], profile.exclusive[r]);
    }
    std::printf("  best: %.3f s (%.2f Mevents/s)\n", best_profile, static_cast<double>(n) / best_profile / 1e6);

    // ---- replay ----
    double best_replay = 0;
    for (int run = 0; run < 3; ++run) best_replay = std::max(best_replay, rb::replay_otf2_events_per_second(dir));
    std::printf("replay: best of 3: %.2f Mevents/s (%.3f s for %" PRIu64 " events)\n", best_replay / 1e6,
                static_cast<double>(n) / best_replay, n);

    std::printf("%s (%d failure(s))\n", g_failures == 0 ? "PASS" : "FAIL", g_failures);
    return g_failures == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otf2_baseline_selftest: %s\n", e.what());
    return 1;
  }
}
