#include "region_style.h"

#include <algorithm>
#include <cmath>

namespace rondo::viewer {

namespace {

// Hues (degrees) of the groups, far enough apart that shades never overlap.
constexpr double kHue[kRegionGroups] = {120, 0, 210, 280, 40, 165, 0};

Rgb hsl(double h, double s, double l) {
  auto f = [&](double n) {
    double k = std::fmod(n + h / 30.0, 12.0);
    double a = s * std::min(l, 1 - l);
    double v = l - a * std::max(-1.0, std::min({k - 3, 9 - k, 1.0}));
    return static_cast<uint8_t>(std::lround(v * 255));
  };
  return Rgb{f(0), f(8), f(4)};
}

uint32_t fnv1a(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) h = (h ^ c) * 16777619u;
  return h;
}

}  // namespace

RegionGroup region_group(format::RegionRole role) {
  using format::RegionRole;
  switch (role) {
    case RegionRole::Mpi: return RegionGroup::Mpi;
    case RegionRole::OpenMp: return RegionGroup::OpenMp;
    case RegionRole::Pthread: return RegionGroup::Threads;
    case RegionRole::Io: return RegionGroup::Io;
    case RegionRole::Cuda: return RegionGroup::Gpu;
    case RegionRole::Function: case RegionRole::User: return RegionGroup::User;
    default: return RegionGroup::Other;
  }
}

std::string_view group_name(RegionGroup g) {
  switch (g) {
    case RegionGroup::User: return "user code";
    case RegionGroup::Mpi: return "MPI";
    case RegionGroup::OpenMp: return "OpenMP";
    case RegionGroup::Threads: return "threads/locks";
    case RegionGroup::Io: return "I/O";
    case RegionGroup::Gpu: return "CUDA/GPU";
    case RegionGroup::Other: return "other";
  }
  return "other";
}

Rgb group_color(RegionGroup g) {
  if (g == RegionGroup::Other) return Rgb{150, 150, 150};
  return hsl(kHue[static_cast<int>(g)], 0.75, 0.5);
}

Rgb region_color(RegionGroup g, std::string_view name) {
  uint32_t h = fnv1a(name);
  if (g == RegionGroup::Other) {
    uint8_t v = static_cast<uint8_t>(120 + h % 80);
    return Rgb{v, v, v};
  }
  double hue = kHue[static_cast<int>(g)] + static_cast<double>(h % 21) - 10;  // +-10 degrees
  double light = 0.38 + static_cast<double>((h >> 8) % 25) / 100.0;          // 0.38 .. 0.62
  return hsl(hue < 0 ? hue + 360 : hue, 0.75, light);
}

RegionGroup group_of_color(Rgb c) {
  double r = c.r / 255.0, g = c.g / 255.0, b = c.b / 255.0;
  double mx = std::max({r, g, b}), mn = std::min({r, g, b});
  if (mx - mn < 0.2) return RegionGroup::Other;  // grey: background, text, "other"
  double h;
  if (mx == r)
    h = 60 * std::fmod((g - b) / (mx - mn) + 6, 6.0);
  else if (mx == g)
    h = 60 * ((b - r) / (mx - mn) + 2);
  else
    h = 60 * ((r - g) / (mx - mn) + 4);
  for (int k = 0; k < kRegionGroups - 1; ++k) {
    double d = std::fabs(h - kHue[k]);
    if (std::min(d, 360 - d) <= 14) return static_cast<RegionGroup>(k);
  }
  return RegionGroup::Other;
}

}  // namespace rondo::viewer
