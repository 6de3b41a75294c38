#include "rondo/trace/runtime.h"

#include "rondo/trace/extra_locations.h"
#include "rondo/format/process_end.h"

#include "rondo/format/run_identity.h"
#include "rondo/format/poll_times.h"
#include "rondo/format/time_resolution.h"
#include "high_descriptor.h"
#include "process_file_slot.h"
#include "sibling_wait.h"
#include "thread_fence.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace rondo::trace {

std::atomic<bool> g_recording{false};
bool g_polls_counted = false;
constinit thread_local Recorder* t_recorder = nullptr;
constinit thread_local uintptr_t t_unrecorded_handler_stack = 0;
constinit thread_local InterceptState t_intercept;

namespace {

using namespace rondo::format;

// Threads of the runtime itself (the writer) and threads whose recorder was
// finished never record.
thread_local bool t_no_recording = false;

struct Config {
  std::string dir;
  int level = 3;
  size_t batch_events = 1 << 14;
  bool verbose = false;
  bool monotonic = false;
  uint64_t time_resolution_ns = 0;  // RONDO_TIME_RESOLUTION; 0: lossless timestamps
  bool polls_counted = false;       // RONDO_POLL_TIMES=count
};

// All process-wide state. Allocated once and never freed, so that exit and
// signal handlers can always reach it, whatever the static destruction order.
struct Runtime {
  Config config;

  std::mutex defs_mutex;
  std::unordered_map<std::string, uint32_t> strings;
  std::unordered_map<std::string, uint32_t> regions;
  // Atomic: reserve_region() takes ids without the lock (in signal handlers).
  std::atomic<uint32_t> region_count{0};
  uint32_t communicator_count = 0, group_count = 0, io_handle_count = 0, metric_count = 0;
  std::vector<uint8_t> pending_defs;  // definition records not yet in the file
  std::vector<uint8_t> all_defs;      // every definition record, for a fork()ed child
  uint32_t defs_sequence = 0;
  ProcessDef process;
  ClockDef clock;
  // Ticks per stored timestamp step (FORMAT.md 8.2.2): 1 unless a time
  // resolution was asked for; set again once the tick rate is calibrated.
  std::atomic<uint64_t> time_unit{1};

  std::mutex recorders_mutex;
  std::vector<Recorder*> recorders;
  uint32_t next_thread = 0;

  std::mutex queue_mutex;
  std::condition_variable queue_cv;    // batches queued, or stop requested
  std::condition_variable drained_cv;  // the queue shrank
  std::deque<Batch> queue;
  bool writer_running = false;
  bool writer_stop = false;
  std::thread writer;
  // Definitions the application asked to see in the file now
  // (write_definitions_now): tickets asked for and written.
  uint64_t defs_asked = 0, defs_written = 0;
  std::condition_variable defs_cv;  // defs_written moved

  std::mutex file_mutex;
  ProcessFileSlot file_slot;  // made before main; becomes `file` at the first write
  std::unique_ptr<ProcessFile> file;
  bool file_failed = false;

  std::atomic<bool> crashing{false};
  std::atomic<bool> stopped{false};
  std::atomic<int> writer_in_flight{0};  // batches taken off the queue, not yet written

  // Fatal signals are handled in two halves: the handler (async-signal-safe only)
  // wakes the flusher thread through a pipe and waits on another pipe; the
  // flusher, an ordinary thread, writes everything out.
  int signal_pipe[2] = {-1, -1};
  int done_pipe[2] = {-1, -1};

  // The runtime's own threads, which must not keep a process alive whose
  // application threads have all ended (see application_threads_alive).
  std::atomic<long> writer_tid{0};
  std::atomic<long> flusher_tid{0};
  std::atomic<bool> main_thread_exited{false};  // main called pthread_exit()

  // In a fork()ed child: the calls the forking thread had open at the fork,
  // outermost first. Its first recorder in the child enters them again at the
  // child's start, so that the child's trace holds the enter of every call it
  // leaves (a child returning from main leaves main).
  std::vector<Recorder::OpenCall> open_at_fork;
};

Runtime* g_rt = nullptr;
constexpr size_t kMaxQueuedBatches = 64;  // beyond this the application waits: memory stays bounded
constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGABRT, SIGTERM, SIGINT};
struct sigaction g_old_actions[65];

