// Turns one process's point-to-point records, taken in event order, into the
// sends and completed receives of an MpiScan (messages.h): a nonblocking
// request's post and its completion become one record. Used by the scan's
// reduce for every process, and by the scan of a thread that is the only one of
// its process with MPI records, which pairs its own requests as it reads them
// (its raw records are then never kept: a fraction of the memory).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "record_slice.h"
#include "request_table.h"
#include "rondo/analyzer/messages.h"

namespace rondo::analyzer {

// Stable sort of receives by position (messages.cpp).
void sort_receives(std::span<RecvRecord> recvs);

// Whether a record's communicator id can be one (-1 is MPI_COMM_NULL).
inline bool valid_comm(int64_t id) { return id >= 0 && id < static_cast<int64_t>(CommunicatorTable::kNone); }

// CommOf: uint32_t(int64_t local id) for a valid local id; CallOf:
// uint32_t(const MpiRawP2p&), the value to store in `call`/`completion`. The
// sends and receives go to two slices, empty when the pairing starts, which
// finish() leaves holding exactly the process's records.
template <typename CommOf, typename CallOf>
class RequestPairing {
 public:
  RequestPairing(uint32_t process, int32_t rank, RecordSlice<SendRecord>& sends, RecordSlice<RecvRecord>& recvs,
                 CommOf comm_of, CallOf call_of)
      : process_(process), rank_(rank), sends_(sends), recvs_(recvs), comm_of_(comm_of), call_of_(call_of) {}

  void add(const MpiRawP2p& r) {
    switch (r.kind) {
      case format::EventKind::MpiSend: case format::EventKind::MpiIsend: {
        if (r.peer < 0 || !valid_comm(r.comm)) break;  // MPI_PROC_NULL: no message
        SendRecord s;
        s.process = process_;
        s.src = rank_;
        s.dst = r.peer;
        s.tag = r.tag;
        s.comm = comm_of_(r.comm);
        s.bytes = r.bytes;
        s.position = r.at;
        s.nonblocking = r.kind == format::EventKind::MpiIsend;
        s.call = call_of_(r);
        if (!s.nonblocking) s.completion = s.call;
        if (s.nonblocking) {
          // A handle reused before its completion was recorded: the newest post owns it.
          auto [index, inserted] = open_isends_.try_emplace(r.request, sends_.size());
          if (!inserted) *index = sends_.size();
        }
        sends_.push_back(s);
        send_cancelled_.push_back(0);
        break;
      }
      case format::EventKind::MpiIsendComplete: {
        const size_t* index = open_isends_.find(r.request);
        if (index == nullptr) break;
        sends_[*index].complete_ns = r.at.ns;
        sends_[*index].completion = call_of_(r);
        open_isends_.erase(r.request);
        break;
      }
      case format::EventKind::MpiIrecvRequest: {
        Post post{{r.order_ns, r.at.thread, r.at.index}, call_of_(r)};
        auto [open, inserted] = open_irecvs_.try_emplace(r.request, post);
        if (!inserted) {
          // The same request posted again (persistent request) before its
          // previous post completed: that one's completion was not recorded.
          ++incomplete_receives_;
          *open = post;
        }
        break;
      }
      case format::EventKind::MpiRecv: case format::EventKind::MpiIrecv: {
        RecordPosition order{r.order_ns, r.at.thread, r.at.index};
        uint32_t completion = call_of_(r), posted = kNoCall;
        if (r.kind == format::EventKind::MpiIrecv) {
          if (const Post* post = open_irecvs_.find(r.request)) {
            order = post->at;
            posted = post->call;
            open_irecvs_.erase(r.request);
          }
        } else {
          posted = completion;
        }
        if (r.peer < 0 || !valid_comm(r.comm)) break;
        RecvRecord v;
        v.process = process_;
        v.src = r.peer;
        v.dst = rank_;
        v.tag = r.tag;
        v.comm = comm_of_(r.comm);
        v.bytes = r.bytes;
        v.position = order;
        v.recv_ns = r.at.ns;
        v.nonblocking = r.kind == format::EventKind::MpiIrecv;
        v.call = posted;
        v.completion = completion;
        recvs_.push_back(v);
        break;
      }
      case format::EventKind::MpiRequestCancelled: {
        if (open_irecvs_.erase(r.request)) {
          ++cancelled_;
        } else if (const size_t* index = open_isends_.find(r.request)) {
          send_cancelled_[*index] = 1;
          ++cancelled_sends_;
          open_isends_.erase(r.request);
          ++cancelled_;
        }
        break;
      }
      default:
        break;
    }
  }

  // The process's records are all added: drops the cancelled sends, orders the
  // receives by where they were posted, and adds to the counts of requests
  // cancelled and never completed.
  void finish(uint64_t& cancelled, uint64_t& incomplete_receives, uint64_t& incomplete_sends) {
    cancelled += cancelled_;
    incomplete_receives += incomplete_receives_ + open_irecvs_.size();
    incomplete_sends += open_isends_.size();
    if (cancelled_sends_ > 0) {
      size_t kept = 0;
      for (size_t s = 0; s < sends_.size(); ++s)
        if (!send_cancelled_[s]) sends_[kept++] = sends_[s];
      sends_.shrink(kept);
    }
    sort_receives(recvs_.written());
  }

 private:
  struct Post {
    RecordPosition at;
    uint32_t call;
  };
  uint32_t process_;
  int32_t rank_;
  RecordSlice<SendRecord>& sends_;
  RecordSlice<RecvRecord>& recvs_;
  CommOf comm_of_;
  CallOf call_of_;
  RequestTable<size_t> open_isends_;  // request -> index in sends_
  RequestTable<Post> open_irecvs_;
  std::vector<char> send_cancelled_;
  uint64_t cancelled_ = 0, incomplete_receives_ = 0;
  size_t cancelled_sends_ = 0;  // entries of send_cancelled_ set
};

}  // namespace rondo::analyzer
