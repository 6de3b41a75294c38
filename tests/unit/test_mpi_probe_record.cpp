// The MPI_PROBE record (the message a probe found) through the real writer and
// reader: kind 24 with three identity parameters (source, tag, communicator)
// and the size as its data field, read back exactly, and repeated probes of
// messages from one source with one tag folded into one loop whatever their
// sizes, like any other event (FORMAT.md 7.2).
#include <gtest/gtest.h>

#include "trace_fixture.h"

using namespace rondo::format;

namespace {

TEST(MpiProbeRecord, RoundTripsThroughWriterAndReader) {
  EXPECT_EQ(static_cast<int>(EventKind::MpiProbe), 24);
  EXPECT_EQ(kind_name(EventKind::MpiProbe), "MPI_PROBE");
  EXPECT_EQ(kind_shape(EventKind::MpiProbe).params, 3);
  EXPECT_EQ(kind_shape(EventKind::MpiProbe).data, 1);

  // 50 probes of messages from one source and tag, of a new size each time,
  // inside region 0, then one of a message from another source, tag and
  // communicator, of 0 bytes (negative tag: svarint).
  const EventKey same{EventKind::MpiProbe, 0, {2, 7, 0}};
  const EventKey other{EventKind::MpiProbe, 0, {1, -5, 3}};
  auto size_of = [](int i) -> int64_t { return i < 50 ? 4096 + 40 * (i % 7) - 3 * i : 0; };
  rondo::test::TempDir dir;
  rondo::test::write_process(dir.file("p0.rnd"), 1, 1, [&](int, ThreadWriter& w) {
    uint64_t t = 0;
    for (int i = 0; i < 50; ++i) {
      w.enter(0, t += 10);
      int64_t bytes = size_of(i);
      w.event(same, t += 10, &bytes);
      w.leave(0, t += 10);
    }
    w.enter(0, t += 10);
    int64_t none = 0;
    w.event(other, t += 10, &none);
    w.leave(0, t += 10);
  });
  TraceReader trace(dir.str());
  const ThreadTrace& thread = trace.processes()[0]->thread(0);
  std::vector<Event> probes;
  for (const Event& e : rondo::test::replay(thread))
    if (e.kind() == EventKind::MpiProbe) probes.push_back(e);
  ASSERT_EQ(probes.size(), 51u);
  for (size_t i = 0; i < probes.size(); ++i) {
    const EventKey& expected = i < 50 ? same : other;
    EXPECT_TRUE(probes[i].def->key == expected) << "probe " << i;
    EXPECT_EQ(probes[i].def->params, 3) << "probe " << i;
    EXPECT_EQ(probes[i].def->data, 1) << "probe " << i;
    EXPECT_EQ(transfer_bytes(*probes[i].def, probes[i].data).bytes, size_of(static_cast<int>(i))) << "probe " << i;
    EXPECT_EQ(probes[i].ticks, 20 + 30 * i) << "probe " << i;
  }
  // The same probe is one event definition, and the 50 calls one loop.
  EXPECT_EQ(probes[0].def, probes[49].def);
  ASSERT_FALSE(thread.top_level().empty());
  EXPECT_EQ(thread.top_level()[0].kind(), TokenKind::Loop);
  EXPECT_EQ(thread.loop_counts(thread.top_level()[0].id()), std::vector<uint32_t>({50}));
}

// Traces of format version 1 stored sizes as the last parameters; the
// definition's stored parameter count says which layout an event has.
TEST(SizesAsData, BothLayoutsGiveTheSameBytes) {
  const int64_t request_and_size[2] = {77, 4096}, size[1] = {512}, collective[2] = {24, 48};
  EventDef v1_send{{EventKind::MpiSend, 0, {1, 7, 0, 512}}, 4, 0};
  EventDef v2_send{{EventKind::MpiSend, 0, {1, 7, 0}}, 3, 1};
  EXPECT_EQ(transfer_bytes(v1_send, nullptr).bytes, 512);
  EXPECT_EQ(transfer_bytes(v2_send, size).bytes, 512);
  EventDef v1_isend{{EventKind::MpiIsend, 0, {1, 7, 0, 4096}}, 4, 1};
  EventDef v2_isend{{EventKind::MpiIsend, 0, {1, 7, 0}}, 3, 2};
  EXPECT_EQ(transfer_bytes(v1_isend, request_and_size).bytes, 4096);
  EXPECT_EQ(transfer_bytes(v2_isend, request_and_size).bytes, 4096);
  EventDef v1_coll{{EventKind::MpiCollectiveEnd, 13, {0, -1, 24, 48}}, 4, 0};
  EventDef v2_coll{{EventKind::MpiCollectiveEnd, 13, {0, -1}}, 2, 2};
  for (const EventDef& d : {v1_coll, v2_coll}) {
    EXPECT_EQ(transfer_bytes(d, collective).bytes, 24);
    EXPECT_EQ(transfer_bytes(d, collective).received, 48);
  }
  EventDef v1_put{{EventKind::RmaPut, 0, {1, 0, 512}}, 3, 0};
  EventDef v2_put{{EventKind::RmaPut, 0, {1, 0}}, 2, 1};
  EXPECT_EQ(transfer_bytes(v1_put, nullptr).bytes, 512);
  EXPECT_EQ(transfer_bytes(v2_put, size).bytes, 512);
  EventDef enter{{EventKind::Enter, 3, {}}, 0, 0};
  EXPECT_EQ(transfer_bytes(enter, nullptr).bytes, 0);
}

}  // namespace