uint64_t os_tid() { return static_cast<uint64_t>(syscall(SYS_gettid)); }

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string read_command_line() {
  std::string out;
  int fd = ::open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return out;
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  for (ssize_t i = 0; i < n; ++i) out += buf[i] ? buf[i] : ' ';
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string host_name() {
  char h[256] = {};
  gethostname(h, sizeof h - 1);
  return h;
}

// Appends a definition record (caller holds defs_mutex).
template <typename Fn>
void add_definition(Fn&& encode) {
  size_t before = g_rt->pending_defs.size();
  encode(g_rt->pending_defs);
  g_rt->all_defs.insert(g_rt->all_defs.end(), g_rt->pending_defs.begin() + static_cast<long>(before),
                        g_rt->pending_defs.end());
}

uint32_t intern_string_locked(std::string_view s) {
  auto [it, inserted] = g_rt->strings.try_emplace(std::string(s), static_cast<uint32_t>(g_rt->strings.size() + 1));
  if (inserted) add_definition([&](std::vector<uint8_t>& out) { encode::string(out, it->second, s); });
  return it->second;
}

// ---------------------------------------------------------------------------
// The process file and the background writer

std::string process_file_stem() {
  return g_rt->config.dir + "/" + g_rt->process.host + "." + std::to_string(getpid());
}

// Reserves the process file's descriptor (process_file_slot.h). Only while no
// other thread runs: before main, or in a fork()ed child's handler.
void reserve_file_slot() { g_rt->file_slot = reserve_process_file(g_rt->config.dir, process_file_stem()); }

// The process file, named at the first write: a process that records nothing
// (a launcher such as mpirun) leaves no file behind. Its descriptor was made
// before main (process_file_slot.h); only where that failed is it created
// here. Caller holds file_mutex.
ProcessFile* file_locked() {
  if (g_rt->file || g_rt->file_failed) return g_rt->file.get();
  // host.pid.rnd; an exec()ed image keeps the pid of the one before it, whose
  // file must stay: it takes the first of host.pid.2.rnd, host.pid.3.rnd, ...
  ProcessFileSlot& slot = g_rt->file_slot;
  std::string path = name_process_file(slot, process_file_stem());
  if (path.empty()) {
    release_process_file(slot);
    if (!make_directories(g_rt->config.dir)) {
      g_rt->file_failed = true;
      disable("cannot create the trace directory " + g_rt->config.dir + ": " + std::strerror(errno));
      return nullptr;
    }
    slot = create_named_process_file(process_file_stem());
    if (slot.fd < 0) {
      g_rt->file_failed = true;
      disable("cannot create a file in " + g_rt->config.dir + ": " + std::strerror(errno));
      return nullptr;
    }
    path = slot.path;
  }
  int fd = slot.fd;
  slot = ProcessFileSlot{};  // the file owns the descriptor now
  try {
    g_rt->file = std::make_unique<ProcessFile>(
        fd, path,
        g_rt->config.time_resolution_ns || g_rt->config.polls_counted ? kFormatVersion : kLosslessFormatVersion);
  } catch (const std::exception& e) {
    g_rt->file_failed = true;
    disable(e.what());
  }
  return g_rt->file.get();
}

// Locks `m`, or (in crash mode) tries for a bounded time: the lock may be held by
// a thread that was interrupted by the fatal signal and will never release it.
bool lock_for(std::unique_lock<std::mutex>& lock, bool crash) {
  if (!crash) {
    lock.lock();
    return true;
  }
  for (int i = 0; i < 400; ++i) {
    if (lock.try_lock()) return true;
    usleep(500);
  }
  return false;
}

// Blocks the asynchronous fatal signals in the calling (runtime) thread, so that
// a kill -TERM is delivered to an application thread and never interrupts the
// runtime in the middle of writing.
void block_async_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Said once per process (disable() says nothing twice), whichever write fails
// first: the writer thread's, the exit flush's or a signal handler's.
void write_failed(const ProcessFile& file) {
  disable("cannot write " + file.path() + ": " + file.error() +
          " (disk full, or the file size limit of ulimit -f?): the trace is incomplete, it ends with the last "
          "events written before");
}

// Writes pending definitions, then the batch. `try_only`: used from signal
// handlers, where waiting for a lock held by the interrupted code would deadlock.
void write_batch(const Batch* b, bool try_only) {
  std::unique_lock<std::mutex> file_lock(g_rt->file_mutex, std::defer_lock);
  if (!lock_for(file_lock, try_only)) return;
  ProcessFile* file = file_locked();
  if (!file) return;
  std::vector<uint8_t> defs;
  uint32_t sequence = 0;
  {
    std::unique_lock<std::mutex> defs_lock(g_rt->defs_mutex, std::defer_lock);
    if (lock_for(defs_lock, try_only) && !g_rt->pending_defs.empty()) {
      defs.swap(g_rt->pending_defs);
      sequence = g_rt->defs_sequence++;
    }
  }
  bool ok = true;
  if (!defs.empty()) ok = file->append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, sequence, defs, g_rt->config.level));
  if (b)
    for (auto& chunk : encode_batch(*b, g_rt->config.level, g_rt->time_unit.load(std::memory_order_relaxed)))
      ok = file->append(chunk) && ok;
  if (!ok) write_failed(*file);
}

void writer_main() {
  t_no_recording = true;
  g_rt->writer_tid.store(static_cast<long>(os_tid()));
  block_async_signals();
  // The process file is created as soon as the process records (the writer
  // starts with its first thread's recorder), with the definitions known then:
  // a process that then vanishes without flushing leaves a file without an end
  // record, which readers report as truncated, instead of leaving no trace.
  // Written here, not on the application's thread, which must not hold
  // compression state (its release at exit would show as the program's frees).
  write_batch(nullptr, false);
  // Measure the tick rate here, off the application's threads. The end-of-run
  // readings refine it; this estimate serves traces of processes that crash.
  uint64_t tps = calibrate_ticks_per_second(20);
  {
    std::lock_guard<std::mutex> lock(g_rt->defs_mutex);
    g_rt->clock.ticks_per_second = tps;
    g_rt->time_unit.store(time_unit_ticks(g_rt->config.time_resolution_ns, tps));
    add_definition([&](std::vector<uint8_t>& out) { encode::clock(out, g_rt->clock); });
  }
  std::unique_lock<std::mutex> lock(g_rt->queue_mutex);
  for (;;) {
    g_rt->queue_cv.wait(lock, [] {
      return !g_rt->queue.empty() || g_rt->writer_stop || g_rt->defs_asked != g_rt->defs_written;
    });
    if (g_rt->defs_asked != g_rt->defs_written) {
      const uint64_t ticket = g_rt->defs_asked;
      lock.unlock();
      write_batch(nullptr, false);
      lock.lock();
      g_rt->defs_written = ticket;
      g_rt->defs_cv.notify_all();
      continue;
    }
    if (g_rt->queue.empty()) break;
    Batch b = std::move(g_rt->queue.front());
    g_rt->queue.pop_front();
    g_rt->writer_in_flight.fetch_add(1);
    g_rt->drained_cv.notify_all();
    lock.unlock();
    write_batch(&b, false);
    g_rt->writer_in_flight.fetch_sub(1);
    lock.lock();
  }
}

// Caller holds queue_mutex.
void start_writer_locked() {
  if (!g_rt->writer_running && !g_rt->writer_stop) {
    g_rt->writer_running = true;
    g_rt->writer = std::thread(writer_main);
  }
}

void submit(Batch&& b) {
  if (g_rt->crashing.load()) {  // signal handler: write in place, no queue
    write_batch(&b, true);
    return;
  }
  std::unique_lock<std::mutex> lock(g_rt->queue_mutex);
  start_writer_locked();
  if (!g_rt->writer_running) {  // after stop(): write directly
    lock.unlock();
    write_batch(&b, false);
    return;
  }
  g_rt->drained_cv.wait(lock, [] { return g_rt->queue.size() < kMaxQueuedBatches; });
  g_rt->queue.push_back(std::move(b));
  g_rt->queue_cv.notify_one();
}

// ---------------------------------------------------------------------------
// Recorders

