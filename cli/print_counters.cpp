#include "print_counters.h"

#include <fmt/format.h>

namespace rondo::cli {

std::string counters_suffix(const format::ThreadTrace& t, const format::Event& e) {
  if (e.kind() != format::EventKind::Enter && e.kind() != format::EventKind::Leave) return "";
  const uint64_t* readings = t.counters_at(e.index);
  if (!readings) return "";
  const auto& defs = t.process().defs();
  std::string out = "  [";
  for (size_t j = 0; j < t.counter_metrics().size(); ++j) {
    uint32_t metric = t.counter_metrics()[j];
    std::string name = metric < defs.metrics.size() ? defs.string(defs.metrics[metric].name)
                                                    : "metric " + std::to_string(metric);
    out += fmt::format("{}{}={}", j ? " " : "", name, readings[j]);
  }
  return out + "]";
}

}  // namespace rondo::cli
