// OTF2 import, part 1: the archive's global definitions as read (the tables
// every later part looks references up in).
#pragma once

#include <otf2/otf2.h>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "rondo/format/definitions.h"

namespace rondo::converters::otf2_import {

using namespace rondo::format;

struct GlobalDefs {
  uint64_t resolution = 1, offset = 0, length = 0, realtime = OTF2_UNDEFINED_TIMESTAMP;
  bool have_clock = false;
  std::unordered_map<OTF2_StringRef, std::string> strings;
  struct Region {
    OTF2_StringRef name = OTF2_UNDEFINED_STRING, canonical = OTF2_UNDEFINED_STRING, file = OTF2_UNDEFINED_STRING;
    OTF2_RegionRole role = OTF2_REGION_ROLE_UNKNOWN;
    OTF2_Paradigm paradigm = OTF2_PARADIGM_UNKNOWN;
    uint32_t line = 0;
  };
  std::unordered_map<OTF2_RegionRef, Region> regions;
  struct Node {
    OTF2_StringRef name, cls;
    OTF2_SystemTreeNodeRef parent;
  };
  std::unordered_map<OTF2_SystemTreeNodeRef, Node> nodes;
  struct LocationGroup {
    OTF2_StringRef name;
    OTF2_LocationGroupType type;
    OTF2_SystemTreeNodeRef parent;
    OTF2_LocationGroupRef creator = OTF2_UNDEFINED_LOCATION_GROUP;
  };
  std::map<OTF2_LocationGroupRef, LocationGroup> groups;
  struct Location {
    OTF2_StringRef name;
    OTF2_LocationType type;
    uint64_t events;
    OTF2_LocationGroupRef group;
  };
  std::map<OTF2_LocationRef, Location> locations;
  struct Group {
    OTF2_StringRef name;
    OTF2_GroupType type;
    OTF2_Paradigm paradigm;
    std::vector<uint64_t> members;
  };
  std::unordered_map<OTF2_GroupRef, Group> member_groups;
  struct Comm {
    OTF2_StringRef name;
    OTF2_GroupRef group = OTF2_UNDEFINED_GROUP, remote = OTF2_UNDEFINED_GROUP;
    OTF2_CommRef parent = OTF2_UNDEFINED_COMM;
    bool inter = false;
  };
  std::map<OTF2_CommRef, Comm> comms;
  std::unordered_map<std::string, OTF2_AttributeRef> attribute_by_name;
  struct MetricMember {
    OTF2_StringRef name, unit;
    OTF2_MetricMode mode;
  };
  std::unordered_map<OTF2_MetricMemberRef, MetricMember> metric_members;
  std::unordered_map<OTF2_MetricRef, std::vector<OTF2_MetricMemberRef>> metric_classes;
  std::unordered_map<OTF2_MetricRef, OTF2_MetricOccurrence> metric_occurrence;  // of each class
  std::unordered_map<OTF2_MetricRef, OTF2_MetricRef> metric_instances;  // instance -> class
  std::unordered_map<OTF2_ParameterRef, OTF2_StringRef> parameters;
  std::unordered_map<OTF2_RmaWinRef, OTF2_CommRef> windows;
  std::unordered_map<OTF2_IoParadigmRef, OTF2_StringRef> io_paradigms;
  std::unordered_map<OTF2_IoFileRef, OTF2_StringRef> io_files;
  struct IoHandle {
    OTF2_StringRef name;
    OTF2_IoFileRef file;
    OTF2_IoParadigmRef paradigm;
  };
  std::unordered_map<OTF2_IoHandleRef, IoHandle> io_handles;

  const std::string& string(OTF2_StringRef ref) const {
    static const std::string none;
    auto it = strings.find(ref);
    return it == strings.end() ? none : it->second;
  }
};


// Reads every global definition of the archive into `g`; throws ConversionError.
void read_global_definitions(OTF2_Reader* reader, GlobalDefs& g);

}  // namespace rondo::converters::otf2_import
