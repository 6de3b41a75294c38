// rondo import OTF2_ANCHOR_FILE -o TRACE
#include <fmt/format.h>
#include <unistd.h>

#include "commands.h"
#include "text_output.h"

#ifdef RONDO_HAVE_CONVERTERS
#include "rondo/converters/otf2.h"
#endif

namespace rondo::cli {

int run_import(const ImportOptions& o) {
#ifndef RONDO_HAVE_CONVERTERS
  (void)o;
  fmt::print(stderr, "rondo: import is not available: this rondo was built without OTF2 (libotf2-trace-dev)\n");
  return 1;
#else
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
