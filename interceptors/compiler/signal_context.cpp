// sigaction() and signal() wrappers: every handler the program installs runs
// through trampoline(), which counts the handlers running on the thread
// (signal_context.h says why and what is not seen).
#include "signal_context.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>

#include "rondo/trace/runtime.h"

namespace {

using SigactionFn = int (*)(int, const struct sigaction*, struct sigaction*);
using SignalFn = sighandler_t (*)(int, sighandler_t);
using Handler3 = void (*)(int, siginfo_t*, void*);

// Initial-exec TLS: read from signal handlers, where a lazily allocated TLS
// block could call malloc.
thread_local int t_depth __attribute__((tls_model("initial-exec"))) = 0;
// Stack position of the outermost trampoline frame of the thread while t_depth > 0.
thread_local uintptr_t t_outermost __attribute__((tls_model("initial-exec"))) = 0;

// The program's handler and flags per signal (what sigaction() reports back).
std::atomic<void*> g_handlers[NSIG];
std::atomic<int> g_flags[NSIG];

// Set once any handler was installed: until then no thread runs one.
std::atomic<bool> g_any_handler{false};

std::atomic<void*> g_real_sigaction{nullptr};
std::atomic<void*> g_real_signal{nullptr};

template <typename F>
F real(std::atomic<void*>& slot, const char* name) {
  void* p = slot.load(std::memory_order_acquire);
  if (__builtin_expect(p == nullptr, 0)) {
    p = dlsym(RTLD_NEXT, name);
    slot.store(p, std::memory_order_release);
  }
  return reinterpret_cast<F>(p);
}

// Looked up before the program runs: sigaction() is async-signal-safe, so a
// handler may call it, and dlsym() must not run there.
__attribute__((constructor)) void find_real_functions() {
  (void)real<SigactionFn>(g_real_sigaction, "sigaction");
  (void)real<SignalFn>(g_real_signal, "signal");
}

// A handler left by a jump (siglongjmp to the code it interrupted) never
// returns through the trampoline: once the stack pointer is above the
// outermost trampoline's frame, the thread runs no handler any more. (A handler
// on an alternate stack compares with its own trampoline on that same stack.)
bool handler_frames_left(uintptr_t here) { return here > t_outermost; }

void trampoline(int sig, siginfo_t* info, void* context) {
  int saved_depth = t_depth;
  uintptr_t saved_outermost = t_outermost;
  uintptr_t here = rondo::trace::stack_position();
  if (t_depth == 0 || handler_frames_left(here)) {
    t_depth = 0;
    t_outermost = here;
  }
  ++t_depth;
  // The thread's recorder keeps what the handler records for later: recording
  // may allocate (signal_deferral.h).
  // A thread without one must not create it here (runtime.h,
  // t_unrecorded_handler_stack).
  rondo::trace::Recorder* r = rondo::trace::t_recorder;
  uint32_t saved_busy = 0;
  uintptr_t saved_handler_stack = 0;
  const uintptr_t saved_unrecorded = rondo::trace::t_unrecorded_handler_stack;
  if (r) {
    saved_busy = r->busy.load(std::memory_order_relaxed);
    saved_handler_stack = r->handler_stack;
    r->handler_stack = t_outermost;
    r->busy.store(saved_busy | rondo::trace::Recorder::kInHandler, std::memory_order_relaxed);
  } else if (saved_unrecorded == 0 || saved_unrecorded < here) {
    rondo::trace::t_unrecorded_handler_stack = t_outermost;
  }
  std::atomic_signal_fence(std::memory_order_seq_cst);
  // Called with three arguments whether or not it was installed with
  // SA_SIGINFO: a one-argument handler ignores the other two (the kernel passes
  // them to every handler on x86-64 and aarch64 alike).
  if (void* h = g_handlers[sig].load(std::memory_order_acquire)) reinterpret_cast<Handler3>(h)(sig, info, context);
  std::atomic_signal_fence(std::memory_order_seq_cst);
  if (r) {
    r->handler_stack = saved_handler_stack;
    r->busy.store(saved_busy, std::memory_order_relaxed);
  } else {
    rondo::trace::t_unrecorded_handler_stack = saved_unrecorded;
  }
  t_depth = saved_depth;
  t_outermost = saved_outermost;
}

bool is_function(void* handler) {
  return handler != reinterpret_cast<void*>(SIG_DFL) && handler != reinterpret_cast<void*>(SIG_IGN)
#ifdef SIG_HOLD
         && handler != reinterpret_cast<void*>(SIG_HOLD)
#endif
      ;
}

// Records the program's handler for `sig` (null: SIG_DFL or SIG_IGN).
void remember(int sig, void* handler, int flags) {
  g_flags[sig].store(flags, std::memory_order_relaxed);
  g_handlers[sig].store(handler, std::memory_order_release);
  if (handler) g_any_handler.store(true, std::memory_order_relaxed);
}

// Whether a signal the program handles is blocked in this thread: the kernel
// blocks a signal while its handler runs (unless SA_NODEFER), and TSan blocks
// every signal while it runs the handlers it deferred, outside the trampoline.
// A thread that blocks such a signal for its own reasons is taken for one in a
// handler: its new functions are then named a little later, which is harmless.
// The raw system call: sanitizers intercept pthread_sigmask().
bool handled_signal_blocked() {
  if (!g_any_handler.load(std::memory_order_relaxed)) return false;
  uint64_t blocked = 0;
  if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, nullptr, &blocked, sizeof blocked) != 0) return false;
  for (int sig = 1; sig < NSIG && sig <= 64; ++sig)
    if ((blocked >> (sig - 1) & 1) && g_handlers[sig].load(std::memory_order_relaxed)) return true;
  return false;
}

