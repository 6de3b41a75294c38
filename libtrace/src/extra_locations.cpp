#include "rondo/trace/extra_locations.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <mutex>
#include <vector>

#include "rondo/trace/runtime.h"

namespace rondo::trace {

struct ExtraLocation {
  Recorder* recorder = nullptr;
  // Serialises the delivering thread against the final flush (which may come
  // from the exit path or the flusher thread).
  std::mutex mutex;
};

namespace {

// Never freed: exit and signal paths may reach them at any time.
struct Locations {
  std::mutex mutex;
  std::vector<ExtraLocation*> all;
  std::array<std::atomic<FlushHook>, 8> hooks{};
  std::atomic<size_t> hook_count{0};
};

Locations& locations() {
  static auto* l = new Locations;
  return *l;
}

// Locks `m`; in crash mode only when it is free at once: its holder may be
// the thread the fatal signal stopped. A location left out here is finished by
// the runtime's own pass, which waits (bounded) for its busy flag.
bool lock_or_skip(std::unique_lock<std::mutex>& lock, bool crash) {
  if (crash) return lock.try_lock();
  lock.lock();
  return true;
}

// Runs `write` on the location's recorder unless its trace has ended. The busy
// flag tells the runtime's finishing pass that the recorder is in use.
template <typename Write>
void with_recorder(ExtraLocation* location, Write&& write) {
  if (!location) return;
  std::lock_guard<std::mutex> lock(location->mutex);
  Recorder* r = location->recorder;
  if (r->finished) return;
  r->busy.store(1, std::memory_order_seq_cst);
  if (!r->finished) write(*r);
  r->busy.store(0, std::memory_order_release);
}

}  // namespace

ExtraLocation* create_location(format::ThreadKind kind, std::string_view name, uint32_t parent) {
  format::ThreadDef def;
  def.kind = kind;
  def.name = define_string(name);
  def.parent = parent;
  Recorder* r = new_location_recorder(def);
  if (!r) return nullptr;
  auto* location = new ExtraLocation;
  location->recorder = r;
  Locations& l = locations();
  std::lock_guard<std::mutex> lock(l.mutex);
  l.all.push_back(location);
  return location;
}

uint32_t location_index(const ExtraLocation* location) { return location ? location->recorder->index : UINT32_MAX; }

void location_enter(ExtraLocation* location, uint32_t region, uint64_t at) {
  with_recorder(location, [&](Recorder& r) { r.writer.enter(region, at); });
}

void location_leave(ExtraLocation* location, uint32_t region, uint64_t at) {
  with_recorder(location, [&](Recorder& r) { r.writer.leave(region, at); });
}

void location_event(ExtraLocation* location, const format::EventKey& key, const int64_t* data, uint64_t at) {
  with_recorder(location, [&](Recorder& r) { r.writer.event(key, at, data); });
}

void add_flush_hook(FlushHook hook) {
  Locations& l = locations();
  size_t slot = l.hook_count.fetch_add(1);
  if (slot < l.hooks.size()) l.hooks[slot].store(hook);
}

void run_flush_hooks(bool crash, bool final) {
  Locations& l = locations();
  size_t n = std::min(l.hook_count.load(), l.hooks.size());
  for (size_t i = 0; i < n; ++i)
    if (FlushHook hook = l.hooks[i].load()) hook();
  std::unique_lock<std::mutex> list_lock(l.mutex, std::defer_lock);
  if (!lock_or_skip(list_lock, crash)) return;
  for (ExtraLocation* location : l.all) {
    std::unique_lock<std::mutex> lock(location->mutex, std::defer_lock);
    if (!lock_or_skip(lock, crash)) continue;  // finished by the runtime's own pass
    Recorder* r = location->recorder;
    if (r->finished) continue;
    r->finished = final;
    r->writer.flush(final);
  }
}

}  // namespace rondo::trace
