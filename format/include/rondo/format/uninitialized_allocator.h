// std::allocator, except that a vector grown by resize() (or emplace_back()
// without arguments) leaves its new elements unwritten: memory is allocated
// ahead and each element is written before it is read, so filling it first
// would be wasted stores, and, for arrays of hundreds of MB, pages the kernel
// must zero before anything is known to go there.
//
// Only for element types whose objects exist as soon as their memory is
// allocated (trivially copyable and destructible: integers, plain records);
// the values of elements added that way are unspecified until written.
#pragma once

#include <memory>
#include <type_traits>
#include <utility>

namespace rondo::format {

template <class T>
struct UninitializedAllocator : std::allocator<T> {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = UninitializedAllocator<U>;
  };
  UninitializedAllocator() = default;
  template <class U>
  UninitializedAllocator(const UninitializedAllocator<U>&) noexcept {}
  template <class U>
  void construct(U*) noexcept {
    static_assert(std::is_trivially_copyable_v<U> && std::is_trivially_destructible_v<U>,
                  "only types whose objects exist without construction");
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
};

template <class T, class U>
bool operator==(const UninitializedAllocator<T>&, const UninitializedAllocator<U>&) noexcept {
  return true;
}

}  // namespace rondo::format
