// Fuzz target: what one process of `rondo stats --distributed` sends to rank 0
// (analyzer::encode_partials, the one wire format of partials).
#include <cstdlib>

#include "fuzz_targets.h"
#include "rondo/analyzer/analysis.h"
#include "rondo/analyzer/json_text.h"

namespace rondo::fuzz {

int partials(const uint8_t* data, size_t size) {
  analyzer::EncodedPartials p;
  try {
    p = analyzer::decode_partials(std::vector<uint8_t>(data, data + size));
  } catch (const nlohmann::json::exception&) {
    return 0;  // the receiver reports a message it cannot decode
  }
  // What decodes must survive the trip again unchanged.
  std::vector<uint8_t> once = analyzer::encode_partials(p);
  analyzer::EncodedPartials again = analyzer::decode_partials(once);
  // Compared as JSON text (NaN equals itself there), written as every report
  // is (json_text: names need not be valid UTF-8).
  if (analyzer::json_text(nlohmann::json::from_cbor(analyzer::encode_partials(again))) !=
      analyzer::json_text(nlohmann::json::from_cbor(once)))
    std::abort();
  return 0;
}

}  // namespace rondo::fuzz
