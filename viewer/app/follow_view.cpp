#include "follow_view.h"

#include <QTimer>

namespace rondo::viewer {

QAction* add_follow_view_action(QToolBar* tools, TimelineView* timeline, const QString& tooltip,
                                std::function<void()> analyze) {
  QAction* follow = tools->addAction("Follow the view");
  follow->setCheckable(true);
  follow->setToolTip(tooltip);
  auto* rest = new QTimer(follow);
  rest->setSingleShot(true);
  rest->setInterval(400);
  QObject::connect(rest, &QTimer::timeout, follow, std::move(analyze));
  QObject::connect(timeline, &TimelineView::window_changed, rest, [follow, rest] {
    if (follow->isChecked()) rest->start();
  });
  QObject::connect(follow, &QAction::toggled, rest, [rest](bool on) {
    if (on) rest->start();
  });
  return follow;
}

}  // namespace rondo::viewer
