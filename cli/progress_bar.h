// A progress bar on stderr for long analyses, drawn only when stderr is a
// terminal (never in pipes, files or CI logs) and only once the work has taken
// long enough to be worth one.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rondo::cli {

class ProgressBar {
 public:
  explicit ProgressBar(std::string what);
  ~ProgressBar();  // erases the bar
  void update(uint64_t done, uint64_t total);
  bool enabled() const { return enabled_; }

 private:
  std::string what_;
  bool enabled_ = false;
  bool drawn_ = false;
  int last_percent_ = -1;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace rondo::cli
