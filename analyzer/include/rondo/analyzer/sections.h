// The sections of `rondo stats` (and of the Python module's calls): which parts
// of a StatsReport to compute. An analysis asked for some sections computes only
// what they need: the flat profile alone reads the thread summaries and replays
// nothing; the call tree, MPI and loop sections each add the pass they need.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rondo::analyzer {

// Bit set of sections; the names are the keys of `rondo stats --json` they fill
// ("profile" fills "regions").
enum Section : uint32_t {
  kSectionProfile = 1u << 0,     // "regions": the flat profile
  kSectionCallTree = 1u << 1,    // "call_tree"
  kSectionImbalance = 1u << 2,   // "imbalance"
  kSectionMpi = 1u << 3,         // "mpi": messages, matrix, collectives, MPI time
  kSectionWaitStates = 1u << 4,  // "wait_states"
  kSectionThreads = 1u << 5,     // "threads"
  kSectionLoops = 1u << 6,       // "loops"
  kSectionGpu = 1u << 7,         // "gpu"
};
using Sections = uint32_t;
constexpr Sections kAllSections = (1u << 8) - 1;

struct SectionName {
  const char* name;  // as --sections takes it
  Section section;
};
// Every section, in the order `rondo stats` prints them.
const std::vector<SectionName>& section_names();
// "profile,call_tree,..." (for --help and error messages).
std::string section_names_text();
// A comma-separated list of names ("all" names every section). Throws
// std::invalid_argument with a message naming the bad entry and the valid names
// (without the option's name: callers prefix it).
Sections parse_sections(std::string_view list);

// What the sections need computed per thread and reduced: a section's inputs
// are computed when any asked section needs them.
struct SectionNeeds {
  bool regions = false;     // flat profile partials (summaries; replay only where a summary is missing)
  bool call_tree = false;   // call tree partials (a replay of every event)
  bool activity = false;    // thread activity partials (threads, MPI time)
  bool mpi_scan = false;    // MPI records of every thread, and message matching
  bool loops = false;       // loop partials
};
SectionNeeds section_needs(Sections sections);

}  // namespace rondo::analyzer
