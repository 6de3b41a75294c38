// Helpers for writing wrappers: every wrapper is `extern "C"`, named like the MPI
// function, and calls the PMPI_ entry point.
#pragma once

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

// Statuses for `n` requests, the caller's array or a local one.
class StatusArray {
 public:
  StatusArray(MPI_Status* given, int n) {
    if (given == MPI_STATUSES_IGNORE) {
      local_.resize(static_cast<size_t>(n > 0 ? n : 1));
      ptr_ = local_.data();
    } else {
      ptr_ = given;
    }
  }
  MPI_Status* get() { return ptr_; }
  MPI_Status& operator[](int i) { return ptr_[i]; }

 private:
  std::vector<MPI_Status> local_;
  MPI_Status* ptr_;
};

}  // namespace rondo::mpi
