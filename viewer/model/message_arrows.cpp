#include "message_arrows.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <new>
#include <tuple>

#include "row_lod.h"
#include "rondo/analyzer/messages.h"

namespace rondo::viewer {

namespace {

std::string mib(uint64_t bytes) {
  return bytes < (1 << 20) ? with_commas((bytes + 512) >> 10) + " KiB" : with_commas((bytes + (1 << 19)) >> 20) + " MiB";
}

}  // namespace

MessageArrows::MessageArrows(const TraceSession& session, const analyzer::MpiMemoryEstimate* estimate) {
  const analyzer::MpiMemoryEstimate e = estimate ? *estimate : analyzer::estimate_mpi_memory(session.trace());
  if (!e.fits()) {
    not_drawn_ = "Messages and collectives are not drawn: matching this trace's " + with_commas(e.records) +
                 " point-to-point records would take about " + mib(e.bytes) + " and " + mib(*e.available) +
                 " is available (README, \"Not bounded: MPI messages\"). Everything else works.";
    return;
  }
  try {
    match(session);
  } catch (const std::bad_alloc&) {
    *this = MessageArrows{};
    not_drawn_ = "Messages and collectives are not drawn: matching this trace's " + with_commas(e.records) +
                 " point-to-point records ran out of memory (README, \"Not bounded: MPI messages\"). Everything "
                 "else works.";
  }
}

void MessageArrows::match(const TraceSession& session) {
  const auto& trace = session.trace();
  // (process, thread position) -> row
  std::map<std::pair<size_t, size_t>, size_t> row_of;
  for (size_t i = 0; i < session.rows().size(); ++i)
    row_of[{session.rows()[i].process, session.rows()[i].thread}] = i;
  auto find_row = [&](size_t process, size_t thread) {
    auto it = row_of.find({process, thread});
    return it == row_of.end() ? SIZE_MAX : it->second;
  };

  analyzer::MpiScan scan = analyzer::scan_mpi(trace);
  if (!scan.any_mpi()) return;
  analyzer::MessageMatching matching = analyzer::match_messages(scan);
  for (const analyzer::Message& m : matching.messages) {
    if (!m.matched()) continue;
    size_t from = find_row(scan.sends[m.send_record].process, m.send_thread);
    size_t to = find_row(scan.recvs[m.recv_record].process, m.recv_thread);
    if (from == SIZE_MAX || to == SIZE_MAX) continue;
    arrows_.push_back(MessageArrow{from, to, m.send_ns, m.recv_ns, m.src, m.dst, m.tag, m.comm, m.bytes});
    longest_flight_ns_ = std::max(longest_flight_ns_, m.recv_ns - m.send_ns);
  }
  std::sort(arrows_.begin(), arrows_.end(),
            [](const MessageArrow& a, const MessageArrow& b) { return a.send_ns < b.send_ns; });

  // Collectives on one communicator run in the same order on every rank (MPI
  // requires it), so the k-th on a communicator is one instance across ranks.
  std::map<std::pair<uint32_t, uint64_t>, size_t> instance;  // (comm, k) -> index
  std::map<std::pair<size_t, uint32_t>, uint64_t> seen;     // (process, comm) -> collectives so far
  std::vector<const analyzer::CollectiveRecord*> records;
  for (const auto& c : scan.collectives) records.push_back(&c);
  std::stable_sort(records.begin(), records.end(), [](auto* a, auto* b) {
    return std::tie(a->process, a->end_ns) < std::tie(b->process, b->end_ns);
  });
  for (const analyzer::CollectiveRecord* c : records) {
    if (c->comm == analyzer::CommunicatorTable::kNone) continue;
    size_t row = find_row(c->process, c->thread);
    if (row == SIZE_MAX) continue;
    uint64_t k = seen[{c->process, c->comm}]++;
    auto [it, added] = instance.emplace(std::make_pair(c->comm, k), collectives_.size());
    if (added) collectives_.push_back(CollectiveMark{c->op, c->comm, c->begin_ns >= 0 ? c->begin_ns : c->end_ns,
                                                     c->end_ns, {}, {}});
    CollectiveMark& mark = collectives_[it->second];
    mark.begin_ns = std::min(mark.begin_ns, c->begin_ns >= 0 ? c->begin_ns : c->end_ns);
    mark.end_ns = std::max(mark.end_ns, c->end_ns);
    mark.rows.push_back(row);
    mark.ends.push_back(c->end_ns);
  }
  std::sort(collectives_.begin(), collectives_.end(),
            [](const CollectiveMark& a, const CollectiveMark& b) { return a.begin_ns < b.begin_ns; });
  for (const CollectiveMark& m : collectives_)
    longest_collective_ns_ = std::max(longest_collective_ns_, m.end_ns - m.begin_ns);
}

std::vector<size_t> MessageArrows::in_window(int64_t begin_ns, int64_t end_ns) const {
  std::vector<size_t> out;
  // Only messages sent at most the longest flight before the window can reach into it.
  auto first = std::lower_bound(arrows_.begin(), arrows_.end(), begin_ns - longest_flight_ns_,
                                [](const MessageArrow& a, int64_t t) { return a.send_ns < t; });
  for (auto it = first; it != arrows_.end() && it->send_ns < end_ns; ++it)
    if (it->recv_ns >= begin_ns) out.push_back(static_cast<size_t>(it - arrows_.begin()));
  return out;
}

std::vector<size_t> MessageArrows::collectives_in_window(int64_t begin_ns, int64_t end_ns) const {
  std::vector<size_t> out;
  auto first = std::lower_bound(collectives_.begin(), collectives_.end(), begin_ns - longest_collective_ns_,
                                [](const CollectiveMark& m, int64_t t) { return m.begin_ns < t; });
  for (auto it = first; it != collectives_.end() && it->begin_ns < end_ns; ++it)
    if (it->end_ns >= begin_ns) out.push_back(static_cast<size_t>(it - collectives_.begin()));
  return out;
}

std::vector<MessageShape> MessageArrows::shapes(int64_t begin_ns, int64_t end_ns, int pixels) const {
  std::vector<size_t> inside = in_window(begin_ns, end_ns);
  double px_ns = static_cast<double>(std::max<int64_t>(end_ns - begin_ns, 1)) / std::max(pixels, 1);
  auto px_of = [&](int64_t ns) {
    double x = std::floor(static_cast<double>(ns - begin_ns) / px_ns);
    return static_cast<int>(std::clamp(x, -1.0, static_cast<double>(pixels)));
  };
  // Arrows with the same rows and the same (grouped) pixels are one shape.
  for (int group = 1;; group *= 2) {
    std::map<std::tuple<size_t, size_t, int, int>, MessageShape> by_key;
    for (size_t i : inside) {
      const MessageArrow& a = arrows_[i];
      int sx = px_of(a.send_ns), rx = px_of(a.recv_ns);
      auto key = std::make_tuple(a.send_row, a.recv_row, sx / group, rx / group);
      auto [it, added] = by_key.try_emplace(key, MessageShape{a.send_row, a.recv_row, sx, rx, 0, 0, i, a.send_ns,
                                                              a.recv_ns});
      MessageShape& shape = it->second;
      ++shape.count;
      shape.bytes += a.bytes;
      shape.last_recv_ns = std::max(shape.last_recv_ns, a.recv_ns);
    }
    if (by_key.size() <= kMaxShapes || group > pixels) {
      std::vector<MessageShape> out;
      out.reserve(by_key.size());
      for (auto& [key, shape] : by_key) out.push_back(shape);
      return out;
    }
  }
}

std::string MessageArrows::describe(const MessageShape& shape, int64_t origin_ns) const {
  auto at = [&](int64_t ns) { return format_duration(static_cast<double>(ns - origin_ns)); };
  const MessageArrow& a = arrows_[shape.first];
  if (shape.count == 1)
    return "message\nsender: rank " + std::to_string(a.src) + "\nreceiver: rank " + std::to_string(a.dst) +
           "\ntag: " + std::to_string(a.tag) + "\ncommunicator: " + std::to_string(a.comm) +
           "\nbytes: " + with_commas(a.bytes) + "\nsent at " + at(a.send_ns) + "\nreceived at " + at(a.recv_ns) +
           "\nin flight " + format_duration(static_cast<double>(a.recv_ns - a.send_ns));
  return with_commas(shape.count) + " messages (a bundle: too close to draw apart at this zoom)\nsender: rank " +
         std::to_string(a.src) + "\nreceiver: rank " + std::to_string(a.dst) + "\nbytes: " + with_commas(shape.bytes) +
         "\nfirst sent at " + at(shape.first_send_ns) + "\nlast received at " + at(shape.last_recv_ns) +
         "\nzoom in to see each message";
}

}  // namespace rondo::viewer
