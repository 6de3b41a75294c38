// rondo export TRACE --format otf2|chrome -o OUT
#include <fmt/format.h>
#include <unistd.h>

#include "commands.h"
#include "text_output.h"

#ifdef RONDO_HAVE_CONVERTERS
#include "rondo/converters/chrome.h"
#include "rondo/converters/otf2.h"
#endif

namespace rondo::cli {

#ifdef RONDO_HAVE_CONVERTERS
namespace {

void print_notes(const converters::ConvertReport& r) {
  for (const auto& [what, n] : r.notes) fmt::print("note: {}: {}\n", what, format_count(n));
}

}  // namespace
#endif

int run_export(const ExportOptions& o) {
#ifndef RONDO_HAVE_CONVERTERS
  (void)o;
  fmt::print(stderr, "rondo: export is not available: this rondo was built without OTF2 (libotf2-trace-dev)\n");
  return 1;
#else
  converters::ConvertOptions options;
  options.progress = isatty(STDERR_FILENO) == 1;
  converters::ConvertReport r;
  std::string what;
  if (o.format == "otf2") {
    r = converters::export_otf2(o.trace, o.output, options);
    what = fmt::format("OTF2 archive {}/traces.otf2", o.output);
  } else if (o.format == "chrome") {
    r = converters::export_chrome(o.trace, o.output, options);
    what = "Chrome trace " + o.output;
  } else {
    fmt::print(stderr, "rondo: unknown format '{}' (use otf2 or chrome)\n", o.format);
    return 2;
  }
  fmt::print("wrote {}: {} events ({} process{}, {} thread{}) -> {} records\n", what, format_count(r.events),
             r.processes, r.processes == 1 ? "" : "es", r.threads, r.threads == 1 ? "" : "s", format_count(r.records));
  print_notes(r);
  fmt::print("export took {:.3f} s ({:.0f} events/s)\n", r.seconds, r.events_per_second());
  return 0;
#endif
}

}  // namespace rondo::cli
