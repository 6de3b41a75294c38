// Decoded timestamp chunks are shared, not decoded again (reader_chunk_cache.h):
// a cursor copy reads on from its original's decoded chunk, a released cursor
// takes its chunk back from the cache, a second seek into a chunk decodes
// nothing, the cache stays within its budget, and cursors on several threads
// read the same events as one alone. Counted with the cache's own counters
// (chunk decompressions and cache hits), on traces written by the real writer.
#include <gtest/gtest.h>

#include <thread>

#include "rondo/format/reader_chunk_cache.h"
#include "trace_fixture.h"

using namespace rondo;
using namespace rondo::format;

namespace {

constexpr int kBatch = 1000;  // events per timestamp chunk
constexpr int kPairs = 5000;  // 10,000 events: 10 chunks

void write_trace(const std::string& path) { test::write_uneven_pairs(path, kPairs, 3, kBatch); }

struct Seen {
  uint64_t index, ticks;
  uint32_t id;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> read_events(EventCursor& c, size_t n) {
  std::vector<Seen> out;
  Event e;
  while (out.size() < n && c.next(e)) out.push_back(Seen{e.index, e.ticks, e.id});
  return out;
}

DecodedChunkCache& cache() { return DecodedChunkCache::instance(); }

// Restores the default budget whatever a test set.
struct BudgetGuard {
  ~BudgetGuard() { cache().set_budget(DecodedChunkCache::kDefaultBudget); }
};

class ReaderChunkCache : public ::testing::Test {
 protected:
  void SetUp() override {
    write_trace(dir.file("a.rnd"));
    reader = std::make_unique<ProcessReader>(dir.file("a.rnd"));
    ASSERT_EQ(reader->thread(0).timestamp_chunks().size(), static_cast<size_t>(2 * kPairs / kBatch));
  }
  const ThreadTrace& thread() const { return reader->thread(0); }
  test::TempDir dir;
  std::unique_ptr<ProcessReader> reader;
  BudgetGuard guard;
};

}  // namespace

TEST_F(ReaderChunkCache, ACopyInsideAChunkReadsOnWithoutDecodingAgain) {
  EventCursor a(thread());
  read_events(a, 1500);  // in the middle of chunk 1
  auto before = cache().stats();
  EventCursor b(a);
  auto from_copy = read_events(b, 400);
  auto after = cache().stats();
  EXPECT_EQ(after.decodes, before.decodes);  // nothing decompressed
  EXPECT_EQ(after.hits, before.hits);        // nor even asked of the cache: the copy shares the chunk
  EXPECT_EQ(from_copy, read_events(a, 400));
  ASSERT_EQ(from_copy.size(), 400u);
  EXPECT_EQ(from_copy.front().index, 1500u);
}

TEST_F(ReaderChunkCache, AReleasedCursorTakesItsChunkBackFromTheCache) {
  EventCursor a(thread());
  read_events(a, 2700);
  EventCursor kept(a);
  kept.release_chunk();
  auto expected = read_events(a, 200);  // a still holds chunk 2; the cache too
  auto before = cache().stats();
  EXPECT_EQ(read_events(kept, 200), expected);
  EXPECT_EQ(cache().stats().decodes, before.decodes);

  // Once no one holds the chunk any more, the released cursor decodes it again
  // (once) and finds its place in it.
  EventCursor gone(kept);
  gone.release_chunk();
  auto expected_next = read_events(kept, 100);
  kept = EventCursor(thread());
  a = EventCursor(thread());
  cache().set_budget(0);
  before = cache().stats();
  EXPECT_EQ(before.chunks, 0u);
  EXPECT_EQ(read_events(gone, 100), expected_next);
  EXPECT_EQ(cache().stats().decodes, before.decodes + 1);
}

TEST_F(ReaderChunkCache, ASecondSeekIntoAChunkDecodesNothing) {
  uint64_t target;
  {
    EventCursor probe(thread());
    target = read_events(probe, 6543).back().ticks;
  }
  EventCursor first(thread());
  first.seek_ticks(target);
  auto at_first = read_events(first, 10);
  auto before = cache().stats();
  EventCursor second(thread());
  second.seek_ticks(target);
  EXPECT_EQ(read_events(second, 10), at_first);
  EXPECT_EQ(at_first.front().index, 6542u);
  auto after = cache().stats();
  EXPECT_EQ(after.decodes, before.decodes);
  EXPECT_GE(after.hits, before.hits + 1);
}

TEST_F(ReaderChunkCache, StaysWithinItsBudgetAndReadsTheSameEvents) {
  std::vector<Seen> all;
  {
    EventCursor c(thread());
    all = read_events(c, SIZE_MAX);
  }
  ASSERT_EQ(all.size(), static_cast<size_t>(2 * kPairs));
  cache().set_budget(0);     // empty
  cache().set_budget(4000);  // then room for two or three chunks (1-2 bytes of deltas an event here)
  auto before = cache().stats();
  EventCursor c(thread());
  EXPECT_EQ(read_events(c, SIZE_MAX), all);
  auto s = cache().stats();
  EXPECT_EQ(s.decodes, before.decodes + 2 * kPairs / kBatch);  // each chunk once
  EXPECT_LE(s.bytes, 4000u);
  EXPECT_GE(s.chunks, 1u);
  EXPECT_LT(s.chunks, static_cast<size_t>(2 * kPairs / kBatch));
}

TEST_F(ReaderChunkCache, CursorsOnSeveralThreadsReadWhatOneReadsAlone) {
  std::vector<Seen> all;
  {
    EventCursor c(thread());
    all = read_events(c, SIZE_MAX);
  }
  cache().set_budget(3000);  // small: threads evict each other's chunks
  std::vector<std::vector<Seen>> got(4);
  std::vector<std::thread> workers;
  for (size_t w = 0; w < got.size(); ++w)
    workers.emplace_back([&, w] {
      EventCursor c(thread());
      // Each thread also copies and releases as the viewer's checkpoints do.
      std::vector<Seen> seen;
      while (seen.size() < all.size()) {
        auto part = read_events(c, 700 + 100 * w);
        if (part.empty()) break;
        seen.insert(seen.end(), part.begin(), part.end());
        EventCursor kept(c);
        kept.release_chunk();
        c = kept;
      }
      got[w] = std::move(seen);
    });
  for (auto& t : workers) t.join();
  for (const auto& g : got) EXPECT_EQ(g, all);
  EXPECT_LE(cache().stats().bytes, 3000u);
}
