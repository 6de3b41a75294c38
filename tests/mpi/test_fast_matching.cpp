// Message matching keeps one FIFO of receives per channel and merges per-process
// runs instead of sorting every record (analyzer/src/message_matching.cpp). On
// real traces it must give exactly what the straightforward way gives: sort
// sends and receives by (communicator, source, destination, tag) keeping their
// posting order, pair the k-th of each channel, then sort the messages by the
// time of the side they have (ties: channel, then posting order). Every field
// of every message is compared. The scan itself is also checked: a thread that
// pairs its own requests' posts and completions (the only MPI thread of its
// process) must give the very records that pairing them after the scan gives.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../common/mpi_job.h"
#include "../unit/trace_fixture.h"
#include "mpi_scan_arrays.h"
#include "rondo/analyzer/messages.h"
#include "rondo/analyzer/mpi_stats.h"
#include "rondo/analyzer/profile.h"
#include "rondo/analyzer/wait_states.h"
#include "rondo/format/reader.h"

namespace {

using namespace rondo;
using analyzer::Message;
using analyzer::MpiScan;

template <typename Record>
auto channel(const Record& r) {
  return std::tuple(r.comm, r.src, r.dst, r.tag);
}

// The reference: records stably sorted by channel, paired in order per channel.
std::vector<Message> reference_matching(const MpiScan& scan) {
  std::vector<uint64_t> sends(scan.sends.size()), recvs(scan.recvs.size());
  std::iota(sends.begin(), sends.end(), 0);
  std::iota(recvs.begin(), recvs.end(), 0);
  std::stable_sort(sends.begin(), sends.end(),
                   [&](uint64_t a, uint64_t b) { return channel(scan.sends[a]) < channel(scan.sends[b]); });
  std::stable_sort(recvs.begin(), recvs.end(),
                   [&](uint64_t a, uint64_t b) { return channel(scan.recvs[a]) < channel(scan.recvs[b]); });
  std::map<std::tuple<uint32_t, int32_t, int32_t, int32_t>, std::vector<uint64_t>> recvs_of;
  for (uint64_t r : recvs) recvs_of[channel(scan.recvs[r])].push_back(r);
  std::map<std::tuple<uint32_t, int32_t, int32_t, int32_t>, size_t> taken;
  std::vector<Message> matched, lone_sends, lone_recvs;
  auto with_recv = [&](Message& m, uint64_t index) {
    const analyzer::RecvRecord& r = scan.recvs[index];
    m.recv_record = index;
    if (!m.has_send) {
      m.src = r.src;
      m.dst = r.dst;
      m.tag = r.tag;
      m.comm = r.comm;
      m.bytes = r.bytes;
    }
    m.recv_bytes = r.bytes;
    m.recv_post_ns = r.nonblocking ? r.position.ns : r.recv_ns;
    m.recv_ns = r.recv_ns;
    m.recv_thread = r.position.thread;
    m.nonblocking_recv = r.nonblocking;
    m.has_recv = true;
  };
  for (uint64_t index : sends) {
    const analyzer::SendRecord& s = scan.sends[index];
    Message m;
    m.send_record = index;
    m.src = s.src;
    m.dst = s.dst;
    m.tag = s.tag;
    m.comm = s.comm;
    m.bytes = s.bytes;
    m.send_ns = s.position.ns;
    m.send_complete_ns = s.complete_ns;
    m.send_thread = s.position.thread;
    m.nonblocking_send = s.nonblocking;
    m.has_send = true;
    auto& queue = recvs_of[channel(s)];
    size_t& k = taken[channel(s)];
    if (k < queue.size()) {
      with_recv(m, queue[k++]);
      matched.push_back(m);
    } else {
      lone_sends.push_back(m);
    }
  }
  for (auto& [key, queue] : recvs_of) {
    for (size_t k = taken[key]; k < queue.size(); ++k) {
      Message m;
      with_recv(m, queue[k]);
      lone_recvs.push_back(m);
    }
  }
  // Lone receives in channel order, as the sorted receives list them.
  std::stable_sort(lone_recvs.begin(), lone_recvs.end(),
                   [](const Message& a, const Message& b) { return channel(a) < channel(b); });
  auto by_send = [](const Message& a, const Message& b) {
    return std::tuple(a.send_ns, a.src, a.dst, a.tag) < std::tuple(b.send_ns, b.src, b.dst, b.tag);
  };
  std::stable_sort(matched.begin(), matched.end(), by_send);
  std::stable_sort(lone_sends.begin(), lone_sends.end(), by_send);
  std::stable_sort(lone_recvs.begin(), lone_recvs.end(), [](const Message& a, const Message& b) {
    return std::tuple(a.recv_ns, a.src, a.dst, a.tag) < std::tuple(b.recv_ns, b.src, b.dst, b.tag);
  });
  matched.insert(matched.end(), lone_sends.begin(), lone_sends.end());
  matched.insert(matched.end(), lone_recvs.begin(), lone_recvs.end());
  return matched;
}

auto fields(const Message& m) {
  return std::tuple(m.src, m.dst, m.tag, m.comm, m.bytes, m.recv_bytes, m.send_ns, m.send_complete_ns,
                    m.recv_post_ns, m.recv_ns, m.send_thread, m.recv_thread, m.send_record, m.recv_record,
                    m.has_send, m.has_recv, m.nonblocking_send, m.nonblocking_recv);
}

auto fields(const analyzer::SendRecord& s) {
  return std::tuple(s.process, s.src, s.dst, s.tag, s.comm, s.call, s.completion, s.nonblocking, s.bytes,
                    s.position, s.complete_ns);
}
auto fields(const analyzer::RecvRecord& r) {
  return std::tuple(r.process, r.src, r.dst, r.tag, r.comm, r.call, r.completion, r.nonblocking, r.bytes,
                    r.position, r.recv_ns);
}
auto fields(const analyzer::MpiCallInfo& c) {
  return std::tuple(c.region, c.site, c.enter_ns, c.exit_ns, c.process, c.caller);
}

template <typename Records>
void expect_same_records(const Records& a, const Records& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  size_t differing = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (fields(a[i]) != fields(b[i]) && differing++ < 5) ADD_FAILURE() << what << " " << i << " differs";
}

void expect_same_scans(const MpiScan& scan, const MpiScan& reference) {
  expect_same_records(scan.sends, reference.sends, "send");
  expect_same_records(scan.recvs, reference.recvs, "receive");
  expect_same_records(scan.calls, reference.calls, "call");
  EXPECT_EQ(std::tuple(scan.cancelled, scan.incomplete_receives, scan.incomplete_sends, scan.mpi_records),
            std::tuple(reference.cancelled, reference.incomplete_receives, reference.incomplete_sends,
                       reference.mpi_records));
}

// The scan with its arrays laid out first (mpi_scan_arrays.h), where the
// regions of location 0 hold only half of its records: its slices move to its
// own vectors midway, and the reduce copies every partial instead of closing
// the gaps between regions.
MpiScan scan_with_a_region_too_small(const format::TraceReader& trace) {
  const std::vector<analyzer::Location> locations = analyzer::all_locations(trace);
  std::optional<analyzer::MpiScanArrays> arrays = analyzer::mpi_scan_arrays(trace, locations, 1);
  EXPECT_TRUE(arrays.has_value()) << "one MPI thread per process: arrays are laid out";
  if (!arrays) return {};
  analyzer::MpiScanArrays::Region& first = arrays->regions[0];
  EXPECT_GT(first.send_room + first.recv_room, 1u);
  first.send_room /= 2;
  first.recv_room /= 2;
  first.call_room /= 2;
  std::vector<analyzer::MpiThreadPartial> partials;
  for (size_t i = 0; i < locations.size(); ++i) {
    const format::ProcessReader& p = *trace.processes()[locations[i].process];
    auto pass = analyzer::mpi_scan_pass(p, locations[i].process, locations[i].thread, {},
                                        analyzer::P2pForm::PairedWhereAlone, &*arrays, i);
    partials.push_back(analyzer::run_alone<analyzer::MpiThreadPartial>(*pass, p, locations[i].thread));
    if (i == 0) {
      EXPECT_FALSE(partials.back().in_place) << "its records went to its own vectors";
    }
  }
  return analyzer::reduce_mpi_scan(trace, std::move(partials), &*arrays);
}

// The partials of a scan with its arrays laid out as scan_mpi() lays them out:
// (threads with MPI records, those whose records stayed in their regions).
std::pair<size_t, size_t> partials_in_place(const format::TraceReader& trace) {
  const std::vector<analyzer::Location> locations = analyzer::all_locations(trace);
  std::optional<analyzer::MpiScanArrays> arrays = analyzer::mpi_scan_arrays(trace, locations, 1);
  if (!arrays) return {0, 0};
  size_t relevant = 0, in_place = 0;
  for (size_t i = 0; i < locations.size(); ++i) {
    const format::ProcessReader& p = *trace.processes()[locations[i].process];
    auto pass = analyzer::mpi_scan_pass(p, locations[i].process, locations[i].thread, {},
                                        analyzer::P2pForm::PairedWhereAlone, &*arrays, i);
    const analyzer::MpiThreadPartial partial = analyzer::run_alone<analyzer::MpiThreadPartial>(*pass, p,
                                                                                              locations[i].thread);
    relevant += partial.relevant;
    in_place += partial.in_place;
  }
  return {relevant, in_place};
}

// scan_mpi() pairs the records of single-MPI-thread processes in their scan,
// written into the scan's arrays; the same scan from every record as recorded,
// paired by the reduce, and the same scan where one thread's region was too small.
void expect_pairing_in_threads_changes_nothing(const format::TraceReader& trace, const MpiScan& scan) {
  std::vector<analyzer::MpiThreadPartial> as_recorded;
  size_t paired = 0;
  for (const analyzer::Location& l : analyzer::all_locations(trace)) {
    const format::ProcessReader& p = *trace.processes()[l.process];
    as_recorded.push_back(analyzer::scan_mpi_thread(p, l.process, l.thread, {}, analyzer::P2pForm::AsRecorded));
    paired += analyzer::scan_mpi_thread(p, l.process, l.thread, {}, analyzer::P2pForm::PairedWhereAlone).paired;
  }
  EXPECT_EQ(paired, trace.processes().size()) << "one MPI thread per process: each pairs its own records";
  const MpiScan reference = analyzer::reduce_mpi_scan(trace, std::move(as_recorded));
  expect_same_scans(scan, reference);
  SCOPED_TRACE("a region too small");
  expect_same_scans(scan_with_a_region_too_small(trace), reference);
}

// The matching as record indices (MatchForm::Pairs, what `rondo stats` makes)
// lists the same records in the same order as `messages`, with the same
// counts, and gives the same MPI statistics and wait states.
void expect_same_pairs(const format::TraceReader& trace, const MpiScan& scan, const analyzer::MessageMatching& full) {
  const analyzer::MessageMatching pairs = analyzer::match_messages(scan, 0, analyzer::MatchForm::Pairs);
  EXPECT_TRUE(pairs.messages.empty());
  ASSERT_EQ(pairs.pairs.size(), full.messages.size());
  constexpr uint32_t kNone = analyzer::MessagePair::kNone;
  for (size_t i = 0; i < full.messages.size(); ++i) {
    const Message& m = full.messages[i];
    ASSERT_EQ(pairs.pairs[i].send, m.has_send ? m.send_record : kNone) << i;
    ASSERT_EQ(pairs.pairs[i].recv, m.has_recv ? m.recv_record : kNone) << i;
  }
  EXPECT_EQ(std::tie(pairs.matched, pairs.unmatched_sends, pairs.unmatched_receives, pairs.bytes_mismatched,
                     pairs.received_before_sent, pairs.cancelled, pairs.world_size),
            std::tie(full.matched, full.unmatched_sends, full.unmatched_receives, full.bytes_mismatched,
                     full.received_before_sent, full.cancelled, full.world_size));
  const analyzer::MpiStats a = analyzer::mpi_stats(trace, scan, full), b = analyzer::mpi_stats(trace, scan, pairs);
  EXPECT_EQ(a.matrix_bytes(), b.matrix_bytes());
  EXPECT_EQ(a.matrix_count(), b.matrix_count());
  EXPECT_EQ(std::tie(a.messages.count, a.messages.bytes, a.messages.unmatched, a.messages.bytes_mismatched,
                     a.received_before_sent),
            std::tie(b.messages.count, b.messages.bytes, b.messages.unmatched, b.messages.bytes_mismatched,
                     b.received_before_sent));
  ASSERT_EQ(a.size_histogram.size(), b.size_histogram.size());
  for (size_t k = 0; k < a.size_histogram.size(); ++k)
    EXPECT_EQ(std::tie(a.size_histogram[k].count, a.size_histogram[k].bytes),
              std::tie(b.size_histogram[k].count, b.size_histogram[k].bytes));
  ASSERT_EQ(a.traffic.size(), b.traffic.size());
  for (size_t k = 0; k < a.traffic.size(); ++k)
    EXPECT_EQ(std::tie(a.traffic[k].messages, a.traffic[k].bytes), std::tie(b.traffic[k].messages, b.traffic[k].bytes));
  EXPECT_EQ(analyzer::wait_states_json(analyzer::wait_states(trace, scan, full)).dump(),
            analyzer::wait_states_json(analyzer::wait_states(trace, scan, pairs)).dump());
}

// Matches the trace both ways; returns the number of matched messages.
uint64_t expect_same_matching(const std::string& trace_dir) {
  format::TraceReader trace(trace_dir);
  const MpiScan scan = analyzer::scan_mpi(trace);
  expect_pairing_in_threads_changes_nothing(trace, scan);
  const analyzer::MessageMatching fast = analyzer::match_messages(scan);
  const std::vector<Message> reference = reference_matching(scan);
  EXPECT_EQ(fast.messages.size(), reference.size());
  size_t differing = 0;
  for (size_t i = 0; i < std::min(fast.messages.size(), reference.size()); ++i)
    if (fields(fast.messages[i]) != fields(reference[i]) && differing++ < 5) ADD_FAILURE() << "message " << i << " differs";
  EXPECT_EQ(differing, 0u);
  uint64_t matched = 0, bytes_mismatched = 0, early = 0;
  for (const Message& m : reference) {
    if (!m.matched()) continue;
    ++matched;
    if (m.bytes != m.recv_bytes) ++bytes_mismatched;
    if (m.recv_ns < m.send_ns) ++early;
  }
  EXPECT_EQ(fast.matched, matched);
  EXPECT_EQ(fast.unmatched_sends + fast.unmatched_receives, reference.size() - matched);
  EXPECT_EQ(fast.bytes_mismatched, bytes_mismatched);
  EXPECT_EQ(fast.received_before_sent, early);
  expect_same_pairs(trace, scan, fast);
  return matched;
}

class FastMatching : public ::testing::Test {
 protected:
  void SetUp() override {
    mpirun_ = test::find_mpirun(RONDO_MPIEXEC);
    if (mpirun_.empty()) GTEST_SKIP() << "mpirun not found";
  }
  std::string record(const std::string& name, int ranks, const std::string& program_and_args) {
    std::string trace_dir = dir_.file(name);
    auto r = test::record_mpi_job(RONDO_CLI, mpirun_, dir_.str(), trace_dir, ranks, program_and_args);
    EXPECT_EQ(r.status, 0) << r.out;
    return trace_dir;
  }
  std::string mpirun_;
  test::TempDir dir_;
};

// Isend/Irecv halo exchange on 4 ranks: four messages per rank and step, over
// several channels per pair, posted and completed out of order.
TEST_F(FastMatching, HaloExchangeEqualsSortedMatching) {
  const std::string trace = record("halo.rondo", 4, test::shell_quoted(MPI_HALO2D) + " 200 16 10");
  if (HasFailure()) return;
  EXPECT_EQ(expect_same_matching(trace), 4u * 4u * 200u);
  // No RMA and one MPI thread per rank: every rank's records stay where its
  // scan wrote them, so the scan above was the one without the reduce's copy.
  const format::TraceReader reader(trace);
  EXPECT_EQ(partials_in_place(reader), std::make_pair(size_t{4}, size_t{4}));
}

// Wildcard receives, probes, persistent requests, two Isends on one channel,
// sizes that change each call, cancelled requests: every program's messages,
// both ways.
TEST_F(FastMatching, RequestProgramsEqualSortedMatching) {
  struct Run {
    const char* program;
    int ranks;
    const char* args;
  };
  const Run runs[] = {{PROBES, 3, "20"},         {PERSISTENT, 2, "20 100"}, {TWO_ISENDS, 2, "20"},
                      {VARYING_SIZES, 2, "30"}, {SPLIT, 4, "10 256"},     {CANCEL, 2, "10"}};
  for (size_t i = 0; i < std::size(runs); ++i) {
    const std::string trace = record("p" + std::to_string(i) + ".rondo", runs[i].ranks,
                                     test::shell_quoted(runs[i].program) + " " + runs[i].args);
    if (HasFailure()) return;
    EXPECT_GT(expect_same_matching(trace), 0u) << runs[i].program;
  }
}

}  // namespace
