// libFuzzer's entry point for one target of fuzz_targets.h, chosen at compile
// time (RONDO_FUZZ_TARGET), so every harness is the same function the unit suite
// replays.
#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return rondo::fuzz::RONDO_FUZZ_TARGET(data, size);
}
