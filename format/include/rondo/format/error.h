// The error type of the trace format: what every reader throws on input it cannot
// read, and the writer when it cannot create a file. Callers that only report
// such errors (the CLI, the Python module, the converters) include this alone.
#pragma once

#include <stdexcept>

namespace rondo::format {

// The message names the file or structure being read and what is wrong with it
// ("trace.rondo/rank-3.rnd: thread 0, chunk 12: data column shorter than its records").
class FormatError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace rondo::format
