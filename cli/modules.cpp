#include "modules.h"

#include <unistd.h>

#include <climits>

namespace rondo::cli {

namespace {

std::string executable_dir() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  std::string path(buf, static_cast<size_t>(n));
  return path.substr(0, path.rfind('/'));
}

bool exists(const std::string& p) { return access(p.c_str(), R_OK) == 0; }

// Where libraries may be: RONDO_LIB_DIR, the build tree (cli/rondo next to
// interceptors/<module>/), or the install prefix (bin/rondo next to lib/).
std::vector<std::string> library_dirs(const std::string& module_dir) {
  std::vector<std::string> dirs;
  if (const char* d = getenv("RONDO_LIB_DIR"); d && *d) dirs.push_back(d);
  std::string exe = executable_dir();
  dirs.push_back(exe + "/../interceptors/" + module_dir);
  dirs.push_back(exe + "/../libtrace");
  dirs.push_back(exe + "/../" RONDO_INSTALL_LIBDIR);
  dirs.push_back(exe + "/../lib");
  return dirs;
}

}  // namespace

const std::vector<Module>& all_modules() {
  static const std::vector<Module> modules = {
      {"compiler", "librondo-compiler.so", "functions instrumented with -finstrument-functions"},
      {"mpi", "librondo-mpi.so", "MPI calls, messages and collectives"},
      {"openmp", "librondo-openmp.so", "OpenMP parallel regions, loops, barriers, tasks, locks"},
      {"pthread", "librondo-pthread.so", "POSIX threads, mutexes, condition variables"},
      {"io", "librondo-io.so", "POSIX and C stream I/O"},
      {"memory", "librondo-memory.so", "malloc/free (opt-in)"},
      {"cuda", "librondo-cuda.so", "CUDA kernels and memory copies (CUPTI)"},
  };
  return modules;
}

const Module* find_module(const std::string& name) {
  for (const Module& m : all_modules())
    if (m.name == name) return &m;
  return nullptr;
}

std::string module_library_path(const Module& m) {
  for (const std::string& dir : library_dirs(m.name))
    if (exists(dir + "/" + m.library)) return dir + "/" + m.library;
  return "";
}

std::string runtime_library_dir() {
  for (const std::string& dir : library_dirs("compiler"))
    if (exists(dir + "/librondo.so")) return dir;
  return "";
}

// Without -t: a module is chosen when the program shows it needs it.
//   compiler  some object of the closure calls __cyg_profile_func_enter;
//   mpi       the dependency closure holds an MPI library (libmpi, libmpich);
//   openmp    ... an OpenMP runtime (libgomp, libomp, libiomp5), also when
//             reached only through another library (libgromacs -> libgomp);
//   cuda      ... the CUDA runtime or driver library, or the program (or a
//             library of its own) carries CUDA itself: device code or a
//             statically linked cudart (nvcc's default);
//   pthread   the program (or a library of its own) calls pthread_create;
//   io        the program (or a library of its own) calls POSIX or C stream I/O
//             functions (open, read, write, fopen, ...): cheap, since only those
//             calls record;
//   memory    never: every allocation would be an event (opt-in, -t memory).
// System libraries' own threads and I/O (Open MPI's, libstdc++'s) are not the
// program's, so only the closure decides the runtime modules.
std::vector<ModuleChoice> choose_modules(const std::vector<ProgramInfo>& programs, const std::string& command_name) {
  std::vector<ModuleChoice> out;
  auto add = [&](const std::string& module, std::string reason, const ProgramInfo& p, bool mpich = false) {
    for (const ModuleChoice& c : out)
      if (c.module == module) return;
    std::string name = p.path.substr(p.path.rfind('/') + 1);
    if (name != command_name.substr(command_name.rfind('/') + 1)) reason += " in " + name;
    out.push_back({module, reason, mpich});
  };
  auto library_reason = [](const LinkedLibrary& l) { return l.name + (l.via.empty() ? "" : " via " + l.via); };
  for (const ProgramInfo& p : programs) {
    if (p.imports("__cyg_profile_func_enter")) add("compiler", "-finstrument-functions", p);
    if (const LinkedLibrary* l = p.library("libmpich"); l) add("mpi", library_reason(*l), p, true);
    if (const LinkedLibrary* l = p.library("libmpi."); l) add("mpi", library_reason(*l), p);
    for (const char* omp : {"libgomp", "libomp.", "libiomp5"})
      if (const LinkedLibrary* l = p.library(omp); l) add("openmp", library_reason(*l), p);
    for (const char* cuda : {"libcudart", "libcuda."})
      if (const LinkedLibrary* l = p.library(cuda); l) add("cuda", library_reason(*l), p);
    if (p.cuda_inside) add("cuda", "CUDA code linked in (static cudart)", p);
    if (p.imports("pthread_create")) add("pthread", "pthread_create", p);
    static const char* const kIoFunctions[] = {"open",  "open64", "openat", "creat", "read",  "write",  "pread",
                                               "pread64", "pwrite", "pwrite64", "readv", "writev", "fopen",
                                               "fopen64", "fread", "fwrite"};
    std::string io;
    int shown = 0;
    for (const char* f : kIoFunctions)
      if (p.imports(f) && shown++ < 3) io += (io.empty() ? "" : ", ") + std::string(f);
    if (!io.empty()) add("io", io + (shown > 3 ? ", ..." : ""), p);
  }
  // The module list keeps rondo avail's order.
  std::vector<ModuleChoice> ordered;
  for (const Module& m : all_modules())
    for (const ModuleChoice& c : out)
      if (c.module == m.name) ordered.push_back(c);
  return ordered;
}

std::string describe(const std::vector<ModuleChoice>& choices) {
  std::string out;
  for (const ModuleChoice& c : choices) out += (out.empty() ? "" : ", ") + c.module + " (" + c.reason + ")";
  return out;
}

}  // namespace rondo::cli
