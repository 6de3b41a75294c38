// Tests for interceptors/compiler: SymbolResolver (address -> function name) and NameFilter.
//
// The functions to resolve live in this test executable itself, so it must not be stripped (static functions
// are only in .symtab). The shared library symbol_resolver_test_lib.c is dlopen()ed from the path in
// RONDO_TEST_LIB_PATH, or else from the directory of this executable.

#include <dlfcn.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <link.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "name_filter.h"
#include "symbol_resolver.h"

// ---- Functions to resolve. Distinct bodies so identical-code folding cannot merge them; noinline and the
// address-taking below keep a real symbol for each.

static volatile int g_sink = 0;

__attribute__((noinline)) static int rondo_static_helper(int x) {
  g_sink = g_sink + x;
  return x * 7;
}

extern "C" __attribute__((noinline)) int rondo_exported_function(int x) {
  g_sink = g_sink - x;
  return x + 11;
}

namespace {
__attribute__((noinline)) int hidden_helper(int x) {
  g_sink = g_sink ^ x;
  return x - 5;
}
}  // namespace

namespace rondo_test {

struct Widget {
  int spin(int n);
  int state = 0;
};

__attribute__((noinline)) int Widget::spin(int n) {
  for (int i = 0; i < n; ++i) state += g_sink + i;
  return state;
}

template <typename T>
__attribute__((noinline)) T twice(T v) {
  g_sink = g_sink + 1;
  return v + v;
}
template int twice<int>(int);

}  // namespace rondo_test

namespace {

using rondo::compiler::NameFilter;
using rondo::compiler::SymbolResolver;
using rondo::compiler::detail::ElfFunctionTable;

// Address of a non-virtual member function. Under the Itanium C++ ABI a pointer to member function is
// {function address, this adjustment}; for a non-virtual function the first word is the code address.
const void* member_address(int (rondo_test::Widget::*pmf)(int)) {
  static_assert(sizeof(pmf) == 2 * sizeof(void*));
  const void* address = nullptr;
  std::memcpy(&address, &pmf, sizeof(address));
  return address;
}

template <typename F>
const void* fn_address(F* f) {
  return reinterpret_cast<const void*>(f);
}

std::string hex(const void* p) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "0x%" PRIxPTR, reinterpret_cast<uintptr_t>(p));
  return buffer;
}

std::string test_lib_path() {
#ifdef RONDO_TEST_LIB_PATH
  return RONDO_TEST_LIB_PATH;
#else
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof(exe) - 1);
  std::string dir = n > 0 ? std::string(exe, static_cast<size_t>(n)) : std::string();
  dir = dir.substr(0, dir.rfind('/') + 1);
  return dir + "librondo_symbol_resolver_test_lib.so";
#endif
}

// A fresh file path under gtest's temp dir, removed by the destructor.
class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    static std::atomic<int> counter{0};
    path_ =
        ::testing::TempDir() + "rondo_symres_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Load bias of the main executable (0 for non-PIE): what to subtract from a runtime address to get the
// address written in the file.
uintptr_t main_executable_bias() {
  uintptr_t bias = 0;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        *static_cast<uintptr_t*>(data) = info->dlpi_addr;
        return 1;  // the main program is reported first
      },
      &bias);
  return bias;
}

// ---- SymbolResolver

TEST(SymbolResolver, ResolvesFunctionsOfTheMainExecutable) {
  SymbolResolver resolver;
  EXPECT_EQ(resolver.resolve(fn_address(&rondo_static_helper)).name, "rondo_static_helper(int)");
  EXPECT_EQ(resolver.resolve(fn_address(&rondo_exported_function)).name, "rondo_exported_function");
  EXPECT_EQ(resolver.resolve(fn_address(&hidden_helper)).name, "(anonymous namespace)::hidden_helper(int)");
  EXPECT_EQ(resolver.resolve(member_address(&rondo_test::Widget::spin)).name,
            "rondo_test::Widget::spin(int)");
  EXPECT_EQ(resolver.resolve(fn_address(&rondo_test::twice<int>)).name, "int rondo_test::twice<int>(int)");
}

