#include "main_window.h"

#include <QDockWidget>
#include <QVBoxLayout>

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
  layout->addWidget(warning_);
  layout->addWidget(new OverviewStrip(session, timeline_, content_));
  layout->addWidget(timeline_, 1);
  setCentralWidget(content_);

  auto* dock = new QDockWidget("Selection", this);
  details_ = new QTextEdit(dock);
  details_->setReadOnly(true);
  details_->setPlainText("Click a call to see its details.");
  dock->setWidget(details_);
  addDockWidget(Qt::RightDockWidgetArea, dock);
  connect(timeline_, &TimelineView::call_selected, this, &MainWindow::show_call);
  resize(1280, 720);
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
                     format_duration(static_cast<double>(call.end_ns - call.start_ns)) + "\n\ncall path:\n";
  for (uint32_t region : call.path) text += "  " + session_.region_name(r.process, region) + "\n";
  if (!call.records.empty()) {
    text += "\nrecords from the clicked time on:\n";
    for (const auto& rec : call.records) text += "  " + rec + "\n";
    if (call.more_records) text += "  ... and " + std::to_string(call.more_records) + " more\n";
  }
  details_->setPlainText(QString::fromStdString(text));
}

}  // namespace rondo::viewer