// Finishes a thread's recording; it must not be recording concurrently.
void finish(Recorder* r) {
  if (r->finished) return;
  r->settle();  // what handlers recorded since the thread's last event
  r->finished = true;
  r->writer.end_polls(ticks());  // a run of counted polls lasts until now
  r->writer.flush(true);
  if (uint64_t lost = r->deferred.lost())
    inform("thread " + std::to_string(r->index) + ": " + std::to_string(lost) +
               " events recorded in signal handlers were lost (no memory to keep them until the handler returned)",
           true);
}

// Waits (bounded) until another thread has left the recorder.
bool wait_idle(Recorder* r) {
  for (int i = 0; i < 2000; ++i) {
    // A thread that only runs a signal handler (kInHandler) is not inside the recorder.
    if ((r->busy.load(std::memory_order_acquire) & Recorder::kBusy) == 0) return true;
    usleep(50);
  }
  return false;
}

struct ThreadExitFlush {
  ~ThreadExitFlush() {
    Recorder* r = t_recorder;
    t_recorder = nullptr;
    t_no_recording = true;
    if (r && g_rt && !g_rt->crashing.load()) {
      std::lock_guard<std::mutex> lock(g_rt->recorders_mutex);
      finish(r);
      // Only the thread itself may stop its PAPI event set.
      stop_thread_counters(r->counters);
      r->set_counters(nullptr);
    }
  }
};
thread_local ThreadExitFlush t_exit_flush;

// Finishes every thread's recorder. A recorder still busy after a bounded wait
// belongs to a thread stopped inside it (by the fatal signal): its state may be
// half-updated, so it is left out rather than risk a second crash.
void finish_all(bool crash) {
  // The callers cleared g_recording: from here on a thread either is seen busy
  // below or no longer enters its recorder (thread_fence.h).
  fence_recording_threads();
  std::unique_lock<std::mutex> lock(g_rt->recorders_mutex, std::defer_lock);
  bool locked = lock_for(lock, crash);
  for (Recorder* r : g_rt->recorders) {
    if (r->finished || (r == t_recorder && (r->busy.load() & Recorder::kBusy))) continue;
    if (r != t_recorder && !wait_idle(r)) continue;
    finish(r);
  }
  if (uint64_t n = handler_events_left_out())
    inform(std::to_string(n) + " events recorded in signal handlers were left out: their threads had recorded nothing "
               "before (a thread's recorder cannot be created inside a handler, which may have interrupted malloc)",
           true);
  (void)locked;  // without the lock (crash), the list is read as it is: recorders are never freed
}

// `crash`: from the flusher after a signal or _exit(), where locks are taken
// with bounded waits.
void write_end(int signal_number, bool crash) {
  std::unique_lock<std::mutex> lock(g_rt->file_mutex, std::defer_lock);
  if (!lock_for(lock, crash)) return;
  ProcessFile* file = file_locked();
  if (!file) return;
  std::vector<uint8_t> defs;  // what is not written yet, with the clock's end pair
  uint32_t sequence = 0;
  {
    std::unique_lock<std::mutex> defs_lock(g_rt->defs_mutex, std::defer_lock);
    if (lock_for(defs_lock, crash)) {
      g_rt->clock.has_end = true;
      read_clock_pair(g_rt->clock.end_ticks, g_rt->clock.end_ns);
      add_definition([&](std::vector<uint8_t>& out) { encode::clock(out, g_rt->clock); });
      defs.swap(g_rt->pending_defs);
      sequence = g_rt->defs_sequence++;
    }
  }
  bool ok = true;
  for (const auto& chunk : process_end_chunks(defs, sequence, signal_number, g_rt->config.level))
    ok = file->append(chunk) && ok;
  if (!ok) write_failed(*file);
}

// ---------------------------------------------------------------------------
// Signals and fork

// The flusher's half of a fatal signal (or of _exit(), sig 0): an ordinary
// thread, so it may allocate and lock (with bounded waits: the interrupted
// thread may hold any lock).
void flush_after_signal(int sig) {
  g_rt->crashing.store(true);
  run_flush_hooks(true, true);  // while recording: GPU activity buffers, extra locations
  g_recording.store(false);
  finish_all(true);
  // A batch the writer thread already took off the queue: let it land first.
  for (int i = 0; i < 4000 && g_rt->writer_in_flight.load() > 0; ++i) usleep(500);
  std::unique_lock<std::mutex> lock(g_rt->queue_mutex, std::defer_lock);
  if (lock_for(lock, true)) {
    while (!g_rt->queue.empty()) {
      write_batch(&g_rt->queue.front(), true);
      g_rt->queue.pop_front();
    }
    lock.unlock();
  }
  // The file exists once anything was recorded (recorder_slow): a process that
  // recorded nothing leaves none.
  std::unique_lock<std::mutex> file_lock(g_rt->file_mutex, std::defer_lock);
  bool have_file = lock_for(file_lock, true) && g_rt->file != nullptr;
  if (file_lock.owns_lock()) file_lock.unlock();
  if (have_file) write_end(sig, true);
}

// Set once a flush through the flusher was asked for: there is only one.
std::atomic<bool> g_flush_requested{false};

// Waits (at most `ms`) until the flusher has written the trace.
void wait_flushed(int ms) {
  pollfd done{g_rt->done_pipe[0], POLLIN, 0};
  while (poll(&done, 1, ms) < 0 && errno == EINTR) {
  }
}

// Asynchronous signals (sent by kill, Ctrl-C) can arrive anywhere, e.g. inside the
// recorder or inside malloc. Their handler only wakes the flusher and returns, so
// the interrupted thread finishes what it was doing; the flusher re-raises the
// signal when the trace is written. Synchronous ones (a fault, abort()) cannot
// let their thread go on: their handler waits for the flusher instead.
bool is_asynchronous(int sig) { return sig == SIGTERM || sig == SIGINT; }

// Written into the signal pipe (where signal numbers are >= 0) when the main
// thread calls pthread_exit().
constexpr int kMainThreadExited = -1;
// How often the flusher looks for live application threads once main is gone.
constexpr int kLastThreadPollMs = 10;