TEST(SymbolResolver, ReportsNoSourceLocation) {
  SymbolResolver resolver;
  const SymbolResolver::Symbol s = resolver.resolve(fn_address(&rondo_exported_function));
  EXPECT_EQ(s.file, "");
  EXPECT_EQ(s.line, 0u);
}

TEST(SymbolResolver, AddressInsideAFunctionResolvesToThatFunction) {
  SymbolResolver resolver;
  const auto* inside = static_cast<const char*>(member_address(&rondo_test::Widget::spin)) + 1;
  EXPECT_EQ(resolver.resolve(inside).name, "rondo_test::Widget::spin(int)");
}

TEST(SymbolResolver, RepeatedLookupsGiveTheSameAnswer) {
  SymbolResolver resolver;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(resolver.resolve(fn_address(&rondo_static_helper)).name, "rondo_static_helper(int)");
  }
}

TEST(SymbolResolver, ResolvesSharedLibraryFunction) {
  // Looked up by dlsym rather than by taking &getpid, which in a non-PIE build would be a PLT stub.
  const void* getpid_address = ::dlsym(RTLD_DEFAULT, "getpid");
  ASSERT_NE(getpid_address, nullptr);
  SymbolResolver resolver;
  const std::string name = resolver.resolve(getpid_address).name;
  // libc exports the same code as both getpid and __getpid; either alias is a correct answer.
  EXPECT_TRUE(name == "getpid" || name == "__getpid") << name;
}

TEST(SymbolResolver, FindsLibraryLoadedAfterFirstResolve) {
  SymbolResolver resolver;
  // First resolve: the resolver scans the modules loaded now, which do not include the test library.
  ASSERT_EQ(resolver.resolve(fn_address(&rondo_exported_function)).name, "rondo_exported_function");

  const std::string path = test_lib_path();
  ASSERT_EQ(::dlopen(path.c_str(), RTLD_NOW | RTLD_NOLOAD), nullptr) << "test library already loaded";
  void* lib = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << ::dlerror();
  const void* exported = ::dlsym(lib, "rondo_test_lib_function");
  auto static_address = reinterpret_cast<void* (*)()>(::dlsym(lib, "rondo_test_lib_static_address"));
  ASSERT_NE(exported, nullptr);
  ASSERT_NE(static_address, nullptr);
  const void* local = static_address();

  EXPECT_EQ(resolver.resolve(exported).name, "rondo_test_lib_function");
  EXPECT_EQ(resolver.resolve(local).name, "rondo_test_lib_static");

  // Once unloaded, its addresses are unknown again (and looking them up must not touch the dropped module).
  ASSERT_EQ(::dlclose(lib), 0);
  EXPECT_EQ(resolver.resolve(exported).name, hex(exported));
  EXPECT_EQ(resolver.resolve(fn_address(&rondo_exported_function)).name, "rondo_exported_function");
}

TEST(SymbolResolver, UnknownAddressGivesHexForm) {
  SymbolResolver resolver;
  auto heap = std::make_unique<int>(42);
  EXPECT_EQ(resolver.resolve(heap.get()).name, hex(heap.get()));
  EXPECT_EQ(resolver.resolve(nullptr).name, "0x0");
  EXPECT_EQ(resolver.resolve(reinterpret_cast<const void*>(uintptr_t{0xdeadbeef})).name, "0xdeadbeef");
}

