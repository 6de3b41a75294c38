#include "loops_panel.h"

#include <QtConcurrent/QtConcurrentRun>

namespace rondo::viewer {

LoopsPanel::LoopsPanel(const TraceSession& session, TimelineView* timeline, QWidget* parent)
    : JumpListPanel("Loops (slowest iterations)", {"loop / iteration", "iterations", "total", "mean / duration"},
                    session, timeline, parent) {
  setObjectName("loops");
  connect(&partner_, &QFutureWatcher<int32_t>::finished, this, &LoopsPanel::mark_partner);
}

// The worker reads the session's trace: it must end before the panel goes.
LoopsPanel::~LoopsPanel() { partner_.waitForFinished(); }

int32_t LoopsPanel::most_waited_for(const format::TraceReader& trace, int32_t rank, Window window) {
  analyzer::AnalysisOptions options;
  options.window = analyzer::TimeWindow{window.begin_ns, window.end_ns};
  try {
    analyzer::StatsReport report = analyzer::analyze(trace, options);
    for (const analyzer::RankWaiting& r : report.wait_states.per_rank)
      if (r.rank == rank && !r.by_late_rank.empty()) return r.by_late_rank.front().rank;
  } catch (const std::exception&) {
    // No partner can be named; the iteration's own row stays marked.
  }
  return -1;
}

void LoopsPanel::mark_partner() {
  partner_pending_ = false;
  int32_t partner = partner_.result();
  // The user may have moved on: the partner belongs to the iteration still shown.
  if (partner < 0 || timeline_->window() != partner_window_) return;
  std::set<size_t> marked{partner_of_row_};
  for (size_t r = 0; r < session_.rows().size(); ++r)
    if (session_.rows()[r].rank == partner) marked.insert(r);
  timeline_->set_marked_rows(std::move(marked));
}

void LoopsPanel::show_report(const analyzer::StatsReport& report) {
  tree_->clear();
  slowest_.clear();
  for (const analyzer::LoopRow& r : report.loops.rows) {
    QTreeWidgetItem* loop = jump_item({QString::fromStdString(r.name()), QString::number(r.iterations),
                                       QString::fromStdString(format_duration(static_cast<double>(r.total_ns))),
                                       QString::fromStdString(format_duration(r.mean_ns))},
                                      -1, QString());
    for (const analyzer::SlowIteration& s : r.slowest) {
      loop->addChild(jump_item({QString("rank %1 / thread %2: occurrence %3, iteration %4")
                                    .arg(s.rank)
                                    .arg(s.thread)
                                    .arg(s.occurrence)
                                    .arg(s.iteration),
                                "", "", QString::fromStdString(format_duration(static_cast<double>(s.ns)))},
                               static_cast<int>(slowest_.size()), "Click: zoom the timeline to this iteration"));
      slowest_.push_back(s);
    }
    tree_->addTopLevelItem(loop);
  }
  tree_->expandAll();
}

bool LoopsPanel::place(int index, Window& window, std::set<size_t>& marked) {
  const analyzer::SlowIteration& s = slowest_[static_cast<size_t>(index)];
  const auto& rows = session_.rows();
  for (size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].rank != s.rank || rows[r].thread != s.thread) continue;
    analyzer::IterationSpan span = analyzer::loop_iteration_span(session_.process(rows[r]), s.thread, s.loop_id,
                                                                 s.occurrence, s.iteration);
    window = Window{span.begin_ns, span.end_ns};
    marked = {r};
    if (span.found) {
      partner_.waitForFinished();  // an earlier click's search: its answer is no longer wanted
      partner_window_ = Window{window.begin_ns, std::max(window.end_ns, window.begin_ns + 1)};
      partner_of_row_ = r;
      partner_pending_ = true;
      const format::TraceReader* trace = &session_.trace();
      int32_t rank = s.rank;
      Window w = window;
      partner_.setFuture(QtConcurrent::run([trace, rank, w] { return most_waited_for(*trace, rank, w); }));
    }
    return span.found;
  }
  return false;
}

}  // namespace rondo::viewer
