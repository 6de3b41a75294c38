// Chronological merge of the events of many threads (and processes): a heap
// holds each thread's next event, keyed by its time on the common axis
// (ProcessReader::to_ns), so the whole trace is visited in time order while only
// one event per thread is in memory.
#pragma once

#include <memory>
#include <queue>
#include <vector>

#include "rondo/format/reader.h"

namespace rondo::format {

struct MergedEvent {
  size_t process = 0;     // index in TraceReader::processes()
  size_t thread = 0;      // position in that process (ProcessReader::thread(i))
  int64_t ns = 0;         // time on the common axis
  Event event;
};

class MergedCursor {
 public:
  // All threads of all processes of `trace`.
  explicit MergedCursor(const TraceReader& trace);
  // Next event in time order (ties: lower process, then lower thread, then
  // recording order); false when every thread is exhausted.
  bool next(MergedEvent& out);

 private:
  struct Source {
    size_t process, thread;
    const ProcessReader* reader;
    std::unique_ptr<EventCursor> cursor;
    MergedEvent head;
  };
  struct Later {
    const std::vector<Source>* sources;
    bool operator()(size_t a, size_t b) const;
  };
  bool advance(size_t source);

  std::vector<Source> sources_;
  std::priority_queue<size_t, std::vector<size_t>, Later> heap_;
};

}  // namespace rondo::format
