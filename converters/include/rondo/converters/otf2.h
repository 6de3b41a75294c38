// OTF2 export and import (README.md in converters/ lists how each record maps).
#pragma once

#include <string>

#include "rondo/converters/common.h"

namespace rondo::converters {

// Writes the Rondo trace in `trace_dir` as an OTF2 archive in `out_dir`
// (out_dir/traces.otf2, traces.def, traces/). Existing archive files there are
// replaced; other files are left alone. One thread is replayed at a time, so
// memory does not grow with the number of events. Throws ConversionError.
ConvertReport export_otf2(const std::string& trace_dir, const std::string& out_dir, const ConvertOptions& options = {});

// Reads the OTF2 archive whose anchor file is `anchor` and writes a Rondo trace
// directory `out_dir` (created; it must not already hold a Rondo trace): one
// process file per location group, one thread per location, through the
// regular writer (so loops are detected while importing). Records Rondo has no
// event for become Marker events and are counted in the report. Throws ConversionError.
ConvertReport import_otf2(const std::string& anchor, const std::string& out_dir, const ConvertOptions& options = {});

}  // namespace rondo::converters
