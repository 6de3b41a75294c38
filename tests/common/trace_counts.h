// Counts of a trace's records by kind, replaying every thread: what the MPI
// tests compare with the exact numbers of calls a program made.
#pragma once

#include <cstdint>
#include <map>

#include "rondo/format/reader.h"

namespace rondo::test {

// Records of each kind, per MPI rank (the process's rank; -1 outside MPI).
inline std::map<int32_t, std::map<format::EventKind, uint64_t>> kinds_by_rank(const format::TraceReader& trace) {
  std::map<int32_t, std::map<format::EventKind, uint64_t>> out;
  for (const auto& p : trace.processes())
    for (size_t t = 0; t < p->thread_count(); ++t) {
      format::EventCursor cursor(p->thread(t));
      format::Event e;
      while (cursor.next(e)) ++out[p->rank()][e.kind()];
    }
  return out;
}

// The same over every process.
inline std::map<format::EventKind, uint64_t> kinds(const format::TraceReader& trace) {
  std::map<format::EventKind, uint64_t> out;
  for (const auto& [rank, counts] : kinds_by_rank(trace))
    for (const auto& [kind, n] : counts) out[kind] += n;
  return out;
}

}  // namespace rondo::test
