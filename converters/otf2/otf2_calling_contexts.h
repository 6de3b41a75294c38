// Call sites (`rondo record --callstack N`, FORMAT.md 6.1 tag 11) as OTF2
// calling contexts. A call site's frames become a chain of CallingContext
// definitions, outermost frame first: each node is the frame's function (a
// Region) at the line it made the next call from (a SourceCodeLocation); the
// MPI, I/O or lock call itself is the leaf, a node of its own region whose
// parent is the innermost application frame. Nodes are shared between ranks
// and call sites that have the same function, line and parent.
//
// Why attributes and not CallingContextEnter/Leave: OTF2 makes those events
// mutually exclusive with Enter/Leave in a trace, and every other call of the
// trace (instrumented functions, OpenMP, ...) has no frames; so the exporter
// keeps Enter/Leave for every region, as every OTF2 reader expects, and the
// Enter of a call with a call site carries two attributes: "CALLING_CONTEXT"
// (OTF2_TYPE_CALLING_CONTEXT, the leaf) and "SOURCE_CODE_LOCATION"
// (OTF2_TYPE_SOURCE_CODE_LOCATION, the line of the call: OTF2's documented
// way to put a source location on an event).
#pragma once

#include <otf2/otf2.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "rondo/format/definitions.h"

namespace rondo::converters::otf2 {

class CallingContexts {
 public:
  struct SourceLocation {
    std::string file;
    uint32_t line = 0;
  };
  struct Node {
    OTF2_RegionRef region;
    OTF2_SourceCodeLocationRef location;  // OTF2_UNDEFINED_SOURCE_CODE_LOCATION: unknown
    OTF2_CallingContextRef parent;        // OTF2_UNDEFINED_CALLING_CONTEXT: a root
  };
  struct Leaf {
    OTF2_CallingContextRef context = OTF2_UNDEFINED_CALLING_CONTEXT;
    OTF2_SourceCodeLocationRef call_location = OTF2_UNDEFINED_SOURCE_CODE_LOCATION;  // where the call was made
  };
  // The global region of an application function (name, source file).
  using RegionOf = std::function<OTF2_RegionRef(const std::string& function, const std::string& file)>;

  // The context of a call of global region `region` made from call site
  // `site` (the ENTER's parameter: call-site id + 1) of process `process`;
  // an undefined leaf for 0, an unknown id or a site without frames.
  Leaf leaf(size_t process, const format::ProcessDefinitions& defs, uint32_t site, OTF2_RegionRef region,
            const RegionOf& region_of);

  // Definitions to write, by ref.
  const std::vector<SourceLocation>& locations() const { return locations_; }
  const std::vector<Node>& nodes() const { return nodes_; }

 private:
  OTF2_SourceCodeLocationRef location(const std::string& file, uint32_t line);
  OTF2_CallingContextRef node(const Node& n);

  std::map<std::tuple<size_t, uint32_t, OTF2_RegionRef>, Leaf> leaves_;  // (process, site, region)
  std::map<std::tuple<OTF2_RegionRef, OTF2_SourceCodeLocationRef, OTF2_CallingContextRef>, OTF2_CallingContextRef>
      node_refs_;
  std::map<std::pair<std::string, uint32_t>, OTF2_SourceCodeLocationRef> location_refs_;
  std::vector<SourceLocation> locations_;
  std::vector<Node> nodes_;
};

}  // namespace rondo::converters::otf2
