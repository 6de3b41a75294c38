// rondo check: verifies the invariants every trace must satisfy
// (analyzer/include/rondo/analyzer/check.h). Exit status: 0 clean, 1 violations
// found, 2 the trace cannot be read.
#include <fmt/format.h>

#include <new>

#include "commands.h"
#include "rondo/analyzer/check.h"
#include "rondo/analyzer/json_text.h"

namespace rondo::cli {

int run_check(const std::string& path, bool json) {
  analyzer::CheckReport report;
  try {
    format::TraceReader trace(path);
    report = analyzer::check_trace(trace);
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "rondo: out of memory: rondo check pairs every point-to-point message (0.5-0.8 KB each)\n");
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
    return 2;
  }
  if (json) {
    fmt::print("{}\n", analyzer::json_text(analyzer::check_json(report), 2));
    return report.clean() ? 0 : 1;
  }
  for (const analyzer::Violation& v : report.violations) fmt::print("{}\n", analyzer::violation_text(v));
  if (report.omitted) fmt::print("... and {} more violations of the same kinds at the same places\n", report.omitted);
  size_t found = report.violations.size() + report.omitted;
  fmt::print("{}: {} processes, {} threads ({} cut short), {} events, {} requests, {} matched messages: {}\n", path,
             report.processes, report.threads, report.cut_short_threads, report.events, report.requests,
             report.messages, found ? fmt::format("{} violation{}", found, found == 1 ? "" : "s") : "ok");
  return report.clean() ? 0 : 1;
}

}  // namespace rondo::cli
