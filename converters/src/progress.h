// A one-line progress bar on stderr, redrawn at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace rondo::converters::detail {

class Progress {
 public:
  // `total` is in whatever unit the caller counts (bytes, events); 0: unknown.
  Progress(bool enabled, std::string label, uint64_t total);
  ~Progress();
  // Cheap enough to call every few thousand events.
  void update(uint64_t done, uint64_t events);
  void finish();

 private:
  void draw(uint64_t done, uint64_t events);
  bool enabled_;
  std::string label_;
  uint64_t total_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_{};
};

// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start);

// "1.23 M", "456 k", "789".
std::string human_count(double n);

}  // namespace rondo::converters::detail
