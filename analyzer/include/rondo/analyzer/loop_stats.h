// Loop statistics from the grammar: the repeated structures a program spent its
// time in, with their iterations, the mean and spread of one iteration, and the
// slowest iterations by index.
//
// Rows. A row is one loop of the grammar, named by what one iteration does: the
// regions its body enters at its outermost call level ("relax", "step",
// "relax, exchange"), or, when its body enters none, its events ("MPI_SEND",
// "\"marker text\"", "allreduce"); at most four names, then "...". A loop nested
// in another is shown after its parent: "step > relax" (the parent is the loop
// enclosing the loop's first occurrence). Loops of different threads and ranks
// with the same name are one row (GroupBy::None: "the time-step loop" of all 64
// ranks is one row, with the spread of its time over those threads); with
// GroupBy::Rank rows are per rank, with GroupBy::Thread per rank and thread.
// Two loops of one thread with the same name (same calls, different inner
// behaviour) share a row too; their iterations are told apart by `loop_id`.
//
// Definitions (all durations on one thread, in its clock's ticks, exact integers
// until they are converted to nanoseconds with the process's tick rate):
// * An iteration starts at the timestamp of its first event. Iteration k of an
//   occurrence lasts until the start of iteration k+1; the last iteration of an
//   occurrence ends at the occurrence's last event. So the iterations of an
//   occurrence add up exactly to its duration as the thread summary keeps it
//   (FORMAT.md 12: first to last event), and `total_ns` of a row is the time of
//   its occurrences. An iteration without events (its body only holds loops that
//   ran 0 times) has no time and is not counted in the timed statistics.
// * mean_ns = total / timed iterations; stddev_ns is the population standard
//   deviation (divide by n), from exact sums of ticks and of squared ticks.
// * Outliers: iterations longer than mean + 3 standard deviations of the same
//   loop on the same thread (so a rank that is slow throughout does not make all
//   its iterations outliers), counted over the row's threads.
// * Slowest: the 5 longest iterations of the row (ties: lower rank, thread, loop
//   id, occurrence, iteration first), by occurrence (which occurrence of that loop
//   on that thread, from 0) and iteration index (from 0).
// * Nests: the grammar splits a loop whose body changes with a period (a time
//   step with an Allreduce every 10 steps) into an outer loop of 10 iterations
//   holding an inner loop of 9 plain steps and one step with the Allreduce.
//   When a loop's first name (the first region its body enters) is the first
//   name of the loop enclosing it, the two are one loop of the program: the
//   outer row's nest_iterations counts the iterations of the whole nest, i.e.
//   the inner loops' iterations plus, per outer iteration, the calls of that
//   first region outside the inner loops ("step: 10 x (9 + 1) = 100"). Except
//   where the outer body makes no such call itself and holds several loops with
//   that first name, each always run the same number of times: those loops are
//   the parts of one iteration (a LAMMPS step recorded with call sites: two
//   forward swaps, then two reverse swaps), so the outer loop is no nest.
// * Structure (occurrences, iterations, trip counts, events per iteration) comes
//   from the grammar and the loop-count columns alone: no timestamp is read for
//   it. Without a time window the row's counts are these structural counts. With
//   a window (TimeWindow, options.h) an iteration counts when any part of it
//   lies in the window, with the part inside (as the profile clips calls), so a
//   row's total never exceeds the window's length per thread; occurrences are
//   those with at least one such iteration, and min/max_trip are their full
//   trip counts.
// * LoopDetail::Structure reads no timestamp at all: counts from the structure,
//   total time from each thread's summary (occurrence durations kept while
//   recording), mean = total / iterations, and no spread, slowest or outliers.
//   It cannot apply a time window.
//
// Rows whose total time is below 0.1% of the largest row's total time are cut
// (counted in LoopStats::cut_rows). A thread cut short (killed job) contributes
// up to its last event; its last open iterations end there.
//
// Map/reduce: loop_thread_partial() is the map, one thread at a time; its result
// is plain data with a JSON form (exact integers; the sum of squares, which needs
// 128 bits, as a decimal string) so partials can be shipped between processes;
// reduce_loops() combines partials in the order given, so the rows depend only on
// the partials and their order, never on how many threads or processes made them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rondo/analyzer/options.h"
#include "rondo/format/reader.h"

