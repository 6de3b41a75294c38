// The GPU section of `rondo stats` (analyzer/gpu_stats.h): text and CSV. The
// JSON form is analyzer::gpu_json.
#pragma once

#include <string>
#include <vector>

#include "rondo/analyzer/gpu_stats.h"

namespace rondo::cli {

// Kernels, copies by direction, streams and devices, host synchronisation; ""
// for a trace without GPU records.
std::string gpu_text(const analyzer::GpuStats& s);

// Writes gpu_kernels.csv, gpu_copies.csv, gpu_streams.csv and gpu_devices.csv
// into `dir`; returns the file names written.
std::vector<std::string> write_gpu_csv(const analyzer::GpuStats& s, const std::string& dir);

}  // namespace rondo::cli
