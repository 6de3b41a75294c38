// Open MPI's session directory, private to each test process.
//
// mpirun makes its session directory under <tmp>/ompi.HOST.UID when a job
// starts and removes it when the job ends; two jobs started at the same
// moment (ctest -j) can both try to create it, and one fails ("mkdir ... File
// exists"). Every test process that includes this header gets a base of its
// own (Open MPI's orte_tmpdir_base, inherited by the jobs it starts), made
// once at start-up and removed at exit (by that process: a forked child that
// calls exit() must not take it from under the parent's jobs); one already
// set is left as it is.
#pragma once

#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace rondo::test {

struct PrivateMpiSessionBase {
  std::string dir;
  pid_t owner = 0;  // the process that made it
};
inline PrivateMpiSessionBase& private_mpi_session_base() {
  static PrivateMpiSessionBase base;
  return base;
}

inline bool use_private_mpi_session_base() {
  if (std::getenv("OMPI_MCA_orte_tmpdir_base") != nullptr) return false;
  std::error_code ec;
  std::string dir = (std::filesystem::temp_directory_path(ec) / "rondo-test-ompi-XXXXXX").string();
  if (ec || mkdtemp(dir.data()) == nullptr) return false;  // then jobs share the default, as before
  private_mpi_session_base() = {dir, getpid()};
  setenv("OMPI_MCA_orte_tmpdir_base", dir.c_str(), 0);
  std::atexit([] {
    const PrivateMpiSessionBase& base = private_mpi_session_base();
    if (getpid() != base.owner) return;
    std::error_code ignored;
    std::filesystem::remove_all(base.dir, ignored);
  });
  return true;
}

inline const bool kPrivateMpiSessionBase = use_private_mpi_session_base();

}  // namespace rondo::test
