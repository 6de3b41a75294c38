#include "rondo/analyzer/window_spec.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>

namespace rondo::analyzer {

int64_t parse_duration_ns(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  double value = std::strtod(begin, &end);
  if (end == begin || !std::isfinite(value) || value < 0)
    throw std::invalid_argument("'" + text + "' is not a duration (examples: 1.5s, 200ms, 30us, 100ns)");
  std::string unit = text.substr(static_cast<size_t>(end - begin));  // all of it: a NUL inside is no end
  double scale;
  if (unit.empty() || unit == "s") scale = 1e9;
  else if (unit == "ms") scale = 1e6;
  else if (unit == "us") scale = 1e3;
  else if (unit == "ns") scale = 1;
  else throw std::invalid_argument("'" + text + "': unknown unit '" + unit + "' (use ns, us, ms or s)");
  double ns = value * scale;
  if (ns > 9.2e18) throw std::invalid_argument("'" + text + "' is too long");
  return static_cast<int64_t>(std::llround(ns));
}

namespace {

// `start + duration`, held at the largest time when a trace's start is so late
// (a damaged clock record) that the sum does not fit: such a window reaches past
// the trace's end instead of wrapping around to before its start.
int64_t after(int64_t start, int64_t duration) {
  int64_t sum;
  return __builtin_add_overflow(start, duration, &sum) ? std::numeric_limits<int64_t>::max() : sum;
}

}  // namespace

TimeWindow parse_window(const std::string& spec, int64_t trace_start_ns) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos || spec.find(':', colon + 1) != std::string::npos)
    throw std::invalid_argument("window '" + spec + "' is not T0:T1 (example: 1.5s:2s)");
  std::string from = spec.substr(0, colon), to = spec.substr(colon + 1);
  TimeWindow w;
  if (!from.empty()) w.begin_ns = after(trace_start_ns, parse_duration_ns(from));
  if (!to.empty()) w.end_ns = after(trace_start_ns, parse_duration_ns(to));
  if (!from.empty() && !to.empty() && w.end_ns <= w.begin_ns)
    throw std::invalid_argument("window '" + spec + "' ends before it begins");
  return w;
}

WindowFit window_fit(const TimeWindow& w, int64_t start_ns, int64_t end_ns) {
  if (w.whole()) return WindowFit::Inside;
  // The trace's last instant counts as inside (a window that begins exactly at
  // the end still holds the final records).
  if (w.begin_ns > end_ns || w.end_ns <= start_ns) return WindowFit::Outside;
  if (w.end_ns != TimeWindow{}.end_ns && w.end_ns > end_ns) return WindowFit::Clipped;
  return WindowFit::Inside;
}

std::string window_fit_text(const std::string& spec, const TimeWindow& w, int64_t start_ns, int64_t end_ns) {
  // The trace's length in the syntax --window takes, so it can be typed back.
  double ns = static_cast<double>(end_ns - start_ns);
  char length[48];
  if (ns >= 1e9) std::snprintf(length, sizeof length, "%.3fs", ns / 1e9);
  else if (ns >= 1e6) std::snprintf(length, sizeof length, "%.3fms", ns / 1e6);
  else if (ns >= 1e3) std::snprintf(length, sizeof length, "%.3fus", ns / 1e3);
  else std::snprintf(length, sizeof length, "%.0fns", ns);
  switch (window_fit(w, start_ns, end_ns)) {
    case WindowFit::Inside:
      return "";
    case WindowFit::Outside:
      return "window '" + spec + "' lies after the trace's end (the trace lasts " + length +
             "): choose times between 0 and " + length;
    case WindowFit::Clipped:
      return "window '" + spec + "' reaches past the trace's end (the trace lasts " + length +
             "): statistics cover up to the end";
  }
  return "";
}

}  // namespace rondo::analyzer
