// Chrome Trace Event Format (JSON) export, readable by Perfetto and chrome://tracing.
#pragma once

#include <string>

#include "rondo/converters/common.h"

namespace rondo::converters {

// True when this build can write gzip-compressed output (`*.json.gz`).
bool chrome_gzip_supported();

// Writes `trace_dir` as a JSON trace to `out_file`; a name ending in ".gz" is
// gzip-compressed. Regions become complete events ("X"), markers instant events,
// metric samples counters, matched MPI messages flow arrows ("s"/"f").
// Events are streamed thread by thread. Throws ConversionError.
ConvertReport export_chrome(const std::string& trace_dir, const std::string& out_file,
                            const ConvertOptions& options = {});

}  // namespace rondo::converters