void* trampoline_address() { return reinterpret_cast<void*>(&trampoline); }

// `old` as the kernel reported it: the trampoline becomes the program's handler.
void report_program_handler(struct sigaction* old, void* handler, int flags) {
  if (!old || reinterpret_cast<void*>(old->sa_sigaction) != trampoline_address()) return;
  old->sa_sigaction = reinterpret_cast<Handler3>(handler);
  old->sa_flags = (old->sa_flags & ~SA_SIGINFO) | (flags & SA_SIGINFO);
}

}  // namespace

namespace rondo::compiler {

bool in_signal_handler() {
  if (t_depth != 0) {
    if (!handler_frames_left(trace::stack_position())) return true;
    t_depth = 0;
  }
  return handled_signal_blocked();
}

}  // namespace rondo::compiler

extern "C" {

int sigaction(int sig, const struct sigaction* act, struct sigaction* old) {
  auto next = real<SigactionFn>(g_real_sigaction, "sigaction");
  if (!next) {
    errno = ENOSYS;
    return -1;
  }
  if (sig <= 0 || sig >= NSIG) return next(sig, act, old);
  void* previous = g_handlers[sig].load(std::memory_order_acquire);
  int previous_flags = g_flags[sig].load(std::memory_order_relaxed);
  struct sigaction wrapped;
  const struct sigaction* given = act;
  if (act && is_function(reinterpret_cast<void*>(act->sa_sigaction))) {
    wrapped = *act;
    wrapped.sa_sigaction = trampoline;
    wrapped.sa_flags |= SA_SIGINFO;
    remember(sig, reinterpret_cast<void*>(act->sa_sigaction), act->sa_flags);
    act = &wrapped;
  } else if (act) {
    remember(sig, nullptr, act->sa_flags);
  }
  int rc = next(sig, act, old);
  if (rc != 0 && given) remember(sig, previous, previous_flags);  // refused (SIGKILL, SIGSTOP): nothing changed
  if (rc == 0) report_program_handler(old, previous, previous_flags);
  return rc;
}

// The C library's signal() sets its own flags and mask (SA_RESTART unless
// siginterrupt() said otherwise); the handler is then moved behind the
// trampoline with those same settings.
sighandler_t signal(int sig, sighandler_t handler) {
  auto next = real<SignalFn>(g_real_signal, "signal");
  auto next_sigaction = real<SigactionFn>(g_real_sigaction, "sigaction");
  if (!next || !next_sigaction) {
    errno = ENOSYS;
    return SIG_ERR;
  }
  if (sig <= 0 || sig >= NSIG) return next(sig, handler);
  void* previous = g_handlers[sig].load(std::memory_order_acquire);
  sighandler_t old = next(sig, handler);
  if (old == SIG_ERR) return old;
  if (reinterpret_cast<void*>(old) == trampoline_address()) old = reinterpret_cast<sighandler_t>(previous);
  if (is_function(reinterpret_cast<void*>(handler))) {
    struct sigaction now;
    if (next_sigaction(sig, nullptr, &now) == 0) {
      remember(sig, reinterpret_cast<void*>(handler), now.sa_flags);
      now.sa_sigaction = trampoline;
      now.sa_flags |= SA_SIGINFO;
      next_sigaction(sig, &now, nullptr);
    }
  } else {
    remember(sig, nullptr, 0);
  }
  return old;
}

}  // extern "C"
