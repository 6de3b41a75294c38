// The OTF2 side of bench_analysis: what `rondo stats` computes (a flat profile, the MPI message matrix),
// computed the way a tool built on the OTF2 library has to, by replaying every event of an archive with the
// global event reader (any number of locations, e.g. one written by `rondo export --format otf2`).
//
// Each function opens the archive itself, reads the global definitions it needs, and replays the events, so
// that its wall time covers everything from the files to the result, as the Rondo side's does.
// Errors throw std::runtime_error.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rondo::bench {

// Per region name, summed over every location; times in ns (the archive's timer resolution converted).
struct Otf2RegionTotals {
  uint64_t calls = 0;
  int64_t inclusive_ns = 0;  // at the outermost activation of the region on its location only
  int64_t exclusive_ns = 0;  // inclusive minus the inclusive time of the direct callees
};

struct Otf2FlatProfile {
  std::map<std::string, Otf2RegionTotals> regions;
  uint64_t events = 0;     // every event the reader read (of all kinds)
  uint64_t locations = 0;
  double seconds = 0;      // open + definitions + replay
};

// Enter/Leave callbacks, one call stack per location.
Otf2FlatProfile otf2_flat_profile(const std::string& anchor);

struct Otf2MessageMatrix {
  int32_t ranks = 0;                         // MPI_COMM_WORLD size (from the MPI locations group)
  std::vector<std::vector<uint64_t>> bytes;  // [sender][receiver] world ranks, bytes as sent, matched only
  uint64_t matched = 0, unmatched_sends = 0, unmatched_receives = 0;
  uint64_t events = 0;
  double seconds = 0;
};

// MpiSend/MpiIsend and MpiRecv/MpiIrecv callbacks; ranks of communicators translated to world ranks through the
// communicators' groups; sends and receives matched in order per (communicator, sender, receiver, tag), as MPI
// guarantees for messages of one pair on one communicator and tag.
Otf2MessageMatrix otf2_message_matrix(const std::string& anchor);

}  // namespace rondo::bench
