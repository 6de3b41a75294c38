// Helpers for writing wrappers: every wrapper is `extern "C"`, named like the MPI
// function, and calls the PMPI_ entry point.
#pragma once

#include <cstring>
#include <memory>

#include "mpi_tracking.h"

// The region id of the enclosing wrapper's MPI function, registered once.
#define RONDO_MPI_REGION(name) static const uint32_t rondo_region_id = ::rondo::mpi::region(name)

// A wrapper that only records the call as a region.
#define RONDO_MPI_PLAIN(name, params, args)                         \
  extern "C" int name params {                                      \
    RONDO_MPI_REGION(#name);                                        \
    ::rondo::mpi::Call call(rondo_region_id);                       \
    return ::rondo::mpi::real([&] { return P##name args; });        \
  }

namespace rondo::mpi {

// A status to hand to PMPI when the caller passed MPI_STATUS_IGNORE: the
// wrappers need the source, tag and count to record receives.
inline MPI_Status* status_or(MPI_Status* given, MPI_Status& local) {
  return given == MPI_STATUS_IGNORE ? &local : given;
}

// `n` values in place for the common small counts, on the heap beyond: the
// completion calls run in polling loops, where a malloc per call would cost more
// than everything else the wrapper does.
template <typename T>
class SmallArray {
 public:
  explicit SmallArray(int n) {
    size_t count = static_cast<size_t>(n > 0 ? n : 1);
    if (count > kInPlace) {
      heap_ = std::make_unique<T[]>(count);
      ptr_ = heap_.get();
    }
  }
  T* get() { return ptr_; }
  T& operator[](int i) { return ptr_[i]; }

 private:
  static constexpr size_t kInPlace = 16;
  T in_place_[kInPlace];
  std::unique_ptr<T[]> heap_;  // one pointer to clear and test: cheaper than a vector per poll
  T* ptr_ = in_place_;
};

// Statuses for `n` requests, the caller's array or a local one.
class StatusArray {
 public:
  StatusArray(MPI_Status* given, int n) : local_(given == MPI_STATUSES_IGNORE ? n : 0) {
    ptr_ = given == MPI_STATUSES_IGNORE ? local_.get() : given;
  }
  MPI_Status* get() { return ptr_; }
  MPI_Status& operator[](int i) { return ptr_[i]; }

 private:
  SmallArray<MPI_Status> local_;
  MPI_Status* ptr_;
};

// Request handles as they were before a completion call (which resets completed
// nonpersistent requests to MPI_REQUEST_NULL).
class RequestSnapshot {
 public:
  RequestSnapshot(int n, const MPI_Request* requests) : copy_(n) {
    if (n > 0) std::memcpy(copy_.get(), requests, static_cast<size_t>(n) * sizeof(MPI_Request));
  }
  MPI_Request operator[](int i) { return copy_[i]; }

 private:
  SmallArray<MPI_Request> copy_;
};

}  // namespace rondo::mpi
