// rondo import OTF2_ANCHOR_FILE -o TRACE
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "commands.h"
#include "text_output.h"

#ifdef RONDO_HAVE_CONVERTERS
#include "rondo/converters/otf2.h"
#endif

namespace rondo::cli {

namespace {

// Why `path` cannot be an OTF2 archive's anchor file, or "".
[[maybe_unused]] std::string anchor_problem(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return std::string(std::strerror(ENOENT)) + " (give the archive's anchor file, e.g. traces.otf2)";
  if (!std::filesystem::is_regular_file(path, ec))
    return "not a file (give the archive's anchor file, e.g. traces.otf2, not its directory)";
  if (path.size() < 5 || path.compare(path.size() - 5, 5, ".otf2") != 0)
    return "not an OTF2 anchor file (its name ends in .otf2, e.g. traces.otf2)";
  if (access(path.c_str(), R_OK) != 0) return std::string("cannot read: ") + std::strerror(errno);
  return "";
}

}  // namespace

int run_import(const ImportOptions& o) {
#ifndef RONDO_HAVE_CONVERTERS
  (void)o;
  fmt::print(stderr, "rondo: import is not available: this rondo was built without OTF2 (libotf2-trace-dev)\n");
  return 1;
#else
  // Checked here, so that the OTF2 library's own messages ("This no valid file
  // extension!") never reach the user.
  if (std::string problem = anchor_problem(o.anchor); !problem.empty()) {
    fmt::print(stderr, "rondo: {}: {}\n", o.anchor, problem);
    return 2;
  }
  converters::ConvertOptions options;
  options.progress = isatty(STDERR_FILENO) == 1;
  converters::ConvertReport r = converters::import_otf2(o.anchor, o.output, options);
  fmt::print("wrote Rondo trace {}: {} OTF2 records ({} location group{}, {} location{}) -> {} events\n", o.output,
             format_count(r.records), r.processes, r.processes == 1 ? "" : "s", r.threads, r.threads == 1 ? "" : "s",
             format_count(r.events));
  uint64_t kept = 0;
  std::string list;
  for (const auto& [record, n] : r.kept_as_markers) {
    kept += n;
    list += fmt::format("{}{} {}", list.empty() ? "" : ", ", record, format_count(n));
  }
  if (kept) fmt::print("{} records kept as markers: {}\n", format_count(kept), list);
  for (const auto& [what, n] : r.notes) fmt::print("note: {}: {}\n", what, format_count(n));
  fmt::print("import took {:.3f} s ({:.0f} events/s)\n", r.seconds, r.events_per_second());
  return 0;
#endif
}

}  // namespace rondo::cli
