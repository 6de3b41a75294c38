// rondo-viewer: the program `rondo view` runs (docs/cli.md). Usage:
//   rondo-viewer TRACE [TRACE_B] [--screenshot OUT.png [--size WxH] [--window T0:T1]]
// TRACE is a trace directory or an OTF2 anchor file. With a second trace both
// are shown one above the other, compared (compare_window.h); --window is then
// the window of the first. With --screenshot it renders the timeline(s) to a
// PNG without a display and exits.
#include <QApplication>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "compare_window.h"
#include "main_window.h"
#include "rondo/analyzer/window_spec.h"

using namespace rondo::viewer;

namespace {

struct Args {
  std::vector<std::string> traces;
  std::string screenshot, size = "1280x720", window;
};

int usage_error(const std::string& what) {
  std::fprintf(stderr, "rondo: view: %s (usage: rondo view TRACE [TRACE_B] [--screenshot OUT.png [--size WxH] [--window T0:T1]])\n",
               what.c_str());
  return 2;
}

// The window of `spec` (T0:T1 relative to the trace's start) as absolute times.
Window parse_view_window(const std::string& spec, const TraceSession& s) {
  auto tw = rondo::analyzer::parse_window(spec, s.info().start_ns);
  return Window{tw.begin_ns == INT64_MIN ? s.info().start_ns : tw.begin_ns,
                tw.end_ns == INT64_MAX ? s.info().end_ns : tw.end_ns};
}

// Renders `content` alone at exactly w x h to `path`; 0, or 1 with a message.
int save_screenshot(QWidget* content, QWidget* owner, const std::string& path, int w, int h, size_t rows) {
  content->setParent(nullptr);
  content->resize(w, h);
  content->show();
  QApplication::processEvents();
  QImage image = content->grab().toImage();
  content->setParent(owner);  // the window owns and deletes it
  if (!image.save(QString::fromStdString(path), "PNG")) {
    std::fprintf(stderr, "rondo: %s: cannot write the PNG (check the directory exists and is writable)\n",
                 path.c_str());
    return 1;
  }
  std::printf("%s: %dx%d, %zu rows\n", path.c_str(), image.width(), image.height(), rows);
  return 0;
}

// `rondo view A B`: both traces, compared.
int show_comparison(QApplication& app, const TraceSession& a, const TraceSession& b, const Args& args, int w, int h) {
  CompareWindow window(a, b);
  if (!args.window.empty()) {
    try {
      window.timeline_a()->set_window(parse_view_window(args.window, a));
    } catch (const std::exception& e) {
      return usage_error(std::string("--window ") + args.window + ": " + e.what());
    }
  }
  for (const TraceSession* s : {&a, &b})
    if (!s->warning().empty()) std::fprintf(stderr, "rondo: %s: %s\n", s->path().c_str(), s->warning().c_str());
  if (args.screenshot.empty()) {
    window.show();
    return app.exec();
  }
  for (TimelineView* t : {window.timeline_a(), window.timeline_b()})
    if (const std::string& why = t->messages().not_drawn(); !why.empty())
      std::fprintf(stderr, "rondo: warning: %s\n", why.c_str());
  return save_screenshot(window.centralWidget(), &window, args.screenshot, w, h, a.rows().size() + b.rows().size());
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string s = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    if (s == "--screenshot") {
      if (!value(a.screenshot)) return usage_error("--screenshot needs a file name");
    } else if (s == "--size") {
      if (!value(a.size)) return usage_error("--size needs WxH");
    } else if (s == "--window") {
      if (!value(a.window)) return usage_error("--window needs T0:T1");
    } else if (s == "-h" || s == "--help") {
      std::printf("Usage: rondo view TRACE [TRACE_B] [--screenshot OUT.png [--size WxH] [--window T0:T1]]\n");
      return 0;
    } else if (!s.empty() && s[0] == '-') {
      return usage_error("unknown option " + s);
    } else {
      a.traces.push_back(s);
    }
  }
  if (a.traces.empty() || a.traces.size() > 2)
    return usage_error("expected one trace directory or OTF2 anchor file, or two to compare");
  int w = 0, h = 0;
  if (std::sscanf(a.size.c_str(), "%dx%d", &w, &h) != 2 || w < 200 || h < 120 || w > 16384 || h > 16384)
    return usage_error("--size " + a.size + ": expected WxH, at least 200x120, e.g. 1600x900");
  // Without a display a screenshot still works: Qt's offscreen platform.
  if (!a.screenshot.empty() && !std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);

  // The trace first: a wrong path is reported before Qt starts (and says nothing else).
  std::vector<std::unique_ptr<TraceSession>> sessions;
  try {
    for (const std::string& t : a.traces) sessions.push_back(std::make_unique<TraceSession>(t));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rondo: %s\n", e.what());
    return 1;
  }
  const std::unique_ptr<TraceSession>& session = sessions[0];
  QApplication app(argc, argv);
  if (sessions.size() == 2) return show_comparison(app, *sessions[0], *sessions[1], a, w, h);
  MainWindow window(*session);
  if (!a.window.empty()) {
    try {
      window.timeline()->set_window(parse_view_window(a.window, *session));
    } catch (const std::exception& e) {
      return usage_error(std::string("--window ") + a.window + ": " + e.what());
    }
  }
  if (!session->warning().empty()) std::fprintf(stderr, "rondo: %s: %s\n", a.traces[0].c_str(), session->warning().c_str());
  if (a.screenshot.empty()) {
    window.show();
    return app.exec();
  }
  // The screenshot is the window's content alone (no side panel), at exactly WxH,
  // with the message arrows (matched on a worker thread: wait for them).
  if (const std::string& why = window.timeline()->messages().not_drawn(); !why.empty())
    std::fprintf(stderr, "rondo: warning: %s\n", why.c_str());
  return save_screenshot(window.centralWidget(), &window, a.screenshot, w, h, session->rows().size());
}
