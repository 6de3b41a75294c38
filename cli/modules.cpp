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
//   openmp   links an OpenMP runtime (libgomp, libomp, libiomp5);
//   pthread  links libpthread or calls pthread_create itself;
//   io       calls POSIX or C stream I/O functions itself (open, read, write,
//            fopen, fread, fwrite, ...): cheap, since only those calls record;
//   memory   never: every allocation would be an event (opt-in, -t memory).
std::vector<std::string> default_modules(const ProgramInfo& program) {
  std::vector<std::string> out;
  if (program.imports("__cyg_profile_func_enter")) out.push_back("compiler");
  if (program.links("libmpi")) out.push_back("mpi");
  if (program.links("libgomp") || program.links("libomp") || program.links("libiomp5")) out.push_back("openmp");
  if (program.links("libpthread") || program.imports("pthread_create")) out.push_back("pthread");
  static const char* const kIoFunctions[] = {"open",  "open64", "openat", "creat", "read",  "write",  "pread",
                                             "pread64", "pwrite", "pwrite64", "readv", "writev", "fopen",
                                             "fopen64", "fread", "fwrite"};
  for (const char* f : kIoFunctions)
    if (program.imports(f)) {
      out.push_back("io");
      break;
    }
  return out;
}

}  // namespace rondo::cli
