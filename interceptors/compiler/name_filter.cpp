#include "name_filter.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

namespace rondo::compiler {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kBlanks = " \t\r\n\f\v";
  const size_t first = s.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kBlanks) - first + 1);
}

}  // namespace

NameFilter NameFilter::parse(std::string_view spec) {
  NameFilter filter;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view token = trim(spec.substr(0, comma));
    spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
    if (token.empty()) continue;  // tolerate "a,,b" and a trailing comma
    if (token.front() == '@') {
      filter.add_file(std::string(trim(token.substr(1))));
    } else {
      filter.add_rule(token, "filter spec");
    }
  }
  // A pure allow-list ("main,compute_*") means "only these"; as soon as there is an exclude rule, the rules
  // are exceptions to a default of tracing everything.
  filter.accept_unmatched_ = filter.rules_.empty() || std::any_of(filter.rules_.begin(), filter.rules_.end(),
                                                                  [](const Rule& r) { return !r.include; });
  return filter;
}

void NameFilter::add_rule(std::string_view text, std::string_view origin) {
  bool include = true;
  if (text.front() == '-' || text.front() == '+') {
    include = text.front() == '+';
    text = trim(text.substr(1));
    if (text.empty())
      throw std::runtime_error("name filter: rule without a pattern in " + std::string(origin));
  }
  rules_.push_back({std::string(text), include});
}

void NameFilter::add_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("name filter: cannot read rule file '" + path + "'");
  const std::string origin = "rule file '" + path + "'";
  std::string line;
  while (std::getline(in, line)) {
    const std::string_view rule = trim(line);
    if (rule.empty() || rule.front() == '#') continue;
    // Files do not nest: that would need cycle detection for no real benefit.
    if (rule.front() == '@') throw std::runtime_error("name filter: '@' include inside " + origin);
    add_rule(rule, origin);
  }
  if (in.bad()) throw std::runtime_error("name filter: error while reading " + origin);
}

bool NameFilter::accepts(std::string_view name) const {
  for (auto it = rules_.rbegin(); it != rules_.rend(); ++it) {
    if (glob_match(it->pattern, name)) return it->include;
  }
  return accept_unmatched_;
}

bool NameFilter::glob_match(std::string_view pattern, std::string_view name) {
  // Greedy matching with a single backtrack point: on a mismatch, let the most recent '*' swallow one more
  // character. Earlier stars never need revisiting, so this is O(pattern * name) without recursion.
  size_t p = 0, n = 0;
  size_t star_p = std::string_view::npos, star_n = 0;
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = p++;
      star_n = n;
      continue;
    }
    if (p < pattern.size()) {
      const bool escaped = pattern[p] == '\\' && p + 1 < pattern.size();
      const char want = pattern[escaped ? p + 1 : p];
      if ((!escaped && want == '?') || want == name[n]) {
        p += escaped ? 2 : 1;
        ++n;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p + 1;
    n = ++star_n;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;  // trailing stars match the empty rest
  return p == pattern.size();
}

}  // namespace rondo::compiler
