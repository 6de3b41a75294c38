// Fuzz target: what one process of `rondo stats --distributed` sends to rank 0.
#include <cstdlib>

#include "fuzz_targets.h"
#include "rondo/analyzer/analysis.h"

namespace rondo::fuzz {

int partials(const uint8_t* data, size_t size) {
  analyzer::LocationPartial p;
  try {
    nlohmann::json j = nlohmann::json::from_cbor(data, data + size);
    j.get_to(p);
  } catch (const nlohmann::json::exception&) {
    return 0;  // the receiver reports a message it cannot decode
  }
  // What decodes must survive the trip again unchanged.
  nlohmann::json once = p;
  std::vector<uint8_t> bytes = nlohmann::json::to_cbor(once);
  analyzer::LocationPartial again = nlohmann::json::from_cbor(bytes).get<analyzer::LocationPartial>();
  if (nlohmann::json(again).dump() != once.dump()) std::abort();  // dump: NaN equals itself there
  return 0;
}

}  // namespace rondo::fuzz
