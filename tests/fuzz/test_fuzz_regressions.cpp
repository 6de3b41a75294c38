// Replays, through the fuzz targets, every input that once crashed, hung or
// leaked (regressions/<target>/, one file each, named after what it found) and
// the seed corpora (corpus/<target>/). A failure aborts or trips the sanitizers
// of the build that runs it; each target must also have replayed its seeds.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_targets.h"

namespace {

namespace fs = std::filesystem;
using Target = int (*)(const uint8_t*, size_t);

// Runs `target` on every file of `dir` (missing: none); returns how many.
size_t replay(Target target, const fs::path& dir) {
  if (!fs::is_directory(dir)) return 0;
  std::vector<fs::path> files;
  for (auto& entry : fs::directory_iterator(dir))
    if (entry.is_regular_file() && entry.path().filename() != "README.md") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    std::ifstream in(f, std::ios::binary);
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(target(bytes.data(), bytes.size()), 0);
  }
  return files.size();
}

void replay_all(Target target, const std::string& name) {
  const fs::path root = RONDO_FUZZ_DIR;
  replay(target, root / "regressions" / name);
  EXPECT_GT(replay(target, root / "corpus" / name), 0u) << "no seeds in corpus/" << name;
}

TEST(FuzzRegressions, ProcessFile) { replay_all(rondo::fuzz::process_file, "process_file"); }
TEST(FuzzRegressions, WindowSpec) { replay_all(rondo::fuzz::window_spec, "window_spec"); }
TEST(FuzzRegressions, NameFilter) { replay_all(rondo::fuzz::name_filter, "name_filter"); }
TEST(FuzzRegressions, Partials) { replay_all(rondo::fuzz::partials, "partials"); }
#ifdef RONDO_FUZZ_OTF2
TEST(FuzzRegressions, Otf2Import) { replay_all(rondo::fuzz::otf2_import, "otf2_import"); }
#endif

}  // namespace
