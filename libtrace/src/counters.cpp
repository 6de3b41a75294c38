// PAPI counters of recorded threads (counters.h). Built with PAPI when CMake
// finds it (RONDO_HAVE_PAPI); without it, asking for counters says so once.
#include "rondo/trace/counters.h"

#include <pthread.h>

#include <cstdio>
#include <string>
#include <vector>

#include "rondo/format/run_identity.h"
#include "rondo/trace/runtime.h"

#ifdef RONDO_HAVE_PAPI
#include <papi.h>
#endif

namespace rondo::trace {

namespace {

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    std::string name = list.substr(start, comma - start);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (!name.empty()) names.push_back(name);
    start = comma + 1;
  }
  return names;
}

}  // namespace

#ifdef RONDO_HAVE_PAPI

struct ThreadCounters {
  int event_set = PAPI_NULL;
  uint32_t count = 0;
};

namespace {

// The events that passed the check at start, in the order of the list, and the
// Metric ids defined for them; fixed before the first thread records.
std::vector<int> g_codes;
std::vector<uint32_t> g_metric_ids;

unsigned long papi_thread_id() { return static_cast<unsigned long>(pthread_self()); }

// Why an event cannot be counted is the same on every rank of a job: said by
// the first rank only (every process, when not started by a launcher).
void tell_event(const std::string& text) {
  if (format::launcher_rank() <= 0) inform(text, true);
}

bool virtual_machine() {
  const PAPI_hw_info_t* hw = PAPI_get_hardware_info();
  return hw && hw->virtualized;
}

// Why `name`, a known event, cannot be counted here, in words a user can act on.
std::string reason(const std::string& name, int code) {
  bool preset = name.rfind("PAPI_", 0) == 0;
  // In a VM presets have no hardware events to map to, and native hardware
  // events fail to open: both mean the same to the user.
  if (virtual_machine() && code != PAPI_ECNFLCT && code != PAPI_ENOMEM)
    return "no hardware counters on this machine (virtual machine?); software events such as perf::TASK-CLOCK "
           "work";
  if (code == PAPI_ENOEVNT) return preset ? "not available on this processor (see papi_avail)" : "not available here";
  if (code == PAPI_EPERM || code == PAPI_ESYS)
    return std::string("not permitted (PAPI: ") + PAPI_strerror(code) + "; lower /proc/sys/kernel/perf_event_paranoid)";
  if (code == PAPI_ECNFLCT) return "cannot be counted together with the counters before it in the list";
  return std::string("cannot be counted (PAPI: ") + PAPI_strerror(code) + ")";
}

// Whether `codes` (plus `extra`) can be added to one event set and started.
int try_counting(const std::vector<int>& codes, int extra) {
  int set = PAPI_NULL;
  int rc = PAPI_create_eventset(&set);
  if (rc != PAPI_OK) return rc;
  for (int c : codes)
    if (rc == PAPI_OK) rc = PAPI_add_event(set, c);
  if (rc == PAPI_OK) rc = PAPI_add_event(set, extra);
  if (rc == PAPI_OK) rc = PAPI_start(set);
  if (rc == PAPI_OK) {
    long long values[format::kMaxCounters + 1];
    rc = PAPI_stop(set, values);
  }
  PAPI_cleanup_eventset(set);
  PAPI_destroy_eventset(&set);
  return rc;
}

}  // namespace

void start_counters(const std::string& list) {
  std::vector<std::string> names = split_list(list);
  if (names.empty()) return;
  int rc = PAPI_library_init(PAPI_VER_CURRENT);
  if (rc != PAPI_VER_CURRENT) {
    inform(std::string("--counters: PAPI does not start (") + (rc > 0 ? "version mismatch" : PAPI_strerror(rc)) +
               "); recording goes on without counters",
           true);
    return;
  }
  if ((rc = PAPI_thread_init(papi_thread_id)) != PAPI_OK) {
    inform(std::string("--counters: PAPI thread support does not start (") + PAPI_strerror(rc) +
               "); recording goes on without counters",
           true);
    return;
  }
  std::vector<std::string> kept;
  for (const std::string& name : names) {
    if (g_codes.size() == format::kMaxCounters) {
      tell_event(name + ": more than " + std::to_string(format::kMaxCounters) +
                 " counters; recording goes on without it");
      continue;
    }
    int code = 0;
    if (PAPI_event_name_to_code(name.c_str(), &code) != PAPI_OK) {
      tell_event(name + ": unknown event (see " + (name.rfind("PAPI_", 0) == 0 ? "papi_avail" : "papi_native_avail") +
                 ")");
      continue;
    }
    rc = PAPI_query_event(code);
    if (rc == PAPI_OK) rc = try_counting(g_codes, code);
    if (rc != PAPI_OK) {
      tell_event(name + ": " + reason(name, rc));
      continue;
    }
    g_codes.push_back(code);
    kept.push_back(name);
  }
  // PAPI counts what it counts in its own units: "#" (events) for most,
  // nanoseconds for perf::TASK-CLOCK.
  for (const std::string& name : kept) g_metric_ids.push_back(define_metric(name, "#", 0));
}

ThreadCounters* start_thread_counters(format::ThreadWriter& writer) {
  if (g_codes.empty()) return nullptr;
  auto* c = new ThreadCounters;
  int rc = PAPI_create_eventset(&c->event_set);
  for (int code : g_codes)
    if (rc == PAPI_OK) rc = PAPI_add_event(c->event_set, code);
  if (rc == PAPI_OK) rc = PAPI_start(c->event_set);
  if (rc != PAPI_OK) {
    static bool said = false;
    if (!said)
      inform(std::string("--counters: a thread's counters do not start (PAPI: ") + PAPI_strerror(rc) +
                 "); its events are recorded without counters",
             true);
    said = true;
    if (c->event_set != PAPI_NULL) {
      PAPI_cleanup_eventset(c->event_set);
      PAPI_destroy_eventset(&c->event_set);
    }
    delete c;
    return nullptr;
  }
  c->count = static_cast<uint32_t>(g_codes.size());
  writer.set_counters(g_metric_ids);
  return c;
}

void read_counters(ThreadCounters* c, uint64_t* out) {
  long long values[format::kMaxCounters];
  if (PAPI_read(c->event_set, values) != PAPI_OK) return;
  for (uint32_t i = 0; i < c->count; ++i) out[i] = static_cast<uint64_t>(values[i]);
}

void stop_thread_counters(ThreadCounters* c) {
  if (!c) return;
  long long values[format::kMaxCounters];
  PAPI_stop(c->event_set, values);
  PAPI_cleanup_eventset(c->event_set);
  PAPI_destroy_eventset(&c->event_set);
  PAPI_unregister_thread();
  delete c;
}

#else  // without PAPI

struct ThreadCounters {};

void start_counters(const std::string& list) {
  if (!split_list(list).empty())
    inform(
        "--counters: this Rondo was built without PAPI (install libpapi-dev and rebuild); recording goes on "
        "without counters",
        true);
}
ThreadCounters* start_thread_counters(format::ThreadWriter&) { return nullptr; }
void read_counters(ThreadCounters*, uint64_t*) {}
void stop_thread_counters(ThreadCounters*) {}

#endif

}  // namespace rondo::trace
