// The `rondo` command line (docs/cli.md fixes the names).
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <malloc.h>

#include <functional>
#include <new>

#include "cmd_instrument.h"
#include "commands.h"
#include "stats_options.h"
#include "rondo/format/error.h"

using namespace rondo::cli;

namespace {

std::pair<int, int> parse_thread(const std::string& s) {
  auto colon = s.find(':');
  try {
    if (colon == std::string::npos) throw std::invalid_argument(s);
    return {std::stoi(s.substr(0, colon)), std::stoi(s.substr(colon + 1))};
  } catch (const std::exception&) {
    throw CLI::ValidationError("--thread", "expected RANK:THREAD, e.g. 0:1, got '" + s + "'");
  }
}

// --help and --version print what was asked and exit 0; every other parse error
// is one line, `rondo: ...` naming the subcommand, and exit status 2 (CLI11's
// own report is two lines with a status of 105-109).
int parse_error(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);
  std::string where;
  for (const CLI::App* sub : app.get_subcommands()) where = sub->get_name();
  std::string message = e.what();
  for (char& c : message)
    if (c == '\n') c = ' ';
  while (!message.empty() && message.back() == ' ') message.pop_back();
  if (where.empty())
    fmt::print(stderr, "rondo: {} (see `rondo --help`)\n", message);
  else
    fmt::print(stderr, "rondo: {}: {} (see `rondo {} --help`)\n", where, message, where);
  return 2;
}

// An analysis allocates arrays of up to hundreds of MB one after another (the
// MPI scan's records, the matching, the wait states) and frees most of them
// before the next. By default glibc maps each array of more than a few hundred
// KB apart and hands it back to the kernel when freed, so the next one gets
// fresh pages that the kernel must clear: a quarter of the time of `rondo stats
// --sections wait_states` on a 10-million-event trace went to clearing pages.
// Taken from the heap and kept there (no trimming), freed memory is reused
// instead: a third fewer page faults there, the same peak. (glibc still maps
// memory when the heap cannot grow.) Only this short-lived command's process:
// the traced programs, the viewer and Python keep glibc's defaults.
void keep_freed_memory() {
  mallopt(M_MMAP_MAX, 0);
  mallopt(M_TRIM_THRESHOLD, INT32_MAX);
}

}  // namespace