namespace rondo::analyzer {

enum class LoopDetail {
  // Iteration durations, spread, slowest, outliers: from each thread's summary
  // where the recorder kept them (without a window, FORMAT.md 12), else from one
  // timestamp per iteration or a replay.
  Timed,
  Structure,  // grammar, count columns and thread summaries only: no timestamp read
  // Timed, with the durations always found in the events, never taken from a
  // summary: the same numbers, for checking one against the other.
  TimedFromEvents,
};

constexpr size_t kSlowestIterations = 5;

// ---------------------------------------------------------------------------
// Map: one thread's loops.

// One iteration of a loop on one thread (the loop is implied by its entry).
struct LoopIterationTicks {
  uint32_t occurrence = 0, iteration = 0;
  uint64_t ticks = 0;
  bool operator==(const LoopIterationTicks&) const = default;
};

// Durations of the iterations counted (start in the window), in ticks.
struct LoopTiming {
  uint64_t occurrences = 0;  // occurrences with at least one iteration counted
  uint64_t iterations = 0;   // iterations counted
  uint32_t min_trip = 0, max_trip = 0;  // trip counts of those occurrences
  uint64_t sum_ticks = 0;
  uint64_t sum_sq_hi = 0, sum_sq_lo = 0;  // sum of squared ticks, 128 bits
  format::uint128 sum_squares() const { return (static_cast<format::uint128>(sum_sq_hi) << 64) | sum_sq_lo; }
  uint64_t min_ticks = 0, max_ticks = 0;
  uint64_t outliers = 0;  // iterations > mean + 3 stddev of this loop on this thread
  std::vector<LoopIterationTicks> slowest;  // up to kSlowestIterations, longest first
  bool operator==(const LoopTiming&) const = default;
};

// One loop of one thread.
struct ThreadLoop {
  uint32_t loop = 0;                 // loop id in the thread's grammar
  std::string label;                 // what one iteration does (see above)
  std::vector<std::string> parents;  // labels of the enclosing loops, outermost first
  // Structure, from the grammar and the count column.
  uint64_t occurrences = 0, iterations = 0;
  uint32_t min_trip = 0, max_trip = 0;
  uint64_t events = 0;  // events in all its occurrences
  uint64_t nest_iterations = 0;  // see LoopRow::nest_iterations
  // From the thread summary (0 without one): occurrence durations and iterations.
  uint64_t summary_ticks = 0, summary_iterations = 0;
  LoopTiming timing;  // LoopDetail::Timed only
  bool operator==(const ThreadLoop&) const = default;
};

struct LoopThreadPartial {
  uint32_t process = 0;  // position in TraceReader::processes()
  uint32_t thread = 0;   // position in the process
  bool timed = false;    // made with LoopDetail::Timed
  bool windowed = false; // with a time window (counts are the timed ones)
  bool has_summary = false;
  std::vector<ThreadLoop> loops;  // loops reached by the replay, by loop id
  bool operator==(const LoopThreadPartial&) const = default;
};

// `process` is `p`'s position in the trace (it labels the rows with its rank).
// Throws std::invalid_argument for LoopDetail::Structure with a window.
LoopThreadPartial loop_thread_partial(const format::ProcessReader& p, uint32_t process, uint32_t thread,
                                      const TimeWindow& window, LoopDetail detail = LoopDetail::Timed);

void to_json(nlohmann::json& j, const LoopThreadPartial& p);
void from_json(const nlohmann::json& j, LoopThreadPartial& p);  // throws nlohmann::json::exception on bad input

// ---------------------------------------------------------------------------
// Reduce: rows.

struct SlowIteration {
  int32_t rank = -1;  // process label (MPI rank or position in the trace)
  uint32_t thread = 0;
  uint32_t loop_id = 0;  // loop id in that thread's grammar
  uint32_t occurrence = 0, iteration = 0;
  int64_t ns = 0;
};

struct LoopRow {
  std::string label;                 // this loop
  std::vector<std::string> parents;  // enclosing loops, outermost first
  int32_t rank = -1;                 // with GroupBy::Rank / Thread, else -1
  int32_t thread = -1;               // with GroupBy::Thread, else -1
  uint64_t ranks = 0, threads = 0;   // processes and threads the loop ran on
  uint64_t occurrences = 0, iterations = 0;
  // Iterations of the nest this loop is the outer loop of, 0 when it is none
  // (from the structure, whole trace; see "Nests" above).
  uint64_t nest_iterations = 0;
  uint32_t min_trip = 0, max_trip = 0;
  double events_per_iteration = 0;  // from the structure (whole trace)
  int64_t total_ns = 0;
  double mean_ns = 0;
  bool timed = false;  // spread, min/max, slowest and outliers are known
  double stddev_ns = 0;
  int64_t min_ns = 0, max_ns = 0;  // shortest and longest iteration
  uint64_t outliers = 0;
  std::vector<SlowIteration> slowest;
  // Spread over threads of this row's total time.
  int64_t thread_min_ns = 0, thread_max_ns = 0;
  int32_t slowest_rank = -1, slowest_thread = -1;  // the thread with thread_max_ns
  std::string name() const;  // parents and label joined with " > "
};

struct LoopStats {
  bool timed = false, windowed = false;
  std::vector<LoopRow> rows;  // by total time, largest first (then by name)
  uint64_t cut_rows = 0;      // rows below 0.1% of the largest total time
};

LoopStats reduce_loops(const format::TraceReader& trace, const std::vector<LoopThreadPartial>& partials,
                       GroupBy by = GroupBy::None);

// Where one iteration lies: [begin_ns, end_ns] on the trace's time axis, as
// loop_stats measures it (first event of the iteration to the start of the
// next one, or to the occurrence's last event), so end - begin is the duration
// SlowIteration::ns reports. `loop`, `occurrence`, `iteration` as in
// SlowIteration. Replays the thread (read-only); found is false when that
// iteration does not exist or has no events.
struct IterationSpan {
  bool found = false;
  int64_t begin_ns = 0, end_ns = 0;
};
IterationSpan loop_iteration_span(const format::ProcessReader& p, uint32_t thread, uint32_t loop,
                                  uint32_t occurrence, uint32_t iteration);

// Every thread of every process, mapped with parallel_for (options.threads,
// options.progress: one work item per thread), reduced with options.by and
// options.window.
LoopStats loop_stats(const format::TraceReader& trace, const AnalysisOptions& options,
                     LoopDetail detail = LoopDetail::Timed);

// The "loops" list of `rondo stats --json`: one object per row (keys in the README).
nlohmann::ordered_json loops_json(const LoopStats& stats);

}  // namespace rondo::analyzer