// Whether a thread of this process other than the runtime's own is still
// running. The main thread, once it has exited while others run, stays listed
// as a zombie ('Z'): it counts as ended. When /proc cannot be read, the answer
// is yes, so the process is never ended early.
bool application_threads_alive(const Runtime* rt) {
  DIR* tasks = opendir("/proc/self/task");
  if (!tasks) return true;
  bool alive = false;
  while (dirent* entry = readdir(tasks)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    long tid = std::strtol(entry->d_name, nullptr, 10);
    if (tid == rt->writer_tid.load() || tid == rt->flusher_tid.load()) continue;
    char stat_path[64], stat[512];
    std::snprintf(stat_path, sizeof stat_path, "/proc/self/task/%ld/stat", tid);
    int fd = ::open(stat_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;  // it ended between the listing and now
    ssize_t n = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (n <= 0) continue;
    stat[n] = 0;
    // "tid (comm) S ...": the state follows the last ')' (comm may hold one).
    const char* paren = std::strrchr(stat, ')');
    char state = paren && paren[1] == ' ' ? paren[2] : 'R';
    if (state != 'Z' && state != 'X') {
      alive = true;
      break;
    }
  }
  closedir(tasks);
  return alive;
}

// The flusher is the last thread after main's pthread_exit() and the ends of
// all other application threads: libc would now call exit(0) on the thread that
// ended last (POSIX: "as if exit(0)"), but the runtime's threads kept it from
// seeing that it was the last. So exit(0) here: the program's atexit handlers
// run once, stdio is flushed and at_exit() ends the trace, exactly as without
// Rondo. The signal mask is the one the program's thread had.
[[noreturn]] void exit_as_last_thread(const sigset_t& application_mask) {
  pthread_sigmask(SIG_SETMASK, &application_mask, nullptr);
  std::exit(0);
}

// Reads the next request from the signal pipe; once the main thread has
// exited, wakes up every kLastThreadPollMs to see whether the process ended.
// Returns false when the pipe is gone.
bool next_request(Runtime* rt, bool watching, const sigset_t& application_mask, int& sig) {
  for (;;) {
    if (watching) {
      pollfd wake{rt->signal_pipe[0], POLLIN, 0};
      int ready = poll(&wake, 1, kLastThreadPollMs);
      if (ready == 0 && !application_threads_alive(rt)) exit_as_last_thread(application_mask);
      if (ready <= 0) continue;
    }
    ssize_t n = read(rt->signal_pipe[0], &sig, sizeof sig);
    if (n < 0 && errno == EINTR) continue;
    return n == sizeof sig;
  }
}

void flusher_main(Runtime* rt) {
  t_no_recording = true;
  rt->flusher_tid.store(static_cast<long>(os_tid()));
  sigset_t all, application_mask;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &application_mask);
  bool watching = false;
  for (;;) {
    int sig = 0;
    if (!next_request(rt, watching && rt == g_rt, application_mask, sig)) return;
    if (sig == kMainThreadExited) {
      watching = true;
      continue;
    }
    if (rt == g_rt) flush_after_signal(sig);
    // Whoever waits (the synchronous signal's handler, _exit(), a second
    // signal that came during the flush) may go on.
    char done = 1;
    while (write(rt->done_pipe[1], &done, 1) < 0 && errno == EINTR) {
    }
    if (is_asynchronous(sig)) {
      // A job being stopped: the other ranks of this host got the signal too,
      // and dying first would make the launcher SIGKILL them mid-flush. Only a
      // rank of an MPI job waits (its launcher's environment tells it before
      // MPI_Init names the rank): a plain process dies of its signal at once.
      bool job_rank = rt->process.rank >= 0 || getenv("OMPI_COMM_WORLD_RANK") || getenv("PMIX_RANK") ||
                      getenv("PMI_RANK");
      if (rt == g_rt && job_rank) wait_for_sibling_ends(rt->config.dir, rt->process.host, 2000);
      // Now deliver it as if Rondo were not there: the previous action (usually
      // termination) runs on an application thread, this one blocks everything.
      sigaction(sig, &g_old_actions[sig], nullptr);
      kill(getpid(), sig);
    }
    return;
  }
}

// Starts the flusher thread of the current runtime (at start-up, and in a forked child).
void start_flusher() {
  if (!high_pipe(g_rt->signal_pipe) || !high_pipe(g_rt->done_pipe)) {
    inform("cannot create the signal pipes; fatal signals will not flush the trace", true);
    return;
  }
  std::thread(flusher_main, g_rt).detach();
}

// The handler's half: only async-signal-safe calls (write, poll, sigaction,
// raise). A synchronous signal waits at most 5 s, so a stuck flush can never keep
// the program alive. A signal that comes while the flush of an earlier one is
// under way (Ctrl-C reaching a rank both from the terminal and from its MPI
// launcher, or the launcher's SIGTERM after the SIGINT it forwarded) waits for
// that flush too (at most 5 s) before it takes effect, so it cannot cut the
// trace short.
void on_fatal_signal(int sig, siginfo_t*, void*) {
  int saved_errno = errno;
  if (g_rt && g_rt->signal_pipe[1] >= 0) {
    if (!g_flush_requested.exchange(true)) {
      g_recording.store(false);
      if (write(g_rt->signal_pipe[1], &sig, sizeof sig) == sizeof sig) {
        if (is_asynchronous(sig)) {
          errno = saved_errno;
          return;  // the flusher re-raises the signal once the trace is written
        }
        wait_flushed(5000);
      }
    } else {
      wait_flushed(5000);
    }
  }
  // Hand the signal to whoever had it before us (usually the default action), so
  // the exit status is what it would have been without Rondo.
  sigaction(sig, &g_old_actions[sig], nullptr);
  errno = saved_errno;
  raise(sig);
}

void install_signal_handlers() {
  for (int sig : kFatalSignals) {
    struct sigaction sa {};
    sa.sa_sigaction = on_fatal_signal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, &g_old_actions[sig]);
    if (g_old_actions[sig].sa_handler == SIG_IGN) sigaction(sig, &g_old_actions[sig], nullptr);  // keep ignored signals ignored
  }
}

