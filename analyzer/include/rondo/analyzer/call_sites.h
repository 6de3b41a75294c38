// Time in MPI by application call site (`rondo record --callstack N`): for each
// MPI function and the place in the application it was called from (the
// innermost captured frame: function, file, line), how many calls and how long
// they took. Sites of different processes with the same function, call and
// location are one site (addresses differ between processes).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

struct MpiCallSite {
  std::string call;      // "MPI_Allreduce"
  std::string function;  // innermost application frame's function; "0x<address>" when unknown
  std::string file;      // its source file, "" without debug information
  uint32_t line = 0;     // 0: unknown
  uint64_t calls = 0;
  int64_t inclusive_ns = 0;  // inside the window
  double share = 0;          // of the time in every MPI call made from a known site
};

// A call site's innermost application frame as text.
struct CallSiteFrameText {
  std::string function;  // "0x<address>" when unknown
  std::string file;      // "" without debug information
  uint32_t line = 0;     // 0: unknown
};
// A frame's function: its name, "0x<address>" when no symbol was found.
std::string call_site_function(const format::ProcessDefinitions& defs, const format::CallSiteFrame& f);
// Every call site of a process, by call-site id.
std::vector<CallSiteFrameText> call_site_frames(const format::ProcessDefinitions& defs);

// Outermost MPI calls that carry a call site, by inclusive time, largest first.
// Empty when the trace was recorded without call sites.
std::vector<MpiCallSite> mpi_call_sites(const format::TraceReader& trace, const TimeWindow& window);

// "exchange_halo (halo.c:42)": a call site's innermost frame as one line of
// text (the file's name without its directory; the function alone without
// debug information).
std::string call_site_place(const std::string& function, const std::string& file, uint32_t line);
// The same for the ENTER parameter `site` (call-site id + 1) of a process; ""
// for 0 or an unknown id.
std::string call_site_place(const format::ProcessDefinitions& defs, uint32_t site);

// `mpi.call_sites` of `rondo stats --json` (docs/stats-json.md).
nlohmann::ordered_json call_sites_json(const std::vector<MpiCallSite>& sites);

}  // namespace rondo::analyzer
