// Transparent huge pages for the large arrays an analysis fills once.
//
// An MPI scan writes hundreds of MB of records and a thread's decoded columns
// into fresh memory, and with 4 KiB pages the kernel takes one fault per page
// on first touch: a third of `rondo stats --sections mpi` went to page faults.
// Where the kernel offers transparent huge pages on request
// (/sys/kernel/mm/transparent_hugepage/enabled "madvise", Debian's default;
// "always" needs no request), asking for them before an array is first written
// makes that one fault per 2 MiB.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>

namespace rondo::format {

// Asks for huge pages over the 2 MiB-aligned part of [p, p + bytes), for a range
// of at least 4 MiB that is not written yet (madvise(MADV_HUGEPAGE) on Linux).
// Only advice: nothing changes where the kernel declines or has no such pages.
void advise_huge_pages(const void* p, size_t bytes);

// v.reserve(n) into memory advised for huge pages before anything is written
// to it (the elements v holds are moved over afterwards).
template <typename Vector>
void reserve_huge(Vector& v, size_t n) {
  if (n <= v.capacity()) return;
  Vector fresh;
  fresh.reserve(n);
  advise_huge_pages(fresh.data(), fresh.capacity() * sizeof(typename Vector::value_type));
  fresh.insert(fresh.end(), std::make_move_iterator(v.begin()), std::make_move_iterator(v.end()));
  v.swap(fresh);
}

// v.assign(n, value), likewise.
template <typename Vector>
void assign_huge(Vector& v, size_t n, const typename Vector::value_type& value) {
  v.clear();
  reserve_huge(v, n);
  v.assign(n, value);
}

// v.insert(v.end(), first, last), the vector growing (by doubling) likewise.
template <typename Vector, typename Iterator>
void append_huge(Vector& v, Iterator first, Iterator last) {
  const auto n = static_cast<size_t>(std::distance(first, last));
  if (v.size() + n > v.capacity()) reserve_huge(v, std::max(v.size() + n, 2 * v.capacity()));
  v.insert(v.end(), first, last);
}

}  // namespace rondo::format
