// Instrumented functions whose first call happens inside signal handlers (run
// with librondo-compiler.so preloaded; the tests are test_signal_handlers.cpp):
//
//   signal_program lookup N  the main thread calls N functions f<i>() once each;
//                            each first call makes the hooks look its name up,
//                            under their locks, and whatever allocates meanwhile
//                            (operator new, replaced here) raises SIGUSR1 there:
//                            the signal lands in the middle of the lookup, on
//                            the same thread, every time. Its handler calls
//                            h<k>() for the k-th signal (k < N): a function whose
//                            first call is in that handler. Prints "handled K".
//   signal_program raise N   SIGUSR2 (sigaction, SA_SIGINFO) raised N times, with
//                            one call of between() after the first N / 2: its
//                            handler calls only_in_handler(int); SIGUSR1 (signal())
//                            raised once: its handler calls via_signal(). Checks
//                            that sigaction() and signal() report the program's
//                            own handlers back (exit status 3 if not).
//   signal_program deep N    SIGUSR2 raised N times; the k-th handler (k from 1)
//                            calls nest(int) 100 * k levels deep, deeper than
//                            anything before on the thread, and h<k>() at the
//                            bottom, a function (so an event) never met before:
//                            what made the recorder grow its tables inside the
//                            handler. Counts the allocations (operator new,
//                            replaced here) made while a handler runs and
//                            prints "allocations in handlers A".
//   signal_program fresh N   a second thread, which runs only uninstrumented
//                            code, raises SIGUSR2 N times; the handler calls
//                            nest(int) 3 levels deep and h<0>() at the bottom
//                            (6 calls, 12 events), so that the thread's first
//                            events come from inside a handler; then the thread
//                            calls between() once. Counts that thread's
//                            allocations during the raise()s and prints
//                            "allocations in handlers A".
//
// Function names as the trace shows them: "void f<I>()", "void h<I>()",
// only_in_handler(int), via_signal(), between(), on_lookup_signal(int),
// nest(int, void (*)()), on_deep_signal(int), main.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

// Global, not in an anonymous namespace: the trace names them without one.
constexpr int kFunctions = 1500;
volatile long g_sink;
int g_handled = 0;
// Set on the main thread around each f<i>() call of the lookup mode: its
// allocations then raise SIGUSR1 (those of Rondo's writer thread never do).
thread_local bool g_armed = false;

template <int I>
__attribute__((noinline)) void f() {
  g_sink = g_sink + I;
}
template <int I>
__attribute__((noinline)) void h() {
  g_sink = g_sink - I;
}

using Function = void (*)();
template <int... I>
constexpr auto table_of_f(std::integer_sequence<int, I...>) {
  return std::array<Function, sizeof...(I)>{&f<I>...};
}
template <int... I>
constexpr auto table_of_h(std::integer_sequence<int, I...>) {
  return std::array<Function, sizeof...(I)>{&h<I>...};
}
constexpr auto kF = table_of_f(std::make_integer_sequence<int, kFunctions>{});
constexpr auto kH = table_of_h(std::make_integer_sequence<int, kFunctions>{});

void on_lookup_signal(int) {
  if (g_handled < kFunctions) kH[static_cast<size_t>(g_handled)]();
  ++g_handled;
}

int lookup(int n) {
  if (n > kFunctions) n = kFunctions;
  struct sigaction sa {};
  sa.sa_handler = on_lookup_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR1, &sa, nullptr) != 0) return 2;
  for (int i = 0; i < n; ++i) {
    g_armed = true;
    kF[static_cast<size_t>(i)]();
    g_armed = false;
  }
  std::printf("handled %d\n", g_handled);
  return 0;
}

__attribute__((noinline)) void only_in_handler(int sig) { g_sink = g_sink + sig; }
__attribute__((noinline)) void via_signal() { g_sink = g_sink + 1; }
__attribute__((noinline)) void between() { g_sink = g_sink + 2; }

void on_usr2(int sig, siginfo_t*, void*) { only_in_handler(sig); }
void on_usr1(int) { via_signal(); }

int raise_signals(int n) {
  struct sigaction sa {};
  sa.sa_sigaction = on_usr2;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR2, &sa, nullptr) != 0) return 2;
  struct sigaction back {};
  if (sigaction(SIGUSR2, nullptr, &back) != 0) return 2;
  if (back.sa_sigaction != on_usr2 || (back.sa_flags & (SA_SIGINFO | SA_RESTART)) != (SA_SIGINFO | SA_RESTART)) return 3;
  if (signal(SIGUSR1, on_usr1) == SIG_ERR) return 2;
  if (signal(SIGUSR1, on_usr1) != on_usr1) return 3;
  if (sigaction(SIGUSR1, nullptr, &back) != 0 || back.sa_handler != on_usr1 || (back.sa_flags & SA_SIGINFO)) return 3;
  for (int i = 0; i < n / 2; ++i) raise(SIGUSR2);
  between();
  for (int i = n / 2; i < n; ++i) raise(SIGUSR2);
  raise(SIGUSR1);
  return 0;
}

