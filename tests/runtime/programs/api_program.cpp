// Test program for tests/runtime: records known numbers of calls through the
// public API (librondo.so), then ends the way its mode asks for. The tests know
// every count below; change one here and the matching expectation there.
//
//   api_program basic                  10 x "outer" (RONDO_SCOPE) around 100 x "inner", 3 markers
//   api_program crash HOW N [MS]       "crash_top" open, N x "work", one marker, a pause of MS
//                                      milliseconds (default none), then HOW:
//                                      segv | bus | fpe | abort | sigterm | sigint
//   api_program exit_thread            exit() from a std::thread while other threads record
//   api_program fork [busy]            calls before fork(), then in parent and child ("busy":
//                                      a second thread records while main forks)
//   api_program threads8               8 concurrent threads, thread i: (i+1)*1000 x "work"
//   api_program threads1000            1000 threads (in waves of 50), 3 x "tiny" each
//   api_program record_forever         records calls until a signal ends it
//   api_program work N                 N x "work", then prints "peak_rss_kb K" (VmHWM)
//   api_program define_forever         defines regions and markers until a signal ends it
//   api_program allocate_forever       mallocs and frees until a signal ends it
//   api_program status N               records a little, returns N
//   api_program longjmp N              "outer" entered in main, then N x (setjmp in main;
//                                      jumper() enters "inner" and longjmps back)
#include <rondo/rondo.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "raise_fault.h"

namespace {

// Records `n` complete calls of region `r`.
void calls(rondo_region_t r, long n) {
  for (long i = 0; i < n; ++i) {
    rondo_enter(r);
    rondo_leave(r);
  }
}

int mode_basic() {
  std::printf("recording=%d\n", rondo_is_recording());
  rondo_region_t inner = rondo_region("inner");
  // The API contract: same name, same handle; handles are never 0.
  if (inner == 0 || rondo_region("inner") != inner) return 20;
  for (int i = 0; i < 10; ++i) {
    RONDO_SCOPE("outer");
    calls(inner, 100);
    if (i % 5 == 0) rondo_marker("checkpoint");
  }
  rondo_marker("done");
  return 0;
}

[[noreturn]] void crash(const char* how) {
  raise_fault(how);
  // A signal sent to the process may be handled on another thread: wait for it.
  for (;;) pause();
}

int mode_crash(const char* how, long n, long pause_ms) {
  rondo_region_t top = rondo_region("crash_top");
  rondo_region_t work = rondo_region("work");
  rondo_enter(top);
  calls(work, n);
  rondo_marker("before crash");
  std::fflush(stdout);
  if (pause_ms > 0) usleep(static_cast<useconds_t>(pause_ms) * 1000);
  crash(how);
}

// exit() on a non-main thread while the main thread and two others record.
int mode_exit_thread() {
  rondo_region_t main_work = rondo_region("main_work");
  rondo_region_t main_spin = rondo_region("main_spin");
  rondo_region_t spinner = rondo_region("spinner_work");
  rondo_region_t exiter_work = rondo_region("exiter_work");
  rondo_region_t exiter_open = rondo_region("exiter_open");
  calls(main_work, 5000);
  static std::atomic<int> spinners_running{0};
  static std::atomic<bool> main_spinning{false};
  for (int i = 0; i < 2; ++i)
    std::thread([spinner] {
      calls(spinner, 100);
      spinners_running.fetch_add(1);
      for (;;) calls(spinner, 1);
    }).detach();
  std::thread([=] {
    calls(exiter_work, 3000);
    while (spinners_running.load() < 2 || !main_spinning.load()) std::this_thread::yield();
    rondo_enter(exiter_open);  // still open when the process ends
    std::exit(0);
  }).detach();
  main_spinning.store(true);
  for (;;) calls(main_spin, 1);
}

int mode_fork(bool busy) {
  rondo_region_t before = rondo_region("before_fork");
  rondo_region_t background = rondo_region("background");
  static std::atomic<bool> stop{false};
  static std::atomic<bool> background_started{false};
  std::thread worker;
  if (busy)
    worker = std::thread([background] {
      calls(background, 1000);
      background_started.store(true);
      while (!stop.load()) calls(background, 1);
    });
  calls(before, 1000);
  while (busy && !background_started.load()) std::this_thread::yield();
  std::fflush(stdout);
  pid_t child = fork();
  if (child < 0) return 11;
  if (child == 0) {
    calls(rondo_region("child_work"), 700);
    std::exit(0);
  }
  calls(rondo_region("parent_work"), 300);
  std::printf("child=%d\n", static_cast<int>(child));
  int status = 0;
  if (waitpid(child, &status, 0) != child) return 12;
  stop.store(true);
  if (worker.joinable()) worker.join();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 13;
}

// A barrier for a fixed number of threads (std::barrier would do; this keeps the
// program free of anything but the basics).
class StartLine {
 public:
  explicit StartLine(int n) : waiting_(n) {}
  void arrive_and_wait() {
    waiting_.fetch_sub(1);
    while (waiting_.load() > 0) std::this_thread::yield();
  }

