// The MPI_PROBE record (the message a probe found) through the real writer and
// reader: kind 24 with four identity parameters (source, tag, communicator,
// bytes) and no data fields, read back exactly, and repeated probes of the same
// message folded into one loop like any other event.
#include <gtest/gtest.h>

#include "trace_fixture.h"

using namespace rondo::format;

namespace {

TEST(MpiProbeRecord, RoundTripsThroughWriterAndReader) {
  EXPECT_EQ(static_cast<int>(EventKind::MpiProbe), 24);
  EXPECT_EQ(kind_name(EventKind::MpiProbe), "MPI_PROBE");
  EXPECT_EQ(kind_shape(EventKind::MpiProbe).params, 4);
  EXPECT_EQ(kind_shape(EventKind::MpiProbe).data, 0);

  // 50 probes of the same message inside region 0, then one of a message from
  // another source, tag, communicator and size (negative tag: svarint).
  const EventKey same{EventKind::MpiProbe, 0, {2, 7, 0, 4096}};
  const EventKey other{EventKind::MpiProbe, 0, {1, -5, 3, 0}};
  rondo::test::TempDir dir;
  rondo::test::write_process(dir.file("p0.rnd"), 1, 1, [&](int, ThreadWriter& w) {
    uint64_t t = 0;
    for (int i = 0; i < 50; ++i) {
      w.enter(0, t += 10);
      w.event(same, t += 10);
      w.leave(0, t += 10);
    }
    w.enter(0, t += 10);
    w.event(other, t += 10);
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
    EXPECT_EQ(probes[i].def->params, 4) << "probe " << i;
    EXPECT_EQ(probes[i].def->data, 0) << "probe " << i;
    EXPECT_EQ(probes[i].ticks, 20 + 30 * i) << "probe " << i;
  }
  // The same probe is one event definition, and the 50 calls one loop.
  EXPECT_EQ(probes[0].def, probes[49].def);
  ASSERT_FALSE(thread.top_level().empty());
  EXPECT_EQ(thread.top_level()[0].kind(), TokenKind::Loop);
  EXPECT_EQ(thread.loop_counts(thread.top_level()[0].id()), std::vector<uint32_t>({50}));
}

}  // namespace
