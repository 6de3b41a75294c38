// OTF2 import: Score-P's PAPI metrics (SCOREP_METRIC_PAPI) as Rondo counters.
//
// Score-P writes the counters of a location as one metric class of several
// members (uint64, unit "#"), recurrence OTF2_METRIC_SYNCHRONOUS_STRICT, with a
// Metric record just before every Enter and Leave at the same time. A member is
// ACCUMULATED_START (the count since the start) or, when its name starts with
// '!', ABSOLUTE_NEXT (the count from this record to the next one). Both become
// readings accumulated from the start, written into the thread writer's counter
// slot, so the following Enter or Leave carries them (FORMAT.md 8.4).
#include <otf2/otf2.h>

#include "otf2/otf2_import_events.h"

namespace rondo::converters::otf2_import {

namespace {

bool integer(OTF2_Type t) { return t == OTF2_TYPE_UINT64 || t == OTF2_TYPE_INT64; }

// The class's members if it is a counter class: strictly synchronous, and
// every member accumulated from the start or absolute until the next record.
const std::vector<OTF2_MetricMemberRef>* counter_members(const GlobalDefs& g, OTF2_MetricRef cls) {
  auto occurrence = g.metric_occurrence.find(cls);
  auto members = g.metric_classes.find(cls);
  if (occurrence == g.metric_occurrence.end() || occurrence->second != OTF2_METRIC_SYNCHRONOUS_STRICT ||
      members == g.metric_classes.end() || members->second.empty() || members->second.size() > kMaxCounters)
    return nullptr;
  for (OTF2_MetricMemberRef m : members->second) {
    auto def = g.metric_members.find(m);
    if (def == g.metric_members.end()) return nullptr;
    if (def->second.mode != OTF2_METRIC_ACCUMULATED_START && def->second.mode != OTF2_METRIC_ABSOLUTE_NEXT)
      return nullptr;
  }
  return &members->second;
}

}  // namespace

bool take_counters(LocationState& s, OTF2_MetricRef cls, uint8_t n, const OTF2_Type* types,
                   const OTF2_MetricValue* values) {
  if (s.counter_class == OTF2_UNDEFINED_METRIC) {
    // Counters are columns of every event: they can start only before the first.
    if (s.writer->events() != 0 || s.writer->counters() != 0) return false;
    const std::vector<OTF2_MetricMemberRef>* members = counter_members(*s.g, cls);
    if (!members || members->size() != n) return false;
    std::vector<uint32_t> ids;
    for (OTF2_MetricMemberRef m : *members) {
      ids.push_back(s.process->counter_metric(m));
      s.counter_next.push_back(s.g->metric_members.at(m).mode == OTF2_METRIC_ABSOLUTE_NEXT);
    }
    s.counter_sums.assign(n, 0);
    s.writer->set_counters(ids);
    s.counter_class = cls;
  }
  if (cls != s.counter_class || n != s.counter_next.size()) return false;
  for (uint8_t i = 0; i < n; ++i)
    if (!integer(types[i])) return false;
  uint64_t* slot = s.writer->counter_slot();
  for (uint8_t j = 0; j < n; ++j) {
    if (s.counter_next[j]) {
      // The value counts from here to the next record: the reading here is
      // what the earlier intervals add up to.
      slot[j] = s.counter_sums[j];
      s.counter_sums[j] += values[j].unsigned_int;
    } else {
      slot[j] = values[j].unsigned_int;
    }
  }
  return true;
}

}  // namespace rondo::converters::otf2_import
