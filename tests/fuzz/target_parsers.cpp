// Fuzz targets: the option parsers a user types into (--window, --filter).
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_targets.h"
#include "name_filter.h"
#include "rondo/analyzer/window_spec.h"

namespace rondo::fuzz {
namespace {

// NameFilter's globs by their definition ('*' any run, '?' one character, '\x'
// a literal x; a trailing '\' is itself) as a table: match[i][j] says whether
// the pattern from i matches the name from j. Slow but obviously right.
bool reference_glob(std::string_view p, std::string_view n) {
  const size_t P = p.size(), N = n.size();
  std::vector<std::vector<char>> match(P + 3, std::vector<char>(N + 2, 0));
  match[P][N] = 1;
  for (size_t i = P; i-- > 0;)
    for (size_t j = N + 1; j-- > 0;) {
      bool more = j < N;
      if (p[i] == '*') match[i][j] = match[i + 1][j] || (more && match[i][j + 1]);
      else if (p[i] == '\\' && i + 1 < P) match[i][j] = more && p[i + 1] == n[j] && match[i + 2][j + 1];
      else match[i][j] = more && (p[i] == '?' || p[i] == n[j]) && match[i + 1][j + 1];
    }
  return match[0][0];
}

}  // namespace

int window_spec(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  int64_t start = 0;
  std::memcpy(&start, data, 8);
  std::string spec(reinterpret_cast<const char*>(data + 8), size - 8);
  try {
    analyzer::TimeWindow w = analyzer::parse_window(spec, start);
    if (w.end_ns < w.begin_ns) std::abort();  // never reversed (empty only when held at the largest time)
    int64_t end = start > INT64_MAX - 1000 ? INT64_MAX : start + 1000;
    (void)analyzer::window_fit_text(spec, w, start, end);
  } catch (const std::invalid_argument&) {
  }
  try {
    (void)analyzer::parse_duration_ns(spec);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}

int name_filter(const uint8_t* data, size_t size) {
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t end = all.find('\0');
  std::string spec(all.substr(0, end));
  for (char& c : spec)
    if (c == '@') c = '#';  // never open files named by the input
  std::vector<std::string_view> names;
  while (end != std::string_view::npos) {
    size_t next = all.find('\0', end + 1);
    names.push_back(all.substr(end + 1, next == std::string_view::npos ? std::string_view::npos : next - end - 1));
    end = next;
  }
  try {
    compiler::NameFilter f = compiler::NameFilter::parse(spec);
    for (std::string_view n : names) (void)f.accepts(n);
  } catch (const std::runtime_error&) {
  }
  // Glob matching against the reference, on sizes where the reference stays fast.
  if (spec.size() <= 64)
    for (std::string_view n : names)
      if (n.size() <= 64 && compiler::NameFilter::glob_match(spec, n) != reference_glob(spec, n)) std::abort();
  return 0;
}

}  // namespace rondo::fuzz
