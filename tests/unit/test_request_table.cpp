// The open-request table of the request pairing (analyzer/src/request_table.h)
// holds what std::unordered_map would after any sequence of inserts and
// erases: handles that are addresses (low bits zero, colliding homes), reused
// handles, tables that grow, probe runs that wrap around the end and are
// shifted back by erases.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <unordered_map>

#include "request_table.h"

using rondo::analyzer::RequestTable;

namespace {

void expect_same(RequestTable<uint64_t>& table, const std::unordered_map<int64_t, uint64_t>& model,
                 const std::vector<int64_t>& handles) {
  ASSERT_EQ(table.size(), model.size());
  for (int64_t h : handles) {
    const uint64_t* found = table.find(h);
    auto it = model.find(h);
    if (it == model.end()) {
      EXPECT_EQ(found, nullptr) << "handle " << h;
    } else {
      ASSERT_NE(found, nullptr) << "handle " << h;
      EXPECT_EQ(*found, it->second) << "handle " << h;
    }
  }
}

}  // namespace

TEST(RequestTable, AgreesWithAnUnorderedMapUnderRandomPostsAndCompletions) {
  for (uint32_t seed = 1; seed <= 20; ++seed) {
    std::mt19937_64 rng(seed);
    // Few distinct handles, reused: like a library's request pool. Some runs
    // keep many open at once, so the table grows several times.
    const size_t pool = seed % 2 ? 40 : 3000;
    std::vector<int64_t> handles(pool);
    for (size_t i = 0; i < pool; ++i)
      handles[i] = seed % 3 == 0 ? static_cast<int64_t>(i) - 20  // small and negative
                                 : static_cast<int64_t>(0x7f0000000000ull + 64 * i);  // aligned addresses
    RequestTable<uint64_t> table;
    std::unordered_map<int64_t, uint64_t> model;
    for (int step = 0; step < 20000; ++step) {
      const int64_t h = handles[rng() % pool];
      const uint64_t value = rng();
      switch (rng() % 3) {
        case 0: {
          auto [stored, inserted] = table.try_emplace(h, value);
          auto [it, model_inserted] = model.try_emplace(h, value);
          ASSERT_EQ(inserted, model_inserted);
          ASSERT_EQ(*stored, it->second);
          break;
        }
        case 1:
          ASSERT_EQ(table.erase(h), model.erase(h) == 1);
          break;
        default: {
          uint64_t* stored = table.find(h);
          auto it = model.find(h);
          ASSERT_EQ(stored != nullptr, it != model.end());
          if (stored) *stored = it->second = value;
          break;
        }
      }
      if (step % 2500 == 0) expect_same(table, model, handles);
    }
    expect_same(table, model, handles);
    for (int64_t h : handles) table.erase(h);
    EXPECT_EQ(table.size(), 0u);
    EXPECT_EQ(table.find(handles[0]), nullptr);
  }
}
