#include "main_window.h"

#include <QDockWidget>
#include <QTimer>
#include <QToolBar>
#include <QVBoxLayout>

#include "follow_view.h"
#include "rondo/analyzer/call_sites.h"

namespace rondo::viewer {

MainWindow::MainWindow(const TraceSession& session, QWidget* parent) : QMainWindow(parent), session_(session) {
  setWindowTitle(QString::fromStdString("Rondo: " + session.path()));
  content_ = new QWidget(this);
  auto* layout = new QVBoxLayout(content_);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  warning_ = new QLabel(content_);
  warning_->setWordWrap(true);
  warning_->setStyleSheet("QLabel { background: #ffe08a; color: #402000; padding: 4px; }");
  std::string text = session.warning();
  warning_->setText(QString::fromStdString(text));
  warning_->setVisible(!text.empty());
  timeline_ = new TimelineView(session, content_);
  connect(timeline_, &TimelineView::messages_not_drawn, this, [this](const QString& why) {
    warning_->setText(warning_->text().isEmpty() ? why : warning_->text() + " " + why);
    warning_->setVisible(true);
  });
  layout->addWidget(warning_);
  layout->addWidget(new OverviewStrip(session, timeline_, content_));
  layout->addWidget(timeline_, 1);
  setCentralWidget(content_);

  auto* dock = new QDockWidget("Selection", this);
  details_ = new QTextEdit(dock);
  details_->setReadOnly(true);
  details_->setPlainText("Click a call or a message to see its details.");
  dock->setWidget(details_);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  auto* tools = addToolBar("View");
  tools->addWidget(new QLabel(" Search region: ", tools));
  search_ = new QLineEdit(tools);
  search_->setPlaceholderText("name (highlights its calls)");
  search_->setClearButtonEnabled(true);
  search_->setMaximumWidth(260);
  tools->addWidget(search_);
  search_result_ = new QLabel(tools);
  tools->addWidget(search_result_);
  connect(search_, &QLineEdit::textChanged, this, [this](const QString& text) {
    size_t n = timeline_->highlight(text.toStdString());
    search_result_->setText(text.isEmpty() ? QString() : QString("  %1 region(s)  ").arg(n));
  });
  tools->addSeparator();
  innermost_ = tools->addAction("Innermost call only");
  innermost_->setCheckable(true);
  innermost_->setShortcut(QKeySequence(Qt::Key_I));
  innermost_->setToolTip("One band per thread with the innermost call (I), instead of every call depth");
  connect(innermost_, &QAction::toggled, this, [this](bool on) {
    timeline_->set_depth_mode(on ? TimelineView::DepthMode::Innermost : TimelineView::DepthMode::Flame);
  });

  auto* messages = tools->addAction("Messages");
  messages->setCheckable(true);
  messages->setChecked(true);
  messages->setToolTip("Arrows for messages and lines for collectives over the rows");
  connect(messages, &QAction::toggled, timeline_, &TimelineView::set_show_messages);

  auto* rows_dock = new QDockWidget("Rows", this);
  row_list_ = new QListWidget(rows_dock);
  for (const Row& r : session.rows()) {
    auto* item = new QListWidgetItem(QString::fromStdString(r.label), row_list_);
    item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
    item->setCheckState(Qt::Checked);
  }
  connect(row_list_, &QListWidget::itemChanged, this, [this](QListWidgetItem* item) {
    timeline_->set_row_hidden(static_cast<size_t>(row_list_->row(item)), item->checkState() != Qt::Checked);
  });
  rows_dock->setWidget(row_list_);
  addDockWidget(Qt::RightDockWidgetArea, rows_dock);

  add_stats_panels(tools);
  connect(timeline_, &TimelineView::call_selected, this, &MainWindow::show_call);
  connect(timeline_, &TimelineView::message_selected, this, &MainWindow::show_message);
  resize(1280, 720);
}

void MainWindow::add_stats_panels(QToolBar* tools) {
  stats_panel_ = new WindowStatsPanel(session_, this);
  matrix_panel_ = new MatrixPanel(this);
  loops_panel_ = new LoopsPanel(session_, timeline_, this);
  waits_panel_ = new WaitStatesPanel(session_, timeline_, this);
  addDockWidget(Qt::LeftDockWidgetArea, stats_panel_);
  addDockWidget(Qt::LeftDockWidgetArea, loops_panel_);
  addDockWidget(Qt::LeftDockWidgetArea, matrix_panel_);
  tabifyDockWidget(loops_panel_, waits_panel_);
  loops_panel_->raise();
  connect(stats_panel_, &WindowStatsPanel::analyzed, matrix_panel_, &MatrixPanel::show_report);
  connect(stats_panel_, &WindowStatsPanel::analyzed, loops_panel_, &LoopsPanel::show_report);
  connect(stats_panel_, &WindowStatsPanel::analyzed, waits_panel_, &WaitStatesPanel::show_report);
  connect(timeline_, &TimelineView::range_selected, stats_panel_, &WindowStatsPanel::analyze);
  tools->addSeparator();
  analyze_visible_ = tools->addAction("Statistics of the view");
  analyze_visible_->setShortcut(QKeySequence(Qt::Key_S));
  analyze_visible_->setToolTip("Analyse the visible window (S); Ctrl + drag on the timeline analyses a range");
  connect(analyze_visible_, &QAction::triggered, this, [this] { stats_panel_->analyze(timeline_->window()); });
  follow_view_ = add_follow_view_action(tools, timeline_, "Re-analyse the visible window whenever it changes",
                                        [this] { stats_panel_->analyze(timeline_->window()); });
}

QImage MainWindow::render_content() { return content_->grab().toImage(); }

void MainWindow::show_call(size_t row, const PickedCall& call) {
  const Row& r = session_.rows()[row];
  if (!call.found) {
    details_->setPlainText(QString::fromStdString(r.label + ": no call here"));
    return;
  }
  int64_t origin = session_.info().start_ns;
  std::string text = session_.region_name(r.process, call.region) + "\n" + r.label + ", depth " +
                     std::to_string(call.depth) + "\nstart " + format_duration(static_cast<double>(call.start_ns - origin)) +
                     "\nend " + (call.end_known ? "" : "(not ended) ") +
                     format_duration(static_cast<double>(call.end_ns - origin)) + "\nduration " +
                     format_duration(static_cast<double>(call.end_ns - call.start_ns)) + "\n";
  // Where the application made the call (recorded with --callstack).
  std::string site = analyzer::call_site_place(session_.process(r).defs(), call.site);
  if (!site.empty()) text += "called from " + site + "\n";
  text += "\ncall path:\n";
  for (uint32_t region : call.path) text += "  " + session_.region_name(r.process, region) + "\n";
  if (!call.records.empty()) {
    text += "\nrecords from the clicked time on:\n";
    for (const auto& rec : call.records) text += "  " + rec + "\n";
    if (call.more_records) text += "  ... and " + std::to_string(call.more_records) + " more\n";
  }
  details_->setPlainText(QString::fromStdString(text));
}

void MainWindow::show_message(const MessageShape& shape) {
  details_->setPlainText(
      QString::fromStdString(timeline_->messages().describe(shape, session_.info().start_ns)));
}

}  // namespace rondo::viewer
