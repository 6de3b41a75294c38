// Searching regions by name: which regions of each process a search matches,
// so the timeline can highlight their calls (and draw every other call pale).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "trace_session.h"

namespace rondo::viewer {

struct RegionMatch {
  std::string text;                      // what was searched; empty: no search
  std::vector<std::vector<bool>> match;  // per process, per region id
  size_t regions = 0;                    // distinct names matched
  bool active() const { return !text.empty(); }
  bool matches(size_t process, uint32_t region) const {
    return process < match.size() && region < match[process].size() && match[process][region];
  }
};

// Regions whose name contains `text`, ignoring case.
RegionMatch find_regions(const TraceSession& session, const std::string& text);

}  // namespace rondo::viewer
