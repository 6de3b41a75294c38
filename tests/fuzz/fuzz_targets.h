// The fuzz targets: one function per input surface that takes untrusted bytes.
// Each returns normally for every input, valid or not; a crash, a hang, a leak or
// an exception other than the surface's documented error type is a bug. The same
// functions run under libFuzzer (libfuzzer_main.cpp, built with RONDO_FUZZ=ON and
// clang) and in the normal unit suite, which replays every input that ever
// failed (regressions/<target>/) and the seed corpora (corpus/<target>/).
#pragma once

#include <cstddef>
#include <cstdint>

namespace rondo::fuzz {

// A process file (FORMAT.md): chunks, definitions, grammar, columns, summaries.
// Unless bit 0 of the file header's byte 15 (reserved) is set, chunk checksums
// are recomputed first so that mutations reach the decoders behind them. The file
// is read as a one-process trace: every thread decoded and replayed (cursor,
// loop frames, seek, skip), then analyzed as `rondo stats` and `rondo check` do.
int process_file(const uint8_t* data, size_t size);

// `--window T0:T1` and durations (analyzer/window_spec.h). Byte 0..7: the
// trace's start in ns; the rest: the window text.
int window_spec(const uint8_t* data, size_t size);

// `--filter` rules of the compiler module (interceptors/compiler/name_filter.h):
// "spec\0name\0name...". Rule files ('@') are not followed. Glob matching is
// compared with a slow reference matcher.
int name_filter(const uint8_t* data, size_t size);

// One message of `rondo stats --distributed`: CBOR holding a LocationPartial
// (analyzer/analysis.h). Decoded, re-encoded, decoded again: both must agree.
int partials(const uint8_t* data, size_t size);

// The OTF2 importer (converters/otf2.h): the input drives the OTF2 library's
// writer to make a small archive (target_otf2_import.cpp says how), which is
// imported and the result read as process_file reads its trace.
int otf2_import(const uint8_t* data, size_t size);

}  // namespace rondo::fuzz