int main(int argc, char** argv) {
  keep_freed_memory();
  CLI::App app{"Rondo: record, analyze and convert execution traces of HPC programs", "rondo"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "rondo 0.1.0");

  RecordOptions record;
  std::string modules;
  auto* rec = app.add_subcommand("record", "Run a program and record its trace");
  rec->add_option("-o,--output", record.output, "Trace directory (default: rondo-<program>-<date>-<time>)");
  rec->add_option("-t,--modules", modules, "Comma-separated modules (see `rondo avail`); default: from the program");
  rec->add_option("--filter", record.filter, "Include/exclude rules for function names, e.g. '-helper*,+main' or @file");
  rec->add_option("--counters", record.counters, "PAPI counters read at every enter and leave, e.g. perf::TASK-CLOCK,PAPI_TOT_CYC (RONDO_COUNTERS)");
  rec->add_option("--callstack", record.callstack, "Record where the application made each MPI, I/O and lock call: its N innermost frames (RONDO_CALLSTACK)");
  rec->add_option("--time-resolution", record.time_resolution,
                  "Round timestamps to this unit for a smaller trace, e.g. 100ns (default: lossless)");
  rec->add_option("--poll-times", record.poll_times,
                  "exact: time every MPI test and probe call (default); count: count those that find nothing "
                  "without reading the clock, for programs that poll millions of times (RONDO_POLL_TIMES)");
  rec->add_flag("-v,--verbose", record.verbose, "Report what the recorder does");
  rec->add_flag("--force", record.force, "Replace a trace already in the output directory (one directory holds one run)");
  // Everything from the program name on belongs to the program (and is left in
  // remaining()); options after it are the program's, not ours.
  rec->prefix_command();
  rec->allow_extras();
  rec->footer(
      "Usage: rondo record [OPTIONS] [--] PROGRAM [ARGS...]\n"
      "One directory holds one run: a directory that already holds a trace is refused\n"
      "(exit status 2, nothing started) unless --force replaces it. Without -t, modules\n"
      "are chosen from the libraries the program loads (also behind mpirun or a script);\n"
      "one line on stderr says which and why. Ctrl-C, SIGTERM, SIGHUP and SIGQUIT are\n"
      "passed on to the program; rondo record then exits with 128 + the signal number.");

  std::string trace;
  bool json = false;
  auto* info = app.add_subcommand("info", "Summarize a trace");
  info->add_option("TRACE", trace, "Trace directory")->required();
  info->add_flag("--json", json, "Print JSON");
  bool info_sizes = false;
  info->add_flag("--sizes", info_sizes,
                 "Where the bytes go: definitions, grammar, loop counts, event data, timestamps, summaries, per thread");

  std::string check_trace;
  bool check_json = false;
  auto* chk = app.add_subcommand("check", "Verify the invariants every trace must satisfy (exit 1 on violations)");
  chk->add_option("TRACE", check_trace, "Trace directory")->required();
  chk->add_flag("--json", check_json, "Print JSON");

  PrintOptions print;
  std::string thread;
  auto* prn = app.add_subcommand("print", "Print the events of a trace in time order, or its grammar");
  prn->add_option("TRACE", print.trace, "Trace directory")->required();
  prn->add_option("--thread", thread, "Only this thread, as RANK:THREAD");
  prn->add_flag("--grammar", print.grammar, "Show the grammar: calls, sequences and loops with their trip counts");
  prn->add_option("--limit", print.limit, "Print at most N events")->check(CLI::Validator(
      [](std::string& v) {
        bool digits = !v.empty() && v.size() < 20 && v.find_first_not_of("0123456789") == std::string::npos;
        return digits && std::stoull(v) > 0 ? std::string() : "expected a positive number of events, got '" + v + "'";
      },
      "N"));

  StatsOptions stats;
  auto* sts = app.add_subcommand("stats", "Statistics: profile, call tree, MPI, wait states, threads, I/O, loops");
  add_stats_options(*sts, stats, true);

  auto* avail = app.add_subcommand("avail", "List the recording modules and whether they can run here");

  ExportOptions exp;
  auto* export_cmd = app.add_subcommand("export", "Convert a trace to OTF2 or to Chrome/Perfetto JSON");
  export_cmd->add_option("TRACE", exp.trace, "Trace directory")->required();
  export_cmd->add_option("--format", exp.format, "otf2: an OTF2 archive in directory OUT; chrome: a JSON file "
                                                 "(.json, or .json.gz compressed)")
      ->required()
      ->check(CLI::IsMember({"otf2", "chrome"}));
  export_cmd->add_option("-o,--output", exp.output, "Output directory (otf2) or file (chrome)")->required();

  ImportOptions imp;
  auto* import_cmd = app.add_subcommand("import", "Convert an OTF2 archive into a Rondo trace");
  import_cmd->add_option("OTF2_ANCHOR_FILE", imp.anchor, "The archive's anchor file (e.g. traces.otf2)")->required();
  import_cmd->add_option("-o,--output", imp.output, "Trace directory to create")->required();

  ViewOptions view;
  auto* view_cmd = app.add_subcommand("view", "Show a trace's timeline in the Qt viewer, or render it to a PNG");
  view_cmd->add_option("TRACE", view.traces, "Trace directory or OTF2 anchor file (traces.otf2); a second one shows both, compared")
      ->required()
      ->expected(1, 2);
  view_cmd->add_option("--screenshot", view.screenshot, "Render the timeline to this PNG without a display and exit");
  view_cmd->add_option("--size", view.size, "Screenshot size WxH (default 1280x720)");
  view_cmd->add_option("--window", view.window, "Time window T0:T1 to show (e.g. 1ms:2.5ms)");

  InstrumentOptions instrument;
  auto* ins = app.add_subcommand("instrument", "Compile and link an OpenMP program with OPARI2 instrumentation");
  ins->add_flag("--keep", instrument.keep, "Keep the work directory with the instrumented sources");
  ins->add_flag("-v,--verbose", instrument.verbose, "Print each command run");
  ins->prefix_command();
  ins->allow_extras();
  ins->footer(kInstrumentHelp);

  // `rondo record [opts] -- PROGRAM ARGS`: what follows "--" is the program's,
  // whatever it looks like; split it off before CLI11 sees it.
  std::vector<std::string> after_dashes;
  if (argc > 1 && (std::string(argv[1]) == "record" || std::string(argv[1]) == "instrument")) {
    for (int i = 2; i < argc; ++i)
      if (std::string(argv[i]) == "--") {
        after_dashes.assign(argv + i + 1, argv + argc);
        argc = i;
        break;
      }
  }
  // An unknown command: CLI11 would only say that a subcommand is required.
  if (argc > 1 && argv[1][0] != '-') {
    std::string known;
    bool found = false;
    for (CLI::App* sub : app.get_subcommands(std::function<bool(CLI::App*)>([](CLI::App*) { return true; }))) {
      known += (known.empty() ? "" : ", ") + sub->get_name();
      found = found || sub->get_name() == argv[1];
    }
    if (!found) {
      fmt::print(stderr, "rondo: {}: unknown command (commands: {}; see `rondo --help`)\n", argv[1], known);
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  }

  try {
    if (*rec) {
      // With prefix_command, the program and its arguments arrive as "remaining".
      record.command = rec->remaining();
      record.command.insert(record.command.end(), after_dashes.begin(), after_dashes.end());
      for (size_t start = 0; !modules.empty() && start <= modules.size();) {
        size_t end = modules.find(',', start);
        if (end == std::string::npos) end = modules.size();
        if (end > start) record.modules.push_back(modules.substr(start, end - start));
        start = end + 1;
      }
      return run_record(record);
    }
    if (*ins) {
      instrument.command = ins->remaining();
      instrument.command.insert(instrument.command.end(), after_dashes.begin(), after_dashes.end());
      return run_instrument(instrument);
    }
    if (*info) return run_info(trace, json, info_sizes);
    if (*chk) return run_check(check_trace, check_json);
    if (*prn) {
      if (!thread.empty()) print.thread = parse_thread(thread);
      return run_print(print);
    }
    if (*sts) {
      stats.argv.assign(argv, argv + argc);
      return run_stats(stats);
    }
    if (*avail) return run_avail();
    if (*export_cmd) return run_export(exp);
    if (*import_cmd) return run_import(imp);
    if (*view_cmd) return run_view(view);
  } catch (const CLI::ParseError& e) {
    return parse_error(app, e);
  } catch (const rondo::format::FormatError& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    // (rondo check says the same its own way, with its own exit status.)
    fmt::print(stderr, "{}\n", *sts ? kStatsOutOfMemory : "rondo: out of memory");
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
    return 1;
  }
  return 0;
}
