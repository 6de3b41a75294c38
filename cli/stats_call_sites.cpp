#include "stats_call_sites.h"

#include <fmt/format.h>

#include "text_output.h"

namespace rondo::cli {

using analyzer::MpiCallSite;

std::string call_sites_text(const std::vector<MpiCallSite>& sites) {
  if (sites.empty()) return "";
  std::string out = "MPI call sites (time in MPI by where the application called it)\n";
  for (const MpiCallSite& s : sites)
    out += fmt::format("  {} from {}: {:.1f}% of MPI time, {} call{}, {}\n", s.call, analyzer::call_site_place(s.function, s.file, s.line), 100.0 * s.share,
                       s.calls, s.calls == 1 ? "" : "s", format_duration_ns(static_cast<double>(s.inclusive_ns)));
  return out + "\n";
}

std::vector<std::string> write_call_sites_csv(const std::vector<MpiCallSite>& sites, const std::string& dir) {
  if (sites.empty()) return {};
  std::string csv = "call,function,file,line,calls,inclusive_ns,mpi_share\n";
  for (const MpiCallSite& s : sites)
    csv += fmt::format("{},{},{},{},{},{},{:.6f}\n", csv_field(s.call), csv_field(s.function), csv_field(s.file),
                       s.line, s.calls, s.inclusive_ns, s.share);
  write_text_file(dir + "/mpi_call_sites.csv", csv);
  return {"mpi_call_sites.csv"};
}

}  // namespace rondo::cli
