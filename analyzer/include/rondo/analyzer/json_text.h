// JSON text of a report, for every place that prints or returns one.
//
// Names in a trace come from the traced program (function names, file paths,
// marker texts) and need not be valid UTF-8: a path is any bytes to the kernel.
// nlohmann::json's default dump() throws on such bytes, which would end
// `rondo stats --json` with an uncaught exception; here every invalid byte
// becomes U+FFFD instead, so the rest of the report is written as it is.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace rondo::analyzer {

// indent < 0: one line; otherwise pretty-printed with that many spaces.
inline std::string json_text(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace rondo::analyzer
