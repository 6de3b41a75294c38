// One trace directory holds one run (FORMAT.md 2). Before `rondo record` starts
// the program it claims the directory for its run by writing the run id into
// DIR/run-id; a directory that already holds another run's trace is refused, or
// emptied of it with --force.
#pragma once

#include <string>

namespace rondo::cli {

struct Claim {
  std::string error;         // empty: claimed; else one line for the user (without "rondo: ")
  bool created_dir = false;  // the directory did not exist before
};

// `rank` is this rondo record's rank when a launcher started it
// (`mpirun -np 4 rondo record -o DIR ./app`), else -1. The ranks of one job
// claim DIR concurrently for the same run id: what one rank created is not
// "another run" to the others. With `force`, rank 0 (or the only process)
// removes the old trace; the other ranks wait until DIR carries their run id.
Claim claim_trace_directory(const std::string& dir, const std::string& run_id, bool force, int rank);

// After the run: when no process file was written, removes the claim, and the
// directory when it was created by the claim and is now empty. True when
// nothing was recorded.
bool release_if_unused(const std::string& dir, const Claim& claim);

}  // namespace rondo::cli
