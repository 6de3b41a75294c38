// The invariants every trace must satisfy (analyzer/check.h, `rondo check`),
// checked by every end-to-end test right after it records a trace:
//   EXPECT_TRUE(rondo::test::trace_valid(dir));
// On failure the message lists each violation, one line each. Test targets that
// use it link rondo_analyzer.
#pragma once

#include <gtest/gtest.h>

#include <exception>
#include <string>

#include "rondo/analyzer/check.h"
#include "rondo/format/reader.h"

namespace rondo::test {

inline ::testing::AssertionResult trace_valid(const std::string& dir) {
  try {
    format::TraceReader trace(dir);
    analyzer::CheckReport report = analyzer::check_trace(trace);
    if (report.clean()) return ::testing::AssertionSuccess();
    ::testing::AssertionResult failure = ::testing::AssertionFailure();
    failure << "rondo check " << dir << ": " << report.violations.size() + report.omitted << " violations\n";
    for (const analyzer::Violation& v : report.violations) failure << "  " << analyzer::violation_text(v) << "\n";
    if (report.omitted) failure << "  ... and " << report.omitted << " more\n";
    return failure;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "rondo check " << dir << ": " << e.what();
  }
}

}  // namespace rondo::test
