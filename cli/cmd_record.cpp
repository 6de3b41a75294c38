// rondo record: run a program with the recording libraries preloaded.
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

#include "commands.h"
#include "modules.h"
#include "program_inspect.h"
#include "rondo/analyzer/trace_summary.h"
#include "text_output.h"

namespace rondo::cli {

namespace {

pid_t g_child = -1;

// The terminal's Ctrl-C reaches the whole process group, so the program gets it
// itself; SIGTERM/SIGHUP sent to rondo alone are passed on.
void forward_signal(int sig) {
  if (g_child > 0) kill(g_child, sig);
}

// MPI launchers, recognised by the binary they resolve to (/usr/bin/mpirun is an
// alternatives link): Open MPI's pass variables to the ranks with `-x NAME=VALUE`,
// MPICH's Hydra with `-genv NAME VALUE`.
enum class Launcher { None, OpenMpi, Hydra };
Launcher launcher_kind(const std::string& program) {
  std::error_code ec;
  std::string real = std::filesystem::canonical(program, ec).string();
  auto base_of = [](const std::string& p) { return p.substr(p.rfind('/') + 1); };
  for (const std::string& base : {base_of(program), base_of(ec ? program : real)}) {
    if (base == "orterun" || base == "mpirun.openmpi" || base == "mpiexec.openmpi") return Launcher::OpenMpi;
    if (base == "mpiexec.hydra" || base == "mpiexec.mpich" || base == "mpirun.mpich" || base == "hydra_nameserver")
      return Launcher::Hydra;
  }
  // opal_wrapper is Open MPI's mpirun/mpiexec when they are not links to orterun.
  if (!ec && base_of(real) == "opal_wrapper" && (base_of(program) == "mpirun" || base_of(program) == "mpiexec"))
    return Launcher::OpenMpi;
  return Launcher::None;
}

// The program a launcher starts: its first argument naming an executable ELF
// file (options and their values do not).
std::string launched_program(const std::vector<std::string>& command) {
  for (size_t i = 1; i < command.size(); ++i) {
    if (command[i].empty() || command[i][0] == '-') continue;
    std::string path = find_program(command[i]);
    if (!path.empty() && inspect_program(path).is_elf) return path;
  }
  return "";
}

// Ranks started by one launcher (`mpirun -np 4 rondo record ./app`) must agree on
// one directory: name it after the job rather than the time each rank starts.
std::string job_suffix() {
  for (const char* var : {"PMIX_NAMESPACE", "OMPI_MCA_ess_base_jobid", "SLURM_JOB_ID"})
    if (const char* v = getenv(var); v && *v) {
      std::string id;
      for (const char* c = v; *c; ++c) id += std::isalnum(static_cast<unsigned char>(*c)) ? *c : '_';
      if (const char* step = getenv("SLURM_STEP_ID"); step && std::string(var) == "SLURM_JOB_ID") id += "." + std::string(step);
      return "job" + id;
    }
  return "";
}

std::string default_trace_dir(const std::string& program) {
  std::string base = program.substr(program.rfind('/') + 1);
  if (std::string job = job_suffix(); !job.empty()) return fmt::format("rondo-{}-{}", base, job);
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

}  // namespace

int run_record(const RecordOptions& o) {
  if (o.command.empty()) {
    fmt::print(stderr, "rondo record: no program given (usage: rondo record [options] [--] PROGRAM [ARGS...])\n");
    return 2;
  }
  std::string program = find_program(o.command[0]);
  if (program.empty()) {
    fmt::print(stderr, "rondo record: {}: program not found (not in PATH or not executable)\n", o.command[0]);
    return 127;
  }
  Launcher launcher_type = launcher_kind(program);
  bool launcher = launcher_type != Launcher::None;
  std::string traced = launcher ? launched_program(o.command) : program;
  ProgramInfo info = traced.empty() ? ProgramInfo{} : inspect_program(traced);

  // Modules: as asked, or chosen from what the program links and imports.
  std::vector<std::string> modules = o.modules.empty() ? default_modules(info) : o.modules;
  std::vector<std::string> preload;
  for (const std::string& name : modules) {
    const Module* m = find_module(name);
    if (!m) {
      std::string known;
      for (auto& k : all_modules()) known += (known.empty() ? "" : ", ") + k.name;
      fmt::print(stderr, "rondo record: unknown module '{}' (modules: {})\n", name, known);
      return 2;
    }
    // The mpi module exists once per MPI library: take the program's.
    Module variant = *m;
    if (name == "mpi" && info.links("libmpich")) variant.library = "librondo-mpi-mpich.so";
    std::string lib = module_library_path(variant);
    if (lib.empty()) {
      // Asked for explicitly: an error. Chosen from the program: skipped.
      if (o.modules.empty()) {
        if (o.verbose) fmt::print(stderr, "rondo record: module '{}' would apply but is not built here\n", name);
        continue;
      }
      fmt::print(stderr, "rondo record: module '{}' is not available in this build (see `rondo avail`)\n", name);
      return 2;
    }
    preload.push_back(lib);
  }
  if (!o.counters.empty())
    fmt::print(stderr, "rondo record: --counters {} ignored: this build has no PAPI module\n", o.counters);
  if (o.callstack > 0) fmt::print(stderr, "rondo record: --callstack ignored: this build has no call-stack module\n");
  if (modules.empty() && !info.links("librondo"))
    fmt::print(stderr,
               "rondo record: warning: {} is not instrumented (no -finstrument-functions, no Rondo API) and no module "
               "applies: nothing will be recorded\n",
               o.command[0]);

  std::string dir = o.output.empty() ? default_trace_dir(traced.empty() ? program : traced) : o.output;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    fmt::print(stderr, "rondo record: cannot create {}: {}\n", dir, ec.message());
    return 2;
  }
  std::string abs_dir = std::filesystem::absolute(dir).lexically_normal().string();
  while (abs_dir.size() > 1 && abs_dir.back() == '/') abs_dir.pop_back();

