// A message of either form of a MessageMatching (messages.h, MatchForm): the
// Message itself, or for a MessagePair the Message its records make, filled as
// match_messages() fills the messages it lists. The pairs form keeps an eighth
// of the memory; the statistics read both alike. Internal to the analyzer.
#pragma once

#include <cstdint>

#include "rondo/analyzer/messages.h"

namespace rondo::analyzer {

inline void fill_send(Message& msg, const SendRecord& s, uint64_t index) {
  msg.send_record = index;
  msg.src = s.src;
  msg.dst = s.dst;
  msg.tag = s.tag;
  msg.comm = s.comm;
  msg.bytes = s.bytes;
  msg.send_ns = s.position.ns;
  msg.send_complete_ns = s.complete_ns;
  msg.send_thread = s.position.thread;
  msg.nonblocking_send = s.nonblocking;
  msg.has_send = true;
}

// After fill_send() where the message has a send.
inline void fill_recv(Message& msg, const RecvRecord& r, uint64_t index) {
  msg.recv_record = index;
  if (!msg.has_send) {
    msg.src = r.src;
    msg.dst = r.dst;
    msg.tag = r.tag;
    msg.comm = r.comm;
    msg.bytes = r.bytes;
  }
  msg.recv_bytes = r.bytes;
  msg.recv_post_ns = r.nonblocking ? r.position.ns : r.recv_ns;
  msg.recv_ns = r.recv_ns;
  msg.recv_thread = r.position.thread;
  msg.nonblocking_recv = r.nonblocking;
  msg.has_recv = true;
}

// Calls f(const Message&) for each message of `matching`, in its order.
// `scan` is the one the matching was made from (a pair's index past its
// records counts as that side missing).
template <typename F>
void for_each_message(const MpiScan& scan, const MessageMatching& matching, F&& f) {
  for (const Message& m : matching.messages) f(m);
  for (const MessagePair& p : matching.pairs) {
    Message m;
    if (p.send < scan.sends.size()) fill_send(m, scan.sends[p.send], p.send);
    if (p.recv < scan.recvs.size()) fill_recv(m, scan.recvs[p.recv], p.recv);
    f(static_cast<const Message&>(m));
  }
}

}  // namespace rondo::analyzer
