#include "launcher.h"

#include <filesystem>
#include <map>

#include "program_inspect.h"

namespace rondo::cli {

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

namespace {

// Options of Open MPI's mpirun and MPICH's mpiexec that take separate values, and
// how many. Options not listed are taken as flags; `--opt=value` takes none.
const std::map<std::string, int>& value_options() {
  static const std::map<std::string, int> kOptions = {
      // Open MPI
      {"-np", 1}, {"--np", 1}, {"-n", 1}, {"--n", 1}, {"-c", 1}, {"-N", 1}, {"-npernode", 1}, {"--npernode", 1},
      {"-npersocket", 1}, {"--npersocket", 1}, {"-H", 1}, {"-host", 1}, {"--host", 1}, {"-hostfile", 1},
      {"--hostfile", 1}, {"-machinefile", 1}, {"--machinefile", 1}, {"--default-hostfile", 1}, {"-x", 1},
      {"-mca", 2}, {"--mca", 2}, {"-gmca", 2}, {"--gmca", 2}, {"-am", 1}, {"--am", 1}, {"-tune", 1}, {"--tune", 1},
      {"-map-by", 1}, {"--map-by", 1}, {"-rank-by", 1}, {"--rank-by", 1}, {"-bind-to", 1}, {"--bind-to", 1},
      {"-wdir", 1}, {"--wdir", 1}, {"-wd", 1}, {"--wd", 1}, {"-path", 1}, {"--path", 1}, {"-prefix", 1},
      {"--prefix", 1}, {"--preload-files", 1}, {"-output-filename", 1}, {"--output-filename", 1},
      {"--output", 1}, {"-cpus-per-proc", 1}, {"--cpus-per-proc", 1}, {"-cpus-per-rank", 1},
      {"--cpus-per-rank", 1}, {"--cpu-set", 1}, {"-cpu-set", 1}, {"-rf", 1}, {"--rankfile", 1}, {"-rankfile", 1},
      {"--timeout", 1}, {"-launch-agent", 1}, {"--launch-agent", 1}, {"--personality", 1}, {"--stdin", 1},
      {"-stdin", 1}, {"--max-restarts", 1}, {"--ompi-server", 1}, {"-ompi-server", 1}, {"--report-uri", 1},
      {"--report-pid", 1}, {"--debugger", 1},
      // MPICH Hydra
      {"-f", 1}, {"-hosts", 1}, {"-genv", 2}, {"-env", 2}, {"-genvlist", 1}, {"-envlist", 1}, {"-ppn", 1},
      {"-launcher", 1}, {"-launcher-exec", 1}, {"-bootstrap", 1}, {"-bootstrap-exec", 1}, {"-iface", 1},
      {"-binding", 1}, {"-rmk", 1}, {"-demux", 1}, {"-errfile-pattern", 1}, {"-outfile-pattern", 1},
      {"-prepend-pattern", 1}, {"-gpus-per-proc", 1}, {"-nameserver", 1}};
  return kOptions;
}

}  // namespace

LaunchedProgram launched_program(const std::vector<std::string>& command) {
  LaunchedProgram out;
  for (size_t i = 1; i < command.size(); ++i) {
    const std::string& a = command[i];
    if (a == "--app" || a == "-app" || a == "-configfile" || a == "--configfile") {
      out.unknown = true;
      return out;
    }
    if (a.empty() || a[0] == '-') {
      auto it = value_options().find(a);
      if (it != value_options().end()) i += static_cast<size_t>(it->second);
      continue;
    }
    out.word = a;
    out.path = find_program(a);
    return out;
  }
  return out;
}

std::vector<size_t> app_context_starts(const std::vector<std::string>& command) {
  std::vector<size_t> starts{1};
  for (size_t i = 1; i < command.size(); ++i)
    if (command[i] == ":") starts.push_back(i + 1);
  return starts;
}

}  // namespace rondo::cli
