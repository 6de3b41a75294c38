// The process file's descriptor (libtrace/src/process_file_slot.h): made
// unnamed and high, named at the first write, gone when nothing is recorded,
// and never confused with a file the program put at its number.
#include "process_file_slot.h"

#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "harness.h"

namespace rondo::runtime_test {
namespace {

using trace::ProcessFileSlot;

TEST(ProcessFileSlot, IsUnnamedUntilItsFirstWriteAndThenTakesTheFirstFreeName) {
  TempDir dir;
  std::string stem = dir.path() + "/host.42";
  ProcessFileSlot first = trace::reserve_process_file(dir.path(), stem);
  ASSERT_GE(first.fd, 10) << "far above the numbers programs use";
  EXPECT_FALSE(first.named);
  EXPECT_TRUE(dir.entries().empty()) << "a process that records nothing leaves no file";
  EXPECT_EQ(trace::name_process_file(first, stem), stem + ".rnd");
  // A later image of the same pid (exec) takes the next name.
  ProcessFileSlot second = trace::reserve_process_file(dir.path(), stem);
  EXPECT_EQ(trace::name_process_file(second, stem), stem + ".2.rnd");
  EXPECT_EQ(trace::name_process_file(second, stem), stem + ".2.rnd") << "named once";
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"host.42.2.rnd", "host.42.rnd"}));
  ASSERT_EQ(write(first.fd, "abc", 3), 3);
  EXPECT_EQ(close(first.fd), 0);
  EXPECT_EQ(close(second.fd), 0);
}

TEST(ProcessFileSlot, AnUnusedSlotLeavesNothingBehind) {
  TempDir dir;
  std::string stem = dir.path() + "/host.7";
  ProcessFileSlot unnamed = trace::reserve_process_file(dir.path() + "/sub/dir", dir.path() + "/sub/dir/host.7");
  ASSERT_GE(unnamed.fd, 0);
  int fd = unnamed.fd;
  trace::release_process_file(unnamed);
  EXPECT_EQ(fcntl(fd, F_GETFD), -1) << "closed";
  EXPECT_EQ(unnamed.fd, -1);
  // Where the file system has no O_TMPFILE the file is made under its name:
  // released unused, it is removed.
  ProcessFileSlot named = trace::create_named_process_file(stem);
  ASSERT_GE(named.fd, 10);
  EXPECT_TRUE(named.named);
  EXPECT_EQ(named.path, stem + ".rnd");
  EXPECT_EQ(trace::name_process_file(named, stem), stem + ".rnd");
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"host.7.rnd", "sub"}));
  trace::release_process_file(named);
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"sub"}));
}

// A forked child that closes every descriptor before it goes on (as
// subprocess modules do before exec) may get another file at the slot's
// number: the slot is given up without touching that file.
TEST(ProcessFileSlot, ANumberTheProgramReusedIsNotTakenForTheSlot) {
  TempDir dir;
  std::string stem = dir.path() + "/host.9";
  ProcessFileSlot slot = trace::reserve_process_file(dir.path(), stem);
  ASSERT_GE(slot.fd, 0);
  int number = slot.fd;
  int other = open("/dev/null", O_WRONLY | O_CLOEXEC);
  ASSERT_GE(other, 0);
  ASSERT_EQ(dup2(other, number), number);  // closes the slot's file, puts /dev/null there
  EXPECT_EQ(trace::name_process_file(slot, stem), "");
  EXPECT_EQ(slot.fd, -1);
  trace::release_process_file(slot);
  EXPECT_NE(fcntl(number, F_GETFD), -1) << "the program's file stays open";
  EXPECT_TRUE(dir.entries().empty());
  close(number);
  close(other);
}

TEST(ProcessFileSlot, ADirectoryThatCannotBeMadeGivesNoSlot) {
  TempDir dir;
  ASSERT_EQ(close(open((dir.path() + "/file").c_str(), O_WRONLY | O_CREAT, 0644)), 0);
  ProcessFileSlot slot = trace::reserve_process_file(dir.path() + "/file/sub", dir.path() + "/file/sub/h.1");
  EXPECT_EQ(slot.fd, -1);
}

}  // namespace
}  // namespace rondo::runtime_test
