// Human-readable descriptions of events and grammar tokens, for `rondo print`.
#pragma once

#include <string>

#include "rondo/analyzer/poll_folds.h"
#include "rondo/format/reader.h"

namespace rondo::cli {

std::string describe_event(const format::ProcessDefinitions& defs, const format::EventDef& def,
                           const int64_t* data);

// Folded polls (FORMAT.md 7.2): the two POLLS records of a polled function's
// part of a run are shown as one line, at its last record, e.g. "MPI_Testany
// ×4,301,112 polls, nothing found, 12.3 ms inside, 0.997 s span".
// PollsLine::take() returns false for a first record (nothing to print) and
// true, with the line, for every other event.
class PollsLine {
 public:
  bool take(const format::ProcessReader& p, const format::Event& e, std::string& line);

 private:
  analyzer::OpenPolls open_;
};

}  // namespace rondo::cli
