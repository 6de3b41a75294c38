#include "region_search.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace rondo::viewer {

namespace {
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}
}  // namespace

RegionMatch find_regions(const TraceSession& session, const std::string& text) {
  RegionMatch out;
  out.text = text;
  if (text.empty()) return out;
  std::string needle = lower(text);
  std::set<std::string> names;
  const auto& processes = session.trace().processes();
  out.match.resize(processes.size());
  for (size_t p = 0; p < processes.size(); ++p) {
    size_t regions = processes[p]->defs().regions.size();
    out.match[p].assign(regions, false);
    for (uint32_t r = 0; r < regions; ++r) {
      const std::string& name = session.region_name(p, r);
      if (lower(name).find(needle) == std::string::npos) continue;
      out.match[p][r] = true;
      names.insert(name);
    }
  }
  out.regions = names.size();
  return out;
}

}  // namespace rondo::viewer
