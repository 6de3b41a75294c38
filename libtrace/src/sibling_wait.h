// Waiting for the other recorded processes of a job before dying of a signal.
#pragma once

#include <string>

namespace rondo::trace {

// Waits, at most `limit_ms`, until every other live process of host `host`
// that records into `dir` has written the end of its process file.
//
// Why: an MPI launcher that stops a job (Open MPI's mpirun on Ctrl-C sends
// SIGTERM to every rank) kills all remaining ranks with SIGKILL as soon as the
// first one dies. A rank that flushed its trace quickly and re-raised the signal
// at once would cut short the flush of every rank that got the signal a few
// milliseconds later. Only processes of this host are waited for: their pids
// can be checked, and the launcher of each node kills its own ranks.
void wait_for_sibling_ends(const std::string& dir, const std::string& host, int limit_ms);

}  // namespace rondo::trace
