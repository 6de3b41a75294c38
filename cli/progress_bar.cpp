#include "progress_bar.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace rondo::cli {

namespace {
constexpr auto kQuietFor = std::chrono::milliseconds(300);  // short analyses show no bar
constexpr int kWidth = 30;
}  // namespace

ProgressBar::ProgressBar(std::string what)
    : what_(std::move(what)), enabled_(isatty(STDERR_FILENO) == 1), start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) fmt::print(stderr, "\r{:{}}\r", "", what_.size() + kWidth + 16);
}

void ProgressBar::update(uint64_t done, uint64_t total) {
  if (!enabled_ || total == 0) return;
  if (!drawn_ && std::chrono::steady_clock::now() - start_ < kQuietFor) return;
  int percent = static_cast<int>(100 * done / total);
  if (percent == last_percent_) return;
  last_percent_ = percent;
  drawn_ = true;
  int filled = kWidth * percent / 100;
  fmt::print(stderr, "\r{} [{}{}] {:3d}%", what_, std::string(static_cast<size_t>(filled), '#'),
             std::string(static_cast<size_t>(kWidth - filled), ' '), percent);
  std::fflush(stderr);
}

}  // namespace rondo::cli
