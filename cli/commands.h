// The `rondo` subcommands. Each returns the process exit status and reports
// failures with one line on stderr.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace rondo::cli {

struct RecordOptions {
  std::string output;                 // -o
  std::vector<std::string> modules;   // -t (empty: chosen from the program)
  std::string filter;                 // --filter
  std::string counters;               // --counters
  int callstack = 0;                  // --callstack
  std::string time_resolution;        // --time-resolution (e.g. 100ns; empty: lossless)
  std::string poll_times;             // --poll-times (exact, count; empty: exact)
  bool verbose = false;
  bool force = false;                 // --force: replace a trace already in the directory
  std::vector<std::string> command;
};
int run_record(const RecordOptions& o);

// sizes: also where the bytes of the trace go (format::trace_sizes).
int run_info(const std::string& trace, bool json, bool sizes = false);

// Exit status 0: no violation; 1: violations (listed on stdout); 2: unreadable trace.
int run_check(const std::string& trace, bool json);

struct PrintOptions {
  std::string trace;
  std::optional<std::pair<int, int>> thread;  // rank:thread
  bool grammar = false;
  uint64_t limit = UINT64_MAX;
};
int run_print(const PrintOptions& o);

struct StatsOptions {
  std::string trace;
  bool json = false;
  std::string csv_dir;
  std::string by;        // "", "rank", "thread"
  std::string window;    // --window T0:T1 (analyzer/window_spec.h), "" for the whole trace
  std::string compare;   // --compare TRACE2
  unsigned threads = 0;  // --threads N, 0: every core
  std::string sections;  // --sections LIST (analyzer/sections.h), "" for all
  bool distributed = false;  // --distributed: run as an MPI job (rondo-stats-mpi)
  std::vector<std::string> argv;  // the command line, for handing over to rondo-stats-mpi
};
int run_stats(const StatsOptions& o);

int run_avail();

struct ExportOptions {
  std::string trace;
  std::string format;  // "otf2" or "chrome"
  std::string output;  // -o: archive directory (otf2) or .json / .json.gz file (chrome)
};
int run_export(const ExportOptions& o);

struct ImportOptions {
  std::string anchor;  // the OTF2 anchor file (traces.otf2)
  std::string output;  // -o: the Rondo trace directory to create
};
int run_import(const ImportOptions& o);

struct ViewOptions {
  std::vector<std::string> traces;  // trace directories or OTF2 anchor files
  std::string screenshot;           // --screenshot OUT.png
  std::string size;                 // --size WxH
  std::string window;               // --window T0:T1
};
// Runs rondo-viewer (found next to rondo or on PATH); returns only on failure.
int run_view(const ViewOptions& o);

}  // namespace rondo::cli
