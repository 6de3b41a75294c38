// The public C API (rondo/rondo.h) over the runtime.
#include "rondo/rondo.h"

#include "rondo/trace/runtime.h"

using namespace rondo::trace;

namespace {
// Every library of Rondo starts the runtime from its constructor, so recording
// begins before main() when RONDO_TRACE_DIR is set.
__attribute__((constructor)) void rondo_api_init() { start(); }
}  // namespace

extern "C" {

rondo_region_t rondo_region(const char* name) {
  if (!name) name = "<null>";
  start();
  // Region ids start at 0 inside the trace; handles are id + 1 so 0 is never valid.
  return define_region(name, rondo::format::RegionRole::User) + 1;
}

void rondo_enter(rondo_region_t region) {
  // The region belongs to the caller: its stack pointer is our frame's CFA.
  if (region && g_recording.load(std::memory_order_relaxed))
    record_enter_hook(region - 1, reinterpret_cast<uintptr_t>(__builtin_dwarf_cfa()));
}

void rondo_leave(rondo_region_t region) {
  if (region && g_recording.load(std::memory_order_relaxed)) record_leave_hook(region - 1);
}

void rondo_marker(const char* text) {
  if (!g_recording.load(std::memory_order_relaxed)) return;
  rondo::format::EventKey key;
  key.kind = rondo::format::EventKind::Marker;
  key.ref = define_string(text ? text : "");
  record_event(key);
}

int rondo_is_recording(void) { return g_recording.load(std::memory_order_relaxed) ? 1 : 0; }

}  // extern "C"
