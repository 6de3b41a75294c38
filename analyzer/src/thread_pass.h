// One replay of a thread's events for every analysis that needs them.
//
// The per-thread maps of the profile (call tree), the MPI scan, the threads'
// I/O and the loop timings each used to replay the thread on their own: with
// every section, a thread's events were decoded three or four times. Each of
// them is now a SectionPass: it does whatever needs no events when it is made,
// says whether it needs events at all, hears them as a ThreadVisitor, and gives
// its partial afterwards. analyze_location() makes the passes of the sections
// asked for and replays the thread once for all of them (replay_once); the
// single-section entry points (profile_thread, scan_mpi_thread, ...) run their
// pass alone, so both paths compute the same numbers by construction.
#pragma once

#include <exception>
#include <memory>
#include <span>

#include "rondo/format/reader.h"

namespace rondo::analyzer {

class ThreadVisitor {
 public:
  virtual ~ThreadVisitor() = default;
  // Every event of the thread in order; `cursor` has just returned `e` (its
  // loop_frames() describe e). Returns false when no further event matters to
  // this visitor: it hears no more events, only finish().
  virtual bool on_event(const format::Event& e, const format::EventCursor& cursor) = 0;
  // The replay stopped at damaged data (a format::FormatError); called on the
  // visitors still hearing events, before finish().
  virtual void on_damaged(std::exception_ptr error) { (void)error; }
  // After the last event (of the thread, or of the readable data).
  virtual void finish() {}
};

// Replays `thread` once, feeding each event to every visitor still listening.
// Stops early when none is. Null entries are skipped.
void replay_once(const format::ThreadTrace& thread, std::span<ThreadVisitor* const> visitors);

// One section's map over one thread (see above).
template <typename Partial>
class SectionPass : public ThreadVisitor {
 public:
  // False: the partial needs no events (summaries, grammar, or nothing to see).
  virtual bool needs_events() const = 0;
  // The partial, once: after the replay when needs_events().
  virtual Partial take() = 0;
};

// A pass as a visitor of the shared replay, or null when it needs no events.
template <typename Partial>
ThreadVisitor* listening(const std::unique_ptr<SectionPass<Partial>>& pass) {
  return pass && pass->needs_events() ? pass.get() : nullptr;
}

// Runs one pass alone: its own replay of thread `ti` of `process` when it
// needs one, then its partial. A pass that needs no events (a profile from the
// summaries) leaves the thread unloaded: loading decodes its structure, which
// is most of the cost of asking a fresh trace for such an answer.
template <typename Partial>
Partial run_alone(SectionPass<Partial>& pass, const format::ProcessReader& process, uint32_t ti) {
  if (pass.needs_events()) {
    ThreadVisitor* v = &pass;
    replay_once(process.thread(ti), std::span<ThreadVisitor* const>(&v, 1));
  }
  return pass.take();
}

}  // namespace rondo::analyzer
