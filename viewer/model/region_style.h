// How the viewer colors regions: by group (MPI, OpenMP, threads/locks, I/O,
// CUDA/GPU, user code), each region with its own stable shade of its group's hue, so the
// same function has the same color in every trace and every run of the viewer.
#pragma once

#include <cstdint>
#include <string_view>

#include "rondo/format/definitions.h"

namespace rondo::viewer {

enum class RegionGroup : uint8_t { User = 0, Mpi, OpenMp, Threads, Io, Gpu, Other };
constexpr int kRegionGroups = 7;

struct Rgb {
  uint8_t r = 0, g = 0, b = 0;
  bool operator==(const Rgb&) const = default;
};

RegionGroup region_group(format::RegionRole role);
std::string_view group_name(RegionGroup g);
// The legend's color of a group.
Rgb group_color(RegionGroup g);
// A region's color: its group's hue, lightness and a small hue shift chosen by a
// hash of its name (never by its id, which differs between processes and runs).
Rgb region_color(RegionGroup g, std::string_view name);
// Which group a color belongs to (every region color is near exactly one group
// hue); Other when none. Lets tests read a rendered image back.
RegionGroup group_of_color(Rgb c);

}  // namespace rondo::viewer
