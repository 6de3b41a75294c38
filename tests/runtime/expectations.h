// Assertions shared by the runtime tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "harness.h"

namespace rondo::runtime_test {

// A process file that was closed properly: end record, no damage.
inline void expect_clean(const ProcessCounts& p) {
  EXPECT_TRUE(p.ended) << p.path << ": no end record";
  EXPECT_FALSE(p.truncated) << p.path;
  for (const auto& problem : p.problems) ADD_FAILURE() << p.path << ": " << problem;
}

// A thread whose data is all there: summary written, no lost chunk, and replay,
// timestamps and summary agree on the number of events.
inline void expect_complete(const ProcessCounts& p, const ThreadCounts& t) {
  SCOPED_TRACE(p.path + ", thread " + std::to_string(t.index));
  EXPECT_TRUE(t.has_summary);
  EXPECT_FALSE(t.truncated);
  EXPECT_EQ(t.replayed, t.event_count);
  EXPECT_EQ(t.summary_events, t.event_count);
  // The summary counts completed calls; replay must show as many leaves.
  for (const auto& [region, calls] : t.calls) EXPECT_EQ(t.left(region), calls) << region;
}

// A trace of one process with one thread, clean and complete: that thread, or
// null (after a failure) when the trace is anything else.
inline const ThreadCounts* single_thread(const std::vector<ProcessCounts>& trace) {
  EXPECT_EQ(trace.size(), 1u);
  if (trace.size() != 1) return nullptr;
  expect_clean(trace[0]);
  EXPECT_EQ(trace[0].threads.size(), 1u) << trace[0].path;
  if (trace[0].threads.size() != 1) return nullptr;
  expect_complete(trace[0], trace[0].threads[0]);
  return &trace[0].threads[0];
}

}  // namespace rondo::runtime_test