TEST(SymbolResolver, ConcurrentResolvesAgree) {
  SymbolResolver resolver;
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 500; ++i) {
        if (resolver.resolve(fn_address(&rondo_static_helper)).name != "rondo_static_helper(int)")
          ++mismatches;
        if (resolver.resolve(member_address(&rondo_test::Widget::spin)).name !=
            "rondo_test::Widget::spin(int)")
          ++mismatches;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---- ElfFunctionTable on good and bad files

TEST(ElfFunctionTable, ReadsTheTestExecutable) {
  ElfFunctionTable table("/proc/self/exe");
  EXPECT_GT(table.size(), 0u);
  const uintptr_t bias = main_executable_bias();
  const auto link = [bias](const void* p) { return reinterpret_cast<uintptr_t>(p) - bias; };
  ASSERT_NE(table.find(link(fn_address(&rondo_exported_function))), nullptr);
  EXPECT_STREQ(table.find(link(fn_address(&rondo_exported_function))), "rondo_exported_function");
  // Raw symbol text, so under -flto it may carry a ".lto_priv.N" suffix (SymbolResolver strips that).
  const char* raw_static = table.find(link(fn_address(&rondo_static_helper)));
  ASSERT_NE(raw_static, nullptr);
  EXPECT_EQ(std::string(raw_static).rfind("_ZL19rondo_static_helperi", 0), 0u) << raw_static;
  EXPECT_EQ(table.find(0), nullptr);
}

TEST(ElfFunctionTable, UnusableFilesGiveEmptyTables) {
  EXPECT_EQ(ElfFunctionTable("/nonexistent/rondo/file").size(), 0u);
  EXPECT_EQ(ElfFunctionTable("").size(), 0u);
  EXPECT_EQ(ElfFunctionTable("/").size(), 0u);  // a directory
  EXPECT_EQ(ElfFunctionTable(TempFile("").path().c_str()).size(), 0u);
  EXPECT_EQ(ElfFunctionTable(
                TempFile("not an ELF file at all, but long enough to hold a header......").path().c_str())
                .size(),
            0u);

  // A 32-bit ELF header (valid magic, ELFCLASS32) is not read by a 64-bit build.
  std::string elf32(64, '\0');
  std::memcpy(elf32.data(),
              "\x7f"
              "ELF",
              4);
  elf32[EI_CLASS] = ELFCLASS32;
  elf32[EI_DATA] = ELFDATA2LSB;
  elf32[EI_VERSION] = EV_CURRENT;
  EXPECT_EQ(ElfFunctionTable(TempFile(elf32).path().c_str()).size(), 0u);
}

TEST(ElfFunctionTable, TruncatedFilesGiveEmptyTables) {
  const std::string image = read_file("/proc/self/exe");
  ASSERT_GT(image.size(), 4096u);
  // GNU ld puts the section header table at the very end, so every truncation loses it.
  for (size_t length :
       {size_t{4}, size_t{63}, size_t{64}, size_t{1000}, image.size() / 2, image.size() - 1}) {
    TempFile file(image.substr(0, length));
    EXPECT_EQ(ElfFunctionTable(file.path().c_str()).size(), 0u) << "length " << length;
  }
}

TEST(ElfFunctionTable, CorruptedHeadersDoNotCrash) {
  const std::string image = read_file("/proc/self/exe");
  ASSERT_GE(image.size(), sizeof(ElfW(Ehdr)));
  ElfW(Ehdr) eh;
  std::memcpy(&eh, image.data(), sizeof(eh));
  const size_t shdr_begin = eh.e_shoff;
  const size_t shdr_bytes = size_t{eh.e_shnum} * sizeof(ElfW(Shdr));
  ASSERT_LE(shdr_begin + shdr_bytes, image.size());

  TempFile file(image);
  const int fd = ::open(file.path().c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  std::mt19937 rng(12345);
  for (int round = 0; round < 400; ++round) {
    // Overwrite 1..4 bytes of the ELF header or the section headers (offsets, sizes, links, types), load the
    // file, then restore the original bytes.
    std::vector<std::pair<size_t, char>> changes;
    const int count = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < count; ++i) {
      const size_t offset = rng() % 4 == 0 ? rng() % sizeof(eh) : shdr_begin + rng() % shdr_bytes;
      const char value = rng() % 3 == 0 ? '\xff' : static_cast<char>(rng());
      changes.emplace_back(offset, value);
    }
    for (const auto& [offset, value] : changes) {
      ASSERT_EQ(::pwrite(fd, &value, 1, static_cast<off_t>(offset)), 1);
    }
    {
      ElfFunctionTable table(file.path().c_str());
      const char* name = table.find(reinterpret_cast<uintptr_t>(fn_address(&rondo_exported_function)) -
                                    main_executable_bias());
      if (name != nullptr) {
        EXPECT_LT(std::strlen(name), image.size());  // reads the whole name: it must lie inside the file
      }
    }
    for (const auto& [offset, value] : changes) {
      ASSERT_EQ(::pwrite(fd, image.data() + offset, 1, static_cast<off_t>(offset)), 1);
    }
  }
  ::close(fd);
  // Restored file reads like the original again.
  EXPECT_EQ(ElfFunctionTable(file.path().c_str()).size(), ElfFunctionTable("/proc/self/exe").size());
}

// ---- NameFilter

TEST(NameFilter, EmptySpecAcceptsEverything) {
  for (std::string_view spec : {"", "  ", ",", " , ,"}) {
    const NameFilter f = NameFilter::parse(spec);
    EXPECT_TRUE(f.empty()) << spec;
    EXPECT_TRUE(f.accepts("main"));
    EXPECT_TRUE(f.accepts(""));
  }
}

TEST(NameFilter, ExcludeRulesLeaveOtherNamesIncluded) {
  const NameFilter f = NameFilter::parse("-MPI_*,-std::*");
  EXPECT_FALSE(f.empty());
  EXPECT_FALSE(f.accepts("MPI_Send"));
  EXPECT_FALSE(f.accepts("std::vector<int, std::allocator<int> >::push_back(int const&)"));
  EXPECT_TRUE(f.accepts("main"));
  EXPECT_TRUE(f.accepts("PMPI_Send"));  // patterns are anchored at both ends
}

TEST(NameFilter, OnlyIncludeRulesFormAnAllowList) {
  const NameFilter f = NameFilter::parse("main,+compute_*");
  EXPECT_TRUE(f.accepts("main"));
  EXPECT_TRUE(f.accepts("compute_forces"));
  EXPECT_TRUE(f.accepts("compute_"));
  EXPECT_FALSE(f.accepts("mainloop"));
  EXPECT_FALSE(f.accepts("MPI_Send"));
}

TEST(NameFilter, LastMatchingRuleDecides) {
  const NameFilter f = NameFilter::parse("-MPI_*,-std::*,+main,compute_*");
  EXPECT_FALSE(f.accepts("MPI_Send"));
  EXPECT_TRUE(f.accepts("main"));
  EXPECT_TRUE(f.accepts("compute_x"));
  EXPECT_TRUE(f.accepts("unrelated"));  // has exclude rules, so unmatched names are included

  const NameFilter reinclude = NameFilter::parse("-MPI_*,+MPI_Send");
  EXPECT_TRUE(reinclude.accepts("MPI_Send"));
  EXPECT_FALSE(reinclude.accepts("MPI_Recv"));

  // Same rules in the other order: the broad exclude now comes last and wins.
  const NameFilter reversed = NameFilter::parse("+MPI_Send,-MPI_*");
  EXPECT_FALSE(reversed.accepts("MPI_Send"));
  EXPECT_TRUE(reversed.accepts("foo"));
}

TEST(NameFilter, GlobWildcards) {
  EXPECT_TRUE(NameFilter::glob_match("comp?te", "compute"));
  EXPECT_TRUE(NameFilter::glob_match("comp?te", "compete"));
  EXPECT_FALSE(NameFilter::glob_match("comp?te", "compte"));
  EXPECT_FALSE(NameFilter::glob_match("comp?te", "comppute"));
  EXPECT_TRUE(NameFilter::glob_match("*", ""));
  EXPECT_TRUE(NameFilter::glob_match("a*", "a"));
  EXPECT_TRUE(NameFilter::glob_match("*b*c", "abxbc"));
  EXPECT_TRUE(NameFilter::glob_match("a*b*c", "aXbYbZc"));
  EXPECT_FALSE(NameFilter::glob_match("a*b*c", "aXbYbZ"));
  EXPECT_TRUE(NameFilter::glob_match("*::spin(*)", "rondo_test::Widget::spin(int)"));
  EXPECT_FALSE(NameFilter::glob_match("", "x"));
  EXPECT_TRUE(NameFilter::glob_match("", ""));
  EXPECT_TRUE(NameFilter::glob_match("??", "ab"));
  EXPECT_FALSE(NameFilter::glob_match("??", "abc"));
  // Backslash makes the next character literal.
  EXPECT_TRUE(NameFilter::glob_match("operator\\*", "operator*"));
  EXPECT_FALSE(NameFilter::glob_match("operator\\*", "operator*="));
  EXPECT_TRUE(NameFilter::glob_match("what\\?", "what?"));
  EXPECT_FALSE(NameFilter::glob_match("what\\?", "whatX"));
  // Pathological backtracking stays fast (greedy single-backtrack algorithm).
  EXPECT_FALSE(NameFilter::glob_match("*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST(NameFilter, WhitespaceAroundRulesIsIgnored) {
  const NameFilter f = NameFilter::parse("  - MPI_* ,\t+ MPI_Init ");
  EXPECT_FALSE(f.accepts("MPI_Send"));
  EXPECT_TRUE(f.accepts("MPI_Init"));
}

TEST(NameFilter, RuleWithoutPatternThrows) {
  EXPECT_THROW(NameFilter::parse("-MPI_*,-"), std::runtime_error);
  EXPECT_THROW(NameFilter::parse("+ "), std::runtime_error);
}

TEST(NameFilter, ReadsRulesFromFile) {
  TempFile rules(
      "# exclude MPI, but keep the collective we care about\n"
      "-MPI_*\n"
      "\n"
      "   +MPI_Allreduce   \n"
      "  # indented comment\n"
      "-std::map<int, int>::*\n"       // commas are part of the rule inside a file
      "+main::{lambda(int)#1}*\r\n");  // '#' inside a rule is not a comment; CRLF tolerated
  const NameFilter f = NameFilter::parse("@" + rules.path() + ",-helper_?");
  EXPECT_FALSE(f.accepts("MPI_Send"));
  EXPECT_TRUE(f.accepts("MPI_Allreduce"));
  EXPECT_FALSE(f.accepts("std::map<int, int>::find(int const&)"));
  EXPECT_TRUE(f.accepts("main::{lambda(int)#1}::operator()(int) const"));
  EXPECT_FALSE(f.accepts("helper_1"));
  EXPECT_TRUE(f.accepts("helper_12"));
  EXPECT_TRUE(f.accepts("solve"));
}

TEST(NameFilter, FileWithOnlyIncludesIsAnAllowList) {
  TempFile rules("main\ncompute_*\n");
  const NameFilter f = NameFilter::parse("@" + rules.path());
  EXPECT_TRUE(f.accepts("compute_a"));
  EXPECT_FALSE(f.accepts("other"));
}

TEST(NameFilter, MissingFileThrowsNamingTheFile) {
  const std::string path = "/nonexistent/rondo/filter.txt";
  try {
    NameFilter::parse("-MPI_*,@" + path);
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(NameFilter, NestedFileIncludeThrows) {
  TempFile rules("-MPI_*\n@/some/other/file\n");
  try {
    NameFilter::parse("@" + rules.path());
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(rules.path()), std::string::npos) << e.what();
  }
}

}  // namespace
