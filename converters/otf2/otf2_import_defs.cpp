// OTF2 import: the global definition callbacks, which only fill GlobalDefs.
#include <otf2/otf2.h>

#include "otf2/otf2_common.h"
#include "otf2/otf2_import_defs.h"
#include "rondo/converters/otf2.h"

namespace rondo::converters::otf2_import {

using otf2::check;

namespace {

#define DEFS (*static_cast<GlobalDefs*>(user))

OTF2_CallbackCode def_clock(void* user, uint64_t resolution, uint64_t offset, uint64_t length, uint64_t realtime) {
  DEFS.resolution = resolution ? resolution : 1;
  DEFS.offset = offset;
  DEFS.length = length;
  DEFS.realtime = realtime;
  DEFS.have_clock = true;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_string(void* user, OTF2_StringRef self, const char* s) {
  DEFS.strings[self] = s ? s : "";
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_attribute(void* user, OTF2_AttributeRef self, OTF2_StringRef name, OTF2_StringRef, OTF2_Type) {
  DEFS.attribute_by_name.emplace(DEFS.string(name), self);
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_node(void* user, OTF2_SystemTreeNodeRef self, OTF2_StringRef name, OTF2_StringRef cls,
                           OTF2_SystemTreeNodeRef parent) {
  DEFS.nodes[self] = {name, cls, parent};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_location_group(void* user, OTF2_LocationGroupRef self, OTF2_StringRef name,
                                     OTF2_LocationGroupType type, OTF2_SystemTreeNodeRef parent,
                                     OTF2_LocationGroupRef creator) {
  DEFS.groups[self] = {name, type, parent, creator};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_location(void* user, OTF2_LocationRef self, OTF2_StringRef name, OTF2_LocationType type,
                               uint64_t events, OTF2_LocationGroupRef group) {
  DEFS.locations[self] = {name, type, events, group};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_region(void* user, OTF2_RegionRef self, OTF2_StringRef name, OTF2_StringRef canonical,
                             OTF2_StringRef, OTF2_RegionRole role, OTF2_Paradigm paradigm, OTF2_RegionFlag,
                             OTF2_StringRef file, uint32_t begin, uint32_t) {
  DEFS.regions[self] = {name, canonical, file, role, paradigm, begin};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_group(void* user, OTF2_GroupRef self, OTF2_StringRef name, OTF2_GroupType type,
                            OTF2_Paradigm paradigm, OTF2_GroupFlag, uint32_t n, const uint64_t* members) {
  DEFS.member_groups[self] = {name, type, paradigm, std::vector<uint64_t>(members, members + n)};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_comm(void* user, OTF2_CommRef self, OTF2_StringRef name, OTF2_GroupRef group, OTF2_CommRef parent,
                           OTF2_CommFlag) {
  GlobalDefs::Comm c;
  c.name = name;
  c.group = group;
  c.parent = parent;
  DEFS.comms[self] = c;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_inter_comm(void* user, OTF2_CommRef self, OTF2_StringRef name, OTF2_GroupRef a, OTF2_GroupRef b,
                                 OTF2_CommRef common, OTF2_CommFlag) {
  GlobalDefs::Comm c;
  c.name = name;
  c.group = a;
  c.remote = b;
  c.parent = common;
  c.inter = true;
  DEFS.comms[self] = c;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_member(void* user, OTF2_MetricMemberRef self, OTF2_StringRef name, OTF2_StringRef,
                                    OTF2_MetricType, OTF2_MetricMode mode, OTF2_Type, OTF2_Base, int64_t,
                                    OTF2_StringRef unit) {
  DEFS.metric_members[self] = {name, unit, mode};
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_class(void* user, OTF2_MetricRef self, uint8_t n, const OTF2_MetricMemberRef* members,
                                   OTF2_MetricOccurrence occurrence, OTF2_RecorderKind) {
  DEFS.metric_classes[self].assign(members, members + n);
  DEFS.metric_occurrence[self] = occurrence;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_metric_instance(void* user, OTF2_MetricRef self, OTF2_MetricRef cls, OTF2_LocationRef,
                                      OTF2_MetricScope, uint64_t) {
  DEFS.metric_instances[self] = cls;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_parameter(void* user, OTF2_ParameterRef self, OTF2_StringRef name, OTF2_ParameterType) {
  DEFS.parameters[self] = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_window(void* user, OTF2_RmaWinRef self, OTF2_StringRef, OTF2_CommRef comm, OTF2_RmaWinFlag) {
  DEFS.windows[self] = comm;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_paradigm(void* user, OTF2_IoParadigmRef self, OTF2_StringRef identification, OTF2_StringRef,
                                  OTF2_IoParadigmClass, OTF2_IoParadigmFlag, uint8_t, const OTF2_IoParadigmProperty*,
                                  const OTF2_Type*, const OTF2_AttributeValue*) {
  DEFS.io_paradigms[self] = identification;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_file(void* user, OTF2_IoFileRef self, OTF2_StringRef name, OTF2_SystemTreeNodeRef) {
  DEFS.io_files[self] = name;
  return OTF2_CALLBACK_SUCCESS;
}
OTF2_CallbackCode def_io_handle(void* user, OTF2_IoHandleRef self, OTF2_StringRef name, OTF2_IoFileRef file,
                                OTF2_IoParadigmRef paradigm, OTF2_IoHandleFlag, OTF2_CommRef, OTF2_IoHandleRef) {
  DEFS.io_handles[self] = {name, file, paradigm};
  return OTF2_CALLBACK_SUCCESS;
}

#undef DEFS

}  // namespace

void read_global_definitions(OTF2_Reader* reader, GlobalDefs& g) {
  OTF2_GlobalDefReader* defs = OTF2_Reader_GetGlobalDefReader(reader);
  if (!defs) otf2::fail("OTF2_Reader_GetGlobalDefReader", OTF2_ERROR_INVALID);
  OTF2_GlobalDefReaderCallbacks* c = OTF2_GlobalDefReaderCallbacks_New();
  if (!c) throw ConversionError("OTF2_GlobalDefReaderCallbacks_New failed");
  OTF2_GlobalDefReaderCallbacks_SetClockPropertiesCallback(c, def_clock);
  OTF2_GlobalDefReaderCallbacks_SetStringCallback(c, def_string);
  OTF2_GlobalDefReaderCallbacks_SetAttributeCallback(c, def_attribute);
  OTF2_GlobalDefReaderCallbacks_SetSystemTreeNodeCallback(c, def_node);
  OTF2_GlobalDefReaderCallbacks_SetLocationGroupCallback(c, def_location_group);
  OTF2_GlobalDefReaderCallbacks_SetLocationCallback(c, def_location);
  OTF2_GlobalDefReaderCallbacks_SetRegionCallback(c, def_region);
  OTF2_GlobalDefReaderCallbacks_SetGroupCallback(c, def_group);
  OTF2_GlobalDefReaderCallbacks_SetCommCallback(c, def_comm);
  OTF2_GlobalDefReaderCallbacks_SetInterCommCallback(c, def_inter_comm);
  OTF2_GlobalDefReaderCallbacks_SetMetricMemberCallback(c, def_metric_member);
  OTF2_GlobalDefReaderCallbacks_SetMetricClassCallback(c, def_metric_class);
  OTF2_GlobalDefReaderCallbacks_SetMetricInstanceCallback(c, def_metric_instance);
  OTF2_GlobalDefReaderCallbacks_SetParameterCallback(c, def_parameter);
  OTF2_GlobalDefReaderCallbacks_SetRmaWinCallback(c, def_window);
  OTF2_GlobalDefReaderCallbacks_SetIoParadigmCallback(c, def_io_paradigm);
  OTF2_GlobalDefReaderCallbacks_SetIoRegularFileCallback(c, def_io_file);
  OTF2_GlobalDefReaderCallbacks_SetIoHandleCallback(c, def_io_handle);
  OTF2_ErrorCode rc = OTF2_Reader_RegisterGlobalDefCallbacks(reader, defs, c, &g);
  OTF2_GlobalDefReaderCallbacks_Delete(c);
  check(rc, "registering the OTF2 definition callbacks");
  uint64_t n = 0;
  check(OTF2_Reader_ReadAllGlobalDefinitions(reader, defs, &n), "reading the OTF2 global definitions");
  check(OTF2_Reader_CloseGlobalDefReader(reader, defs), "OTF2_Reader_CloseGlobalDefReader");
}
}  // namespace rondo::converters::otf2_import
