// rondo instrument COMPILER ARGS...: the compiler command of an OpenMP program,
// with OPARI2 source instrumentation (as `scorep gcc ...` does).
//
// For each C or C++ source the command compiles, opari2 writes an instrumented
// copy (and its .opari.inc) into a work directory, and the compiler compiles that
// copy instead, with the source's own directory on the quote-include path and
// `#line` directives pointing at the original file. When the command links, the
// POMP2 region-initialization file is generated from the objects linked
// (`opari2-config --create-pomp2-regions`), compiled, and linked with
// librondo-pomp2.a, the POMP2 API that tells the openmp module about every loop
// and barrier (interceptors/openmp/pomp2_bridge.c). Without -fopenmp the
// compiler runs unchanged.
#include "cmd_instrument.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

#include "modules.h"
#include "program_inspect.h"

extern char** environ;

namespace rondo::cli {

const char* const kInstrumentHelp =
    "Usage: rondo instrument [--keep] [-v] COMPILER ARGS...\n"
    "  e.g. rondo instrument gcc -fopenmp -O2 app.c -o app\n"
    "\n"
    "Runs COMPILER ARGS with OPARI2 source instrumentation of OpenMP directives, so\n"
    "that `rondo record` sees every `omp for` (gcc compiles static-schedule loops\n"
    "inline, where libgomp cannot see them). C and C++ sources are instrumented;\n"
    "objects from `rondo instrument ... -c` can be linked by `rondo instrument` later.\n"
    "Linking adds the POMP2 region table and librondo-pomp2.a; the program runs as\n"
    "usual without `rondo record`. Without -fopenmp, COMPILER ARGS runs unchanged.\n"
    "Needs opari2 and opari2-config (Debian: opari2, libpomp2-dev).\n"
    "\n"
    "Options (before COMPILER):\n"
    "  --keep      keep the work directory (instrumented sources), print its path\n"
    "  -v          print each command run\n";

namespace {

namespace fs = std::filesystem;
using Args = std::vector<std::string>;

void print_command(const Args& argv) {
  std::string line;
  for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
  fmt::print(stderr, "rondo: instrument: {}\n", line);
}

// Runs argv (searched in PATH) and returns its exit status (128 + signal when
// killed); 127 with a message when it cannot start. stdout_path: its output there.
int run(const Args& argv, bool verbose, const std::string& stdout_path = "") {
  if (verbose) print_command(argv);
  std::vector<char*> cargv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (!stdout_path.empty())
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = -1;
  int err = posix_spawnp(&pid, cargv[0], &actions, nullptr, cargv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (err != 0) {
    fmt::print(stderr, "rondo: instrument: cannot run {}: {}\n", argv[0], std::strerror(err));
    return 127;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return 127;
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

// The first line a command prints (opari2-config answers without a newline).
std::string output_of(const Args& argv, const fs::path& scratch) {
  if (run(argv, false, scratch.string()) != 0) return "";
  std::ifstream in(scratch);
  std::string line;
  std::getline(in, line);
  return line;
}

Args split_words(const std::string& s) {
  Args out;
  std::istringstream in(s);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// gcc/clang driver options whose value is the next argument.
bool takes_value(const std::string& a) {
  static const char* const kWithValue[] = {
      "-o", "-I", "-D", "-U", "-L", "-l", "-include", "-imacros", "-isystem", "-idirafter", "-iquote", "-iprefix",
      "-iwithprefix", "-iwithprefixbefore", "-isysroot", "-x", "-MF", "-MT", "-MQ", "-MJ", "-Xlinker",
      "-Xassembler", "-Xpreprocessor", "-Xclang", "-T", "-u", "-e", "-z", "--param", "-aux-info", "-A",
      "-target", "--sysroot", "-J"};
  for (const char* o : kWithValue)
    if (a == o) return true;
  return false;
}

bool is_openmp_flag(const std::string& a) {
  return a == "-fopenmp" || a.rfind("-fopenmp=", 0) == 0 || a == "-qopenmp" || a == "-fiopenmp" || a == "-openmp";
}

bool is_c_family_source(const fs::path& p) {
  static const char* const kExtensions[] = {".c", ".cc", ".cp", ".cxx", ".cpp", ".CPP", ".c++", ".C"};
  std::string ext = p.extension().string();
  for (const char* e : kExtensions)
    if (ext == e) return true;
  return false;
}

bool is_linked_object(const fs::path& p) {
  std::string ext = p.extension().string();
  return ext == ".o" || ext == ".a";
}

// The compiler command, taken apart.
struct Command {
  std::string compiler;
  Args args;                 // everything after the compiler
  std::vector<size_t> sources;  // indexes in args of the C/C++ sources to instrument
  std::vector<size_t> inputs;   // indexes in args of other input files
  long output = -1;          // index of -o's value
  bool openmp = false;
  bool compile_only = false;   // -c or -S
  bool assemble_only = false;  // -S
  bool passthrough = false;    // -E, -M, -MM, -fsyntax-only: nothing to instrument
};

Command parse(const Args& command) {
  Command c;
  c.compiler = command[0];
  c.args.assign(command.begin() + 1, command.end());
  for (size_t i = 0; i < c.args.size(); ++i) {
    const std::string& a = c.args[i];
    if (is_openmp_flag(a)) c.openmp = true;
    if (a == "-c") c.compile_only = true;
    if (a == "-S") c.compile_only = c.assemble_only = true;
    if (a == "-E" || a == "-M" || a == "-MM" || a == "-fsyntax-only") c.passthrough = true;
    if (a == "-o" && i + 1 < c.args.size()) c.output = static_cast<long>(i + 1);
    if (takes_value(a)) {
      ++i;
      continue;
    }
    if (a.empty() || (a[0] == '-' && a != "-") || a[0] == '@') continue;
    if (is_c_family_source(a) && fs::is_regular_file(a))
      c.sources.push_back(i);
    else
      c.inputs.push_back(i);
  }
  return c;
}

bool contains(const std::vector<size_t>& v, size_t i) {
  for (size_t x : v)
    if (x == i) return true;
  return false;
}

// The compiler's options without its inputs and output (and, since nothing is
// linked when compiling, without libraries).
Args compile_flags(const Command& c) {
  Args out;
  for (size_t i = 0; i < c.args.size(); ++i) {
    const std::string& a = c.args[i];
    if (contains(c.sources, i) || contains(c.inputs, i)) continue;
    if (a == "-o" || a == "-l" || a == "-c" || a == "-S") {
      if (a == "-o" || a == "-l") ++i;
      continue;
    }
    if (a.rfind("-l", 0) == 0) continue;
    out.push_back(a);
  }
  return out;
}

class WorkDir {
 public:
  explicit WorkDir(bool keep) : keep_(keep) {
    const char* tmp = getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/rondo-instrument-XXXXXX";
    if (!mkdtemp(templ.data())) throw std::runtime_error("cannot create a work directory in " + templ);
    path_ = templ;
  }
  ~WorkDir() {
    std::error_code ec;
    if (keep_)
      fmt::print(stderr, "rondo: instrument: instrumented sources kept in {}\n", path_.string());
    else
      fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  bool keep_;
  fs::path path_;
};

struct Opari2 {
  std::string opari2, config;
  Args cflags;
};

}  // namespace

int run_instrument(const InstrumentOptions& o) {
  if (o.command.empty()) {
    fmt::print(stderr, "rondo: instrument: no compiler given (rondo instrument --help)\n");
    return 2;
  }
  Command c = parse(o.command);
  if (!c.openmp || c.passthrough || (c.compile_only && c.sources.empty())) return run(o.command, o.verbose);

  Opari2 tools{find_program("opari2"), find_program("opari2-config"), {}};
  if (tools.opari2.empty() || tools.config.empty()) {
    fmt::print(stderr, "rondo: instrument: {} not found (Debian: apt install opari2 libpomp2-dev)\n",
               tools.opari2.empty() ? "opari2" : "opari2-config");
    return 1;
  }
  std::string bridge;
  if (!c.compile_only) {
    bridge = module_library_path(Module{"openmp", "librondo-pomp2.a", ""});
    if (bridge.empty()) {
      fmt::print(stderr, "rondo: instrument: librondo-pomp2.a not found (Rondo built without libpomp2-dev?)\n");
      return 1;
    }
  }
  if (c.compile_only && c.output >= 0 && c.sources.size() + c.inputs.size() > 1) {
    fmt::print(stderr, "rondo: instrument: -o with -c or -S names one output, but several files are compiled\n");
    return 1;
  }

  WorkDir work(o.keep);
  tools.cflags = split_words(output_of({tools.config, "--cflags"}, work.path() / "cflags.txt"));
  Args flags = compile_flags(c);

  // Instrument and compile each source; in a link, its object takes its place.
  Args link_args = c.args;
  Args objects;
  for (size_t n = 0; n < c.sources.size(); ++n) {
    fs::path source = c.args[c.sources[n]];
    fs::path dir = work.path() / std::to_string(n);
    fs::create_directories(dir);
    fs::path modified = dir / (source.stem().string() + ".opari" + source.extension().string());
    if (int rc = run({tools.opari2, source.string(), modified.string()}, o.verbose); rc != 0) {
      fmt::print(stderr, "rondo: instrument: opari2 failed on {} (exit status {})\n", source.string(), rc);
      return rc;
    }
    std::string object;
    if (!c.compile_only)
      object = (dir / (source.stem().string() + ".o")).string();
    else if (c.output >= 0)
      object = c.args[static_cast<size_t>(c.output)];
    else
      object = source.stem().string() + (c.assemble_only ? ".s" : ".o");
    fs::path source_dir = source.parent_path().empty() ? fs::path(".") : source.parent_path();
    Args compile{c.compiler};
    compile.insert(compile.end(), flags.begin(), flags.end());
    compile.insert(compile.end(), tools.cflags.begin(), tools.cflags.end());
    compile.insert(compile.end(), {"-iquote", source_dir.string(), c.assemble_only ? "-S" : "-c", modified.string(),
                                   "-o", object});
    if (int rc = run(compile, o.verbose); rc != 0) return rc;
    link_args[c.sources[n]] = object;
    objects.push_back(object);
  }
  if (c.compile_only) {
    // Other files the command compiles (Fortran, assembly) are compiled as given.
    if (c.inputs.empty()) return 0;
    Args rest{c.compiler};
    rest.insert(rest.end(), flags.begin(), flags.end());
    rest.push_back(c.assemble_only ? "-S" : "-c");
    for (size_t i : c.inputs) rest.push_back(c.args[i]);
    return run(rest, o.verbose);
  }

  // The region table of every object linked: the ones just made and those given.
  for (size_t i : c.inputs)
    if (is_linked_object(c.args[i])) objects.push_back(c.args[i]);
  Args create{tools.config, "--create-pomp2-regions"};
  for (const std::string& obj : objects) create.push_back(shell_quote(obj));
  std::string pipeline = output_of(create, work.path() / "create.txt");
  if (pipeline.empty()) {
    fmt::print(stderr, "rondo: instrument: opari2-config --create-pomp2-regions gave no command\n");
    return 1;
  }
  fs::path init_source = work.path() / "pomp2_init_regions.c";
  fs::path init_object = work.path() / "pomp2_init_regions.o";
  if (int rc = run({"/bin/sh", "-c", pipeline}, o.verbose, init_source.string()); rc != 0) {
    fmt::print(stderr, "rondo: instrument: creating the POMP2 region table failed (exit status {})\n", rc);
    return rc;
  }
  if (int rc = run({c.compiler, "-c", init_source.string(), "-o", init_object.string()}, o.verbose); rc != 0)
    return rc;

  Args link{c.compiler};
  link.insert(link.end(), link_args.begin(), link_args.end());
  link.insert(link.end(), {init_object.string(), bridge, "-ldl"});
  return run(link, o.verbose);
}

}  // namespace rondo::cli