void after_fork_in_child() {
  if (!g_rt) return;
  // Only the forking thread exists here. Locks may have been held by threads that
  // are gone: start from fresh state, keeping the definitions (same ids). Until
  // then nothing records: an allocation below (memory module) would otherwise
  // go to the parent's recorder and queue, whose locks nobody here can release.
  Recorder* forking = t_recorder;
  t_recorder = nullptr;  // the forking thread starts a new recorder in the child
  InsideCall inside;
  Runtime* parent = g_rt;
  auto* rt = new Runtime;
  // A recorder the fork interrupted in the middle of an event is left alone.
  if (forking && forking->busy.load(std::memory_order_relaxed) == 0) rt->open_at_fork = forking->open_calls();
  rt->config = parent->config;
  rt->strings = parent->strings;
  rt->regions = parent->regions;
  rt->region_count.store(parent->region_count.load());
  rt->communicator_count = parent->communicator_count;
  rt->group_count = parent->group_count;
  rt->io_handle_count = parent->io_handle_count;
  rt->metric_count = parent->metric_count;
  rt->process = parent->process;
  rt->process.parent_pid = parent->process.pid;
  rt->process.pid = static_cast<uint32_t>(getpid());
  rt->clock = parent->clock;
  rt->clock.has_end = false;
  read_clock_pair(rt->clock.start_ticks, rt->clock.start_ns);
  rt->all_defs = parent->all_defs;
  encode::process(rt->all_defs, rt->process);
  encode::clock(rt->all_defs, rt->clock);
  rt->pending_defs = rt->all_defs;
  g_rt = rt;  // the parent's runtime is abandoned: its threads do not exist here
  g_flush_requested.store(false);
  for (int fd : {parent->signal_pipe[0], parent->signal_pipe[1], parent->done_pipe[0], parent->done_pipe[1]})
    if (fd >= 0) close(fd);  // the parent's flusher must not be woken by the child
  // The parent's reserved descriptor is the parent's (closing our copy leaves it
  // alone, even when it is already named); the child reserves its own.
  if (parent->file_slot.fd >= 0) close(parent->file_slot.fd);
  reserve_file_slot();
  start_flusher();
  t_no_recording = false;
}

// Definitions are copied into a fork()ed child: hold their lock across the fork
// so that no other thread is halfway through adding one.
void before_fork() {
  if (!g_rt) return;
  {
    // The child starts inside the calls open at the fork (open_calls()): a
    // call posted to be written later must be in the writer first.
    RecordGuard g{RecordGuard::OwnCall{}};
    if (g.ok()) g.thread_recorder().settle();
  }
  g_rt->defs_mutex.lock();
}
void after_fork_in_parent() {
  if (g_rt) g_rt->defs_mutex.unlock();
}

void at_exit() { stop(); }

}  // namespace

Recorder::Recorder(uint32_t i)
    : writer(i, [](Batch&& b) { submit(std::move(b)); }, g_rt->config.batch_events), index(i) {
  if (!g_clock_is_tsc) writer.hold(kNoCounterClock);
}

namespace {
std::atomic<uint64_t> g_handler_events_left_out{0};
}  // namespace

uint64_t handler_events_left_out() { return g_handler_events_left_out.load(std::memory_order_relaxed); }

Recorder* recorder_slow() {
  if (!g_recording.load(std::memory_order_relaxed) || t_no_recording || !g_rt) return nullptr;
  if (t_unrecorded_handler_stack != 0) {
    if (stack_position() <= t_unrecorded_handler_stack) {  // inside the handler: no allocation, no lock
      g_handler_events_left_out.fetch_add(1, std::memory_order_relaxed);
      return nullptr;
    }
    t_unrecorded_handler_stack = 0;  // the handler was left by a jump
  }
  t_no_recording = true;  // nothing below records (allocations, thread creation)
  Recorder* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_rt->recorders_mutex);
    uint32_t index = g_rt->next_thread++;
    r = new Recorder(index);
    g_rt->recorders.push_back(r);
    std::lock_guard<std::mutex> defs(g_rt->defs_mutex);
    add_definition([&](std::vector<uint8_t>& out) {
      encode::thread(out, ThreadDef{index, os_tid(), ThreadKind::Cpu, 0, UINT32_MAX});
    });
  }
  (void)&t_exit_flush;  // make sure this thread's exit flushes its recorder
  r->set_counters(start_thread_counters(r->writer));
  // The forking thread of a fork()ed child (the child's main thread) is still
  // inside the calls it had open at the fork: they begin at the child's start.
  // Only that thread touches the list (others of the child may start meanwhile).
  if (os_tid() == static_cast<uint64_t>(getpid()) && !g_rt->open_at_fork.empty()) {
    for (const Recorder::OpenCall& call : g_rt->open_at_fork) r->enter_now(call.region, g_rt->clock.start_ticks, call.stack, 0);
    g_rt->open_at_fork.clear();
  }
  if (r->index == 0) {  // the writer creates the process file at once (writer_main)
    std::lock_guard<std::mutex> lock(g_rt->queue_mutex);
    start_writer_locked();
  }
  t_recorder = r;
  t_no_recording = false;
  return r;
}

Recorder* new_location_recorder(ThreadDef def) {
  if (!g_recording.load() || !g_rt) return nullptr;
  Recorder* r = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_rt->recorders_mutex);
    def.index = g_rt->next_thread++;
    r = new Recorder(def.index);
    g_rt->recorders.push_back(r);
    std::lock_guard<std::mutex> defs(g_rt->defs_mutex);
    add_definition([&](std::vector<uint8_t>& out) { encode::thread(out, def); });
  }
  if (r->index == 0) {
    std::lock_guard<std::mutex> lock(g_rt->queue_mutex);
    start_writer_locked();
  }
  return r;
}

// After before_event() the writer's fast path may take the event (nothing is
// held any more but the counters, which it declines).
void Recorder::enter_general(uint32_t region, uint64_t at, uintptr_t stack, uint32_t site) {
  if (writer.held(kBeforeEvent)) {
    before_event();
    if (site == 0 && writer.try_enter(region, at, stack)) return;
  }
  enter_now(region, at, stack, site);
}

void Recorder::leave_general(uint32_t region, uint64_t at) {
  if (writer.held(kBeforeEvent)) {
    before_event();
    if (writer.try_leave(region, at)) return;
  }
  leave_now(region, at);
}

void Recorder::enter_now(uint32_t region, uint64_t at, uintptr_t stack, uint32_t site) {
  if (site != 0)
    writer.enter_from(region, site, at, stack);
  else
    writer.enter(region, at, stack);
}

void Recorder::leave_now(uint32_t region, uint64_t at) {
  const uint32_t depth = writer.depth();
  if (depth == 0 || writer.open_region(depth) != region) close_above(region, at);
  writer.leave(region, at);
}

