// The time window syntax of `rondo stats --window T0:T1` and of the Python
// module: two times relative to the trace's start, each a number with a unit
// (ns, us, ms, s; no unit means seconds), either side may be empty ("2s:" is from
// 2 s to the end, ":500ms" the first half second).
#pragma once

#include <cstdint>
#include <string>

#include "rondo/analyzer/options.h"

namespace rondo::analyzer {

// A duration such as "1.5s", "200ms", "30us", "100ns" or "2" (seconds), in ns.
// Throws std::invalid_argument with a message naming the text.
int64_t parse_duration_ns(const std::string& text);

// "T0:T1" relative to `trace_start_ns` (TraceInfo::start_ns) as an absolute window.
// Throws std::invalid_argument (bad syntax, T1 before T0).
TimeWindow parse_window(const std::string& spec, int64_t trace_start_ns);

// How a window lies on a trace that spans [start_ns, end_ns] (TraceInfo):
// Inside, Clipped (it reaches past the trace's end: statistics cover the part
// inside the trace) or Outside (no instant of it lies in the trace: every
// statistic would be empty).
enum class WindowFit { Inside, Clipped, Outside };
WindowFit window_fit(const TimeWindow& window, int64_t start_ns, int64_t end_ns);

// A sentence that says what is wrong with a window that does not fit, for a
// message ("--window 2s:3s begins after the trace's end (it lasts 1.020 s)"),
// empty for Inside. `spec` is the window as the user wrote it.
std::string window_fit_text(const std::string& spec, const TimeWindow& window, int64_t start_ns, int64_t end_ns);

}  // namespace rondo::analyzer
