#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "../common/trace_check.h"
#include "rondo/format/reader.h"

extern char** environ;

namespace rondo::runtime_test {

// ---------------------------------------------------------------------------
// TempDir

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "rondo-runtime-XXXXXX").string();
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (!mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp: " + std::string(std::strerror(errno)));
  path_ = buffer.data();
}

TempDir::~TempDir() {
  if (std::getenv("RONDO_TEST_KEEP")) {
    std::fprintf(stderr, "keeping %s\n", path_.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TempDir::entries() const {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(path_)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// ---------------------------------------------------------------------------
// Running programs

bool Outcome::exited() const { return !timed_out && WIFEXITED(status); }
int Outcome::exit_code() const { return exited() ? WEXITSTATUS(status) : -1; }
bool Outcome::signaled() const { return !timed_out && WIFSIGNALED(status); }
int Outcome::signal() const { return signaled() ? WTERMSIG(status) : 0; }

std::string Outcome::describe() const {
  std::string s;
  if (timed_out)
    s = "timed out (killed by the test)";
  else if (exited())
    s = "exited with " + std::to_string(exit_code());
  else if (signaled())
    s = "killed by signal " + std::to_string(signal()) + " (" + strsignal(signal()) + ")";
  else
    s = "status " + std::to_string(status);
  if (!err.empty()) s += "; stderr: " + err;
  return s;
}

namespace {

std::string read_all(FILE* f) {
  std::string text;
  std::rewind(f);
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  return text;
}

bool starts_with(const char* s, const char* prefix) { return std::strncmp(s, prefix, std::strlen(prefix)) == 0; }

}  // namespace

Outcome run(const Launch& launch) {
  // Everything the child needs is prepared here: between fork() and exec() in a
  // multithreaded process only async-signal-safe calls are allowed.
  std::vector<std::string> argv_strings{launch.program};
  argv_strings.insert(argv_strings.end(), launch.args.begin(), launch.args.end());
  std::vector<std::string> env_strings;
  // The launch's own variables replace the test's (ASAN_OPTIONS, ...).
  auto set_by_launch = [&](const char* entry) {
    for (const auto& [name, value] : launch.env)
      if (std::strncmp(entry, name.c_str(), name.size()) == 0 && entry[name.size()] == '=') return true;
    return false;
  };
  for (char** e = environ; *e; ++e)
    if (!starts_with(*e, "RONDO_") && !starts_with(*e, "LD_PRELOAD=") && !set_by_launch(*e)) env_strings.emplace_back(*e);
  if (!launch.trace_dir.empty()) env_strings.push_back("RONDO_TRACE_DIR=" + launch.trace_dir);
  std::string preload = launch.preload ? compiler_preload() : "";
  for (const auto& library : launch.extra_preload) preload += (preload.empty() ? "" : ":") + library;
#ifdef RONDO_SANITIZER_PRELOAD
  // A sanitized build: the sanitizer's runtime must come first, as `rondo record` does it.
  if (!preload.empty()) preload = std::string(RONDO_SANITIZER_PRELOAD) + ":" + preload;
#endif
  if (!preload.empty()) env_strings.push_back("LD_PRELOAD=" + preload);
  for (const auto& [name, value] : launch.env) env_strings.push_back(name + "=" + value);
  std::vector<char*> argv, envp;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  FILE* out = std::tmpfile();
  FILE* err = std::tmpfile();
  if (!out || !err) throw std::runtime_error("tmpfile failed");
  int out_fd = fileno(out), err_fd = fileno(err);
  const char* cwd = launch.cwd.empty() ? nullptr : launch.cwd.c_str();

  Outcome o;
  o.pid = fork();
  if (o.pid < 0) throw std::runtime_error("fork failed");
  if (o.pid == 0) {
    for (int sig = 1; sig < NSIG; ++sig) {
      struct sigaction dfl {};
      dfl.sa_handler = SIG_DFL;
      sigaction(sig, &dfl, nullptr);  // fails harmlessly for SIGKILL, SIGSTOP and reserved ones
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    struct rlimit no_core {0, 0};
    setrlimit(RLIMIT_CORE, &no_core);
    if (launch.own_session) setsid();
    if (cwd && chdir(cwd) != 0) _exit(126);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    execve(argv[0], argv.data(), envp.data());
    _exit(127);
  }

  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::seconds(launch.timeout_s);
  auto signal_at = start + std::chrono::milliseconds(launch.signal_after_ms);
  bool signal_sent = launch.send_signal == 0;
  for (;;) {
    pid_t done = waitpid(o.pid, &o.status, WNOHANG);
    if (done == o.pid) break;
    if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    auto now = std::chrono::steady_clock::now();
    if (!signal_sent && now >= signal_at && (!launch.signal_ready || launch.signal_ready())) {
      kill(launch.own_session ? -o.pid : o.pid, launch.send_signal);
      signal_sent = true;
    }
    if (now > deadline) {
      kill(launch.own_session ? -o.pid : o.pid, SIGKILL);
      waitpid(o.pid, &o.status, 0);
      o.timed_out = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  o.out = read_all(out);
  o.err = read_all(err);
  std::fclose(out);
  std::fclose(err);
  // Every trace recorded satisfies the invariants of `rondo check`.
  if (!launch.trace_dir.empty() && !process_files(launch.trace_dir).empty()) {
    EXPECT_TRUE(rondo::test::trace_valid(launch.trace_dir)) << launch.program << "\n" << o.err;
  }
  return o;
}

// ---------------------------------------------------------------------------
// Reading traces

uint64_t ThreadCounts::count(const std::string& region) const {
  auto it = calls.find(region);
  return it == calls.end() ? 0 : it->second;
}
uint64_t ThreadCounts::entered(const std::string& region) const {
  auto it = enters.find(region);
  return it == enters.end() ? 0 : it->second;
}
uint64_t ThreadCounts::left(const std::string& region) const {
  auto it = leaves.find(region);
  return it == leaves.end() ? 0 : it->second;
}

bool ProcessCounts::has_region(const std::string& name) const {
  return std::find(regions.begin(), regions.end(), name) != regions.end();
}

const ThreadCounts* ProcessCounts::thread_with(const std::string& region) const {
  const ThreadCounts* found = nullptr;
  int matches = 0;
  for (const auto& t : threads)
    if (t.count(region) > 0) {
      found = &t;
      ++matches;
    }
  EXPECT_EQ(matches, 1) << "threads of " << path << " with calls of \"" << region << "\"";
  return matches == 1 ? found : nullptr;
}

std::vector<ProcessCounts> read_trace(const std::string& dir) {
  using namespace rondo::format;
  TraceReader reader(dir);
  std::vector<ProcessCounts> result;
  for (const auto& p : reader.processes()) {
    ProcessCounts pc;
    pc.path = p->path();
    const ProcessDefinitions& defs = p->defs();
    pc.pid = defs.process.pid;
    pc.parent_pid = defs.process.parent_pid;
    pc.ended = p->ended();
    for (uint32_t r = 0; r < defs.regions.size(); ++r) pc.regions.push_back(defs.region_name(r));
    for (const auto& t : defs.threads) pc.thread_def_tids.push_back(t.os_tid);
    for (size_t i = 0; i < p->thread_count(); ++i) {
      const ThreadTrace& t = p->thread(i);
      ThreadCounts tc;
      tc.index = t.index();
      for (const auto& d : defs.threads)
        if (d.index == t.index()) tc.os_tid = d.os_tid;
      tc.event_count = t.event_count();
      tc.truncated = t.truncated();
      tc.has_summary = t.has_summary();
      tc.loops = t.loops().size();
      tc.top_level = t.top_level().size();
      if (t.has_summary()) {
        const ThreadSummary& s = t.summary();
        tc.summary_events = s.events;
        tc.open_regions = s.open_regions;
        for (uint32_t r = 0; r < s.regions.size(); ++r)
          if (s.regions[r].inclusive.count > 0) tc.calls[defs.region_name(r)] = s.regions[r].inclusive.count;
      }
      EventCursor cursor(t);
      Event e;
      uint32_t depth = 0;
      while (cursor.next(e)) {
        ++tc.replayed;
        switch (e.kind()) {
          case EventKind::Enter:
            ++tc.enters[defs.region_name(e.def->key.ref)];
            tc.max_depth = std::max(tc.max_depth, ++depth);
            break;
          case EventKind::Leave:
            ++tc.leaves[defs.region_name(e.def->key.ref)];
            if (depth > 0) --depth;
            break;
          case EventKind::IoOperationComplete:
            if (e.data[0] > 0) tc.io_bytes += static_cast<uint64_t>(e.data[0]);
            break;
          case EventKind::Marker: tc.markers.push_back(defs.string(e.def->key.ref)); break;
          default: break;
        }
      }
      pc.threads.push_back(std::move(tc));
    }
    // Thread problems are only known once every thread was decoded.
    pc.truncated = p->truncated();
    pc.problems = p->problems();
    result.push_back(std::move(pc));
  }
  return result;
}

std::vector<std::string> process_files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    std::string name = e.path().filename().string();
    if (name.size() > 4 && name.compare(name.size() - 4, 4, ".rnd") == 0) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace rondo::runtime_test