void Recorder::close_below(uintptr_t stack, uint64_t at) {
  for (uint32_t d = writer.depth(); d > 0 && writer.open_tag(d) < stack; d = writer.depth())
    writer.leave(writer.open_region(d), at);
}

void Recorder::close_above(uint32_t region, uint64_t at) {
  uint32_t match = writer.depth();
  while (match > 0 && writer.open_region(match) != region) --match;
  if (match == 0) return;  // no such open call: the writer keeps the leave as an event
  while (writer.depth() > match) writer.leave(writer.open_region(writer.depth()), at);
}

std::vector<Recorder::OpenCall> Recorder::open_calls() const {
  std::vector<OpenCall> calls;
  for (uint32_t d = 1; d <= writer.depth(); ++d) calls.push_back({writer.open_region(d), writer.open_tag(d)});
  return calls;
}

void record_enter_unhurried(uint32_t region, uintptr_t stack) { record_enter_from(region, stack); }

void record_leave_unhurried(uint32_t region) { record_leave_guarded(region); }

namespace {
// What ~RecordGuard does.
void release(Recorder& r) {
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r.busy.store(0, std::memory_order_release);
}
}  // namespace

void finish_enter_hook(Recorder& r, ThreadWriter::Fast fast, uint32_t region, uint64_t at, uintptr_t stack) {
  if (r.writer.held(Recorder::kNoCounterClock)) at = ticks();
  if (fast == ThreadWriter::Fast::Full)
    r.writer.make_room();
  else
    r.enter_general(region, at, stack, 0);
  release(r);
}

void finish_leave_hook(Recorder& r, ThreadWriter::Fast fast, uint32_t region, uint64_t at) {
  if (r.writer.held(Recorder::kNoCounterClock)) at = ticks();
  if (fast == ThreadWriter::Fast::Full)
    r.writer.make_room();
  else
    r.leave_general(region, at);
  release(r);
}

void resume_at_stack(uintptr_t stack) {
  InterceptState& s = t_intercept;
  if (s.inside && s.stack < stack) {  // the wrapped call was left by the jump
    s.inside = 0;
    s.call_ticks = 0;
  }
  RecordGuard g;
  if (!g.ok()) {
    if (Recorder* d = handler_recorder()) defer_resume(*d, stack, ticks());
    return;
  }
  Recorder& r = g.thread_recorder();
  r.settle();
  const uint32_t depth = r.writer.depth();
  if (depth > 0 && r.writer.open_tag(depth) < stack) r.close_below(stack, ticks());
}

void record_event(const EventKey& key, const int64_t* data) {
  RecordGuard g;
  if (g.ok())
    g.writer().event(key, ticks(), data);
  else if (Recorder* d = handler_recorder())
    defer_event(*d, key, data, ticks());
}

// ---------------------------------------------------------------------------
// Events recorded inside signal handlers (signal_deferral.h)

void Recorder::before_event() {
  settle();
  if (counters) read_counters(counters, writer.counter_slot());
}

// The posted call was made before anything a handler deferred since (posting
// settles first).
void Recorder::settle_kept() {
  if (writer.held(kPosted)) write_posted();
  if (writer.held(kDeferred)) replay_deferred();
}

void Recorder::write_posted() {
  writer.release(kPosted);
  const uint32_t n = posted_count_;
  posted_count_ = 0;
  // As enter() and leave() do, without before_event(): a handler's deferred
  // events (settle_kept() writes them next) are newer than these.
  for (uint32_t i = 0; i < n; ++i) {
    const PostedCall& p = posted_[i];
    if (p.enter) {
      if (p.site != 0 || !writer.try_enter(p.region, p.at, p.stack)) enter_now(p.region, p.at, p.stack, p.site);
      if (p.record) writer.event(p.key, p.at, p.data);
    } else {
      if (p.record) writer.event(p.key, p.at, p.data);
      if (!writer.try_leave(p.region, p.at)) leave_now(p.region, p.at);
    }
  }
}

// In order, as the handler recorded them; the counters' slots repeat the last
// reading (a handler's events have none of their own).
void Recorder::replay_deferred() {
  writer.release(kDeferred);
  deferred.drain([this](const DeferredEvent& e) {
    switch (e.kind) {
      case DeferredEvent::Kind::Enter: enter_now(e.region, e.at, e.stack, e.site); break;
      case DeferredEvent::Kind::Leave: leave_now(e.region, e.at); break;
      case DeferredEvent::Kind::Event: writer.event(e.key, e.at, e.has_data ? e.data : nullptr); break;
      case DeferredEvent::Kind::Poll: writer.poll(e.region, e.at, e.until); break;
      case DeferredEvent::Kind::Resume:
        close_below(e.stack, e.at);
        break;
    }
  });
}

