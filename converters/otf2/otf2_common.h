// What the OTF2 exporter and importer agree on: error handling around the OTF2
// library, the names of the attributes and parameters Rondo adds, and the text
// form of events that OTF2 has no record for.
#pragma once

#include <otf2/otf2.h>

#include <cstdint>
#include <optional>
#include <string>

#include "rondo/format/records.h"

namespace rondo::converters::otf2 {

// The OTF2 library reports errors through a callback that prints to stderr by
// default. We keep the text instead and put it into our one-line error.
void install_error_handler();
std::string take_last_error();  // the last message the library reported (cleared)

[[noreturn]] void fail(const std::string& what, OTF2_ErrorCode code);
inline void check(OTF2_ErrorCode code, const char* what) {
  if (code != OTF2_SUCCESS) fail(what, code);
}

// Name of the archive inside an export directory: DIR/traces.otf2, DIR/traces.def, DIR/traces/.
constexpr const char* kArchiveName = "traces";

// A Rondo Marker is an OTF2 ParameterString record of this (string) parameter.
constexpr const char* kMarkerParameter = "marker";
// A Rondo event OTF2 has no record for is a ParameterString of this parameter
// whose value is generic_text() of the event.
constexpr const char* kEventParameter = "rondo::event";

// Attributes that carry Rondo fields OTF2's records have no slot for, so that
// an exported trace imports back to the same events.
constexpr const char* kAttrOffset = "Offset";  // the name Score-P uses for I/O offsets
constexpr const char* kAttrIoOperation = "rondo::io_operation";
constexpr const char* kAttrOpenFlags = "rondo::open_flags";
constexpr const char* kAttrCollectiveOp = "rondo::collective_op";
constexpr const char* kAttrLockKind = "rondo::lock_kind";
constexpr const char* kAttrLockId = "rondo::lock_id";
constexpr const char* kAttrTeamSize = "rondo::team_size";
constexpr const char* kAttrCreator = "rondo::creator";
constexpr const char* kAttrSyncKind = "rondo::sync_kind";
constexpr const char* kAttrTaskId = "rondo::task_id";
// Folded polls (FORMAT.md 7.2): on the Enter and Leave of the call a run of polls became.
// Call sites on the Enter of a call (otf2_calling_contexts.h): OTF2's names.
constexpr const char* kAttrCallingContext = "CALLING_CONTEXT";
constexpr const char* kAttrSourceCodeLocation = "SOURCE_CODE_LOCATION";
constexpr const char* kAttrPolls = "rondo::polls";
constexpr const char* kAttrPollsInside = "rondo::polls_inside_ns";
// The per-occurrence data of an event sent as kEventParameter (d0, d1).
constexpr const char* kAttrData[2] = {"rondo::d0", "rondo::d1"};

// The text form of an event without an OTF2 record: its identity only,
// "<KIND_NAME> kind=<n> ref=<r> p=<p0>,<p1>,.. nd=<data fields>", so that the
// archive's string table grows with distinct events, not with occurrences; the
// data values travel as the kAttrData attributes. `ref` is already translated to
// the archive's global id where it names a definition (region, I/O handle).
struct GenericEvent {
  format::EventKind kind{};
  uint64_t ref = 0;
  int np = 0, nd = 0;
  int64_t params[format::kMaxParams] = {};
  int64_t data[format::kMaxData] = {};
};
std::string generic_text(const GenericEvent& e);
std::optional<GenericEvent> parse_generic(const std::string& text);

// Collective operations. to_otf2 sets `exact` to false where OTF2 has no
// equivalent (neighbour collectives, "other"): the exporter then adds the Rondo
// operation as the kAttrCollectiveOp attribute.
OTF2_CollectiveOp to_otf2(format::CollectiveOp op, bool& exact);
format::CollectiveOp from_otf2(OTF2_CollectiveOp op);

}  // namespace rondo::converters::otf2
