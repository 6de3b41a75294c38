// Wrappers of the C library calls that end a process image or move a thread's
// stack without returning, which the runtime must see to keep the trace whole:
//
//  * exec*(): the process file is ended (as at exit) before the new image
//    replaces this one; if exec fails, recording goes on in the same file.
//  * _exit(), _Exit(), quick_exit(): no atexit handler runs, so the trace is
//    written here (through the same bounded path as a fatal signal, safe even
//    when _exit is called from a signal handler).
//  * pthread_exit() on the main thread: the process ends when its last thread
//    does, which the runtime's own threads would prevent (main_thread_exits).
//  * longjmp(), siglongjmp(), _longjmp(), __longjmp_chk(): the calls entered
//    below the stack pointer the jump restores end at the jump.
//  * __cxa_begin_catch(): a caught exception resumes its catching function; the
//    calls it unwound without their exit hook (C code, clang's instrumentation)
//    end there.
//
// Compiled into librondo.so (for programs that link the API) and into every
// preloaded module: the first definition in the lookup order runs and calls
// the next one (dlsym(RTLD_NEXT)), so the wrapper must live in each library.
// Every step is idempotent, so a chain of several modules' wrappers is harmless.
#include <dlfcn.h>
#include <setjmp.h>
#include <unistd.h>

#include <alloca.h>
#include <cerrno>
#include <cstdarg>
#include <atomic>
#include <cstdint>
#include <cstdlib>

#include "rondo/trace/runtime.h"

