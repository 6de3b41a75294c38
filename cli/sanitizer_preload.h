// The LD_PRELOAD list of a sanitized build (RONDO_SANITIZE, README "Fuzzing and
// sanitizers"), shared by `rondo record` and the runtime tests' harness so both
// start traced programs the same way.
//
// The sanitizer's runtime must come before anything built with it in programs
// not linked with it. But whatever comes first binds malloc and friends: with
// libasan first, the memory module's wrappers are never called and it records
// no allocation at all. Under ASan the memory module therefore goes first, and
// its wrappers reach libasan's allocator through dlsym(RTLD_NEXT) (ASan still
// checks every block; it only has to be told not to insist on coming first:
// verify_asan_link_order=0). Under TSan that order crashes: libtsan's own
// start-up calls dlsym, whose error path in ld.so calls malloc, which then runs
// the memory module's TSan-instrumented wrapper before libtsan has any thread
// state (SIGSEGV in __tsan_func_entry). So under TSan the memory module stays
// behind libtsan and records nothing: `-t memory` is for ASan builds and
// unsanitized ones.
#pragma once

#include <string>
#include <vector>

namespace rondo::cli {

// Whether `library` is the memory module (it defines malloc, calloc, ...).
inline bool replaces_allocator(const std::string& library) {
  const std::string name = "librondo-memory.so";
  return library.size() >= name.size() && library.compare(library.size() - name.size(), name.size(), name) == 0 &&
         (library.size() == name.size() || library[library.size() - name.size() - 1] == '/');
}

// Whether a sanitized build lets the memory module precede its runtime.
inline constexpr bool kAllocatorAheadOfSanitizer =
#ifdef __SANITIZE_ADDRESS__
    true;
#else
    false;
#endif

struct SanitizedPreload {
  std::string list;            // for LD_PRELOAD, ':'-separated
  bool asan_link_order = true;  // false: ASAN_OPTIONS needs verify_asan_link_order=0
};

// The libraries in their order, with the sanitizer's runtime `runtime` put in
// (none when `libraries` is empty: an unsanitized program alone needs none).
inline SanitizedPreload sanitized_preload(const std::vector<std::string>& libraries, const std::string& runtime) {
  SanitizedPreload out;
  if (libraries.empty()) return out;
  std::vector<std::string> ordered;
  if (kAllocatorAheadOfSanitizer)
    for (const auto& l : libraries)
      if (replaces_allocator(l)) ordered.push_back(l);
  out.asan_link_order = ordered.empty();
  ordered.push_back(runtime);
  for (const auto& l : libraries)
    if (!kAllocatorAheadOfSanitizer || !replaces_allocator(l)) ordered.push_back(l);
  for (const auto& l : ordered) out.list += (out.list.empty() ? "" : ":") + l;
  return out;
}

// ASAN_OPTIONS `current` with the link-order check turned off when `preload` needs it.
inline std::string asan_options_for(const SanitizedPreload& preload, const char* current) {
  std::string options = current ? current : "";
  if (!preload.asan_link_order) options += (options.empty() ? "" : ":") + std::string("verify_asan_link_order=0");
  return options;
}

}  // namespace rondo::cli
