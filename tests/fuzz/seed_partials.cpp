// fuzz_seed_partials TRACE_DIR OUT_PREFIX: writes the partials of each of the
// trace's first four threads as `rondo stats --distributed` ships them
// (analyzer::encode_partials), to OUT_PREFIX-N.cbor: the seeds of the `partials`
// fuzz target (make_seeds.sh).
#include <cstdio>
#include <fstream>
#include <string>

#include "rondo/analyzer/analysis.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seed_partials TRACE_DIR OUT_PREFIX\n");
    return 2;
  }
  rondo::format::TraceReader trace(argv[1]);
  auto locations = rondo::analyzer::all_locations(trace);
  for (size_t i = 0; i < locations.size() && i < 4; ++i) {
    rondo::analyzer::EncodedPartials message;
    message.partials.emplace_back(i, rondo::analyzer::analyze_location(trace, locations[i], {}));
    std::vector<uint8_t> bytes = rondo::analyzer::encode_partials(message);
    std::ofstream(std::string(argv[2]) + "-" + std::to_string(i) + ".cbor", std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  }
  return 0;
}
