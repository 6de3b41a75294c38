#include "trace_directory.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace rondo::cli {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRunIdFile = "run-id";

bool is_process_file(const fs::directory_entry& e) {
  std::string name = e.path().filename().string();
  std::error_code ec;
  return name.size() > 4 && name.compare(name.size() - 4, 4, ".rnd") == 0 && e.is_regular_file(ec);
}

size_t process_files(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (is_process_file(e)) ++n;
  return n;
}

std::string read_run_id(const std::string& dir) {
  std::ifstream in(dir + "/" + kRunIdFile);
  std::string id;
  std::getline(in, id);
  return id;
}

// Writes DIR/run-id whole or not at all: the text goes to a file of this process,
// which then becomes run-id by link() (fails if run-id exists: `exclusive`) or by
// rename() (replaces it). A concurrent reader never sees half a run id.
bool write_run_id(const std::string& dir, const std::string& run_id, bool exclusive, std::string& error) {
  std::string tmp = dir + "/.run-id." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << run_id << "\n";
    if (!out.flush()) {
      error = "cannot write " + tmp + ": " + std::strerror(errno);
      return false;
    }
  }
  std::string target = dir + "/" + kRunIdFile;
  int rc = exclusive ? link(tmp.c_str(), target.c_str()) : rename(tmp.c_str(), target.c_str());
  int saved = errno;
  unlink(tmp.c_str());
  if (rc != 0 && !(exclusive && saved == EEXIST)) error = "cannot write " + target + ": " + std::strerror(saved);
  return rc == 0;
}

// Removes an old trace: its process files and run-id, nothing else (-o may name a
// directory that holds other things too).
std::string remove_trace(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (is_process_file(e) || e.path().filename() == kRunIdFile)
      if (!fs::remove(e.path(), ec) && ec) return "cannot remove " + e.path().string() + ": " + ec.message();
  return ec ? "cannot list " + dir + ": " + ec.message() : "";
}

std::string refusal(const std::string& dir, const std::string& old_id) {
  return dir + " already holds a trace" + (old_id.empty() ? "" : " (run " + old_id + ")") +
         ": choose another -o DIR, or add --force to replace it";
}

}  // namespace

Claim claim_trace_directory(const std::string& dir, const std::string& run_id, bool force, int rank) {
  Claim c;
  std::error_code ec;
  c.created_dir = !fs::exists(dir, ec);
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir, ec)) {
    c.error = "cannot create the trace directory " + dir + ": " + (ec ? ec.message() : "not a directory");
    return c;
  }
  if (rank < 0 || (force && rank == 0)) {
    // The only process claiming DIR (or rank 0 of a job with --force).
    std::string old = read_run_id(dir);
    bool holds_trace = !old.empty() || process_files(dir) > 0;
    if (rank == 0 && old == run_id) return c;  // claimed already by this job (a restarted rank 0)
    if (holds_trace && !force) {
      c.error = refusal(dir, old);
      return c;
    }
    if (holds_trace) c.error = remove_trace(dir);
    if (c.error.empty() && !write_run_id(dir, run_id, rank < 0, c.error) && c.error.empty())
      c.error = refusal(dir, read_run_id(dir));  // another rondo record claimed it meanwhile
    return c;
  }
  if (force) {
    // Rank 0 removes the old trace and claims DIR; start only once it has.
    for (int i = 0; i < 6000; ++i) {
      if (read_run_id(dir) == run_id) return c;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    c.error = dir + ": rank 0 did not claim the directory for this run within 60 s (is rank 0 started with --force too?)";
    return c;
  }
  // One rank of a job among others that claim DIR at the same time. A run id
  // file is always written before any process file of its run exists, so after
  // seeing process files, reading the run id again tells whose they are.
  std::string old = read_run_id(dir);
  if (old == run_id) return c;
  if (old.empty() && process_files(dir) > 0) old = read_run_id(dir);
  if (old == run_id) return c;
  if (!old.empty() || process_files(dir) > 0) {
    c.error = refusal(dir, old);
    return c;
  }
  if (write_run_id(dir, run_id, true, c.error)) return c;
  if (!c.error.empty()) return c;
  if (std::string now = read_run_id(dir); now != run_id) c.error = refusal(dir, now);  // lost the race to another run
  return c;
}

bool release_if_unused(const std::string& dir, const Claim& claim) {
  if (process_files(dir) > 0) return false;
  std::error_code ec;
  fs::remove(dir + "/" + kRunIdFile, ec);
  if (claim.created_dir && fs::is_empty(dir, ec)) fs::remove(dir, ec);
  return true;
}

}  // namespace rondo::cli
