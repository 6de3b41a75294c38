// An open trace as the viewer sees it: the reader, its time span, and its rows
// (one per thread, grouped by process/rank). Opening a Rondo trace maps its files
// and reads no events; an OTF2 archive is first imported into a temporary trace
// directory (removed when the session ends).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cursor_checkpoints.h"
#include "region_style.h"
#include "row_summary.h"
#include "rondo/analyzer/trace_summary.h"
#include "rondo/format/reader.h"

namespace rondo::viewer {

struct Row {
  size_t process = 0;  // index in TraceReader::processes()
  size_t thread = 0;   // position in that process
  int32_t rank = 0;    // analyzer::process_label
  std::string label;   // "rank 1 / thread 0", "rank 1 / GPU 0 stream 13"
  std::string name;    // within its process: "thread 0", "GPU 0 stream 13"
};

class TraceSession {
 public:
  // `path`: a trace directory, or an OTF2 anchor file (*.otf2). Throws
  // std::runtime_error with a one-line message naming the path.
  explicit TraceSession(const std::string& path);
  ~TraceSession();
  TraceSession(const TraceSession&) = delete;
  TraceSession& operator=(const TraceSession&) = delete;

  const std::string& path() const { return path_; }
  const format::TraceReader& trace() const { return *trace_; }
  const analyzer::TraceInfo& info() const { return info_; }
  const std::vector<Row>& rows() const { return rows_; }
  const format::ProcessReader& process(const Row& r) const { return *trace_->processes()[r.process]; }
  const format::ThreadTrace& thread(const Row& r) const { return process(r).thread(r.thread); }
  // Empty, or a sentence saying the trace is damaged and what is missing.
  std::string warning() const;

  // The rows' cursor checkpoints (a bounded cache: CursorCheckpoints::kDefaultBudget
  // bytes); drawing and picking use them, so they change behind a const session.
  CursorCheckpoints& checkpoints() const { return checkpoints_; }

  // Row summaries (model/row_summary.h) of the rows of at least
  // kSummaryMinEvents events, built one row after another, most events first
  // (each in parts on up to four cores), by a worker thread that start_summaries() starts (the timeline calls it
  // after its first frame, so that the first frame does not share the
  // processor with it). summary(row) is null until that row's is ready.
  // Together they take at most kSummaryBudget bytes: a row whose summary would
  // take more than its share keeps fewer levels (its finest buckets are coarser).
  static constexpr uint64_t kSummaryMinEvents = uint64_t{1} << 17;
  static constexpr size_t kSummaryBudget = size_t{64} << 20;
  void start_summaries() const;
  const RowSummary* summary(size_t row) const;
  // How many rows are done (summarised, or found unreadable and left to
  // sampling), of how many there will be.
  size_t summaries_ready() const { return summaries_ready_.load(std::memory_order_acquire); }
  size_t summaries_planned() const { return summary_order_.size(); }
  void wait_for_summaries() const;
  size_t summaries_bytes() const;

  // Region names, groups and colors (region ids are per process).
  const std::string& region_name(size_t process, uint32_t region) const;
  RegionGroup group(size_t process, uint32_t region) const;
  Rgb color(size_t process, uint32_t region) const;

 private:
  std::string path_;
  std::string imported_dir_;  // temporary directory of an imported OTF2 archive
  std::unique_ptr<format::TraceReader> trace_;
  analyzer::TraceInfo info_;
  std::vector<Row> rows_;
  std::vector<std::vector<Rgb>> colors_;  // per process, per region
  mutable CursorCheckpoints checkpoints_;

  void build_summaries() const;
  std::vector<size_t> summary_order_;  // rows to summarise, most events first
  std::vector<uint32_t> summary_buckets_;  // per row in summary_order_
  mutable std::vector<std::unique_ptr<RowSummary>> summaries_;  // per row; written by the worker only
  mutable std::unique_ptr<std::atomic<const RowSummary*>[]> published_;  // per row, once complete
  mutable std::atomic<size_t> summaries_ready_{0};
  mutable std::atomic<bool> stop_summaries_{false};
  mutable std::once_flag summaries_started_;
  mutable std::thread summary_worker_;
};

// The first raw tick of `p` whose time (ProcessReader::to_ns) is at or after `ns`
// (within one tick): to_ns is linear per process, so two corrections suffice.
uint64_t ticks_at(const format::ProcessReader& p, int64_t ns);

// "12.5 ms", "3 s", "250 ns": a duration with the unit that fits it.
std::string format_duration(double ns);
// An axis label: `ns` in the unit that fits it, with as many decimals as ticks
// `step_ns` apart need to differ ("200.002 ms", "200.004 ms").
std::string format_tick(double ns, double step_ns);

}  // namespace rondo::viewer
