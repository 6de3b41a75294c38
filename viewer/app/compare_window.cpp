#include "compare_window.h"

#include <QToolBar>
#include <QtConcurrent/QtConcurrentRun>
#include <QVBoxLayout>

#include "follow_view.h"

namespace rondo::viewer {

namespace {

QLabel* trace_header(const QString& text, QWidget* parent) {
  auto* label = new QLabel(text, parent);
  label->setStyleSheet("QLabel { background: #dde4ee; color: #102040; padding: 3px; font-weight: bold; }");
  return label;
}

Window shifted(Window w, int64_t by) { return Window{w.begin_ns + by, w.end_ns + by}; }

}  // namespace

CompareWindow::CompareWindow(const TraceSession& a, const TraceSession& b, QWidget* parent)
    : QMainWindow(parent), a_(a), b_(b), shift_(start_shift(a, b)) {
  setWindowTitle(QString::fromStdString("Rondo: " + a.path() + " vs " + b.path()));
  auto* content = new QWidget(this);
  auto* layout = new QVBoxLayout(content);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->setSpacing(0);
  header_a_ = trace_header(QString::fromStdString("A: " + a.path()), content);
  header_b_ = trace_header(QString::fromStdString("B: " + b.path()), content);
  timeline_a_ = new TimelineView(a, content);
  timeline_b_ = new TimelineView(b, content);
  timeline_a_->set_parts(false, false);
  timeline_b_->set_parts(false, true);
  axis_ = new TimeAxisStrip(timeline_a_, a.info().start_ns, content);
  for (auto [session, header] : {std::pair{&a, header_a_}, std::pair{&b, header_b_}}) {
    if (session->warning().empty()) continue;
    header->setText(header->text() + " - " + QString::fromStdString(session->warning()));
    header->setWordWrap(true);
  }
  b_title_ = header_b_->text();
  layout->addWidget(axis_);
  layout->addWidget(header_a_);
  layout->addWidget(timeline_a_, 1);
  layout->addWidget(header_b_);
  layout->addWidget(timeline_b_, 1);
  setCentralWidget(content);

  // Coupled windows: set_window returns at once when the window does not
  // change, so each change crosses over once.
  connect(timeline_a_, &TimelineView::window_changed, this,
          [this](Window w) { timeline_b_->set_window(shifted(w, shift_)); });
  connect(timeline_b_, &TimelineView::window_changed, this,
          [this](Window w) { timeline_a_->set_window(shifted(w, -shift_)); });

  auto* tools = addToolBar("Compare");
  tools->addWidget(new QLabel(" Align at: ", tools));
  align_at_ = new QComboBox(tools);
  align_at_->addItem("the start of each trace");
  align_at_->setToolTip("Loops both traces run: their iteration k starts at the same x (finding them ...)");
  tools->addWidget(align_at_);
  tools->addWidget(new QLabel(" iteration ", tools));
  iteration_ = new QSpinBox(tools);
  iteration_->setEnabled(false);
  tools->addWidget(iteration_);
  connect(align_at_, &QComboBox::currentIndexChanged, this, [this](int index) {
    iteration_->setEnabled(index > 0);
    if (index > 0) iteration_->setRange(0, static_cast<int>(loops_[static_cast<size_t>(index - 1)].iterations) - 1);
    realign();
  });
  connect(iteration_, &QSpinBox::valueChanged, this, [this] { realign(); });

  compare_panel_ = new ComparePanel(a, b, this);
  addDockWidget(Qt::RightDockWidgetArea, compare_panel_);
  tools->addSeparator();
  compare_visible_ = tools->addAction("Compare the view");
  compare_visible_->setShortcut(QKeySequence(Qt::Key_C));
  compare_visible_->setToolTip("rondo stats --compare of the visible window of both traces (C)");
  connect(compare_visible_, &QAction::triggered, this, &CompareWindow::compare_now);
  follow_view_ = add_follow_view_action(tools, timeline_a_, "Compare the visible window again whenever it changes",
                                        [this] { compare_now(); });

  // Finding the loops both traces run reads every row's grammar and count
  // columns (seconds on large traces): on a worker, so the window opens at once.
  // The sessions' thread loading is thread-safe; the timelines' checkpoints are
  // not used by it.
  connect(&loops_worker_, &QFutureWatcher<std::vector<CommonLoop>>::finished, this, &CompareWindow::show_loops);
  loops_worker_.setFuture(QtConcurrent::run([&a, &b] { return common_loops(a, b); }));

  // Both start at A's whole run; B follows with the start alignment.
  timeline_b_->set_window(shifted(timeline_a_->window(), shift_), false);
  resize(1400, 800);
}

CompareWindow::~CompareWindow() { loops_worker_.waitForFinished(); }

void CompareWindow::show_loops() {
  loops_ = loops_worker_.result();
  loops_ready_ = true;
  for (const CommonLoop& l : loops_) align_at_->addItem(QString::fromStdString("loop " + l.name));
  align_at_->setToolTip("Loops both traces run: their iteration k starts at the same x");
}

void CompareWindow::realign() {
  int index = align_at_->currentIndex();
  if (index <= 0) {
    set_shift(start_shift(a_, b_), a_.info().start_ns);
    return;
  }
  const CommonLoop& loop = loops_[static_cast<size_t>(index - 1)];
  auto k = static_cast<uint32_t>(iteration_->value());
  auto shift = iteration_shift(a_, b_, loop, k);
  auto origin = iteration_start(a_, loop.a, k);
  if (shift && origin) set_shift(*shift, *origin);
}

void CompareWindow::set_shift(int64_t shift, int64_t origin_a) {
  shift_ = shift;
  axis_->set_origin(origin_a, origin_a == a_.info().start_ns
                                  ? QString()
                                  : QString("since iteration %1 of %2")
                                        .arg(iteration_->value())
                                        .arg(align_at_->currentText().mid(5)));
  int64_t moved = shift_ - start_shift(a_, b_);
  header_b_->setText(moved == 0 ? b_title_
                                : b_title_ + QString::fromStdString("  (moved by " +
                                                                    format_duration(static_cast<double>(-moved)) +
                                                                    " against the alignment at the starts)"));
  timeline_b_->set_window(shifted(timeline_a_->window(), shift_), false);
}

void CompareWindow::compare_now() {
  Window wa = timeline_a_->window();
  compare_panel_->analyze(wa, shifted(wa, shift_));
}

}  // namespace rondo::viewer
