// The requests of a side panel's worker: one analysis runs at a time; a request
// made while one runs waits, replacing any older waiting one (only the newest
// view matters), and starts when the running one ends.
#pragma once

#include <optional>

namespace rondo::viewer {

template <class Request>
class LatestRequest {
 public:
  // True when `r` is to start now (nothing runs); otherwise it waits.
  bool submit(const Request& r) {
    if (running_) {
      waiting_ = r;
      return false;
    }
    running_ = r;
    return true;
  }
  // The running request has finished (`done` is set to it). Returns the waiting
  // request that supersedes it, now running and to be started, or nothing.
  std::optional<Request> finish(Request& done) {
    done = *running_;
    running_ = waiting_;
    waiting_.reset();
    return running_;
  }
  bool busy() const { return running_.has_value(); }

 private:
  std::optional<Request> running_, waiting_;
};

}  // namespace rondo::viewer
