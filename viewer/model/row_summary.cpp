#include "row_summary.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

#include "trace_session.h"

namespace rondo::viewer {

using namespace rondo::format;

namespace {

struct OpenCall {
  uint32_t region;
  int64_t start_ns;
};

bool same_iteration(const LoopFrame& a, const LoopFrame& b) {
  return a.loop == b.loop && a.occurrence == b.occurrence && a.iteration == b.iteration;
}

}  // namespace

void RowSummary::add_mark(LoopMark& into, uint32_t loop, uint64_t iterations) {
  if (into.loop == loop)
    into.iterations += iterations;
  else if (iterations > into.iterations)
    into = LoopMark{loop, iterations};
}

// One part of a row's replay: the events from `from_ns` to `to_ns`, into the
// buckets [lo, lo + events.size()) of the summary's grid. Calls open at its
// start begin there; calls open at its end end there (the last part's, at the
// thread's last event), so that the parts' times add up to the whole replay's.
struct RowSummary::Part {
  uint32_t lo = 0;
  std::vector<std::vector<TopRegions<float>>> cells;  // per depth, per bucket from lo
  std::vector<uint64_t> events;
  std::vector<LoopMark> loops;
  uint64_t count = 0;
  bool stopped = false;
};

RowSummary::Part RowSummary::replay_part(const ProcessReader& process, size_t thread_pos, uint32_t n, int64_t from_ns,
                                         int64_t to_ns, bool last, const std::atomic<bool>* stop) const {
  const double span = static_cast<double>(end_ns_ - begin_ns_), w = span / n, per_ns = n / span;
  auto rel = [&](int64_t ns) { return static_cast<double>(ns - begin_ns_); };
  auto bucket_of = [&](double x) {
    return static_cast<uint32_t>(std::clamp(std::floor(x * per_ns), 0.0, static_cast<double>(n - 1)));
  };
  Part part;
  part.lo = from_ns <= begin_ns_ ? 0 : bucket_of(rel(from_ns));
  const uint32_t hi = last ? n - 1 : bucket_of(rel(to_ns));
  const size_t width = hi - part.lo + 1;
  part.events.assign(width, 0);
  part.loops.assign(width, LoopMark{});
  // Time [a_ns, b_ns) in `region` at `depth`, shared out over the buckets it covers.
  auto add = [&](size_t depth, uint32_t region, int64_t a_ns, int64_t b_ns) {
    if (depth >= static_cast<size_t>(RowFrame::kMaxDepth)) return;
    double a = std::max(rel(a_ns), 0.0), b = std::min(rel(b_ns), span);
    if (b <= a) return;
    while (part.cells.size() <= depth) part.cells.emplace_back(width);
    std::vector<TopRegions<float>>& cells = part.cells[depth];
    for (uint32_t i = std::max(bucket_of(a), part.lo), end = std::min(bucket_of(std::nextafter(b, a)), hi); i <= end;
         ++i) {
      double lo = std::max(a, i * w), hi_ns = std::min(b, (i + 1) * w);
      if (hi_ns > lo) cells[i - part.lo].add(region, static_cast<float>(hi_ns - lo));
    }
  };

  const ThreadTrace& thread = process.thread(thread_pos);
  EventCursor cursor(thread);
  std::vector<OpenCall> stack;
  std::vector<LoopFrame> frames, previous;
  if (from_ns > begin_ns_) {
    cursor.seek_ticks(ticks_at(process, from_ns));
    std::vector<uint32_t> open;
    cursor.open_calls(open);
    for (uint32_t r : open) stack.push_back(OpenCall{r, from_ns});
    cursor.loop_frames(previous);  // the iteration under way is the part before's
  }
  uint64_t generation = cursor.loop_generation();
  Event ev;
  int64_t last_ns = from_ns;
  uint32_t b = part.lo;             // the bucket of the last event
  int64_t b_end_ns = INT64_MIN;     // events before this time fall in it too
  while (cursor.next(ev)) {
    if ((part.count & 0xffff) == 0 && stop && stop->load(std::memory_order_relaxed)) {
      part.stopped = true;
      return part;
    }
    int64_t ns = process.to_ns(ev.ticks);
    if (!last && ns >= to_ns) break;
    ++part.count;
    if (ns >= b_end_ns || ns < last_ns) {  // most events fall in the bucket of the one before
      b = std::clamp(bucket_of(rel(ns)), part.lo, hi);
      b_end_ns = begin_ns_ + static_cast<int64_t>(std::ceil((b + 1) * w));
    }
    last_ns = std::max(last_ns, ns);
    ++part.events[b - part.lo];
    if (cursor.loop_generation() != generation) {
      // An iteration of the innermost loop starts here unless the loop frames
      // only lost their innermost one (an inner occurrence ended).
      generation = cursor.loop_generation();
      cursor.loop_frames(frames);
      if (!frames.empty() &&
          (frames.size() > previous.size() || !same_iteration(previous[frames.size() - 1], frames.back())))
        add_mark(part.loops[b - part.lo], frames.back().loop, 1);
      previous.swap(frames);
    }
    EventKind kind = ev.kind();
    if (kind == EventKind::Enter) {
      stack.push_back(OpenCall{ev.def->key.ref, ns});
    } else if (kind == EventKind::Leave) {
      size_t k = stack.size();
      while (k > 0 && stack[k - 1].region != ev.def->key.ref) --k;
      // A leave with no open call (damaged data) is ignored, as compute_row does.
      for (; k > 0 && stack.size() >= k; stack.pop_back())
        add(stack.size() - 1, stack.back().region, stack.back().start_ns, ns);
    }
  }
  // Calls still open run to the part's end, or to the thread's last event.
  const int64_t close_at = last ? last_ns : to_ns;
  for (; !stack.empty(); stack.pop_back()) add(stack.size() - 1, stack.back().region, stack.back().start_ns, close_at);
  return part;
}

std::unique_ptr<RowSummary> RowSummary::build(const ProcessReader& process, size_t thread_pos, int64_t begin_ns,
                                              int64_t end_ns, uint32_t buckets, const std::atomic<bool>* stop,
                                              unsigned parts) {
  std::unique_ptr<RowSummary> s(new RowSummary);
  uint32_t n = kMinBuckets;
  while (n < buckets && n < (1u << 30)) n <<= 1;
  s->begin_ns_ = begin_ns;
  s->end_ns_ = std::max(end_ns, begin_ns + 1);
  const ThreadTrace& thread = process.thread(thread_pos);
  s->truncated_ = thread.truncated();
  Level level;
  level.buckets = n;
  level.bucket_ns = static_cast<double>(s->end_ns_ - begin_ns) / n;

  // The parts split the thread's events about evenly, at timestamp chunk
  // boundaries (chunks hold equal numbers of events).
  const auto& chunks = thread.timestamp_chunks();
  parts = std::max(1u, std::min<unsigned>(parts, static_cast<unsigned>(chunks.size())));
  std::vector<int64_t> cut{begin_ns};
  for (unsigned k = 1; k < parts; ++k) {
    int64_t at = process.to_ns(chunks[chunks.size() * k / parts].first_ticks);
    if (at > cut.back() && at < s->end_ns_) cut.push_back(at);
  }
  cut.push_back(s->end_ns_);
  std::vector<Part> done(cut.size() - 1);
  std::vector<std::exception_ptr> errors(done.size());
  auto run = [&](size_t k) {
    try {
      done[k] = s->replay_part(process, thread_pos, n, cut[k], cut[k + 1], k + 2 == cut.size(), stop);
    } catch (...) {
      errors[k] = std::current_exception();  // rethrown on the caller's thread
    }
  };
  std::vector<std::thread> helpers;
  for (size_t k = 1; k < done.size(); ++k) helpers.emplace_back(run, k);
  run(0);
  for (std::thread& t : helpers) t.join();
  for (const std::exception_ptr& e : errors)
    if (e) std::rethrow_exception(e);
  for (const Part& part : done)
    if (part.stopped) return nullptr;

  if (done.size() == 1) {  // one part: it covers every bucket (from the first, as the last)
    level.cells = std::move(done[0].cells);
    level.events = std::move(done[0].events);
    level.loops = std::move(done[0].loops);
    s->events_ = done[0].count;
  } else {
    // Parts meet in one bucket: its time, events and iterations are both parts'.
    level.events.assign(n, 0);
    level.loops.assign(n, LoopMark{});
    for (Part& part : done) {
      s->events_ += part.count;
      while (level.cells.size() < part.cells.size()) level.cells.emplace_back(n);
      for (size_t d = 0; d < part.cells.size(); ++d)
        for (size_t i = 0; i < part.cells[d].size(); ++i) level.cells[d][part.lo + i].merge(part.cells[d][i], 1.0);
      for (size_t i = 0; i < part.events.size(); ++i) {
        level.events[part.lo + i] += part.events[i];
        add_mark(level.loops[part.lo + i], part.loops[i].loop, part.loops[i].iterations);
      }
      part = Part{};
    }
  }
  s->depths_ = static_cast<int>(level.cells.size());
  s->levels_.push_back(std::move(level));
  while (s->levels_.back().buckets / 2 >= kMinBuckets) s->levels_.push_back(s->halved(s->levels_.back()));
  return s;
}

RowSummary::Level RowSummary::halved(const Level& fine) const {
  Level c;
  c.buckets = fine.buckets / 2;
  c.bucket_ns = fine.bucket_ns * 2;
  c.cells.assign(fine.cells.size(), std::vector<TopRegions<float>>(c.buckets));
  c.events.resize(c.buckets);
  c.loops.resize(c.buckets);
  for (size_t d = 0; d < c.cells.size(); ++d)
    for (uint32_t i = 0; i < c.buckets; ++i) {
      c.cells[d][i].merge(fine.cells[d][2 * i], 1.0);
      c.cells[d][i].merge(fine.cells[d][2 * i + 1], 1.0);
    }
  for (uint32_t i = 0; i < c.buckets; ++i) {
    c.events[i] = fine.events[2 * i] + fine.events[2 * i + 1];
    add_mark(c.loops[i], fine.loops[2 * i].loop, fine.loops[2 * i].iterations);
    add_mark(c.loops[i], fine.loops[2 * i + 1].loop, fine.loops[2 * i + 1].iterations);
  }
  return c;
}

bool RowSummary::covers(int64_t begin_ns, int64_t end_ns, int pixels) const {
  if (levels_.empty() || pixels <= 0) return false;
  double px_ns = static_cast<double>(std::max(end_ns, begin_ns + 1) - begin_ns) / pixels;
  return levels_.front().bucket_ns * kBucketsPerPixel <= px_ns;
}

RowFrame RowSummary::draw(int64_t begin_ns, int64_t end_ns, int pixels) const {
  RowFrame f;
  f.begin_ns = begin_ns;
  f.end_ns = std::max(end_ns, begin_ns + 1);
  f.pixels = std::max(pixels, 1);
  f.truncated = truncated_;
  f.notes.assign(f.pixels, PixelNote{});
  f.cells.assign(static_cast<size_t>(RowFrame::kMaxDepth) * f.pixels, Cell{});
  const double px_ns = static_cast<double>(f.end_ns - f.begin_ns) / f.pixels;
  // The coarsest level whose buckets are still narrow enough.
  const Level* level = &levels_.front();
  for (const Level& l : levels_)
    if (l.bucket_ns * kBucketsPerPixel <= px_ns) level = &l;
  const double w = level->bucket_ns, start = static_cast<double>(f.begin_ns - begin_ns_);
  const auto n = static_cast<int64_t>(level->buckets);
  std::vector<double> weight;
  for (int px = 0; px < f.pixels; ++px) {
    double a = start + px * px_ns, b = a + px_ns;
    int64_t i0 = std::max<int64_t>(0, static_cast<int64_t>(std::floor(a / w)));
    int64_t i1 = std::min<int64_t>(n, static_cast<int64_t>(std::ceil(b / w)));
    if (i1 <= i0) continue;
    // The share of each bucket this pixel covers: 1 inside, less on its edges.
    weight.resize(static_cast<size_t>(i1 - i0));
    double events = 0;
    LoopMark mark;
    for (int64_t i = i0; i < i1; ++i) {
      double lo = std::max(a, i * w), hi = std::min(b, (i + 1) * w);
      double share = std::max(0.0, hi - lo) / w;
      weight[static_cast<size_t>(i - i0)] = share;
      events += share * static_cast<double>(level->events[i]);
      const LoopMark& m = level->loops[i];
      if (m.loop != kNoRegion) {
        auto its = static_cast<uint64_t>(std::llround(share * static_cast<double>(m.iterations)));
        add_mark(mark, m.loop, its);
      }
    }
    for (int d = 0; d < depths_; ++d) {
      TopRegions<double> acc;
      const TopRegions<float>* cells = level->cells[static_cast<size_t>(d)].data();
      for (int64_t i = i0; i < i1; ++i) acc.merge(cells[i], weight[static_cast<size_t>(i - i0)]);
      if (acc.total <= 0) continue;
      f.cells[static_cast<size_t>(d) * f.pixels + px] =
          Cell{acc.dominant(), static_cast<float>(std::min(1.0, acc.total / px_ns))};
      f.depths = std::max(f.depths, d + 1);
    }
    PixelNote& note = f.notes[static_cast<size_t>(px)];
    note.summarised = static_cast<uint64_t>(std::llround(events));
    if (mark.iterations > 0) {
      note.loop = mark.loop;
      note.iterations = mark.iterations;
    }
    f.events_summarised += note.summarised;
  }
  return f;
}

void RowSummary::drop_finest_level() {
  if (levels_.size() > 1) levels_.erase(levels_.begin());
}

size_t RowSummary::bucket_bytes(int depths) {
  return static_cast<size_t>(depths) * sizeof(TopRegions<float>) + sizeof(uint64_t) + sizeof(LoopMark);
}

size_t RowSummary::bytes() const {
  size_t total = sizeof(*this);
  for (const Level& l : levels_) {
    for (const auto& cells : l.cells) total += cells.capacity() * sizeof(TopRegions<float>);
    total += l.events.capacity() * sizeof(uint64_t) + l.loops.capacity() * sizeof(LoopMark);
  }
  return total;
}

}  // namespace rondo::viewer
