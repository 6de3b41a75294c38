// OTF2 import, part 3: the events of one location, turned into Rondo events of
// one thread by the callbacks that make_event_callbacks() registers.
#pragma once

#include <otf2/otf2.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "otf2/otf2_import_defs.h"
#include "otf2/otf2_import_process.h"
#include "rondo/converters/otf2.h"
#include "rondo/format/writer.h"
#include "src/progress.h"

namespace rondo::converters::otf2_import {

using namespace rondo::format;

// ---------------------------------------------------------------------------
// Events of one location.

struct LocationState {
  const GlobalDefs* g = nullptr;
  ProcessBuilder* process = nullptr;
  ThreadWriter* writer = nullptr;
  ConvertReport* report = nullptr;
  detail::Progress* progress = nullptr;
  uint64_t* records_total = nullptr;
  int32_t rank = -1;
  uint32_t thread_index = 0;
  std::optional<uint32_t> pid;                          // from a ProcessId attribute
  std::unordered_map<uint64_t, int64_t> io_operations;  // matching id -> Rondo I/O operation
  std::vector<uint32_t> open_calls;                     // Rondo regions entered and not yet left, innermost last
  uint64_t polls_begin = 0;                             // first poll of a run of folded polls (ev_enter)
  std::string error;
  OTF2_LocationRef location = 0;
  bool gpu_stream = false;                 // an accelerator stream (otf2_gpu.h)
  std::optional<uint32_t> gpu_copy_region;  // the copy region opened for an archive without one
  // Counters (otf2_import_counters.cpp): the strictly synchronous metric class
  // whose records became this thread's counter readings, and for its
  // ABSOLUTE_NEXT members the running sums of the values seen so far.
  OTF2_MetricRef counter_class = OTF2_UNDEFINED_METRIC;
  std::vector<bool> counter_next;
  std::vector<uint64_t> counter_sums;

  std::optional<int64_t> attribute(OTF2_AttributeList* list, const char* name) const {
    if (!list) return std::nullopt;
    auto it = g->attribute_by_name.find(name);
    if (it == g->attribute_by_name.end() || !OTF2_AttributeList_TestAttributeByID(list, it->second))
      return std::nullopt;
    OTF2_Type type;
    OTF2_AttributeValue v;
    if (OTF2_AttributeList_GetAttributeByID(list, it->second, &type, &v) != OTF2_SUCCESS) return std::nullopt;
    switch (type) {
      case OTF2_TYPE_UINT8:
        return v.uint8;
      case OTF2_TYPE_UINT16:
        return v.uint16;
      case OTF2_TYPE_UINT32:
        return v.uint32;
      case OTF2_TYPE_UINT64:
        return static_cast<int64_t>(v.uint64);
      case OTF2_TYPE_INT8:
        return v.int8;
      case OTF2_TYPE_INT16:
        return v.int16;
      case OTF2_TYPE_INT32:
        return v.int32;
      case OTF2_TYPE_INT64:
        return v.int64;
      default:
        return std::nullopt;
    }
  }

  void event(EventKind kind, uint64_t time, uint32_t ref = 0, std::initializer_list<int64_t> params = {},
             std::initializer_list<int64_t> data = {}) {
    EventKey k;
    k.kind = kind;
    k.ref = ref;
    size_t i = 0;
    for (int64_t p : params) k.params[i++] = p;
    int64_t d[kMaxData] = {};
    i = 0;
    for (int64_t v : data) d[i++] = v;
    writer->event(k, time, d);
  }

  // A record Rondo has no event for: a Marker with its name and key fields.
  void keep(const char* record, uint64_t time, const std::string& fields = "") {
    ++report->kept_as_markers[record];
    marker(time, fields.empty() ? std::string(record) : std::string(record) + " " + fields);
  }
  void marker(uint64_t time, const std::string& text) { event(EventKind::Marker, time, process->string(text)); }

  // The run's per-poll durations are not in the archive: each poll counts with
  // the mean (analyzer/poll_folds.h does the same for windows).
  void folded_polls(uint32_t region, uint64_t time, uint64_t count, int64_t inside_ns) {
    FoldedPolls run;
    run.region = region;
    run.first_ticks = polls_begin <= time ? polls_begin : time;
    run.last_ticks = time;
    auto inside = static_cast<uint64_t>(static_cast<long double>(std::max<int64_t>(0, inside_ns)) *
                                        static_cast<long double>(g->resolution) / 1e9L + 0.5L);
    uint64_t mean = inside / count;
    run.calls.inclusive = {count, inside, mean, mean};
    run.calls.exclusive_sum = inside;
    run.calls.inclusive_sum_squares = static_cast<uint128>(inside) * inside / count;
    writer->polls(run);
  }
  void enter(uint32_t region, uint64_t time) {
    open_calls.push_back(region);
    writer->enter(region, time);
  }
  // Foreign writers may leave calls out of nesting order (EZTrace leaves
  // "Working" while "EZTrace finalize" is still open inside it). Rondo traces
  // nest strictly, so a leave of a call that is not the innermost one closes the
  // calls open inside it at its own time, as a leave would in a program that
  // unwinds; the later leaves of those calls then find nothing open and are
  // dropped. Event counts stay the same when each such call is left later.
  void leave(uint32_t region, uint64_t time) {
    auto it = std::find(open_calls.rbegin(), open_calls.rend(), region);
    if (it == open_calls.rend()) {
      ++report->leaves_dropped;
      return;
    }
    if (open_calls.back() != region) ++report->leaves_out_of_order;
    while (open_calls.back() != region) {
      writer->leave(open_calls.back(), time);
      open_calls.pop_back();
      ++report->calls_closed_early;
    }
    writer->leave(region, time);
    open_calls.pop_back();
  }
};

// A Metric record of the class `cls` taken as counter readings, when it is one
// Score-P writes for SCOREP_METRIC_PAPI (FORMAT.md 8.4): a strictly synchronous
// class of integer members, accumulated from the start or absolute for the
// interval up to the next record, first seen before the location's first
// event. Returns false for any other record (kept as METRIC samples).
bool take_counters(LocationState& s, OTF2_MetricRef cls, uint8_t n, const OTF2_Type* types,
                   const OTF2_MetricValue* values);

// The callbacks for every record kind; the caller deletes them. Each callback's
// user data is the LocationState of the location being read.
OTF2_EvtReaderCallbacks* make_event_callbacks();

}  // namespace rondo::converters::otf2_import
