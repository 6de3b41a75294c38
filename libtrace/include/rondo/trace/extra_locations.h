// Locations of a process that are not operating-system threads (GPU streams).
//
// Their events are not recorded by the thread they describe: a tool thread
// (CUPTI's buffer-completion thread) delivers them later, with timestamps of
// their own on the trace's clock. Each location gets a Thread definition of the
// given kind and name and a grammar of its own, and is written with the process.
//
// Contract:
// - create_location() is thread-safe; it returns null when the process is not
//   being recorded. A location lives as long as the process.
// - The record calls for one location must not run concurrently with each other
//   (one delivering thread at a time); different locations may be fed in parallel.
//   Timestamps of one location should be non-decreasing (a reader accepts a
//   step back, the analyzer's durations then count from the step).
// - Records given after the process's trace was ended (exit, fatal signal) are
//   dropped silently.
// - Flush hooks run before the process's threads are finished and written: at
//   exit, at _exit(), from the flusher after a fatal signal, and whenever
//   run_flush_hooks() is called (MPI_Finalize). A module that buffers events
//   (CUPTI activity buffers) hands them over there.
#pragma once

#include <cstdint>
#include <string_view>

#include "rondo/format/definitions.h"
#include "rondo/format/records.h"

namespace rondo::trace {

struct ExtraLocation;

// `parent`: index of the location that created it (UINT32_MAX: none).
ExtraLocation* create_location(format::ThreadKind kind, std::string_view name, uint32_t parent = UINT32_MAX);
// The location's thread index (what GPU_* records name as their stream).
uint32_t location_index(const ExtraLocation* location);

void location_enter(ExtraLocation* location, uint32_t region, uint64_t at);
void location_leave(ExtraLocation* location, uint32_t region, uint64_t at);
// `data`: kind_shape(key.kind).data values (may be null when there are none).
void location_event(ExtraLocation* location, const format::EventKey& key, const int64_t* data, uint64_t at);

using FlushHook = void (*)();
// Registers a hook (at most 8; thread-safe). Hooks run in registration order.
void add_flush_hook(FlushHook hook);
// Runs the hooks, then writes out everything recorded into extra locations so
// far. `crash`: from the fatal-signal path, where locks are taken with bounded
// waits. `final`: the process's trace ends (exit, signal); later records are dropped.
void run_flush_hooks(bool crash = false, bool final = false);

}  // namespace rondo::trace
