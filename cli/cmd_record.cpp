// rondo record: run a program with the recording libraries preloaded.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>

#include "commands.h"
#include "launcher.h"
#include "modules.h"
#include "program_inspect.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/run_identity.h"
#include "rondo/format/poll_times.h"
#include "rondo/format/time_resolution.h"
#include "text_output.h"
#include "trace_directory.h"

namespace rondo::cli {

namespace {

pid_t g_child = -1;
std::atomic<int> g_forwarded{0};

// Like a shell, rondo record ends when its program ends, and a signal meant for
// it (Ctrl-C, kill) ends the program. The terminal's Ctrl-C already reaches the
// whole foreground process group, the program included (si_code SI_KERNEL): it
// is not sent a second time, which some launchers take as "kill at once".
void forward_signal(int sig, siginfo_t* info, void*) {
  g_forwarded.store(sig);
  if (g_child > 0 && (!info || info->si_code != SI_KERNEL)) kill(g_child, sig);
}

void forward_signals_to_child() {
  struct sigaction sa {};
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaction(sig, &sa, nullptr);
}

// Ranks started by one launcher (`mpirun -np 4 rondo record ./app`) must agree on
// one directory: name it after the job rather than the time each rank starts.
std::string default_trace_dir(const std::string& program) {
  std::string base = program.substr(program.rfind('/') + 1);
  if (std::string job = format::launcher_run_id(); !job.empty()) {
    std::string id;
    for (char c : job.substr(job.find(':') + 1)) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return fmt::format("rondo-{}-job{}", base, id);
  }
  time_t now = time(nullptr);
  struct tm tm {};
  localtime_r(&now, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
  std::string dir = fmt::format("rondo-{}-{}", base, stamp);
  // Two recordings in the same second get distinct directories.
  std::string candidate = dir;
  for (int i = 2; std::filesystem::exists(candidate); ++i) candidate = fmt::format("{}-{}", dir, i);
  return candidate;
}

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

void set_env_prepend(const char* name, const std::string& value, char separator) {
  const char* old = getenv(name);
  std::string v = value;
  if (old && *old) v += separator + std::string(old);
  setenv(name, v.c_str(), 1);
}

// The programs whose links decide the modules: the program itself, or what a
// launcher starts, or what a script runs (looked through once more for a
// launcher or script inside). `depth` bounds scripts that run scripts.
void collect_programs(const std::vector<std::string>& command, std::vector<ProgramInfo>& out, int depth = 0) {
  std::string path = find_program(command.empty() ? "" : command[0]);
  if (path.empty() || depth > 3) return;
  if (launcher_kind(path) != Launcher::None) {
    LaunchedProgram launched = launched_program(command);
    if (!launched.path.empty()) collect_programs({launched.path}, out, depth + 1);
    return;
  }
  ProgramInfo info = inspect_program(path);
  if (info.is_elf) {
    out.push_back(std::move(info));
    return;
  }
  for (const std::vector<std::string>& line : script_commands(path)) collect_programs(line, out, depth + 1);
}

// Started by a launcher, every rank runs rondo record: only rank 0 speaks.
bool quiet_rank() { return format::launcher_rank() > 0; }

}  // namespace

int run_record(const RecordOptions& o) {
  if (o.command.empty()) {
    fmt::print(stderr, "rondo: record: no program given (usage: rondo record [OPTIONS] [--] PROGRAM [ARGS...])\n");
    return 2;
  }
  if (!o.time_resolution.empty() && !format::parse_time_resolution(o.time_resolution)) {
    fmt::print(stderr, "rondo: --time-resolution {}: not a duration; give e.g. 100ns, 1us or 0 (lossless)\n",
               o.time_resolution);
    return 2;
  }
  if (!o.poll_times.empty() && !format::parse_poll_times(o.poll_times)) {
    fmt::print(stderr, "rondo: --poll-times {}: give exact (time every poll) or count (count polls that find nothing)\n",
               o.poll_times);
    return 2;
  }
  std::string program = find_program(o.command[0]);
  if (program.empty()) {
    fmt::print(stderr, "rondo: {}: program not found (not in PATH, or not executable)\n", o.command[0]);
    return 127;
  }
  Launcher launcher_type = launcher_kind(program);
  bool launcher = launcher_type != Launcher::None;
  std::string traced = program;
  if (launcher) {
    // Check what the launcher is to start before anything is created: a typo
    // would otherwise end as an MPI error message and an empty trace directory.
    LaunchedProgram launched = launched_program(o.command);
    if (!launched.unknown && launched.word.empty()) {
      fmt::print(stderr, "rondo: {}: no program to start on its command line\n", o.command[0]);
      return 2;
    }
    if (!launched.unknown && launched.path.empty()) {
      fmt::print(stderr, "rondo: {}: program not found (not in PATH, or not executable); {} was not started\n",
                 launched.word, o.command[0]);
      return 127;
    }
    if (!launched.path.empty()) traced = launched.path;
  }

  // Modules: as asked, or chosen from what the programs link and import.
  std::vector<ModuleChoice> chosen;
  if (o.modules.empty()) {
    std::vector<ProgramInfo> programs;
    collect_programs(o.command, programs);
    chosen = choose_modules(programs, traced);
  } else {
    for (const std::string& name : o.modules) chosen.push_back({name, "", false});
  }
  std::vector<std::string> preload;
  std::vector<ModuleChoice> used;
  for (const ModuleChoice& choice : chosen) {
    const Module* m = find_module(choice.module);
    if (!m) {
      std::string known;
      for (auto& k : all_modules()) known += (known.empty() ? "" : ", ") + k.name;
      fmt::print(stderr, "rondo: -t {}: unknown module (modules: {})\n", choice.module, known);
      return 2;
    }
    // The mpi module exists once per MPI library: take the program's.
    Module variant = *m;
    if (choice.mpich) variant.library = "librondo-mpi-mpich.so";
    std::string lib = module_library_path(variant);
    if (lib.empty()) {
      // Asked for explicitly: an error. Chosen from the program: skipped.
      if (o.modules.empty()) {
        if (o.verbose) fmt::print(stderr, "rondo: module {} would apply but is not built here\n", choice.module);
        continue;
      }
      fmt::print(stderr, "rondo: -t {}: module not available in this build (see `rondo avail`)\n", choice.module);
      return 2;
    }
    preload.push_back(lib);
    used.push_back(choice);
  }
  // One run, one directory: started by a launcher, this is one rank of a job and
  // the job's id is the run's; otherwise this run gets an id of its own.
  int rank = format::launcher_rank();
  std::string run_id = rank >= 0 ? format::launcher_run_id() : "";
  if (run_id.empty()) {
    run_id = format::new_run_id();
    rank = -1;
  }
  std::string dir = o.output.empty() ? default_trace_dir(traced) : o.output;
  Claim claim = claim_trace_directory(dir, run_id, o.force, rank);
  if (!claim.error.empty()) {
    fmt::print(stderr, "rondo: {}\n", claim.error);
    return 2;
  }
  // Said once the run is sure to start.
  if (!quiet_rank()) {
    if (o.modules.empty() && !used.empty()) fmt::print(stderr, "rondo: modules {}\n", describe(used));
    if (used.empty() && o.modules.empty())
      fmt::print(stderr,
                 "rondo: warning: {} is not instrumented (no -finstrument-functions, no Rondo API) and no module "
                 "applies: nothing will be recorded (choose modules with -t, see `rondo avail`)\n",
                 traced.substr(traced.rfind('/') + 1));
  }

  std::string abs_dir = std::filesystem::absolute(dir).lexically_normal().string();
  while (abs_dir.size() > 1 && abs_dir.back() == '/') abs_dir.pop_back();

  setenv("RONDO_TRACE_DIR", abs_dir.c_str(), 1);
  setenv(format::kRunIdVariable, run_id.c_str(), 1);
  if (!o.filter.empty()) setenv("RONDO_FILTER", o.filter.c_str(), 1);
  if (o.verbose) setenv("RONDO_VERBOSE", "1", 1);
  // The runtime reads the counters (libtrace/src/counters.cpp) and names any it cannot count.
  if (!o.counters.empty()) setenv("RONDO_COUNTERS", o.counters.c_str(), 1);
  if (o.callstack > 0) setenv("RONDO_CALLSTACK", std::to_string(o.callstack).c_str(), 1);
  if (!o.time_resolution.empty()) setenv(format::kTimeResolutionVariable, o.time_resolution.c_str(), 1);
  if (!o.poll_times.empty()) setenv(format::kPollTimesVariable, o.poll_times.c_str(), 1);
  std::string preload_list;
#ifdef RONDO_SANITIZER_PRELOAD
  // A sanitized build (RONDO_SANITIZE): its runtime must come first in programs not built with it.
  if (!preload.empty()) preload_list = RONDO_SANITIZER_PRELOAD;
#endif
  for (auto& p : preload) preload_list += (preload_list.empty() ? "" : ":") + p;
  if (std::string libdir = runtime_library_dir(); !libdir.empty()) set_env_prepend("LD_LIBRARY_PATH", libdir, ':');
  std::vector<std::string> command = o.command;
  if (launcher) {
    // The launcher itself is not recorded: its ranks are, on every node, through
    // the launcher's own way of exporting variables to them.
    std::vector<std::string> exports;
    // Written at every application context below: every rank has the modules.
    setenv(format::kEveryRankVariable, "1", 1);
    if (!preload_list.empty()) {
      const char* old = getenv("LD_PRELOAD");
      exports.push_back("LD_PRELOAD=" + preload_list + (old && *old ? ":" + std::string(old) : ""));
    }
    for (const char* var : {"RONDO_TRACE_DIR", format::kRunIdVariable, format::kEveryRankVariable, "RONDO_FILTER",
                            "RONDO_VERBOSE", "RONDO_COUNTERS", "RONDO_CALLSTACK", format::kTimeResolutionVariable,
                            format::kPollTimesVariable, "LD_LIBRARY_PATH"})
      if (getenv(var)) exports.push_back(var);
    std::vector<std::string> args;
    for (auto& e : exports) {
      if (launcher_type == Launcher::OpenMpi) {
        args.push_back("-x");
        args.push_back(e);
      } else {  // Hydra: -genv NAME VALUE
        size_t eq = e.find('=');
        std::string name = e.substr(0, eq);
        const char* value = getenv(name.c_str());
        args.push_back("-genv");
        args.push_back(name);
        args.push_back(eq == std::string::npos ? (value ? value : "") : e.substr(eq + 1));
      }
    }
    // Hydra's -genv is global; Open MPI's -x holds for one application context
    // only: without it there, the ranks of an MPMD job's later contexts ran
    // without the modules (and the traced ranks waited for them in MPI_Init).
    std::vector<size_t> starts{1};
    if (launcher_type == Launcher::OpenMpi) starts = app_context_starts(command);
    for (auto at = starts.rbegin(); at != starts.rend(); ++at)
      command.insert(command.begin() + static_cast<std::ptrdiff_t>(*at), args.begin(), args.end());
  } else if (!preload_list.empty()) {
    set_env_prepend("LD_PRELOAD", preload_list, ':');
  }

  std::vector<char*> argv;
  for (auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // Signals are caught before the fork, so none is lost in between; the child's
  // exec() resets them to their defaults.
  forward_signals_to_child();
  g_child = fork();
  if (g_child < 0) {
    fmt::print(stderr, "rondo: cannot start {}: fork failed: {}\n", o.command[0], std::strerror(errno));
    return 2;
  }
  if (g_child == 0) {
    execv(program.c_str(), argv.data());
    fmt::print(stderr, "rondo: cannot run {}: {}\n", program, std::strerror(errno));
    _exit(127);
  }
  int status = 0;
  while (waitpid(g_child, &status, 0) < 0 && errno == EINTR) {
  }
  int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) fmt::print(stderr, "rondo: {} was killed by {}\n", o.command[0], signal_name(WTERMSIG(status)));
  // Interrupted (Ctrl-C, kill): the status a shell gives, whatever the program
  // made of the signal.
  if (int sig = g_forwarded.load(); sig != 0) exit_code = 128 + sig;

  // Started as one rank of a job: the other ranks may still be writing, so only
  // rank 0 reports, and only where to look.
  if (rank >= 0) {
    if (rank == 0) fmt::print(stderr, "rondo: every rank of this job writes into {}/\n", dir);
    return exit_code;
  }
  if (release_if_unused(abs_dir, claim)) {
    fmt::print(stderr, "rondo: nothing was recorded{}\n",
               claim.created_dir ? ", so no trace directory was left" : " in " + dir + "/");
    return exit_code;
  }
  try {
    format::TraceReader trace(abs_dir);
    analyzer::TraceInfo ti = analyzer::trace_info(trace);
    fmt::print(stderr, "rondo: trace written to {}/ ({} process{}, {} thread{}, {} events, {}{})\n", dir,
               ti.processes, ti.processes == 1 ? "" : "es", ti.threads, ti.threads == 1 ? "" : "s",
               format_count(ti.events), format_bytes(ti.bytes), ti.truncated ? ", incomplete" : "");
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: {}\n", e.what());
  }
  return exit_code;
}

}  // namespace rondo::cli
