// rondo avail: which recording modules this installation has.
#include <fmt/format.h>

#include "commands.h"
#include "modules.h"
#include "text_output.h"

namespace rondo::cli {

int run_avail() {
  TextTable table({"module", "status", "records", "library"});
  for (const Module& m : all_modules()) {
    std::string path = module_library_path(m);
    table.add({m.name, path.empty() ? "not built" : "available", m.description, path.empty() ? "-" : path});
    if (m.name == "mpi") {  // the same module built for MPICH, when it is installed too
      Module mpich = m;
      mpich.library = "librondo-mpi-mpich.so";
      if (std::string p = module_library_path(mpich); !p.empty())
        table.add({"mpi", "available", "MPI calls, for programs linked with MPICH", p});
    }
  }
  fmt::print("{}", table.str());
  fmt::print("\nThe C/C++ API (rondo/rondo.h, -lrondo) is always available: {}\n",
             runtime_library_dir().empty() ? "librondo.so not found" : runtime_library_dir() + "/librondo.so");
  return 0;
}

}  // namespace rondo::cli
