#include "otf2/otf2_calling_contexts.h"

#include "rondo/analyzer/call_sites.h"

namespace rondo::converters::otf2 {

CallingContexts::Leaf CallingContexts::leaf(size_t process, const format::ProcessDefinitions& defs, uint32_t site,
                                            OTF2_RegionRef region, const RegionOf& region_of) {
  if (site == 0 || site > defs.call_sites.size() || defs.call_sites[site - 1].frames.empty()) return {};
  auto [it, inserted] = leaves_.try_emplace({process, site, region});
  if (!inserted) return it->second;
  // Frames are innermost first: build the chain from the outermost down.
  const std::vector<format::CallSiteFrame>& frames = defs.call_sites[site - 1].frames;
  OTF2_CallingContextRef parent = OTF2_UNDEFINED_CALLING_CONTEXT;
  OTF2_SourceCodeLocationRef innermost = OTF2_UNDEFINED_SOURCE_CODE_LOCATION;
  for (auto f = frames.rbegin(); f != frames.rend(); ++f) {
    const std::string& file = defs.string(f->file);
    innermost = file.empty() ? OTF2_UNDEFINED_SOURCE_CODE_LOCATION : location(file, f->line);
    parent = node({region_of(analyzer::call_site_function(defs, *f), file), innermost, parent});
  }
  it->second = {node({region, OTF2_UNDEFINED_SOURCE_CODE_LOCATION, parent}), innermost};
  return it->second;
}

OTF2_SourceCodeLocationRef CallingContexts::location(const std::string& file, uint32_t line) {
  auto [it, inserted] =
      location_refs_.try_emplace({file, line}, static_cast<OTF2_SourceCodeLocationRef>(locations_.size()));
  if (inserted) locations_.push_back({file, line});
  return it->second;
}

OTF2_CallingContextRef CallingContexts::node(const Node& n) {
  auto [it, inserted] =
      node_refs_.try_emplace({n.region, n.location, n.parent}, static_cast<OTF2_CallingContextRef>(nodes_.size()));
  if (inserted) nodes_.push_back(n);
  return it->second;
}

}  // namespace rondo::converters::otf2
