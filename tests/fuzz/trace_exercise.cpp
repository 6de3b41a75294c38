// Reads a trace directory the way every command does. Shared by the targets
// whose input becomes a trace (process_file, otf2_import).
#include "trace_exercise.h"

#include <memory>
#include <vector>

#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/check.h"
#include "rondo/analyzer/json_text.h"
#include "rondo/format/reader.h"

namespace rondo::fuzz {
namespace {

using namespace rondo::format;

// Replaying or analyzing more events than this would only measure speed: a few
// hundred bytes can legitimately describe billions of events (loop counts).
constexpr uint64_t kMaxEvents = uint64_t{1} << 16;

// Everything a reader of one thread can ask for.
uint64_t replay_thread(const ThreadTrace& t) {
  EventCursor cursor(t);
  Event e;
  std::vector<LoopFrame> frames;
  uint64_t n = 0, generation = UINT64_MAX, sum = 0;
  while (n < kMaxEvents && cursor.next(e)) {
    sum += e.ticks + e.id + static_cast<uint64_t>(e.kind());
    if (cursor.loop_generation() != generation) {
      generation = cursor.loop_generation();
      cursor.loop_frames(frames);
    }
    ++n;
    if (n == 100) sum += cursor.skip_loop();
  }
  if (t.event_count() > 0) {
    EventCursor seek(t);
    seek.seek_ticks(t.first_ticks() / 2 + t.last_ticks() / 2);
    for (int i = 0; i < 100 && seek.next(e); ++i) sum += e.index;
    seek.loop_frames(frames);
  }
  return sum + n;
}

}  // namespace

void exercise_trace(const std::string& dir) {
  std::unique_ptr<TraceReader> trace;
  try {
    trace = std::make_unique<TraceReader>(dir);
  } catch (const FormatError&) {
    return;  // not readable as a trace: the error says why
  }
  uint64_t events = 0;
  for (auto& p : trace->processes()) {
    (void)p->to_ns(p->defs().clock.start_ticks + 12345);
    for (size_t i = 0; i < p->thread_count(); ++i) {
      ThreadSummary s;
      (void)p->thread_summary(i, s);
      try {
        const ThreadTrace& t = p->thread(i);
        events += t.event_count();
        if (events <= kMaxEvents) (void)replay_thread(t);
      } catch (const FormatError&) {
        return;
      }
    }
  }
  if (events > kMaxEvents) return;
  try {
    analyzer::AnalysisOptions options;
    options.threads = 1;
    analyzer::StatsReport report = analyzer::analyze(*trace, options);
    (void)analyzer::json_text(analyzer::stats_json(report));
    analyzer::CheckOptions check;
    check.threads = 1;
    (void)analyzer::json_text(analyzer::check_json(analyzer::check_trace(*trace, check)));
  } catch (const FormatError&) {
  }
}

}  // namespace rondo::fuzz
