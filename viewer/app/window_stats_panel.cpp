#include "window_stats_panel.h"

#include <QTabWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

namespace rondo::viewer {

namespace {

// Columns that hold durations in ns are shown with their unit.
bool is_duration_column(const QTreeWidget* tree, int column) {
  return tree->headerItem()->text(column).endsWith("time") || tree->headerItem()->text(column) == "in MPI";
}

QTreeWidget* make_tree(const QStringList& headers, QWidget* parent) {
  auto* tree = new QTreeWidget(parent);
  tree->setHeaderLabels(headers);
  tree->setRootIsDecorated(false);
  tree->setUniformRowHeights(true);
  return tree;
}

}  // namespace

QTreeWidgetItem* stats_item(const QStringList& text, const std::vector<std::pair<int, qlonglong>>& values) {
  auto* item = new QTreeWidgetItem(text);
  for (auto [column, value] : values) item->setData(column, WindowStatsPanel::kValueRole, value);
  return item;
}

WindowStatsPanel::WindowStatsPanel(const TraceSession& session, QWidget* parent)
    : QDockWidget("Statistics", parent), session_(session) {
  setObjectName("statistics");
  auto* body = new QWidget(this);
  auto* layout = new QVBoxLayout(body);
  layout->setContentsMargins(2, 2, 2, 2);
  title_ = new QLabel("Ctrl + drag (or S: the visible window) to analyse a time range.", body);
  title_->setWordWrap(true);
  messages_ = new QLabel(body);
  auto* tabs = new QTabWidget(body);
  profile_ = make_tree({"region", "calls", "inclusive time", "exclusive time"}, tabs);
  profile_->setSortingEnabled(false);
  tree_ = make_tree({"call path", "calls", "inclusive time", "exclusive time"}, tabs);
  tree_->setRootIsDecorated(true);
  mpi_ = make_tree({"rank", "in MPI", "total time", "MPI calls"}, tabs);
  tabs->addTab(profile_, "Flat profile");
  tabs->addTab(tree_, "Call tree");
  tabs->addTab(mpi_, "Time in MPI");
  layout->addWidget(title_);
  layout->addWidget(messages_);
  layout->addWidget(tabs, 1);
  setWidget(body);
  connect(&worker_, &QFutureWatcher<Result>::finished, this, &WindowStatsPanel::show_result);
}

// The worker reads the session's trace (thread loading is thread-safe, and the
// analyzer uses its own cursors, not the timeline's checkpoints), so the panel
// must not outlive a running analysis.
WindowStatsPanel::~WindowStatsPanel() { worker_.waitForFinished(); }

void WindowStatsPanel::analyze(Window w) {
  if (requests_.submit(w)) start(w);
}

void WindowStatsPanel::start(Window w) {
  const int64_t origin = session_.info().start_ns;
  title_->setText(QString::fromStdString("Analysing " + format_duration(static_cast<double>(w.begin_ns - origin)) +
                                         " to " + format_duration(static_cast<double>(w.end_ns - origin)) + " ..."));
  const format::TraceReader* trace = &session_.trace();
  worker_.setFuture(QtConcurrent::run([trace, w] {
    analyzer::AnalysisOptions options;
    options.window = analyzer::TimeWindow{w.begin_ns, w.end_ns};
    Result r;
    try {
      r.report = analyzer::analyze(*trace, options);
    } catch (const std::exception& e) {
      r.error = e.what();
    }
    return r;
  }));
}

void WindowStatsPanel::show_result() {
  Window w;
  if (auto next = requests_.finish(w)) {  // a newer request supersedes this one
    start(*next);
    return;
  }
  Result r = worker_.result();
  if (!r.error.empty()) {
    title_->setText(QString::fromStdString("rondo: the analysis of this window failed: " + r.error));
    return;
  }
  report_ = std::move(r.report);
  window_ = w;
  const int64_t origin = session_.info().start_ns;
  title_->setText(QString::fromStdString("Window " + format_duration(static_cast<double>(w.begin_ns - origin)) +
                                         " to " + format_duration(static_cast<double>(w.end_ns - origin)) +
                                         " (as rondo stats --window " + std::to_string(w.begin_ns - origin) + "ns:" +
                                         std::to_string(w.end_ns - origin) + "ns)"));
  auto fill = [](QTreeWidget* tree, QTreeWidgetItem* item) {
    for (int c = 1; c < item->columnCount(); ++c) {
      QVariant v = item->data(c, kValueRole);
      if (v.isValid() && is_duration_column(tree, c))
        item->setText(c, QString::fromStdString(format_duration(static_cast<double>(v.toLongLong()))));
      else if (v.isValid())
        item->setText(c, QString::number(v.toLongLong()));
      item->setTextAlignment(c, Qt::AlignRight);
    }
    return item;
  };
  profile_->clear();
  for (const analyzer::RegionRow& r : report_.profile.regions)
    profile_->addTopLevelItem(fill(profile_, stats_item({QString::fromStdString(r.name), "", "", ""},
                                                        {{1, static_cast<qlonglong>(r.calls)},
                                                         {2, r.inclusive_ns},
                                                         {3, r.exclusive_ns}})));
  tree_->clear();
  std::vector<QTreeWidgetItem*> items;  // one per call_tree row: parents come first
  for (const analyzer::CallPathRow& r : report_.profile.call_tree) {
    QTreeWidgetItem* item = fill(tree_, stats_item({QString::fromStdString(r.name), "", "", ""},
                                                   {{1, static_cast<qlonglong>(r.calls)},
                                                    {2, r.inclusive_ns},
                                                    {3, r.exclusive_ns}}));
    if (r.parent >= 0)
      items[static_cast<size_t>(r.parent)]->addChild(item);
    else
      tree_->addTopLevelItem(item);
    items.push_back(item);
  }
  tree_->expandToDepth(1);
  mpi_->clear();
  for (const analyzer::RankMpiTime& r : report_.mpi.time_per_rank)
    mpi_->addTopLevelItem(fill(mpi_, stats_item({QString::number(r.rank), "", "", ""},
                                                {{1, r.mpi_ns}, {2, r.total_ns}, {3, static_cast<qlonglong>(r.mpi_calls)}})));
  messages_->setText(QString("%1 matched messages, %2 bytes; %3 collectives")
                         .arg(report_.mpi.messages.count)
                         .arg(report_.mpi.messages.bytes)
                         .arg(report_.mpi.collectives.count));
  emit analyzed(report_);
}

}  // namespace rondo::viewer
