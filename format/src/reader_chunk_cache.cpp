#include "rondo/format/reader_chunk_cache.h"

#include <atomic>

#include "rondo/format/thread_data.h"

namespace rondo::format {

DecodedChunkCache& DecodedChunkCache::instance() {
  // Never destroyed: threads of readers that outlive main() still leave it.
  static auto* cache = new DecodedChunkCache;
  return *cache;
}

uint64_t DecodedChunkCache::new_owner() {
  static std::atomic<uint64_t> next{1};
  return next.fetch_add(1, std::memory_order_relaxed);
}

DecodedDeltas DecodedChunkCache::get(uint64_t owner, uint32_t chunk, const ChunkRef& ref) {
  return std::static_pointer_cast<const std::vector<uint8_t>>(get(owner, chunk, [&ref]() -> Decoded {
    auto payload = ref.payload();
    auto deltas =
        std::make_shared<const std::vector<uint8_t>>(decode_timestamp_residuals(payload.data(), payload.size()));
    return {deltas, deltas->size()};
  }));
}

std::shared_ptr<const void> DecodedChunkCache::get(uint64_t owner, uint32_t chunk,
                                                   const std::function<Decoded()>& decode) {
  Key key{owner, chunk};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.age);
      ++hits_;
      return it->second.value;
    }
    ++decodes_;
  }
  // Decode outside the lock: other cursors keep reading meanwhile. Two cursors
  // missing the same chunk at once both decode it; the first one stored is kept.
  auto [value, bytes] = decode();
  std::lock_guard<std::mutex> lock(mutex_);
  if (bytes > budget_) return value;  // larger than the whole cache: not kept
  auto [it, added] = entries_.try_emplace(key);
  if (!added) return it->second.value;
  lru_.push_front(key);
  it->second = Entry{value, bytes, lru_.begin()};
  bytes_ += bytes;
  evict_to(budget_);
  return value;
}

void DecodedChunkCache::evict_to(size_t bytes) {
  while (bytes_ > bytes && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.bytes;
    entries_.erase(it);
    lru_.pop_back();
  }
}

void DecodedChunkCache::forget(uint64_t owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.lower_bound(Key{owner, 0});
  while (it != entries_.end() && it->first.first == owner) {
    bytes_ -= it->second.bytes;
    lru_.erase(it->second.age);
    it = entries_.erase(it);
  }
}

void DecodedChunkCache::set_budget(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  budget_ = bytes;
  evict_to(budget_);
}

DecodedChunkCache::Stats DecodedChunkCache::stats() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return Stats{decodes_, hits_, bytes_, entries_.size(), budget_};
}

}  // namespace rondo::format
