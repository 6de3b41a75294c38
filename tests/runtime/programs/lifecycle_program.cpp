// Test program for tests/runtime: a process image ends, or a thread's stack is
// unwound, in ways the runtime must see (exec, _exit after fork, longjmp,
// exceptions through C code, death with calls open). Compiled with
// -finstrument-functions and run with librondo-compiler.so (and, for the I/O
// modes, librondo-io.so) preloaded. It makes no other I/O than what the modes
// below say, so every count is known to the tests.
//
//   lifecycle_program exec FILE        writes 1000 + 234 B to FILE, then execl()s itself
//                                      as "exec_b FILE", which appends 567 B
//   lifecycle_program exec_fail FILE   writes 100 B, execl("/nonexistent/x") fails,
//                                      writes 50 B, returns 0
//   lifecycle_program redirect FILE    opens FILE, then redirects as a shell does for a builtin:
//                                      moves stdout to fd 10+, closes fd 1, makes 200 x 1-B
//                                      writes to FILE (events enough for the runtime to write
//                                      its first batches meanwhile), waits 100 ms, dup2()s FILE
//                                      onto fd 1, writes "abc" there, puts stdout back and
//                                      writes "done\n" to it
//   lifecycle_program fork_closefrom FILE  fork(); the child closes every descriptor from 3
//                                      up (as subprocess modules do before exec), writes 202 B
//                                      to FILE and returns from main; the parent waits, writes
//                                      10 B, returns
//   lifecycle_program fork_exit FILE   fork(); the child writes 202 B to FILE and ends with
//                                      _exit(0); the parent waits, writes 10 B, returns
//   lifecycle_program longjmp N        N x (setjmp in main; a() -> b() -> longjmp to main),
//                                      jump buffer global
//   lifecycle_program longjmp_local N  the same, jump buffer local to jump_loop()
//   lifecycle_program siglongjmp N     the same with sigsetjmp/siglongjmp
//   lifecycle_program signal_jump N    N x (a() -> b() -> raise(SIGUSR1); the handler
//                                      siglongjmps back to main)
//   lifecycle_program read_jump N      N x (reading_a() -> read() of an empty pipe, which a
//                                      SIGUSR1 interrupts; its handler siglongjmps to main),
//                                      then one write() of 10 B to the pipe (run with io too)
//   lifecycle_program exception N      N x (try { c_middle() [C, no unwind cleanups] ->
//                                      throwing_callback -> thrower() throws } catch in main)
//   lifecycle_program malloc_open FILE 3 x malloc, open + close FILE, fopen + fclose FILE,
//                                      3 x free (run with the memory and io modules)
//   lifecycle_program hang N           main -> outer() -> N x leaf(), then sleeps (to be killed)
//   lifecycle_program abort N          main -> outer() -> N x leaf(), then abort()
//   lifecycle_program pthread_exit N   registers an atexit handler (prints "atexit"),
//                                      prints "main", starts N threads and calls
//                                      pthread_exit(); thread i waits (thread 0 sleeps
//                                      50 ms, thread i > 0 joins thread i-1), calls
//                                      3 x leaf() and prints "thread i"
//
// Function names as the trace shows them: main, a(), b(), raising_a(),
// raising_b(), on_signal, jump_loop(int), c_middle, throwing_callback,
// thrower(), outer(long, bool), leaf(int), reading_a(int), late_worker(void*).
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" void c_middle(void (*callback)(void));  // lifecycle_c_part.c

namespace {

volatile long g_sink;
jmp_buf g_jump;
sigjmp_buf g_sigjump;
bool g_use_sig = false;
jmp_buf* g_target = &g_jump;

// Writes `n` bytes to `path` (appending) in one write().
bool write_bytes(const char* path, size_t n) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return false;
  static char buffer[4096];
  bool ok = write(fd, buffer, n) == static_cast<ssize_t>(n);
  close(fd);
  return ok;
}

// Two writes of one open file.
bool write_twice(const char* path, size_t first, size_t second) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return false;
  static char buffer[4096];
  bool ok = write(fd, buffer, first) == static_cast<ssize_t>(first) &&
            write(fd, buffer, second) == static_cast<ssize_t>(second);
  close(fd);
  return ok;
}

