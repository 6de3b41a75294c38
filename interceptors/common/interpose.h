// Helpers shared by the LD_PRELOAD modules that wrap C library functions
// (pthread, io, memory, openmp): finding the real function behind a wrapper, and
// telling calls the application makes from calls that runtime libraries (the
// OpenMP runtime, the MPI library, Rondo itself) make internally.
#pragma once

#include <cerrno>
#include <atomic>
#include <cstdint>

#include "rondo/trace/runtime.h"

// Hidden: every module links its own copy, and each copy must stay its module's
// own. dlsym(RTLD_NEXT) looks for the definition after the *calling* library, so
// a copy shared between modules would make one module find another's wrappers.
#pragma GCC visibility push(hidden)

namespace rondo::interpose {

// The next definition of `name` after the calling library (dlsym(RTLD_NEXT)), or
// null. dlsym may allocate: the memory module serves such allocations itself.
void* next_symbol(const char* name);

// A lazily resolved pointer to the real function. No static-local guard (whose
// lock could recurse into a wrapper): the first callers may each look it up, and
// they all find the same address.
template <typename F>
class Real {
 public:
  explicit constexpr Real(const char* name) : name_(name) {}
  F get() {
    void* p = slot_.load(std::memory_order_acquire);
    if (__builtin_expect(p == nullptr, 0)) {
      p = next_symbol(name_);
      slot_.store(p, std::memory_order_release);
    }
    return reinterpret_cast<F>(p);
  }
  bool available() { return get() != nullptr; }

 private:
  const char* name_;
  std::atomic<void*> slot_{nullptr};
};

// Whether a return address lies in the code of a library whose own use of
// threads and I/O is not the application's: Rondo's libraries, the OpenMP
// runtimes (libgomp, libomp, libiomp5) and the MPI stack (libmpi, Open MPI's
// support libraries, PMIx, libevent, hwloc, UCX). The table of code ranges is
// read with dl_iterate_phdr when a module starts, and read again (rarely: with
// back-off) when a caller lies in no known object, i.e. after a dlopen().
bool is_runtime_caller(const void* return_address);
// Fills the table (call from a module constructor, outside any wrapper).
void scan_loaded_objects();

// Whether a wrapper records the call it intercepts: the module is ready (its
// regions are defined), the process is recording, the call is not made from
// inside another intercepted call (an MPI wrapper's own bookkeeping included:
// trace::InterceptState), and the caller is application code (not a runtime
// library; `caller` is the wrapper's __builtin_return_address(0)).
// `module_ready` is read with acquire: it publishes the regions and the table of
// loaded objects that start() wrote on another thread (a plain load on x86; a
// relaxed one was a data race that TSan reported on the I/O module).
inline bool should_record(const std::atomic<bool>& module_ready, const void* caller) {
  return module_ready.load(std::memory_order_acquire) && trace::g_recording.load(std::memory_order_relaxed) &&
         trace::t_intercept.inside == 0 && !is_runtime_caller(caller);
}

// One recorded call: enter on construction, leave on destruction. Recording never
// changes errno, which the wrapped function may have set (the sem_* functions
// and every I/O call report through it).
class RecordedCall {
 public:
  explicit RecordedCall(uint32_t region) : region_(region) {
    int saved = errno;
    trace::record_enter(region_, trace::call_site());
    errno = saved;
  }
  ~RecordedCall() {
    int saved = errno;
    trace::record_leave(region_);
    errno = saved;
  }
  RecordedCall(const RecordedCall&) = delete;
  RecordedCall& operator=(const RecordedCall&) = delete;

 private:
  uint32_t region_;
};

// Runs the real function without recording what happens inside it.
template <typename F>
inline auto inside(F&& f) {
  trace::InsideCall call;
  return f();
}

}  // namespace rondo::interpose

#pragma GCC visibility pop
