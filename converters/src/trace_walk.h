// Reading a Rondo trace for conversion, one process at a time.
//
// A ProcessReader keeps every thread it has decoded until it is destroyed. The
// exporters therefore use the TraceReader for definitions only and replay each
// process through a reader of its own that is dropped when the process is done,
// so memory holds one process's decoded threads (grammar and data columns),
// never the events, and never the whole trace's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rondo/format/reader.h"

namespace rondo::converters::detail {

// Opens a trace directory; throws ConversionError with the reader's reason.
std::unique_ptr<format::TraceReader> open_trace(const std::string& dir);

// A new reader of process `i` of `trace` with the same tick-to-time mapping
// (TraceReader may share one mapping between the processes of a host).
std::unique_ptr<format::ProcessReader> reopen_process(const format::TraceReader& trace, size_t i);

// Sum of the process files' sizes: the unit of the progress bar.
uint64_t total_file_bytes(const format::TraceReader& trace);

// "rank 3" for an MPI process, else "process <pid>".
std::string process_name(const format::ProcessReader& p);

// Creates `dir` and its parents; throws ConversionError naming `dir` on failure.
void make_directory(const std::string& dir);

}  // namespace rondo::converters::detail