// The window a shell leaves while it redirects: fd 1 is closed until the
// dup2(). A descriptor the runtime opened in that window would be taken over.
int redirect_like_a_shell(const char* path) {
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  if (fd < 0) return 10;
  int saved = fcntl(1, F_DUPFD, 10);
  if (saved < 0 || close(1) != 0) return 11;
  for (int i = 0; i < 200; ++i)
    if (write(fd, "x", 1) != 1) return 12;
  usleep(100000);
  if (dup2(fd, 1) != 1) return 13;
  if (write(1, "abc", 3) != 3) return 14;
  if (dup2(saved, 1) != 1) return 15;
  close(saved);
  close(fd);
  return write(1, "done\n", 5) == 5 ? 0 : 16;
}

}  // namespace

__attribute__((noinline)) void b() {
  g_sink = g_sink + 1;
  if (g_use_sig) siglongjmp(g_sigjump, 1);
  longjmp(*g_target, 1);
}

__attribute__((noinline)) void a() {
  g_sink = g_sink + 1;
  b();
  g_sink = g_sink + 1;
}

extern "C" __attribute__((noinline)) void on_signal(int) { siglongjmp(g_sigjump, 1); }

__attribute__((noinline)) void raising_b() {
  g_sink = g_sink + 1;
  raise(SIGUSR1);
}

__attribute__((noinline)) void raising_a() {
  raising_b();
  g_sink = g_sink + 1;
}

__attribute__((noinline)) void reading_a(int fd) {
  char c;
  if (read(fd, &c, 1) >= 0) g_sink = g_sink + 1;
}

// read_jump: interrupts the main thread with SIGUSR1 each time it sleeps in
// read() in a new round. Raw system calls: this thread records nothing.
std::atomic<long> g_round{-1};
long g_rounds = 0;
pid_t g_main_tid = 0;

bool main_thread_sleeps() {
  char path[64], stat[512];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", static_cast<int>(g_main_tid));
  int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY));
  if (fd < 0) return false;
  long n = syscall(SYS_read, fd, stat, sizeof stat - 1);
  syscall(SYS_close, fd);
  if (n <= 0) return false;
  stat[n] = '\0';
  const char* state = std::strrchr(stat, ')');
  return state && state[1] == ' ' && state[2] == 'S';
}

void* interrupter(void* main_thread) {
  for (long i = 0; i < g_rounds; ++i) {
    while (g_round.load() != i || !main_thread_sleeps()) usleep(100);
    pthread_kill(*static_cast<pthread_t*>(main_thread), SIGUSR1);
  }
  return nullptr;
}

__attribute__((noinline)) void jump_loop(int n) {
  jmp_buf local;
  g_target = &local;
  static int i;  // static: not in a register the jump would restore
  for (i = 0; i < n; ++i)
    if (setjmp(local) == 0) a();
  g_target = &g_jump;
}

__attribute__((noinline)) void thrower() { throw 42; }

extern "C" __attribute__((noinline)) void throwing_callback() { thrower(); }

__attribute__((noinline)) int leaf(int x) {
  g_sink = g_sink + x;
  return x;
}

__attribute__((noinline)) void outer(long n, bool then_abort) {
  for (long i = 0; i < n; ++i) leaf(static_cast<int>(i));
  if (then_abort) std::abort();
  for (;;) pause();
}

