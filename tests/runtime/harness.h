// Running test programs under the recorder and summarizing their traces.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

// What a TSan build cannot run (each test says so rather than fail):
//  - a fork()ed child of a multithreaded process that starts threads: Rondo's
//    child starts its own writer and flusher, which libtsan refuses
//    (die_after_fork; with die_after_fork=0 it then fails on the parent's
//    thread ids: "dup thread with used id");
//  - a program whose main calls pthread_exit(): libtsan starts a thread of its
//    own with the first pthread_create() (it sleeps in a loop with every signal
//    blocked), so the process never ends, traced or not.
#ifdef __SANITIZE_THREAD__
#define SKIP_UNDER_TSAN(why) GTEST_SKIP() << "not under TSan: " << (why)
#else
#define SKIP_UNDER_TSAN(why) (void)0
#endif
#define TSAN_FORK_LIMIT "libtsan refuses threads started in the fork()ed child of a multithreaded process"
#define TSAN_PTHREAD_EXIT_LIMIT "libtsan's own background thread keeps the process alive after main's pthread_exit"
// And neither sanitized build can run the memory module: the sanitizer's
// runtime, preloaded first, binds malloc and friends, so the module's wrappers
// are never called. Put ahead of it, the module's instrumented wrapper is
// entered during the sanitizer's own start-up (ld.so's dlsym error path calls
// malloc) before its shadow memory or thread state exists: SIGSEGV.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SKIP_UNDER_SANITIZER(why) GTEST_SKIP() << "not under a sanitizer: " << (why)
#else
#define SKIP_UNDER_SANITIZER(why) (void)0
#endif
#define SANITIZER_MALLOC_LIMIT "the sanitizer's runtime, preloaded first, binds malloc ahead of the memory module"

namespace rondo::runtime_test {

// Paths baked in by CMake.
inline const char* api_program() { return RONDO_TEST_API_PROGRAM; }
inline const char* instrumented_program() { return RONDO_TEST_INSTRUMENTED_PROGRAM; }
inline const char* compiler_preload() { return RONDO_TEST_COMPILER_PRELOAD; }
inline const char* lifecycle_program() { return RONDO_TEST_LIFECYCLE_PROGRAM; }
inline const char* io_preload() { return RONDO_TEST_IO_PRELOAD; }
inline const char* pthread_preload() { return RONDO_TEST_PTHREAD_PRELOAD; }
inline const char* memory_preload() { return RONDO_TEST_MEMORY_PRELOAD; }

// A fresh empty directory, removed with everything in it by the destructor
// (kept when RONDO_TEST_KEEP is set, to look at a failing trace).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Names of the entries in the directory, sorted.
  std::vector<std::string> entries() const;

 private:
  std::string path_;
};

// What to run and how. Built in one expression:
//   run(Launch(api_program(), {"basic"}).traced(dir).with_env("RONDO_BATCH_EVENTS", "64"))
struct Launch {
  Launch(std::string program_path, std::vector<std::string> arguments)
      : program(std::move(program_path)), args(std::move(arguments)) {}
  Launch& traced(const std::string& dir) { trace_dir = dir; return *this; }
  Launch& preloaded() { preload = true; return *this; }
  // Preloads a further library (after librondo-compiler.so when preloaded()).
  Launch& preloading(const std::string& library) {
    extra_preload.push_back(library);
    return *this;
  }
  // An empty value leaves the variable unset.
  Launch& with_env(const std::string& name, const std::string& value) {
    if (!value.empty()) env[name] = value;
    return *this;
  }
  Launch& in_dir(const std::string& dir) { cwd = dir; return *this; }
  Launch& timeout(int seconds) { timeout_s = seconds; return *this; }
  // Sends `sig` to the program `ms` milliseconds after it started.
  Launch& signal_after(int sig, int ms) {
    send_signal = sig;
    signal_after_ms = ms;
    return *this;
  }
  // The same, but only once `ready()` (polled every 5 ms) returns true.
  Launch& signal_when(int sig, std::function<bool()> ready) {
    send_signal = sig;
    signal_ready = std::move(ready);
    return *this;
  }
  // Runs the program in a session (and process group) of its own; signals go
  // to the whole group, as a terminal's Ctrl-C does.
  Launch& in_own_session() {
    own_session = true;
    return *this;
  }

