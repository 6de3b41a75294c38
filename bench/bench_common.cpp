#include "bench_common.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "rondo/format/reader.h"
#include "rondo/rondo.h"

extern char** environ;

namespace rondo::bench {

namespace fs = std::filesystem;

namespace {

// Trivial busy work the compiler cannot remove: about one cycle per step.
inline void spin(uint32_t steps) {
  for (uint32_t i = 0; i < steps; ++i) asm volatile("" ::: "memory");
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

}  // namespace

uint64_t run_loop_workload(uint64_t iterations) {
  const rondo_region_t main_region = rondo_region("main");
  const rondo_region_t step = rondo_region("step");
  const rondo_region_t prepare = rondo_region("prepare");
  const rondo_region_t kernel = rondo_region("kernel");
  const rondo_region_t exchange = rondo_region("exchange");
  const rondo_region_t reduce = rondo_region("reduce");
  const rondo_region_t update = rondo_region("update");
  const rondo_region_t check = rondo_region("check");
  uint64_t calls = 0;
  auto call = [&calls](rondo_region_t region, uint32_t work) {
    rondo_enter(region);
    spin(work);
    rondo_leave(region);
    ++calls;
  };
  Rng rng{0x2545F4914F6CDD1Dull};
  rondo_enter(main_region);
  for (uint64_t it = 0; it < iterations; ++it) {
    rondo_enter(step);
    call(prepare, 20);
    const uint32_t trip = 2 + rng.below(5);  // varying inner trip count: 2..6
    for (uint32_t k = 0; k < trip; ++k) call(kernel, 40);
    call(exchange, 10);
    call(reduce, 30);
    for (int j = 0; j < 2; ++j) call(update, 15);
    call(check, 5);
    rondo_leave(step);
    ++calls;
  }
  rondo_leave(main_region);
  ++calls;
  return 2 * calls;
}

uint64_t run_irregular_workload(uint64_t calls, uint64_t seed) {
  constexpr uint32_t kRegions = 256;
  constexpr uint32_t kMaxDepth = 12;
  std::vector<rondo_region_t> regions;
  regions.reserve(kRegions);
  for (uint32_t r = 0; r < kRegions; ++r) {
    char name[32];
    std::snprintf(name, sizeof name, "irregular_%03u", r);
    regions.push_back(rondo_region(name));
  }
  Rng rng{seed | 1};
  rondo_region_t stack[kMaxDepth];
  uint32_t depth = 0;
  uint64_t entered = 0, events = 0;
  while (entered < calls || depth > 0) {
    const bool may_enter = entered < calls && depth < kMaxDepth;
    if (may_enter && (depth == 0 || rng.below(2) == 0)) {
      const rondo_region_t region = regions[rng.below(kRegions)];
      rondo_enter(region);
      stack[depth++] = region;
      ++entered;
    } else {
      rondo_leave(stack[--depth]);
    }
    ++events;
    spin(rng.below(200));  // random duration until the next event
  }
  return events;
}

int run_child_if_requested(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--record-child") != 0) return -1;
  if (argc != 5) {
    std::fprintf(stderr, "usage: %s --record-child <loop|irregular> <n> <result-file>\n", argv[0]);
    return 2;
  }
  if (!rondo_is_recording()) {
    std::fprintf(stderr, "record child: the runtime is not recording (RONDO_TRACE_DIR unset or start-up failed)\n");
    return 3;
  }
  const std::string workload = argv[2];
  const uint64_t n = std::strtoull(argv[3], nullptr, 10);
  const auto start = Clock::now();
  uint64_t events = 0;
  if (workload == "loop") {
    events = run_loop_workload(n);
  } else if (workload == "irregular") {
    events = run_irregular_workload(n, 0x9E3779B97F4A7C15ull);
  } else {
    std::fprintf(stderr, "record child: unknown workload %s\n", workload.c_str());
    return 2;
  }
  const double seconds = seconds_since(start);
  std::ofstream out(argv[4]);
  out << events << ' ' << seconds << '\n';
  return out ? 0 : 4;  // the runtime writes the rest of the trace at exit
}

RecordResult record_workload(const std::string& trace_dir, const std::string& workload, uint64_t n) {
  const std::string result_file = trace_dir + ".result";
  std::string env_entry = "RONDO_TRACE_DIR=" + trace_dir;
  std::vector<char*> envp;
  for (char** e = environ; *e != nullptr; ++e)
    if (std::strncmp(*e, "RONDO_TRACE_DIR=", 16) != 0) envp.push_back(*e);
  envp.push_back(env_entry.data());
  envp.push_back(nullptr);
  std::string exe = "/proc/self/exe", flag = "--record-child", count = std::to_string(n);
  std::string workload_arg = workload, result_arg = result_file;
  char* args[] = {exe.data(), flag.data(), workload_arg.data(), count.data(), result_arg.data(), nullptr};

  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = fork();
  if (pid < 0) fail(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    execve(exe.c_str(), args, envp.data());
    std::fprintf(stderr, "execve %s: %s\n", exe.c_str(), std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) fail(std::string("waitpid: ") + std::strerror(errno));
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail("recording child for workload '" + workload + "' failed (status " + std::to_string(status) + ")");
  RecordResult result;
  std::ifstream in(result_file);
  if (!(in >> result.events >> result.seconds)) fail("recording child left no result in " + result_file);
  in.close();
  std::error_code ignored;
  fs::remove(result_file, ignored);
  return result;
}

TraceEvents read_trace_events(const std::string& dir) {
  format::TraceReader trace(dir);
  if (trace.processes().size() != 1)
    fail(dir + ": expected one process file, found " + std::to_string(trace.processes().size()));
  if (trace.truncated()) fail(dir + ": trace is truncated");
  const format::ProcessReader& process = *trace.processes().front();
  if (process.thread_count() != 1)
    fail(dir + ": expected one recorded thread, found " + std::to_string(process.thread_count()));
  const format::ThreadTrace& thread = process.thread(0);

  TraceEvents out;
  for (size_t r = 0; r < process.defs().regions.size(); ++r)
    out.region_names.push_back(process.defs().region_name(static_cast<uint32_t>(r)));
  out.ticks_per_second = static_cast<uint64_t>(process.ticks_per_ns() * 1e9 + 0.5);
  out.event_count = thread.event_count();
  out.events.reserve(out.event_count);
  format::EventCursor cursor(thread);
  format::Event e;
  while (cursor.next(e)) {
    const format::EventKind kind = e.kind();
    if (kind != format::EventKind::Enter && kind != format::EventKind::Leave)
      fail(dir + ": unexpected event kind " + std::to_string(static_cast<int>(kind)));
    out.events.push_back({e.ticks, e.def->key.ref, kind == format::EventKind::Enter});
  }
  if (out.events.size() != out.event_count)
    fail(dir + ": replayed " + std::to_string(out.events.size()) + " events, thread holds " +
         std::to_string(out.event_count));
  return out;
}

std::string make_temp_dir(const std::string& prefix) {
  std::string pattern = (fs::temp_directory_path() / (prefix + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) fail("mkdtemp " + pattern + ": " + std::strerror(errno));
  return pattern;
}

uint64_t directory_bytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir))
    if (entry.is_regular_file()) total += entry.file_size();
  return total;
}

void remove_tree(const std::string& dir) {
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

}  // namespace rondo::bench
