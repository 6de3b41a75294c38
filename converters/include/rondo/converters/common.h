// What every converter shares: its error type, its options and the report it
// returns (counts for the summary line of `rondo export` / `rondo import`).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>

namespace rondo::converters {

// A conversion that cannot go on. The message is one line a user can act on
// ("out.otf2: cannot create directory: Permission denied").
class ConversionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConvertOptions {
  // Draw a progress bar on stderr. The CLI turns it on only when stderr is a terminal.
  bool progress = false;
};

struct ConvertReport {
  uint64_t processes = 0;
  uint64_t threads = 0;  // Rondo threads = OTF2 locations
  uint64_t events = 0;   // Rondo events read (export) or written (import)
  uint64_t records = 0;  // records written (export) or read (import)
  double seconds = 0;
  // Things worth telling the user, with how often they happened
  // ("timestamps raised to keep a location monotonic": 3).
  std::map<std::string, uint64_t> notes;
  // Import: OTF2 records Rondo has no event for, kept as Marker events, by record name.
  std::map<std::string, uint64_t> kept_as_markers;
  // Import: leaves that closed calls still open inside them (foreign writers that
  // do not nest, see converters/README.md), the calls so closed, and the later
  // leaves of calls no longer open, which are dropped.
  uint64_t leaves_out_of_order = 0, calls_closed_early = 0, leaves_dropped = 0;
  // Import: OTF2 ClockOffset definitions applied, and, when the archive has none,
  // matched messages received before they were sent (left as they are).
  uint64_t clock_offsets = 0, receives_before_send = 0;
  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

}  // namespace rondo::converters
