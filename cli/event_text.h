// Human-readable descriptions of events and grammar tokens, for `rondo print`.
#pragma once

#include <string>

#include "rondo/format/reader.h"

namespace rondo::cli {

std::string describe_event(const format::ProcessDefinitions& defs, const format::EventDef& def,
                           const int64_t* data);

// Folded polls (FORMAT.md 7.2): a run's two POLLS records are shown as one line,
// at the record that ends the run, e.g. "MPI_Testany ×4,301,112 polls, nothing
// found, 12.3 ms inside, 0.997 s span". PollsLine::take() returns false for the
// record that starts a run (nothing to print) and true, with the line, for
// every other event.
class PollsLine {
 public:
  bool take(const format::ProcessReader& p, const format::Event& e, std::string& line);

 private:
  uint64_t first_ticks_ = 0;
  bool open_ = false;
};

}  // namespace rondo::cli
