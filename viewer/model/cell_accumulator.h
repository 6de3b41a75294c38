// The time of one pixel cell (or one summary bucket) per region, for its
// dominant region: the three largest contributors are kept (a fourth replaces
// the smallest when it is larger), which is exact for cells of up to three
// regions and a close estimate for busier ones. `T` is double while a frame is
// accumulated and float where many cells are kept (model/row_summary.h).
#pragma once

#include <cstdint>

namespace rondo::viewer {

constexpr uint32_t kNoRegion = UINT32_MAX;

template <typename T>
struct TopRegions {
  uint32_t region[3] = {kNoRegion, kNoRegion, kNoRegion};
  T ns[3] = {0, 0, 0};
  T total = 0;  // all the time added, kept contributors or not

  void add(uint32_t r, T v) {
    total += v;
    add_kept(r, v);
  }
  // Adds to the kept contributors only (merging cells adds their totals apart).
  void add_kept(uint32_t r, T v) {
    int smallest = 0;
    for (int k = 0; k < 3; ++k) {
      if (region[k] == r) {
        ns[k] += v;
        return;
      }
      if (ns[k] < ns[smallest]) smallest = k;
    }
    if (v > ns[smallest]) region[smallest] = r, ns[smallest] = v;
  }
  // Adds `weight` (0..1) of another cell.
  template <typename U>
  void merge(const TopRegions<U>& other, double weight) {
    total += static_cast<T>(other.total * weight);
    for (int k = 0; k < 3; ++k)
      if (other.region[k] != kNoRegion) add_kept(other.region[k], static_cast<T>(other.ns[k] * weight));
  }
  // The kept contributor with the most time (kNoRegion when empty).
  uint32_t dominant() const {
    int best = 0;
    for (int k = 1; k < 3; ++k)
      if (ns[k] > ns[best]) best = k;
    return total > 0 ? region[best] : kNoRegion;
  }
};

}  // namespace rondo::viewer