  setenv("RONDO_TRACE_DIR", abs_dir.c_str(), 1);
  if (!o.filter.empty()) setenv("RONDO_FILTER", o.filter.c_str(), 1);
  if (o.verbose) setenv("RONDO_VERBOSE", "1", 1);
  std::string preload_list;
  for (auto& p : preload) preload_list += (preload_list.empty() ? "" : ":") + p;
  if (std::string libdir = runtime_library_dir(); !libdir.empty()) set_env_prepend("LD_LIBRARY_PATH", libdir, ':');
  std::vector<std::string> command = o.command;
  if (launcher) {
    // The launcher itself is not recorded: its ranks are, on every node, through
    // the launcher's own way of exporting variables to them.
    std::vector<std::string> exports;
    if (!preload_list.empty()) {
      const char* old = getenv("LD_PRELOAD");
      exports.push_back("LD_PRELOAD=" + preload_list + (old && *old ? ":" + std::string(old) : ""));
    }
    for (const char* var : {"RONDO_TRACE_DIR", "RONDO_FILTER", "RONDO_VERBOSE", "LD_LIBRARY_PATH"})
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
    command.insert(command.begin() + 1, args.begin(), args.end());
  } else if (!preload_list.empty()) {
    set_env_prepend("LD_PRELOAD", preload_list, ':');
  }

  std::vector<char*> argv;
  for (auto& a : command) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  g_child = fork();
  if (g_child < 0) {
    fmt::print(stderr, "rondo record: fork failed: {}\n", std::strerror(errno));
    return 2;
  }
  if (g_child == 0) {
    execv(program.c_str(), argv.data());
    fmt::print(stderr, "rondo record: cannot run {}: {}\n", program, std::strerror(errno));
    _exit(127);
  }
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, forward_signal);
  signal(SIGHUP, forward_signal);
  int status = 0;
  while (waitpid(g_child, &status, 0) < 0 && errno == EINTR) {
  }
  int exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (WIFSIGNALED(status)) fmt::print(stderr, "rondo: {} was killed by {}\n", o.command[0], signal_name(WTERMSIG(status)));

  // Started as one rank of a job (`mpirun -np 4 rondo record ./app`): the other
  // ranks may still be writing, so only rank 0 reports, and only where to look.
  if (const char* rank = getenv("OMPI_COMM_WORLD_RANK") ?: getenv("PMI_RANK") ?: getenv("SLURM_PROCID")) {
    if (std::string(rank) == "0") fmt::print(stderr, "rondo: every rank of this job writes into {}/\n", dir);
    return exit_code;
  }
  try {
    format::TraceReader trace(abs_dir);
    analyzer::TraceInfo ti = analyzer::trace_info(trace);
    fmt::print(stderr, "rondo: trace written to {}/ ({} process{}, {} thread{}, {} events, {}{})\n", dir,
               ti.processes, ti.processes == 1 ? "" : "es", ti.threads, ti.threads == 1 ? "" : "s",
               format_count(ti.events), format_bytes(ti.bytes), ti.truncated ? ", incomplete" : "");
  } catch (const std::exception& e) {
    fmt::print(stderr, "rondo: no events were recorded in {}/\n", dir);
  }
  return exit_code;
}

}  // namespace rondo::cli