bool RecordGuard::left_handler(Recorder* r) {
  if (r->busy.load(std::memory_order_relaxed) != Recorder::kInHandler || stack_position() <= r->handler_stack)
    return false;
  r->busy.store(Recorder::kBusy, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  return true;
}

namespace {
// Busy meanwhile: a handler that interrupts this one must not append halfway.
void defer(Recorder& r, const DeferredEvent& e) {
  r.busy.store(Recorder::kInHandler | Recorder::kBusy, std::memory_order_relaxed);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (r.deferred.push(e)) r.writer.hold(Recorder::kDeferred);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  r.busy.store(Recorder::kInHandler, std::memory_order_relaxed);
}
}  // namespace

using Deferred = DeferredEvent::Kind;

void defer_enter(Recorder& r, uint32_t region, uint64_t at, uintptr_t stack, uint32_t site) {
  defer(r, {.kind = Deferred::Enter, .region = region, .site = site, .at = at, .stack = stack});
}

void defer_leave(Recorder& r, uint32_t region, uint64_t at) {
  defer(r, {.kind = Deferred::Leave, .region = region, .at = at});
}

void defer_event(Recorder& r, const EventKey& key, const int64_t* data, uint64_t at) {
  DeferredEvent e{.kind = Deferred::Event, .has_data = data != nullptr, .at = at, .key = key};
  const uint8_t width = data ? format::kind_shape(key.kind).data : 0;  // what the caller's array holds
  for (uint8_t k = 0; k < width && k < format::kMaxData; ++k) e.data[k] = data[k];
  defer(r, e);
}

void defer_poll(Recorder& r, uint32_t region, uint64_t entry, uint64_t exit) {
  defer(r, {.kind = Deferred::Poll, .region = region, .at = entry, .until = exit});
}

void defer_resume(Recorder& r, uintptr_t stack, uint64_t at) {
  defer(r, {.kind = Deferred::Resume, .at = at, .stack = stack});
}

namespace {

// Holds the definitions' lock for a caller outside the recorder (an interceptor
// defining a region, a communicator, a call site). Nothing this thread does
// meanwhile is recorded: with the memory module the allocations made under the
// lock reach the malloc wrapper, whose first event on a thread creates the
// thread's recorder, which takes this same lock (Open MPI's MPI_Init hung so).
// Recording them would also give the application events that are Rondo's own.
class DefinitionsLock {
 public:
  explicit DefinitionsLock(Runtime& rt) : lock_(rt.defs_mutex) {}

 private:
  InsideCall inside_;  // first: taken before the lock, left after it
  std::lock_guard<std::mutex> lock_;
};

}  // namespace

uint32_t define_string(std::string_view s) {
  if (!g_rt) return 0;
  DefinitionsLock lock(*g_rt);
  return intern_string_locked(s);
}

uint32_t define_region(std::string_view name, RegionRole role, std::string_view file, uint32_t line) {
  if (!g_rt) return 0;
  DefinitionsLock lock(*g_rt);
  auto [it, inserted] = g_rt->regions.try_emplace(std::string(name), 0);
  if (inserted) {
    it->second = g_rt->region_count.fetch_add(1);
    RegionDef def{intern_string_locked(name), file.empty() ? 0 : intern_string_locked(file), line, role};
    add_definition([&](std::vector<uint8_t>& out) { encode::region(out, it->second, def); });
  }
  return it->second;
}

uint32_t reserve_region() { return g_rt ? g_rt->region_count.fetch_add(1) : 0; }

void define_reserved_region(uint32_t id, std::string_view name, RegionRole role, std::string_view file,
                            uint32_t line) {
  if (!g_rt) return;
  DefinitionsLock lock(*g_rt);
  g_rt->regions.try_emplace(std::string(name), id);  // a later define_region of the name finds it
  RegionDef def{intern_string_locked(name), file.empty() ? 0 : intern_string_locked(file), line, role};
  add_definition([&](std::vector<uint8_t>& out) { encode::region(out, id, def); });
}

uint32_t define_communicator(std::string_view name, const std::vector<int32_t>& world_ranks, uint32_t parent,
                             uint32_t instance, const std::vector<int32_t>* remote_world_ranks) {
  if (!g_rt) return 0;
  DefinitionsLock lock(*g_rt);
  uint32_t id = g_rt->communicator_count++;
  CommunicatorDef def;
  def.name = intern_string_locked(name);
  def.parent = parent;
  def.instance = instance;
  def.group = g_rt->group_count++;
  add_definition([&](std::vector<uint8_t>& out) { encode::group(out, def.group, GroupDef{world_ranks}); });
  if (remote_world_ranks) {
    def.remote_group = g_rt->group_count++;
    add_definition([&](std::vector<uint8_t>& out) { encode::group(out, def.remote_group, GroupDef{*remote_world_ranks}); });
  }
  add_definition([&](std::vector<uint8_t>& out) { encode::communicator(out, id, def); });
  return id;
}

uint32_t define_io_handle(std::string_view path, uint32_t paradigm) {
  if (!g_rt) return 0;
  DefinitionsLock lock(*g_rt);
  uint32_t id = g_rt->io_handle_count++;
  IoHandleDef def{intern_string_locked(path), paradigm};
  add_definition([&](std::vector<uint8_t>& out) { encode::io_handle(out, id, def); });
  return id;
}

uint32_t define_metric(std::string_view name, std::string_view unit, uint8_t mode) {
  if (!g_rt) return 0;
  DefinitionsLock lock(*g_rt);
  uint32_t id = g_rt->metric_count++;
  MetricDef def{intern_string_locked(name), intern_string_locked(unit), mode};
  add_definition([&](std::vector<uint8_t>& out) { encode::metric(out, id, def); });
  return id;
}

void define_call_site(uint32_t id, const format::CallSiteDef& def) {
  if (!g_rt) return;
  DefinitionsLock lock(*g_rt);
  add_definition([&](std::vector<uint8_t>& out) { encode::call_site(out, id, def); });
}

// Has the writer thread write the pending definitions now, and waits until it
// has (at most 2 s). Through the writer, which holds the compression state the
// application's threads must not (writer_main). Without a writer (none started
// yet, or stopped) there is nothing to wait for: its first write, or the end of
// the file, carries them.
void write_definitions_now() {
  std::unique_lock<std::mutex> lock(g_rt->queue_mutex);
  if (!g_rt->writer_running || g_rt->writer_stop) return;
  const uint64_t ticket = ++g_rt->defs_asked;
  g_rt->queue_cv.notify_all();
  g_rt->defs_cv.wait_for(lock, std::chrono::seconds(2), [&] { return g_rt->defs_written >= ticket; });
}

void update_process(const std::function<void(ProcessDef&)>& change) {
  if (!g_rt) return;
  {
    DefinitionsLock lock(*g_rt);
    change(g_rt->process);
    add_definition([&](std::vector<uint8_t>& out) { encode::process(out, g_rt->process); });
  }
  // What names the process (its MPI rank, once MPI_Init knows it) is in the
  // file before the call returns: a process killed (SIGKILL) before its first
  // batch would otherwise leave a file no reader can place, which the
  // analysis would count as another process than the rank it was.
  write_definitions_now();
}

void inform(const std::string& message, bool warning) {
  if (warning || (g_rt && g_rt->config.verbose)) std::fprintf(stderr, "rondo: %s\n", message.c_str());
}

void disable(const std::string& why) {
  g_recording.store(false);
  // Reported once, even when the problem shows only while the trace is being
  // written at exit (when recording has already stopped).
  static std::atomic<bool> reported{false};
  if (!reported.exchange(true)) std::fprintf(stderr, "rondo: %s; tracing disabled, the program continues\n", why.c_str());
}

bool start() {
  static std::once_flag once;
  std::call_once(once, [] {
    std::string dir = env("RONDO_TRACE_DIR");
    if (dir.empty()) return;
    auto* rt = new Runtime;
    rt->config.dir = dir;
    if (auto level = env("RONDO_COMPRESSION"); !level.empty()) rt->config.level = std::atoi(level.c_str());
    if (auto n = env("RONDO_BATCH_EVENTS"); !n.empty())
      rt->config.batch_events = std::max<size_t>(64, std::strtoull(n.c_str(), nullptr, 10));
    rt->config.verbose = !env("RONDO_VERBOSE").empty() && env("RONDO_VERBOSE") != "0";
    rt->config.monotonic = env("RONDO_CLOCK") == "monotonic";
    rt->clock.source = static_cast<uint8_t>(select_clock(rt->config.monotonic));
    rt->clock.ticks_per_second = 1000000000ull;  // refined by the writer thread and at the end
    if (auto res = env(kTimeResolutionVariable); !res.empty()) {
      if (auto ns = parse_time_resolution(res)) rt->config.time_resolution_ns = *ns;
      else inform(std::string(kTimeResolutionVariable) + "=" + res + " is not a duration such as 100ns; timestamps stay lossless", true);
    }
    rt->time_unit.store(time_unit_ticks(rt->config.time_resolution_ns, rt->clock.ticks_per_second));
    if (auto polls = env(kPollTimesVariable); !polls.empty()) {
      if (auto counted = parse_poll_times(polls)) rt->config.polls_counted = *counted;
      else inform(std::string(kPollTimesVariable) + "=" + polls + " is neither exact nor count; polls stay timed", true);
    }
    g_polls_counted = rt->config.polls_counted;
    read_clock_pair(rt->clock.start_ticks, rt->clock.start_ns);
    timespec real;
    clock_gettime(CLOCK_REALTIME, &real);
    rt->clock.start_realtime_ns = static_cast<uint64_t>(real.tv_sec) * 1000000000ull + static_cast<uint64_t>(real.tv_nsec);
    rt->process.pid = static_cast<uint32_t>(getpid());
    rt->process.parent_pid = static_cast<uint32_t>(getppid());
    rt->process.host = host_name();
    rt->process.command = read_command_line();
    // One run, one id (FORMAT.md 6.1): processes this one starts inherit it.
    rt->process.run_id = current_run_id();
    setenv(kRunIdVariable, rt->process.run_id.c_str(), 0);
    g_rt = rt;
    init_call_sites();
    {
      std::lock_guard<std::mutex> lock(rt->defs_mutex);
      add_definition([&](std::vector<uint8_t>& out) {
        encode::process(out, rt->process);
        encode::clock(out, rt->clock);
      });
    }
    // Before recording starts: PAPI opens files of its own, which the I/O
    // module must not record.
    start_counters(env("RONDO_COUNTERS"));
    // Before the runtime's first thread: it must not open descriptors while
    // the program runs (process_file_slot.h).
    reserve_file_slot();
    open_lazy_libc_files_now();
    start_flusher();
    install_signal_handlers();
    pthread_atfork(before_fork, after_fork_in_parent, after_fork_in_child);
    std::atexit(at_exit);
    g_recording.store(true);
    inform("recording into " + dir + (g_clock_is_tsc ? " (TSC clock)" : " (CLOCK_MONOTONIC)"), false);
  });
  return g_rt != nullptr;
}

void stop_now() {
  if (!own_process() || g_rt->stopped.load() || g_rt->crashing.load() || g_rt->signal_pipe[1] < 0) return;
  if (g_flush_requested.exchange(true)) {
    wait_flushed(5000);  // a signal's flush is under way
    return;
  }
  g_recording.store(false);
  int end_of_process = 0;
  int saved_errno = errno;
  if (write(g_rt->signal_pipe[1], &end_of_process, sizeof end_of_process) == sizeof end_of_process) wait_flushed(5000);
  errno = saved_errno;
}

void main_thread_exits() {
  if (!own_process() || g_rt->signal_pipe[1] < 0 || os_tid() != static_cast<uint64_t>(getpid())) return;
  if (g_rt->main_thread_exited.exchange(true)) return;  // each module's wrapper calls this
  int note = kMainThreadExited;
  int saved_errno = errno;
  while (write(g_rt->signal_pipe[1], &note, sizeof note) < 0 && errno == EINTR) {
  }
  errno = saved_errno;
}

bool own_process() { return g_rt && g_rt->process.pid == static_cast<uint32_t>(getpid()); }

bool stop_for_exec() {
  if (!own_process() || g_rt->stopped.load() || g_rt->crashing.load()) return false;
  stop();
  return true;
}

void exec_failed(bool stopped) {
  if (!stopped || !g_rt || g_rt->crashing.load()) return;
  // Go on where stop() left off: the threads' final batches were written, so
  // their next batches continue the same chunk sequences, and the summaries and
  // end record written at the real end supersede these (FORMAT.md 8.3, 9).
  {
    std::lock_guard<std::mutex> lock(g_rt->recorders_mutex);
    for (Recorder* r : g_rt->recorders) r->finished = false;
  }
  {
    std::lock_guard<std::mutex> lock(g_rt->defs_mutex);
    g_rt->clock.has_end = false;
  }
  {
    std::lock_guard<std::mutex> lock(g_rt->queue_mutex);
    g_rt->writer_stop = false;
    g_rt->writer_running = false;
  }
  g_rt->stopped.store(false);
  g_recording.store(true);
}

void stop() {
  if (!g_rt || g_rt->stopped.exchange(true) || g_rt->crashing.load()) return;
  resolve_call_sites();
  run_flush_hooks(false, true);  // while recording: GPU activity buffers, extra locations
  bool was_recording = g_recording.exchange(false);
  (void)was_recording;
  finish_all(false);
  {
    std::unique_lock<std::mutex> lock(g_rt->queue_mutex);
    g_rt->writer_stop = true;
    g_rt->queue_cv.notify_all();
  }
  if (g_rt->writer.joinable()) g_rt->writer.join();
  {
    std::lock_guard<std::mutex> lock(g_rt->queue_mutex);
    g_rt->writer_running = false;
  }
  bool have_file;
  {
    std::lock_guard<std::mutex> lock(g_rt->file_mutex);
    have_file = g_rt->file != nullptr;
    release_process_file(g_rt->file_slot);  // nothing was recorded, or it is in `file`
  }
  if (have_file) write_end(0, false);
}

}  // namespace rondo::trace
