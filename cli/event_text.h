// Human-readable descriptions of events and grammar tokens, for `rondo print`.
#pragma once

#include <string>

#include "rondo/format/reader.h"

namespace rondo::cli {

std::string describe_event(const format::ProcessDefinitions& defs, const format::EventDef& def,
                           const int64_t* data);

}  // namespace rondo::cli
