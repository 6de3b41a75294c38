// rondo-viewer: the program `rondo view` runs (docs/cli.md). Usage:
//   rondo-viewer TRACE [--screenshot OUT.png [--size WxH] [--window T0:T1]]
// TRACE is a trace directory or an OTF2 anchor file. With --screenshot it renders
// the timeline to a PNG without a display and exits.
#include <QApplication>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "main_window.h"
#include "rondo/analyzer/window_spec.h"

using namespace rondo::viewer;

namespace {

struct Args {
  std::vector<std::string> traces;
  std::string screenshot, size = "1280x720", window;
};

int usage_error(const std::string& what) {
  std::fprintf(stderr, "rondo: view: %s (usage: rondo view TRACE [--screenshot OUT.png [--size WxH] [--window T0:T1]])\n",
               what.c_str());
  return 2;
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
      std::printf("Usage: rondo view TRACE [--screenshot OUT.png [--size WxH] [--window T0:T1]]\n");
      return 0;
    } else if (!s.empty() && s[0] == '-') {
      return usage_error("unknown option " + s);
    } else {
      a.traces.push_back(s);
    }
  }
  if (a.traces.size() != 1) return usage_error("expected one trace directory or OTF2 anchor file");
  int w = 0, h = 0;
  if (std::sscanf(a.size.c_str(), "%dx%d", &w, &h) != 2 || w < 200 || h < 120 || w > 16384 || h > 16384)
    return usage_error("--size " + a.size + ": expected WxH, at least 200x120, e.g. 1600x900");
  // Without a display a screenshot still works: Qt's offscreen platform.
  if (!a.screenshot.empty() && !std::getenv("QT_QPA_PLATFORM")) setenv("QT_QPA_PLATFORM", "offscreen", 1);

  // The trace first: a wrong path is reported before Qt starts (and says nothing else).
  std::unique_ptr<TraceSession> session;
  try {
    session = std::make_unique<TraceSession>(a.traces[0]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rondo: %s\n", e.what());
    return 1;
  }
  QApplication app(argc, argv);
  MainWindow window(*session);
  if (!a.window.empty()) {
    try {
      auto tw = rondo::analyzer::parse_window(a.window, session->info().start_ns);
      int64_t b = tw.begin_ns == INT64_MIN ? session->info().start_ns : tw.begin_ns;
      int64_t e = tw.end_ns == INT64_MAX ? session->info().end_ns : tw.end_ns;
      window.timeline()->set_window(Window{b, e});
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
  window.timeline()->messages();
  QWidget* content = window.centralWidget();
  content->setParent(nullptr);
  content->resize(w, h);
  content->show();
  QApplication::processEvents();
  QImage image = content->grab().toImage();
  content->setParent(&window);  // the window owns and deletes it
  if (!image.save(QString::fromStdString(a.screenshot), "PNG")) {
    std::fprintf(stderr, "rondo: %s: cannot write the PNG (check the directory exists and is writable)\n",
                 a.screenshot.c_str());
    return 1;
  }
  std::printf("%s: %dx%d, %zu rows\n", a.screenshot.c_str(), image.width(), image.height(), session->rows().size());
  return 0;
}
