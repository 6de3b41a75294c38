// What is at one point of a row: the call at a given depth that contains a
// time, with its exact start and end, its call path and the records it holds
// (messages, collectives, I/O, locks). Found by a seek by time, not a replay.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "cursor_checkpoints.h"
#include "rondo/format/reader.h"

namespace rondo::viewer {

struct PickedCall {
  bool found = false;
  uint32_t region = 0;
  int depth = 0;
  int64_t start_ns = 0, end_ns = 0;
  bool end_known = true;    // false: the call had not ended where the thread's data ends
  std::vector<uint32_t> path;  // regions from the outermost call down to this one
  uint32_t site = 0;  // its ENTER's call site (`--callstack`): call-site id + 1, 0: none
  std::vector<std::string> records;  // records directly inside the call, in order (at most 16)
  uint64_t more_records = 0;         // records past those 16
};

// The call at `depth` (0: outermost) of thread `thread_pos` that contains `ns`.
// With `checkpoints`, its seeks start from the nearest checkpoint before them.
PickedCall pick_call(const format::ProcessReader& process, size_t thread_pos, int64_t ns, int depth,
                     CursorCheckpoints* checkpoints = nullptr);

// One record as text: "MpiSend peer 1, tag 7, comm 0, 800 bytes".
std::string describe_record(const format::ProcessReader& process, const format::Event& e);

}  // namespace rondo::viewer
