#include "rondo/analyzer/poll_folds.h"

namespace rondo::analyzer {

using namespace rondo::format;

void OpenPolls::open(uint32_t region, uint64_t ticks) {
  for (auto& [r, t] : open_)
    if (r == region) {
      t = ticks;
      return;
    }
  open_.emplace_back(region, ticks);
}

uint64_t OpenPolls::close(uint32_t region, uint64_t fallback) {
  for (size_t i = 0; i < open_.size(); ++i)
    if (open_[i].first == region) {
      uint64_t t = open_[i].second;
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
      return t <= fallback ? t : fallback;
    }
  return fallback;
}

bool PollFoldReader::take_polls(const Event& e, const TickWindow& w, FoldedCalls& out) {
  if (!polls_last(e.def->key)) {  // the function's first poll in the run
    open_.open(e.def->key.ref, e.ticks);
    return false;
  }
  // Its last poll.
  uint64_t first = open_.close(e.def->key.ref, e.ticks);
  auto count = static_cast<uint64_t>(e.data[0] > 0 ? e.data[0] : 0);
  auto inside = static_cast<uint64_t>(e.data[1] > 0 ? e.data[1] : 0);
  uint64_t last = e.ticks;
  out = {};
  if (w.lo <= first && last < w.hi) {
    out = {count, inside};
  } else if (int64_t covered = w.clip(first, last); covered > 0) {
    long double share = static_cast<long double>(covered) / static_cast<long double>(last - first);
    out.calls = static_cast<uint64_t>(static_cast<long double>(count) * share + 0.5L);
    out.ticks = static_cast<uint64_t>(static_cast<long double>(inside) * share + 0.5L);
  }
  return out.calls > 0;
}

void add_folded_calls(DurationStats& stats, const FoldedCalls& polls) {
  if (polls.calls == 0) return;
  uint64_t mean = polls.ticks / polls.calls;
  stats.count += polls.calls;
  stats.sum += polls.ticks;
  if (mean < stats.min) stats.min = mean;
  if (mean > stats.max) stats.max = mean;
}

void add_folded_calls(RegionStats& stats, const FoldedCalls& polls) {
  if (polls.calls == 0) return;
  add_folded_calls(stats.inclusive, polls);
  stats.exclusive_sum += polls.ticks;  // a poll has no recorded callees
  // n polls of the mean duration: sum² / n, the smallest sum of squares n
  // durations with this sum can have.
  stats.inclusive_sum_squares += static_cast<uint128>(polls.ticks) * polls.ticks / polls.calls;
}

}  // namespace rondo::analyzer