// Deep mode: set while its handler runs on this thread; the allocations of this
// thread meanwhile are counted (those of Rondo's writer thread, which may run at
// the same time, are not the handler's).
thread_local volatile sig_atomic_t g_in_handler = 0;
volatile long g_handler_allocations = 0;
int g_deep_signals = 0;

// Calls `bottom` at the bottom: nothing else nests deeper (std::array's
// operator[] would, being instrumented too).
__attribute__((noinline)) void nest(int levels, Function bottom) {
  if (levels > 0)
    nest(levels - 1, bottom);
  else
    bottom();
  g_sink = g_sink + 1;  // not a tail call: each level stays open until the bottom returns
}

void on_deep_signal(int) {
  g_in_handler = 1;
  ++g_deep_signals;
  nest(100 * g_deep_signals, kH[static_cast<size_t>(g_deep_signals)]);
  g_in_handler = 0;
}

int deep(int n) {
  if (n >= kFunctions) return 2;
  struct sigaction sa {};
  sa.sa_handler = on_deep_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR2, &sa, nullptr) != 0) return 2;
  for (int i = 0; i < n; ++i) {
    between();
    raise(SIGUSR2);
  }
  std::printf("allocations in handlers %ld\n", static_cast<long>(g_handler_allocations));
  return 0;
}

void on_fresh_signal(int) { nest(3, kH[0]); }

// Uninstrumented: the thread records nothing before its first handler.
__attribute__((no_instrument_function)) void* fresh_thread(void* arg) {
  int n = *static_cast<int*>(arg);
  for (int i = 0; i < n; ++i) {
    g_in_handler = 1;  // from the raise on: the handler's enter hook is already inside it
    raise(SIGUSR2);
    g_in_handler = 0;
  }
  between();
  return nullptr;
}

int fresh(int n) {
  struct sigaction sa {};
  sa.sa_handler = on_fresh_signal;
  sigemptyset(&sa.sa_mask);
  if (sigaction(SIGUSR2, &sa, nullptr) != 0) return 2;
  pthread_t t;
  if (pthread_create(&t, nullptr, fresh_thread, &n) != 0) return 2;
  pthread_join(t, nullptr);
  std::printf("allocations in handlers %ld\n", static_cast<long>(g_handler_allocations));
  return 0;
}

// Every allocation of the process, Rondo's included (the executable's
// definition comes first in the lookup order). Every unaligned form is
// replaced, so that no block of a sanitizer's own operator new reaches free().
__attribute__((no_instrument_function)) void* operator new(size_t size) {
  if (g_in_handler) g_handler_allocations = g_handler_allocations + 1;
  if (g_armed) {
    g_armed = false;  // one signal per allocation, none from inside the handler
    raise(SIGUSR1);
    g_armed = true;
  }
  if (void* p = std::malloc(size ? size : 1)) return p;
  throw std::bad_alloc();
}
__attribute__((no_instrument_function)) void* operator new[](size_t size) { return operator new(size); }
__attribute__((no_instrument_function)) void* operator new(size_t size, const std::nothrow_t&) noexcept {
  try {
    return operator new(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
__attribute__((no_instrument_function)) void* operator new[](size_t size, const std::nothrow_t& tag) noexcept {
  return operator new(size, tag);
}
__attribute__((no_instrument_function)) void operator delete(void* p) noexcept { std::free(p); }
__attribute__((no_instrument_function)) void operator delete[](void* p) noexcept { std::free(p); }
__attribute__((no_instrument_function)) void operator delete(void* p, size_t) noexcept { std::free(p); }
__attribute__((no_instrument_function)) void operator delete[](void* p, size_t) noexcept { std::free(p); }
__attribute__((no_instrument_function)) void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
__attribute__((no_instrument_function)) void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  int n = std::atoi(argv[2]);
  if (std::strcmp(argv[1], "lookup") == 0) return lookup(n);
  if (std::strcmp(argv[1], "raise") == 0) return raise_signals(n);
  if (std::strcmp(argv[1], "deep") == 0) return deep(n);
  if (std::strcmp(argv[1], "fresh") == 0) return fresh(n);
  return 2;
}
