// The arrays of an MPI scan (messages.h): std::vectors whose resize() leaves
// the new records unwritten (format/uninitialized_allocator.h).
//
// The scan's threads write their records straight into the scan's final
// arrays, each into its own region, instead of into arrays of their own that
// the reduce then copies (hundreds of MB, and as many fresh pages for the
// kernel to zero). The arrays are sized first, to an upper bound, without
// writing a byte, so that a page is first touched by the record written to it
// and room never used is address space, not memory; the reduce then closes
// the gaps between the regions and shrinks the arrays.
//
// Contract: resize() to a larger size and emplace_back() without arguments
// give records with unspecified values; everything else behaves as in a
// std::vector.
#pragma once

#include <vector>

#include "rondo/format/uninitialized_allocator.h"

namespace rondo::analyzer {

template <typename T>
using RecordVector = std::vector<T, format::UninitializedAllocator<T>>;

}  // namespace rondo::analyzer
