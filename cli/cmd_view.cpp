// rondo view: runs rondo-viewer (viewer/), the Qt6 program, so that `rondo`
// itself never links Qt. The viewer is looked for next to this `rondo`, then on PATH.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>

#include "commands.h"

namespace rondo::cli {

namespace {

std::string find_viewer() {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path beside = self.parent_path() / "rondo-viewer";
    if (access(beside.c_str(), X_OK) == 0) return beside.string();
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (dir.empty()) continue;
    fs::path candidate = fs::path(dir) / "rondo-viewer";
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return "";
}

}  // namespace

int run_view(const ViewOptions& o) {
  std::string viewer = find_viewer();
  if (viewer.empty()) {
    fmt::print(stderr,
               "rondo: view: rondo-viewer is not installed next to rondo or on PATH (it is built when Qt6 Widgets is "
               "found: install qt6-base-dev and rebuild)\n");
    return 1;
  }
  std::vector<std::string> args = {viewer};
  args.insert(args.end(), o.traces.begin(), o.traces.end());
  if (!o.screenshot.empty()) args.insert(args.end(), {"--screenshot", o.screenshot});
  if (!o.size.empty()) args.insert(args.end(), {"--size", o.size});
  if (!o.window.empty()) args.insert(args.end(), {"--window", o.window});
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(argv[0], argv.data());
  fmt::print(stderr, "rondo: view: cannot run {}: {}\n", viewer, std::strerror(errno));
  return 1;
}

}  // namespace rondo::cli
