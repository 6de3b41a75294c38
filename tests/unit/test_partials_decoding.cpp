// decode_partials reads bytes another process of `rondo stats --distributed`
// sent: whatever they hold, it returns partials or throws
// nlohmann::json::exception (which the receiver reports in one line), never
// crashes.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "rondo/analyzer/analysis.h"

using namespace rondo;

namespace {

// {"partials": [[0, X]]} with X = `depth` arrays nested in one another.
std::vector<uint8_t> nested_partial(size_t depth) {
  std::vector<uint8_t> cbor = {0xA1, 0x68};  // map of 1; text of 8 bytes
  for (char c : std::string("partials")) cbor.push_back(static_cast<uint8_t>(c));
  cbor.push_back(0x81);  // array of 1: the list
  cbor.push_back(0x82);  // array of 2: [index, partial]
  cbor.push_back(0x00);  // index 0
  for (size_t i = 0; i < depth; ++i) cbor.push_back(0x81);  // array of 1, nested
  cbor.push_back(0x00);
  return cbor;
}

}  // namespace

TEST(PartialsDecoding, ARealMessageRoundTrips) {
  analyzer::EncodedPartials p;
  analyzer::LocationPartial partial;
  partial.profile.process = 3;
  partial.profile.thread = 1;
  p.partials.emplace_back(7, partial);
  analyzer::EncodedPartials back = analyzer::decode_partials(analyzer::encode_partials(p));
  ASSERT_EQ(back.partials.size(), 1u);
  EXPECT_EQ(back.partials[0].first, 7u);
  EXPECT_EQ(back.partials[0].second.profile.process, 3u);
  EXPECT_EQ(back.partials[0].second.profile.thread, 1u);
}

// nlohmann's CBOR reader recurses once per level: a million levels would
// overflow any stack. They are refused before it builds them.
TEST(PartialsDecoding, ArraysNestedAMillionDeepAreRefusedNotRecursedInto) {
  try {
    analyzer::decode_partials(nested_partial(1'000'000));
    FAIL() << "decoded";
  } catch (const nlohmann::json::exception& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than 32 levels"), std::string::npos) << e.what();
  }
  // Shallow nesting reaches the ordinary checks (a partial is an object).
  EXPECT_THROW(analyzer::decode_partials(nested_partial(3)), nlohmann::json::exception);
}