 private:
  std::atomic<int> waiting_;
};

int mode_threads8() {
  RONDO_SCOPE("main");
  rondo_region_t work = rondo_region("work");
  StartLine start(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i)
    threads.emplace_back([&start, work, i] {
      // One region per thread names the thread in the trace.
      rondo_region_t self = rondo_region(("thread" + std::to_string(i)).c_str());
      start.arrive_and_wait();
      rondo_enter(self);
      calls(work, 1000L * (i + 1));
      rondo_leave(self);
    });
  for (auto& t : threads) t.join();
  return 0;
}

int mode_threads1000() {
  RONDO_SCOPE("main");
  rondo_region_t tiny = rondo_region("tiny");
  for (int wave = 0; wave < 20; ++wave) {
    std::vector<std::thread> threads;
    for (int i = 0; i < 50; ++i) threads.emplace_back([tiny] { calls(tiny, 3); });
    for (auto& t : threads) t.join();
  }
  return 0;
}

// Records calls of "work" without end; the test stops the program with a signal.
int mode_record_forever() {
  rondo_region_t work = rondo_region("work");
  for (;;) calls(work, 1);
}

// Defines new regions and markers without end, recording each once; the test
// stops the program with a signal. Most of the time goes to definitions.
int mode_define_forever() {
  for (unsigned long i = 0;; ++i) {
    std::string name = "region" + std::to_string(i);
    rondo_region_t r = rondo_region(name.c_str());
    calls(r, 1);
    rondo_marker(name.c_str());
  }
}

// Allocates and frees memory without end, recording a call around each; the test
// stops the program with a signal. Most of the time goes to malloc and free.
int mode_allocate_forever() {
  rondo_region_t r = rondo_region("allocate");
  for (unsigned long i = 0;; ++i) {
    rondo_enter(r);
    for (int k = 0; k < 64; ++k) {
      void* volatile p = std::malloc(16 + (i + k) % 4096);
      std::free(p);
    }
    rondo_leave(r);
  }
}

int mode_status(int code) {
  calls(rondo_region("before_return"), 42);
  return code;
}

jmp_buf g_jump;

__attribute__((noinline)) void jumper(rondo_region_t inner) {
  rondo_enter(inner);
  longjmp(g_jump, 1);
}

// The jumps skip "inner" each time; "outer", entered by main itself (the
// function the jumps land in), stays open until main leaves it.
int mode_longjmp(long n) {
  rondo_region_t outer = rondo_region("outer"), inner = rondo_region("inner");
  rondo_enter(outer);
  static long i;  // static: not in a register the jump would restore
  for (i = 0; i < n; ++i)
    if (setjmp(g_jump) == 0) jumper(inner);
  rondo_leave(outer);
  return 0;
}

// N calls, then the process's peak resident memory: what the recorder needs
// for N calls (tests/runtime/test_settings.cpp compares two N).
int mode_work(long n) {
  rondo_region_t work = rondo_region("work");
  for (long i = 0; i < n; ++i) {
    rondo_enter(work);
    rondo_leave(work);
  }
  long peak_kb = -1;
  if (FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, status))
      if (std::strncmp(line, "VmHWM:", 6) == 0) peak_kb = std::strtol(line + 6, nullptr, 10);
    std::fclose(status);
  }
  std::printf("peak_rss_kb %ld\n", peak_kb);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "basic") return mode_basic();
  if (mode == "crash" && argc > 3)
    return mode_crash(argv[2], std::strtol(argv[3], nullptr, 10), argc > 4 ? std::strtol(argv[4], nullptr, 10) : 0);
  if (mode == "exit_thread") return mode_exit_thread();
  if (mode == "fork") return mode_fork(argc > 2 && std::strcmp(argv[2], "busy") == 0);
  if (mode == "threads8") return mode_threads8();
  if (mode == "threads1000") return mode_threads1000();
  if (mode == "record_forever") return mode_record_forever();
  if (mode == "work" && argc > 2) return mode_work(std::strtol(argv[2], nullptr, 10));
  if (mode == "define_forever") return mode_define_forever();
  if (mode == "allocate_forever") return mode_allocate_forever();
  if (mode == "status" && argc > 2) return mode_status(std::atoi(argv[2]));
  if (mode == "longjmp" && argc > 2) return mode_longjmp(std::strtol(argv[2], nullptr, 10));
  std::fprintf(stderr, "api_program: unknown mode\n");
  return 99;
}
