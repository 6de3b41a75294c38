// Hardware and software counters read through PAPI (`rondo record --counters`,
// RONDO_COUNTERS). One PAPI event set per recorded thread, started when the
// thread's recorder is created and read at every enter and leave; the readings
// go into the thread writer's counter slot and from there into the trace as
// per-event data (FORMAT.md 8.4), never into an event's identity.
#pragma once

#include <cstdint>
#include <string>

#include "rondo/format/writer.h"

namespace rondo::trace {

struct ThreadCounters;  // a thread's PAPI event set

// At process start (after the runtime exists, before anything is recorded):
// parses the comma-separated event list, checks that each event can be counted
// here, and defines a Metric for each that can. Each event that cannot gets one
// line on stderr naming it and why; recording goes on with the others. An empty
// list, or a build without PAPI, turns counters off.
void start_counters(const std::string& list);

// On the thread itself, when its recorder is created: its event set, started,
// with the writer told which metrics it carries. Null when counters are off or
// the set cannot start here (said once on stderr).
ThreadCounters* start_thread_counters(format::ThreadWriter& writer);

// Hot path: the current readings into `out` (one per counter); on a failed read
// `out` keeps the previous readings.
void read_counters(ThreadCounters* counters, uint64_t* out);

// On the thread itself, when it ends: stops and frees its event set.
void stop_thread_counters(ThreadCounters* counters);

}  // namespace rondo::trace
