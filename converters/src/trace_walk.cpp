#include "src/trace_walk.h"

#include <filesystem>
#include <system_error>

#include "rondo/converters/common.h"
#include "rondo/format/error.h"

namespace rondo::converters::detail {

std::unique_ptr<format::TraceReader> open_trace(const std::string& dir) {
  try {
    return std::make_unique<format::TraceReader>(dir);
  } catch (const format::FormatError& e) {
    throw ConversionError(e.what());
  }
}

std::unique_ptr<format::ProcessReader> reopen_process(const format::TraceReader& trace, size_t i) {
  const format::ProcessReader& original = *trace.processes()[i];
  try {
    auto p = std::make_unique<format::ProcessReader>(original.path());
    p->share_clock_mapping(original);
    return p;
  } catch (const format::FormatError& e) {
    throw ConversionError(e.what());
  }
}

uint64_t total_file_bytes(const format::TraceReader& trace) {
  uint64_t n = 0;
  for (auto& p : trace.processes()) n += p->file_size();
  return n;
}

std::string process_name(const format::ProcessReader& p) {
  if (p.rank() >= 0) return "rank " + std::to_string(p.rank());
  return "process " + std::to_string(p.defs().process.pid);
}

void make_directory(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw ConversionError(dir + ": cannot create directory: " + ec.message());
  if (!fs::is_directory(dir, ec)) throw ConversionError(dir + ": not a directory");
}

}  // namespace rondo::converters::detail
