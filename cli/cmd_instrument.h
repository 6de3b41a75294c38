// rondo instrument: compile and link an OpenMP program through OPARI2 (see
// cmd_instrument.cpp), so that gcc's inline static loops are recorded too.
#pragma once

#include <string>
#include <vector>

namespace rondo::cli {

struct InstrumentOptions {
  bool keep = false;                 // --keep: leave the instrumented sources in the work directory
  bool verbose = false;              // -v: print each command run
  std::vector<std::string> command;  // COMPILER ARGS...
};
int run_instrument(const InstrumentOptions& o);

extern const char* const kInstrumentHelp;

}  // namespace rondo::cli
