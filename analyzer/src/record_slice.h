// Where one writer of the MPI scan appends records: a region of the scan's
// final arrays (record_vector.h), or a vector of its own.
//
// A thread that pairs its own records writes into its region of the final
// arrays, whose room was counted from the thread's data columns. The count is
// an upper bound for traces as this recorder writes them, but not for every
// trace (a record kind without data columns in an older trace, a damaged
// column), so a slice whose region is full moves what it holds to its spill
// vector and goes on there; the scan's reduce then copies that thread's
// records as it copies any partial's.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <stdexcept>

#include "rondo/analyzer/record_vector.h"
#include "rondo/format/huge_pages.h"

namespace rondo::analyzer {

template <typename T>
class RecordSlice {
 public:
  RecordSlice() = default;
  // Fills [first, first + room), then moves to *spill (nullptr: the room is
  // known to suffice, and running out of it is a logic error).
  RecordSlice(T* first, size_t room, RecordVector<T>* spill) : data_(first), room_(room), spill_(spill) {}
  // Fills `own` alone, starting with room for `room` records.
  RecordSlice(RecordVector<T>& own, size_t room) : spill_(&own), spilled_(true) {
    format::reserve_huge(own, room);
    own.resize(room);
    data_ = own.data();
    room_ = room;
  }

  void push_back(const T& value) {
    if (size_ == room_) grow();
    data_[size_++] = value;
  }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  // Keeps the first n (n <= size()).
  void shrink(size_t n) { size_ = n; }
  std::span<T> written() { return {data_, size_}; }
  // Whether the records are in the spill vector rather than the region.
  bool spilled() const { return spilled_; }
  // Done writing: a spill vector is left holding exactly the records.
  void finish() {
    if (spilled_) spill_->resize(size_);
  }

 private:
  void grow() {
    if (spill_ == nullptr) throw std::logic_error("rondo: more MPI records than the room counted for them");
    const size_t room = std::max<size_t>(64, 2 * room_);
    // The spill vector holds only written records whenever it is reallocated.
    if (!spilled_) {
      spill_->clear();
      format::reserve_huge(*spill_, room);
      spill_->resize(size_);
      std::copy(data_, data_ + size_, spill_->data());
      spilled_ = true;
    } else {
      spill_->resize(size_);
      format::reserve_huge(*spill_, room);
    }
    spill_->resize(room);
    data_ = spill_->data();
    room_ = room;
  }

  T* data_ = nullptr;
  size_t room_ = 0, size_ = 0;
  RecordVector<T>* spill_ = nullptr;
  bool spilled_ = false;
};

}  // namespace rondo::analyzer