namespace {

namespace trace = rondo::trace;

// The next definition of `name` after this library; where the lookup order has
// none after it (a library loaded with RTLD_LOCAL), the one of `library`.
void* next_function(const char* name, const char* library) {
  void* p = dlsym(RTLD_NEXT, name);
  if (!p) {
    if (void* handle = dlopen(library, RTLD_LAZY | RTLD_NOLOAD)) p = dlsym(handle, name);
  }
  return p;
}

// A lazily found next definition. No static-local guard (it may lock, and _exit
// may run in a signal handler): racing first callers all find the same address.
template <typename F>
F real(std::atomic<void*>& slot, const char* name, const char* library = "libc.so.6") {
  void* p = slot.load(std::memory_order_acquire);
  if (__builtin_expect(p == nullptr, 0)) {
    p = next_function(name, library);
    slot.store(p, std::memory_order_release);
  }
  return reinterpret_cast<F>(p);
}
#define NEXT(type, name, ...)          \
  static std::atomic<void*> slot_{nullptr}; \
  auto next = real<type>(slot_, name, ##__VA_ARGS__)

// Ends the process file, runs the exec, and resumes recording if it returned.
template <typename Exec>
int around_exec(Exec&& exec) {
  bool stopped = trace::stop_for_exec();
  int rc = exec();
  int saved = errno;
  trace::exec_failed(stopped);
  errno = saved;
  return rc;
}

// The stack pointer a jump buffer restores, or 0 when it cannot be read here.
// glibc stores it mangled (PTR_MANGLE: xor with the thread's pointer guard,
// then rotate left by 17 on x86-64); the guard lives at %fs:0x30.
uintptr_t jump_target(const struct __jmp_buf_tag* env) {
#if defined(__x86_64__) && defined(__GLIBC__)
  uintptr_t guard;
  asm("mov %%fs:0x30, %0" : "=r"(guard));
  auto stored = static_cast<uintptr_t>(env->__jmpbuf[6]);  // JB_RSP
  uintptr_t sp = ((stored >> 17) | (stored << 47)) ^ guard;
  // A jump goes up the stack it runs on; anything else (another stack, a
  // buffer this guess misreads) is left alone.
  uintptr_t here = trace::stack_position();
  return sp > here && sp - here < (uintptr_t{1} << 32) ? sp : 0;
#else
  (void)env;
  return 0;
#endif
}

void before_jump(const struct __jmp_buf_tag* env) {
  if (!trace::g_recording.load(std::memory_order_relaxed)) return;
  int saved = errno;
  if (uintptr_t sp = jump_target(env)) trace::resume_at_stack(sp);
  errno = saved;
}

// Copies the arguments of execl/execle/execlp, `first` and those after it up
// to the NULL, into `argv` (room for `count` pointers and the NULL, see
// count_arguments); returns the envp that follows them (for execle only).
char* const* collect(const char* first, va_list ap, char** argv, size_t count, bool with_envp) {
  argv[0] = const_cast<char*>(first);
  for (size_t i = 1; i < count; ++i) argv[i] = va_arg(ap, char*);
  argv[count] = nullptr;
  if (!with_envp) return nullptr;
  if (first) (void)va_arg(ap, char*);  // the NULL that ends the list
  return va_arg(ap, char* const*);
}

// The number of arguments from `first` to the NULL (0 when `first` is NULL).
size_t count_arguments(const char* first, va_list ap) {
  if (!first) return 0;
  size_t n = 1;
  while (va_arg(ap, char*)) ++n;
  return n;
}

using Execve = int (*)(const char*, char* const[], char* const[]);
using Execv = int (*)(const char*, char* const[]);
using Exit = void (*)(int);
using Jump = void (*)(struct __jmp_buf_tag*, int);

}  // namespace

extern "C" {

int execve(const char* path, char* const argv[], char* const envp[]) noexcept {
  NEXT(Execve, "execve");
  return around_exec([&] { return next(path, argv, envp); });
}

int execv(const char* path, char* const argv[]) noexcept {
  NEXT(Execv, "execv");
  return around_exec([&] { return next(path, argv); });
}

int execvp(const char* file, char* const argv[]) noexcept {
  NEXT(Execv, "execvp");
  return around_exec([&] { return next(file, argv); });
}

int execvpe(const char* file, char* const argv[], char* const envp[]) noexcept {
  NEXT(Execve, "execvpe");
  return around_exec([&] { return next(file, argv, envp); });
}

int fexecve(int fd, char* const argv[], char* const envp[]) noexcept {
  NEXT(int (*)(int, char* const[], char* const[]), "fexecve");
  return around_exec([&] { return next(fd, argv, envp); });
}

// The list forms are turned into the vector forms on the stack (no malloc: a
// vfork()ed child may call them), which run through the wrappers above.
#define REBUILD_ARGV(first, envp_out, with_envp)                           \
  va_list ap;                                                             \
  va_start(ap, first);                                                    \
  size_t count = count_arguments(first, ap);                              \
  va_end(ap);                                                             \
  auto** argv = static_cast<char**>(alloca((count + 1) * sizeof(char*))); \
  va_start(ap, first);                                                    \
  envp_out = collect(first, ap, argv, count, with_envp);                  \
  va_end(ap)

int execl(const char* path, const char* arg, ...) noexcept {
  char* const* envp;
  REBUILD_ARGV(arg, envp, false);
  (void)envp;
  return execv(path, argv);
}

int execlp(const char* file, const char* arg, ...) noexcept {
  char* const* envp;
  REBUILD_ARGV(arg, envp, false);
  (void)envp;
  return execvp(file, argv);
}

int execle(const char* path, const char* arg, ...) noexcept {
  char* const* envp;
  REBUILD_ARGV(arg, envp, true);
  return execve(path, argv, envp);
}

void _exit(int status) {
  NEXT(Exit, "_exit");
  trace::stop_now();
  next(status);
  __builtin_unreachable();
}

void _Exit(int status) noexcept {
  NEXT(Exit, "_Exit");
  trace::stop_now();
  next(status);
  __builtin_unreachable();
}

void quick_exit(int status) noexcept {
  NEXT(Exit, "quick_exit");
  trace::stop_now();
  next(status);
  __builtin_unreachable();
}

void pthread_exit(void* value) {
  NEXT(void (*)(void*), "pthread_exit");
  trace::main_thread_exits();
  next(value);
  __builtin_unreachable();
}

void longjmp(struct __jmp_buf_tag env[1], int value) noexcept {
  NEXT(Jump, "longjmp");
  before_jump(env);
  next(env, value);
  __builtin_unreachable();
}

void _longjmp(struct __jmp_buf_tag env[1], int value) noexcept {
  NEXT(Jump, "_longjmp");
  before_jump(env);
  next(env, value);
  __builtin_unreachable();
}

void siglongjmp(struct __jmp_buf_tag env[1], int value) noexcept {
  NEXT(Jump, "siglongjmp");
  before_jump(env);
  next(env, value);
  __builtin_unreachable();
}

// What longjmp and siglongjmp become with _FORTIFY_SOURCE.
[[noreturn]] void __longjmp_chk(struct __jmp_buf_tag env[1], int value);
void __longjmp_chk(struct __jmp_buf_tag env[1], int value) {
  NEXT(Jump, "__longjmp_chk");
  before_jump(env);
  next(env, value);
  __builtin_unreachable();
}

void* __cxa_begin_catch(void* exception) noexcept;
void* __cxa_begin_catch(void* exception) noexcept {
  NEXT(void* (*)(void*), "__cxa_begin_catch", "libstdc++.so.6");
  // The catching function called us: its stack pointer is our frame's CFA.
  if (trace::g_recording.load(std::memory_order_relaxed))
    trace::resume_at_stack(reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa()));
  return next(exception);
}

}  // extern "C"
