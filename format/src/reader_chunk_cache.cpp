#include "rondo/format/reader_chunk_cache.h"

#include "rondo/format/thread_data.h"

namespace rondo::format {

DecodedChunkCache& DecodedChunkCache::instance() {
  // Never destroyed: threads of readers that outlive main() still leave it.
  static auto* cache = new DecodedChunkCache;
  return *cache;
}

DecodedDeltas DecodedChunkCache::get(uint64_t owner, uint32_t chunk, const ChunkRef& ref) {
  Key key{owner, chunk};
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      lru_.splice(lru_.begin(), lru_, it->second.age);
      ++hits_;
      return it->second.deltas;
    }
    ++decodes_;
  }
  // Decompress outside the lock: other cursors keep reading meanwhile. Two
  // cursors missing the same chunk at once both decompress it; the first one
  // stored is kept.
  auto payload = ref.payload();
  DecodedDeltas deltas = std::make_shared<const std::vector<uint8_t>>(
      decode_timestamp_residuals(payload.data(), payload.size()));
  std::lock_guard<std::mutex> lock(mutex_);
  if (deltas->size() > budget_) return deltas;  // larger than the whole cache: not kept
  auto [it, added] = entries_.try_emplace(key);
  if (!added) return it->second.deltas;
  lru_.push_front(key);
  it->second = Entry{deltas, lru_.begin()};
  bytes_ += deltas->size();
  evict_to(budget_);
  return deltas;
}

void DecodedChunkCache::evict_to(size_t bytes) {
  while (bytes_ > bytes && !lru_.empty()) {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.deltas->size();
    entries_.erase(it);
    lru_.pop_back();
  }
}

void DecodedChunkCache::forget(uint64_t owner) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = entries_.lower_bound(Key{owner, 0});
  while (it != entries_.end() && it->first.first == owner) {
    bytes_ -= it->second.deltas->size();
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
