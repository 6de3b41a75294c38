#include "rondo/analyzer/sections.h"

#include <stdexcept>

namespace rondo::analyzer {

const std::vector<SectionName>& section_names() {
  static const std::vector<SectionName> names = {
      {"profile", kSectionProfile},         {"call_tree", kSectionCallTree}, {"imbalance", kSectionImbalance},
      {"mpi", kSectionMpi},                 {"wait_states", kSectionWaitStates}, {"threads", kSectionThreads},
      {"loops", kSectionLoops},             {"gpu", kSectionGpu},
  };
  return names;
}

std::string section_names_text() {
  std::string out;
  for (const SectionName& s : section_names()) out += (out.empty() ? "" : ",") + std::string(s.name);
  return out;
}

Sections parse_sections(std::string_view list) {
  Sections out = 0;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view item = list.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    start = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (item.empty()) continue;
    if (item == "all") {
      out |= kAllSections;
      continue;
    }
    bool known = false;
    for (const SectionName& s : section_names())
      if (item == s.name) {
        out |= s.section;
        known = true;
      }
    if (!known)
      throw std::invalid_argument("no section \"" + std::string(item) + "\" (name some of " + section_names_text() +
                                  ", or all)");
  }
  if (!out) throw std::invalid_argument("empty list (name some of " + section_names_text() + ", or all)");
  return out;
}

SectionNeeds section_needs(Sections s) {
  SectionNeeds n;
  // MPI time per rank comes from the flat profile and the threads' activity;
  // wait states are measured against it; GPU statistics name kernels from the profile.
  n.mpi_scan = s & (kSectionMpi | kSectionWaitStates);
  n.activity = (s & kSectionThreads) || n.mpi_scan;
  n.call_tree = s & kSectionCallTree;
  n.regions = (s & (kSectionProfile | kSectionImbalance | kSectionGpu)) || n.activity || n.call_tree;
  n.loops = s & kSectionLoops;
  return n;
}

}  // namespace rondo::analyzer
