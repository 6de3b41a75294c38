// The set-up every module that wraps C library functions (pthread, io, memory)
// repeats: a table of regions named after the wrapped functions, defined once the
// runtime has started, and the ready flag its wrappers test before recording.
//
// A module declares one constant-initialised Module (no static-constructor order
// to worry about: wrappers may run before any constructor), calls start() from
// its library constructor, and records a call with `Region r(kIndex)` where
//   using Region = rondo::interpose::ModuleRegion<g_module>;
#pragma once

#include <atomic>
#include <cstdint>

#include "call_site_names.h"
#include "interpose.h"
#include "rondo/format/definitions.h"
#include "rondo/trace/runtime.h"

#pragma GCC visibility push(hidden)

namespace rondo::interpose {

template <int N>
class Module {
 public:
  constexpr Module(const char* const (&names)[N], format::RegionRole role) : names_(names), role_(role) {}

  // From the module's constructor, outside any wrapper: starts the runtime,
  // reads the table of loaded objects (is_runtime_caller), defines the regions,
  // then runs `more` (further definitions, tables the wrappers need) before the
  // wrappers begin to record. Everything runs as an intercepted call, since
  // defining takes the runtime's (intercepted) locks and allocates. Returns
  // whether the process is recorded.
  template <typename More>
  bool start(More&& more) {
    if (!trace::start()) return false;
    scan_loaded_objects();
    register_call_site_names();
    trace::InsideCall call;
    for (int i = 0; i < N; ++i) regions_[i] = trace::define_region(names_[i], role_);
    more();
    ready_.store(true, std::memory_order_release);
    return true;
  }
  bool start() {
    return start([] {});
  }

  // Whether the regions are defined (before that every wrapper only calls the
  // real function).
  bool ready() const { return ready_.load(std::memory_order_acquire); }
  // Whether a call made from `caller` (the wrapper's __builtin_return_address(0))
  // is recorded: see should_record().
  bool active(const void* caller) const { return should_record(ready_, caller); }
  uint32_t region(int index) const { return regions_[index]; }

 private:
  const char* const* names_;
  format::RegionRole role_;
  uint32_t regions_[N] = {};
  std::atomic<bool> ready_{false};
};

// One recorded call of a module's region, by its index (errno untouched).
template <const auto& M>
struct ModuleRegion : RecordedCall {
  explicit ModuleRegion(int index) : RecordedCall(M.region(index)) {}
};

}  // namespace rondo::interpose

#pragma GCC visibility pop

// The wrapper's caller, for Module::active().
#define CALLER __builtin_return_address(0)