// pthread_exit mode: threads that outlive main, in a fixed order (so the output
// is the same at any speed).
namespace {

constexpr long kMaxLateWorkers = 8;
pthread_t g_late_workers[kMaxLateWorkers];

__attribute__((noinline)) void* late_worker(void* index_arg) {
  long index = reinterpret_cast<long>(index_arg);
  if (index == 0)
    usleep(50000);
  else
    pthread_join(g_late_workers[index - 1], nullptr);
  for (int i = 0; i < 3; ++i) leaf(i);
  std::printf("thread %ld\n", index);
  return nullptr;
}

void print_at_exit() { std::printf("atexit\n"); }

}  // namespace

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "";
  const char* arg = argc > 2 ? argv[2] : "";
  long n = std::strtol(arg, nullptr, 10);
  if (std::strcmp(mode, "exec") == 0) {
    if (!write_twice(arg, 1000, 234)) return 10;
    execl(argv[0], argv[0], "exec_b", arg, static_cast<char*>(nullptr));
    return 11;
  }
  if (std::strcmp(mode, "exec_b") == 0) return write_bytes(arg, 567) ? 0 : 12;
  if (std::strcmp(mode, "exec_fail") == 0) {
    if (!write_bytes(arg, 100)) return 10;
    if (execl("/nonexistent/x", "x", static_cast<char*>(nullptr)) != -1) return 11;
    return write_bytes(arg, 50) ? 0 : 12;
  }
  if (std::strcmp(mode, "redirect") == 0) return redirect_like_a_shell(arg);
  if (std::strcmp(mode, "fork_closefrom") == 0) {
    pid_t child = fork();
    if (child < 0) return 10;
    if (child == 0) {
      if (syscall(SYS_close_range, 3u, ~0u, 0u) != 0) return 14;
      return write_bytes(arg, 202) ? 0 : 13;
    }
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 13;
    return write_bytes(arg, 10) ? 0 : 12;
  }
  if (std::strcmp(mode, "fork_exit") == 0) {
    pid_t child = fork();
    if (child < 0) return 10;
    if (child == 0) _exit(write_bytes(arg, 202) ? 0 : 13);
    int status = 0;
    if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return 13;
    return write_bytes(arg, 10) ? 0 : 12;
  }
  if (std::strcmp(mode, "longjmp") == 0 || std::strcmp(mode, "siglongjmp") == 0) {
    g_use_sig = std::strcmp(mode, "siglongjmp") == 0;
    static long i;  // static: not in a register the jump would restore
    for (i = 0; i < n; ++i) {
      if (g_use_sig ? sigsetjmp(g_sigjump, 1) == 0 : setjmp(g_jump) == 0) a();
    }
    return 0;
  }
  if (std::strcmp(mode, "longjmp_local") == 0) {
    jump_loop(static_cast<int>(n));
    return 0;
  }
  if (std::strcmp(mode, "signal_jump") == 0) {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, nullptr);
    static long i;
    for (i = 0; i < n; ++i)
      if (sigsetjmp(g_sigjump, 1) == 0) raising_a();
    return 0;
  }
  if (std::strcmp(mode, "read_jump") == 0) {
    int fds[2];
    if (pipe(fds) != 0) return 10;
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigaction(SIGUSR1, &sa, nullptr);
    g_rounds = n;
    g_main_tid = static_cast<pid_t>(syscall(SYS_gettid));
    static pthread_t self = pthread_self();
    pthread_t helper;
    if (pthread_create(&helper, nullptr, interrupter, &self) != 0) return 11;
    static long i;
    for (i = 0; i < n; ++i)
      if (sigsetjmp(g_sigjump, 1) == 0) {
        g_round.store(i);
        reading_a(fds[0]);
      }
    pthread_join(helper, nullptr);
    return write(fds[1], "0123456789", 10) == 10 ? 0 : 12;
  }
  if (std::strcmp(mode, "exception") == 0) {
    long caught = 0;
    for (long i = 0; i < n; ++i) {
      try {
        c_middle(throwing_callback);
      } catch (int) {
        ++caught;
      }
    }
    return caught == n ? 0 : 14;
  }
  if (std::strcmp(mode, "malloc_open") == 0) {
    static void* volatile blocks[3];
    for (int i = 0; i < 3; ++i) blocks[i] = std::malloc(100 * static_cast<size_t>(i + 1));
    int fd = open(arg, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 10;
    close(fd);
    FILE* f = std::fopen(arg, "r");
    if (!f) return 11;
    std::fclose(f);
    for (int i = 0; i < 3; ++i) std::free(blocks[i]);
    return 0;
  }
  if (std::strcmp(mode, "pthread_exit") == 0) {
    if (n > kMaxLateWorkers || std::atexit(print_at_exit) != 0) return 10;
    std::printf("main\n");
    for (long i = 0; i < n; ++i)
      if (pthread_create(&g_late_workers[i], nullptr, late_worker, reinterpret_cast<void*>(i)) != 0) return 11;
    pthread_exit(nullptr);
  }
  if (std::strcmp(mode, "hang") == 0 || std::strcmp(mode, "abort") == 0) outer(n, mode[0] == 'a');
  return 99;
}
