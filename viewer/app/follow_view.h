// "Follow the view": a checkable tool bar action that re-runs an analysis of
// the visible window once the timeline rests (400 ms after its last zoom or
// pan: each analysis replays the window, so not on every step of a drag), and
// at once when it is switched on. Used by the one-trace and the compare window.
#pragma once

#include <QAction>
#include <QToolBar>
#include <functional>

#include "timeline_view.h"

namespace rondo::viewer {

QAction* add_follow_view_action(QToolBar* tools, TimelineView* timeline, const QString& tooltip,
                                std::function<void()> analyze);

}  // namespace rondo::viewer