  std::string program;
  std::vector<std::string> args;
  std::string trace_dir;                   // RONDO_TRACE_DIR; empty: left unset
  bool preload = false;                    // LD_PRELOAD=librondo-compiler.so
  std::vector<std::string> extra_preload;  // further LD_PRELOAD libraries
  std::map<std::string, std::string> env;  // further variables (RONDO_FILTER, ...)
  std::string cwd;                         // working directory; empty: the test's
  int timeout_s = 120;                     // then the program is killed (SIGKILL)
  int send_signal = 0;                     // 0: none
  int signal_after_ms = 0;
  std::function<bool()> signal_ready;      // empty: no condition
  bool own_session = false;
};

struct Outcome {
  pid_t pid = 0;
  int status = 0;  // as waitpid() reports it
  bool timed_out = false;
  double seconds = 0;    // from the start to the end of the program
  std::string out, err;  // what the program wrote on stdout and stderr

  bool exited() const;
  int exit_code() const;  // -1 unless exited()
  bool signaled() const;
  int signal() const;     // 0 unless signaled()
  std::string describe() const;  // "exited with 3", "killed by signal 11 (Segmentation fault)", ...
};

// Runs a program to its end. The environment is the test's, minus every RONDO_*
// variable and LD_PRELOAD, plus what `launch` asks for. Every signal starts with
// its default action and unblocked (whatever the test runner inherited), and core
// dumps are off.
Outcome run(const Launch& launch);

// What one thread of a trace holds, from both its summary and a full replay.
struct ThreadCounts {
  uint32_t index = 0;
  uint64_t os_tid = 0;
  uint64_t event_count = 0;  // ThreadTrace::event_count()
  uint64_t replayed = 0;     // events EventCursor delivered
  bool truncated = false;
  bool has_summary = false;
  uint64_t summary_events = 0;
  uint32_t open_regions = 0;
  std::map<std::string, uint64_t> calls;   // completed calls per region (summary)
  std::map<std::string, uint64_t> enters;  // Enter events per region (replay)
  std::map<std::string, uint64_t> leaves;  // Leave events per region (replay)
  std::vector<std::string> markers;        // marker texts, in order (replay)
  uint32_t max_depth = 0;                  // deepest nesting of calls (replay)
  uint64_t io_bytes = 0;                   // bytes transferred by I/O operations (replay)
  uint64_t loops = 0;                      // loop definitions of the grammar
  uint64_t top_level = 0;                  // top-level tokens of the grammar

  uint64_t count(const std::string& region) const;  // calls.at(region), 0 when absent
  uint64_t entered(const std::string& region) const;
  uint64_t left(const std::string& region) const;
};

struct ProcessCounts {
  std::string path;
  uint32_t pid = 0;
  uint32_t parent_pid = 0;
  bool ended = false;
  bool truncated = false;
  std::vector<std::string> problems;
  std::vector<std::string> regions;  // region names by id
  std::vector<uint64_t> thread_def_tids;  // os_tid of every thread definition
  std::vector<ThreadCounts> threads;

  bool has_region(const std::string& name) const;
  // The only thread that completed at least one call of `region`; fails the test
  // (and returns null) when there is no such thread or more than one.
  const ThreadCounts* thread_with(const std::string& region) const;
};

// Reads every process file of a trace directory (throws format::FormatError).
std::vector<ProcessCounts> read_trace(const std::string& dir);

// Only the file names of `dir` that end in ".rnd".
std::vector<std::string> process_files(const std::string& dir);

}  // namespace rondo::runtime_test
