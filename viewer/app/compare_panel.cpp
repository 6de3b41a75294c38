#include "compare_panel.h"

#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace rondo::viewer {

namespace {

QTreeWidgetItem* change_item(const QString& name, const analyzer::ChangeRow& r) {
  auto* item = new QTreeWidgetItem(QStringList{name});
  const qlonglong values[4] = {static_cast<qlonglong>(r.count_before), static_cast<qlonglong>(r.count_after),
                               r.before_ns, r.after_ns};
  for (int c = 1; c <= 4; ++c) {
    item->setData(c, ComparePanel::kValueRole, values[c - 1]);
    item->setText(c, c <= 2 ? QString::number(values[c - 1])
                            : QString::fromStdString(format_duration(static_cast<double>(values[c - 1]))));
    item->setTextAlignment(c, Qt::AlignRight);
  }
  std::string delta = (r.delta_ns() > 0 ? "+" : "") + format_duration(static_cast<double>(r.delta_ns()));
  if (r.before_ns && r.after_ns) delta += QString(" (%1x)").arg(r.ratio(), 0, 'f', 2).toStdString();
  item->setText(5, QString::fromStdString(delta));
  item->setTextAlignment(5, Qt::AlignRight);
  return item;
}

}  // namespace

ComparePanel::ComparePanel(const TraceSession& a, const TraceSession& b, QWidget* parent)
    : QDockWidget("Compare", parent), a_(a), b_(b) {
  setObjectName("compare");
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  layout->setContentsMargins(2, 2, 2, 2);
  title_ = new QLabel("C (or Follow the view) compares the visible window of both traces.", body);
  title_->setWordWrap(true);
  table_ = new QTreeWidget(body);
  table_->setHeaderLabels({"", "count A", "count B", "A", "B", "change"});
  table_->setUniformRowHeights(true);
  layout->addWidget(title_);
  layout->addWidget(table_, 1);
  setWidget(body);
  connect(&worker_, &QFutureWatcher<Result>::finished, this, &ComparePanel::show_result);
}

// The worker reads both sessions' traces: it must end before the panel goes.
ComparePanel::~ComparePanel() { worker_.waitForFinished(); }

void ComparePanel::analyze(Window wa, Window wb) {
  if (requests_.submit(Request{wa, wb})) start(Request{wa, wb});
}

void ComparePanel::start(Request r) {
  title_->setText("Comparing the visible window ...");
  const format::TraceReader* ta = &a_.trace();
  const format::TraceReader* tb = &b_.trace();
  worker_.setFuture(QtConcurrent::run([ta, tb, r] {
    auto windowed = [](Window w) {
      analyzer::AnalysisOptions options;
      options.window = analyzer::TimeWindow{w.begin_ns, w.end_ns};
      return options;
    };
    Result out;
    try {
      out.comparison = analyzer::compare(analyzer::analyze(*ta, windowed(r.a)), analyzer::analyze(*tb, windowed(r.b)));
    } catch (const std::exception& e) {
      out.error = e.what();
    }
    return out;
  }));
}

void ComparePanel::show_result() {
  Request r;
  if (auto next = requests_.finish(r)) {  // a newer request supersedes this one
    start(*next);
    return;
  }
  Result out = worker_.result();
  if (!out.error.empty()) {
    title_->setText(QString::fromStdString("rondo: the comparison of this window failed: " + out.error));
    return;
  }
  comparison_ = std::move(out.comparison);
  const analyzer::Comparison& c = comparison_;
  auto rel = [](const TraceSession& s, int64_t ns) { return std::to_string(ns - s.info().start_ns) + "ns"; };
  std::string text = "A " + rel(a_, r.a.begin_ns) + ":" + rel(a_, r.a.end_ns) + " vs B " + rel(b_, r.b.begin_ns) +
                     ":" + rel(b_, r.b.end_ns) + " (as rondo stats --window ... --compare)";
  if (!c.overlap.comparable())
    text += "\nThe traces share " + std::to_string(c.overlap.common) + " of " + std::to_string(c.overlap.either()) +
            " region names: they look like different programs.";
  title_->setText(QString::fromStdString(text));
  table_->clear();
  table_->addTopLevelItem(change_item("duration", c.duration));
  table_->addTopLevelItem(change_item("time in MPI", c.mpi_time));
  analyzer::ChangeRow messages{"messages", c.messages_before, c.messages_after, 0, 0};
  auto* m = change_item("messages (count, bytes)", messages);
  for (int col : {3, 4}) {  // bytes, not durations, in the time columns
    qlonglong bytes = static_cast<qlonglong>(col == 3 ? c.bytes_before : c.bytes_after);
    m->setData(col, kValueRole, bytes);
    m->setText(col, QString("%1 B").arg(bytes));
  }
  m->setText(5, "");
  table_->addTopLevelItem(m);
  auto section = [&](const QString& title, const std::vector<analyzer::ChangeRow>& rows) {
    auto* head = new QTreeWidgetItem(QStringList{title});
    for (const analyzer::ChangeRow& row : rows) head->addChild(change_item(QString::fromStdString(row.name), row));
    table_->addTopLevelItem(head);
    head->setExpanded(true);
  };
  section("regions (exclusive time)", c.regions);
  section("MPI calls (inclusive time)", c.mpi_calls);
  section("wait states", c.wait_states);
  section("loops (total time)", c.loops);
  table_->resizeColumnToContents(0);
  emit compared(comparison_);
}

}  // namespace rondo::viewer
