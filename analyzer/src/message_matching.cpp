// Message matching (messages.h): the k-th send of a channel (communicator,
// source, destination, tag) pairs with the k-th receive of that channel.
//
// Channels get dense ids (ChannelIndex) and each keeps its receives as a FIFO,
// so the sends, taken in posting order, find their receives without sorting
// the records by channel. The messages come out ordered by the time of the
// side they have; ties in (time, src, dst, tag) go to the communicator, then to
// posting order. The records arrive per process in time order already, so that
// order is a merge of per-process runs (order_runs), not a sort.
#include <cstdint>
#include <optional>
#include <tuple>
#include <vector>

#include "channel_index.h"
#include "message_view.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/parallel.h"
#include "rondo/format/huge_pages.h"
#include "rondo/format/prefault.h"

namespace rondo::analyzer {

namespace {

template <typename Record>
ChannelKey channel_of(const Record& r) {
  return {r.comm, r.src, r.dst, r.tag};
}

// A message's place in the order it is listed in (see above): by time, then
// by its record's (src, dst, tag, comm), then by the record's index (posting
// order). Only the time and the index are kept, 16 bytes for each of millions
// of keys; the rest is read from the record when two times are equal.
struct MessageOrder {
  int64_t ns;
  uint32_t record;  // index in MpiScan::sends (matched messages, lone sends) or MpiScan::recvs (lone receives)
};

template <typename Records>
auto message_order(const Records& records) {
  return [&records](const MessageOrder& a, const MessageOrder& b) {
    if (a.ns != b.ns) return a.ns < b.ns;
    const auto &x = records[a.record], &y = records[b.record];
    return std::tie(x.src, x.dst, x.tag, x.comm, a.record) < std::tie(y.src, y.dst, y.tag, y.comm, b.record);
  };
}

// Adds the order key of `records[index]` to `keys`, starting a new run where
// the process changes.
template <typename Record>
void add_key(std::vector<MessageOrder>& keys, std::vector<size_t>& run_ends, uint32_t& run_process,
             const Record& r, int64_t ns, uint32_t index) {
  if (!keys.empty() && r.process != run_process) run_ends.push_back(keys.size());
  run_process = r.process;
  keys.push_back({ns, index});
}

void close_runs(const std::vector<MessageOrder>& keys, std::vector<size_t>& run_ends) {
  if (!keys.empty()) run_ends.push_back(keys.size());
}

}  // namespace

MessageMatching match_messages(const MpiScan& scan, unsigned threads, MatchForm form) {
  MessageMatching m;
  m.communicators = scan.communicators;
  m.world_size = scan.world_size;
  m.cancelled = scan.cancelled;
  m.incomplete_receives = scan.incomplete_receives;
  m.incomplete_sends = scan.incomplete_sends;
  constexpr uint32_t kNone = UINT32_MAX;
  const auto send_count = static_cast<uint32_t>(scan.sends.size());
  const auto recv_count = static_cast<uint32_t>(scan.recvs.size());

  // The receives of each channel in posting order (records are in (process,
  // position) order, and a channel has one receiving process): a FIFO per
  // channel, laid out as one array with per-channel offsets.
  ChannelIndex channels(256);
  std::vector<uint32_t> recv_channel;
  format::assign_huge(recv_channel, recv_count, 0);
  for (uint32_t i = 0; i < recv_count; ++i) recv_channel[i] = channels.add(channel_of(scan.recvs[i]));
  std::vector<uint32_t> queue_begin(channels.size() + 1, 0);
  for (uint32_t c : recv_channel) ++queue_begin[c + 1];
  for (size_t c = 0; c < channels.size(); ++c) queue_begin[c + 1] += queue_begin[c];
  std::vector<uint32_t> queue, taken(queue_begin.begin(), queue_begin.end() - 1);
  format::assign_huge(queue, recv_count, 0);
  for (uint32_t i = 0; i < recv_count; ++i) queue[taken[recv_channel[i]]++] = i;
  std::copy(queue_begin.begin(), queue_begin.end() - 1, taken.begin());

  // Sends in posting order take their channel's next receive.
  std::vector<uint32_t> receive_of;
  format::assign_huge(receive_of, send_count, kNone);
  std::vector<MessageOrder> matched, lone_sends, lone_recvs;
  std::vector<size_t> matched_runs, send_runs, recv_runs;
  uint32_t matched_process = 0, send_process = 0, recv_process = 0;
  format::reserve_huge(matched, std::min(send_count, recv_count));
  for (uint32_t i = 0; i < send_count; ++i) {
    const SendRecord& s = scan.sends[i];
    const uint32_t c = channels.find(channel_of(s));
    if (c != ChannelIndex::kAbsent && taken[c] < queue_begin[c + 1]) {
      receive_of[i] = queue[taken[c]++];
      add_key(matched, matched_runs, matched_process, s, s.position.ns, i);
    } else {
      add_key(lone_sends, send_runs, send_process, s, s.position.ns, i);
    }
  }
  // Receives no send took, in record order.
  std::vector<char> recv_matched(recv_count, 0);
  for (size_t c = 0; c < channels.size(); ++c)
    for (uint32_t q = queue_begin[c]; q < taken[c]; ++q) recv_matched[queue[q]] = 1;
  for (uint32_t i = 0; i < recv_count; ++i)
    if (!recv_matched[i]) add_key(lone_recvs, recv_runs, recv_process, scan.recvs[i], scan.recvs[i].recv_ns, i);
  m.matched = matched.size();
  m.unmatched_sends = lone_sends.size();
  m.unmatched_receives = lone_recvs.size();
  close_runs(matched, matched_runs);
  close_runs(lone_sends, send_runs);
  close_runs(lone_recvs, recv_runs);
  order_runs(matched, std::move(matched_runs), message_order(scan.sends));
  order_runs(lone_sends, std::move(send_runs), message_order(scan.sends));
  order_runs(lone_recvs, std::move(recv_runs), message_order(scan.recvs));
  // Matched pairs whose sizes differ or whose receive comes first (as a
  // Message's bytes, recv_bytes, send_ns and recv_ns would tell), either form.
  for (const MessageOrder& k : matched) {
    const SendRecord& s = scan.sends[k.record];
    const RecvRecord& r = scan.recvs[receive_of[k.record]];
    if (s.bytes != r.bytes) ++m.bytes_mismatched;
    if (r.recv_ns < s.position.ns) ++m.received_before_sent;
  }
  if (form == MatchForm::Pairs) {
    format::reserve_huge(m.pairs, matched.size() + lone_sends.size() + lone_recvs.size());
    for (const MessageOrder& k : matched) m.pairs.push_back({k.record, receive_of[k.record]});
    for (const MessageOrder& k : lone_sends) m.pairs.push_back({k.record, MessagePair::kNone});
    for (const MessageOrder& k : lone_recvs) m.pairs.push_back({MessagePair::kNone, k.record});
    return m;
  }
  // Reserved, then each message written once (a resize would first clear
  // memory that is about to be overwritten: millions of messages). The
  // kernel's clearing of that fresh memory (a hundred MB and more) is shared
  // with another core, where there is one to use, which takes it from the
  // end while this one fills.
  format::reserve_huge(m.messages, matched.size() + lone_sends.size() + lone_recvs.size());
  std::optional<format::PrefaultBehind> prefault;
  if (worker_count(threads) > 1) prefault.emplace(m.messages.data(), m.messages.capacity() * sizeof(Message));
  for (const MessageOrder& k : matched) {
    Message& msg = m.messages.emplace_back();
    fill_send(msg, scan.sends[k.record], k.record);
    fill_recv(msg, scan.recvs[receive_of[k.record]], receive_of[k.record]);
  }
  for (const MessageOrder& k : lone_sends) fill_send(m.messages.emplace_back(), scan.sends[k.record], k.record);
  for (const MessageOrder& k : lone_recvs) fill_recv(m.messages.emplace_back(), scan.recvs[k.record], k.record);
  return m;
}

}  // namespace rondo::analyzer
