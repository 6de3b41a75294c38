// Include/exclude filter for region (function) names, used to keep uninteresting functions out of a trace.
//
// Spec syntax: comma-separated rules, e.g. "-MPI_*,-std::*,+main,compute_*".
//   - A rule is a glob pattern: '*' matches any run of characters (also none), '?' exactly one character,
//     '\' makes the next character literal (e.g. "operator\*" for the multiplication operator).
//   - Prefix '-' excludes, '+' or no prefix includes. Leading/trailing blanks of a rule are ignored.
//   - "@path" reads rules from a file, one per line; blank lines and lines whose first non-blank character is
//     '#' are skipped. Only whole-line comments exist because demangled names contain '#' (lambdas:
//     "{lambda()#1}"). A line in a file may contain commas (C++ template arguments); it is one rule.
// Evaluation: the LAST rule matching a name decides. A name no rule matches is included, unless every rule is
// an include rule (a pure allow-list), in which case it is excluded. An empty spec accepts everything.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rondo::compiler {

class NameFilter {
 public:
  // Parse a spec (see above). Throws std::runtime_error for an unreadable "@file" (the message names the
  // file), for "@" inside a rule file, and for a rule that is only a '+' or '-' with no pattern.
  static NameFilter parse(std::string_view spec);

  bool accepts(std::string_view name) const;

  // True if there are no rules, i.e. every name is accepted.
  bool empty() const { return rules_.empty(); }

  // Glob match as used by the rules ('*', '?', '\' escape); exposed for reuse and tests.
  static bool glob_match(std::string_view pattern, std::string_view name);

 private:
  struct Rule {
    std::string pattern;
    bool include;
  };

  void add_rule(std::string_view text, std::string_view origin);
  void add_file(const std::string& path);

  std::vector<Rule> rules_;
  bool accept_unmatched_ = true;
};

}  // namespace rondo::compiler
