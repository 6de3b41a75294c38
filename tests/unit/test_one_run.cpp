// One trace directory holds one run (FORMAT.md 2, Process.run_id): the reader
// refuses files of different runs and a rank that appears twice, naming the
// files, and accepts what one run legitimately holds (ranks of one job, a
// fork()ed child or exec()ed image that keeps its rank).
#include <gtest/gtest.h>

#include "rondo/format/chunk.h"
#include "rondo/format/definitions.h"
#include "rondo/format/encoding.h"
#include "rondo/format/reader.h"
#include "rondo/format/writer.h"
#include "trace_fixture.h"

namespace {

using namespace rondo::format;
using rondo::test::TempDir;

struct Proc {
  std::string run_id;
  int32_t rank = -1;
  uint32_t pid = 0;
  uint32_t parent_pid = 1;
  std::string host = "node1";
};

// One process file with only its definitions and end record.
void write(const std::string& path, const Proc& p) {
  ProcessFile file(path);
  std::vector<uint8_t> defs;
  ProcessDef def;
  def.run_id = p.run_id;
  def.rank = p.rank;
  def.world_size = p.rank >= 0 ? 2 : 0;
  def.pid = p.pid;
  def.parent_pid = p.parent_pid;
  def.host = p.host;
  encode::process(defs, def);
  ClockDef clock;
  clock.source = 1;
  clock.ticks_per_second = 1000000000;
  encode::clock(defs, clock);
  file.append(encode_chunk(ChunkKind::ProcessDefs, kProcessScope, 0, defs, 3));
  file.append(encode_chunk(ChunkKind::ProcessEnd, kProcessScope, 1, {}, 0));
}

// The reader's refusal, or "" when it reads the directory.
std::string refusal(const std::string& dir) {
  try {
    TraceReader t(dir);
    return "";
  } catch (const FormatError& e) {
    return e.what();
  }
}

TEST(OneRun, RunIdRoundTripsAndIsEmptyInFilesOfOlderWriters) {
  ProcessDef p;
  p.rank = 3;
  p.host = "h";
  p.run_id = "pmix:1234@1";
  std::vector<uint8_t> bytes;
  encode::process(bytes, p);
  ProcessDefinitions d;
  d.decode(bytes.data(), bytes.size());
  EXPECT_EQ(d.process.run_id, "pmix:1234@1");
  EXPECT_EQ(d.process.rank, 3);

  // The body as writers before run_id wrote it: the same fields, one fewer.
  std::vector<uint8_t> body;
  ByteWriter w(body);
  w.svarint(5);
  w.svarint(8);
  w.varint(77);
  w.varint(1);
  w.string("host");
  w.string("./app");
  w.svarint(0);
  w.u8(0);
  w.svarint(0);
  std::vector<uint8_t> old{1};
  ByteWriter(old).varint(body.size());
  old.insert(old.end(), body.begin(), body.end());
  ProcessDefinitions o;
  o.decode(old.data(), old.size());
  EXPECT_EQ(o.process.rank, 5);
  EXPECT_EQ(o.process.command, "./app");
  EXPECT_EQ(o.process.run_id, "");
}

TEST(OneRun, RanksOfOneRunRead) {
  TempDir dir;
  write(dir.file("a.rnd"), {"pmix:7", 0, 100});
  write(dir.file("b.rnd"), {"pmix:7", 1, 101});
  EXPECT_EQ(refusal(dir.str()), "");
  TraceReader t(dir.str());
  ASSERT_EQ(t.processes().size(), 2u);
  EXPECT_EQ(t.processes()[0]->rank(), 0);
  EXPECT_EQ(t.processes()[1]->rank(), 1);
}

TEST(OneRun, FilesOfTwoRunsAreRefusedNamingBoth) {
  TempDir dir;
  write(dir.file("a.rnd"), {"pmix:7", 0, 100});
  write(dir.file("b.rnd"), {"pmix:7", 1, 101});
  write(dir.file("c.rnd"), {"pmix:9", 0, 300});
  std::string why = refusal(dir.str());
  EXPECT_NE(why.find(dir.file("a.rnd")), std::string::npos) << why;
  EXPECT_NE(why.find(dir.file("c.rnd")), std::string::npos) << why;
  EXPECT_NE(why.find("belong to different runs (run 'pmix:7' and 'pmix:9')"), std::string::npos) << why;
  EXPECT_NE(why.find("--force"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << "one line";
}

TEST(OneRun, AFileOfAnOlderWriterBesideANewRunIsAnotherRun) {
  TempDir dir;
  write(dir.file("a.rnd"), {"", 0, 100});
  write(dir.file("b.rnd"), {"run:x", 0, 200});
  std::string why = refusal(dir.str());
  EXPECT_NE(why.find("belong to different runs (run none (older writer) and 'run:x')"), std::string::npos) << why;
}

TEST(OneRun, ARankTwiceIsRefusedNamingBothFiles) {
  TempDir dir;
  // Two older-writer runs of one program (no run ids): rank 0 and 1 twice.
  write(dir.file("a.rnd"), {"", 0, 100});
  write(dir.file("b.rnd"), {"", 1, 101});
  write(dir.file("c.rnd"), {"", 0, 200});
  write(dir.file("d.rnd"), {"", 1, 201});
  std::string why = refusal(dir.str());
  EXPECT_NE(why.find(dir.file("a.rnd") + " and " + dir.file("c.rnd") + " are both rank 0"), std::string::npos) << why;
}

TEST(OneRun, ARankTwiceOnOtherHostsIsRefused) {
  TempDir dir;
  // The same pid on two hosts is two processes, not one lineage.
  write(dir.file("a.rnd"), {"slurm:5.0", 0, 100, 1, "node1"});
  write(dir.file("b.rnd"), {"slurm:5.0", 0, 100, 1, "node2"});
  EXPECT_NE(refusal(dir.str()).find("are both rank 0"), std::string::npos);
}

TEST(OneRun, AForkedChildAndAnExecutedImageKeepTheirRank) {
  TempDir dir;
  write(dir.file("a.rnd"), {"pmix:7", 0, 100, 50});
  write(dir.file("b.rnd"), {"pmix:7", 0, 101, 100});  // fork()ed by rank 0
  write(dir.file("c.rnd"), {"pmix:7", 0, 102, 101});  // ... and its child
  write(dir.file("d.rnd"), {"pmix:7", 1, 110, 50});
  write(dir.file("e.rnd"), {"pmix:7", 1, 110, 50});   // rank 1 after exec(): same pid
  EXPECT_EQ(refusal(dir.str()), "");
}

}  // namespace
