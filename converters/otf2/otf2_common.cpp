#include "otf2/otf2_common.h"

#include <cstdarg>
#include <cstdio>
#include <mutex>
#include <sstream>

#include "rondo/converters/common.h"

namespace rondo::converters::otf2 {

namespace {

thread_local std::string last_error;

OTF2_ErrorCode keep_error(void* /*user*/, const char* /*file*/, uint64_t /*line*/, const char* /*function*/,
                          OTF2_ErrorCode code, const char* format, va_list args) {
  char buffer[1024];
  std::vsnprintf(buffer, sizeof buffer, format ? format : "", args);
  last_error = buffer;
  return code;
}

}  // namespace

void install_error_handler() {
  static std::once_flag once;
  std::call_once(once, [] { OTF2_Error_RegisterCallback(keep_error, nullptr); });
}

std::string take_last_error() {
  std::string s = std::move(last_error);
  last_error.clear();
  return s;
}

void fail(const std::string& what, OTF2_ErrorCode code) {
  std::string detail = take_last_error();
  std::string msg = what + " failed: " + OTF2_Error_GetName(code);
  if (!detail.empty())
    msg += " (" + detail + ")";
  else
    msg += std::string(" (") + OTF2_Error_GetDescription(code) + ")";
  throw ConversionError(msg);
}

std::string generic_text(const GenericEvent& e) {
  std::string s(format::kind_name(e.kind));
  s += " kind=" + std::to_string(static_cast<unsigned>(e.kind));
  s += " ref=" + std::to_string(e.ref);
  s += " p=";
  for (int i = 0; i < e.np; ++i) s += (i ? "," : "") + std::to_string(e.params[i]);
  s += " nd=" + std::to_string(e.nd);
  return s;
}

namespace {

bool parse_list(const std::string& text, int64_t* out, int max, int& n) {
  n = 0;
  if (text.empty()) return true;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (n >= max) return false;
    try {
      size_t used = 0;
      out[n++] = std::stoll(item, &used);
      if (used != item.size()) return false;
    } catch (const std::exception&) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<GenericEvent> parse_generic(const std::string& text) {
  GenericEvent e;
  std::stringstream ss(text);
  std::string word;
  bool have_kind = false, have_ref = false;
  ss >> word;  // the kind's name, for people reading otf2-print output
  while (ss >> word) {
    auto eq = word.find('=');
    if (eq == std::string::npos) return std::nullopt;
    std::string key = word.substr(0, eq), value = word.substr(eq + 1);
    try {
      if (key == "kind") {
        unsigned long k = std::stoul(value);
        if (k == 0 || k > 255) return std::nullopt;
        e.kind = static_cast<format::EventKind>(k);
        have_kind = true;
      } else if (key == "ref") {
        e.ref = std::stoull(value);
        have_ref = true;
      } else if (key == "p") {
        if (!parse_list(value, e.params, format::kMaxParams, e.np)) return std::nullopt;
      } else if (key == "nd") {
        e.nd = std::stoi(value);
        if (e.nd < 0 || e.nd > format::kMaxData) return std::nullopt;
      }
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }
  if (!have_kind || !have_ref) return std::nullopt;
  return e;
}

OTF2_CollectiveOp to_otf2(format::CollectiveOp op, bool& exact) {
  using format::CollectiveOp;
  exact = true;
  switch (op) {
    case CollectiveOp::Barrier:
      return OTF2_COLLECTIVE_OP_BARRIER;
    case CollectiveOp::Bcast:
      return OTF2_COLLECTIVE_OP_BCAST;
    case CollectiveOp::Gather:
      return OTF2_COLLECTIVE_OP_GATHER;
    case CollectiveOp::Gatherv:
      return OTF2_COLLECTIVE_OP_GATHERV;
    case CollectiveOp::Scatter:
      return OTF2_COLLECTIVE_OP_SCATTER;
    case CollectiveOp::Scatterv:
      return OTF2_COLLECTIVE_OP_SCATTERV;
    case CollectiveOp::Allgather:
      return OTF2_COLLECTIVE_OP_ALLGATHER;
    case CollectiveOp::Allgatherv:
      return OTF2_COLLECTIVE_OP_ALLGATHERV;
    case CollectiveOp::Alltoall:
      return OTF2_COLLECTIVE_OP_ALLTOALL;
    case CollectiveOp::Alltoallv:
      return OTF2_COLLECTIVE_OP_ALLTOALLV;
    case CollectiveOp::Alltoallw:
      return OTF2_COLLECTIVE_OP_ALLTOALLW;
    case CollectiveOp::Reduce:
      return OTF2_COLLECTIVE_OP_REDUCE;
    case CollectiveOp::Allreduce:
      return OTF2_COLLECTIVE_OP_ALLREDUCE;
    case CollectiveOp::ReduceScatter:
      return OTF2_COLLECTIVE_OP_REDUCE_SCATTER;
    case CollectiveOp::ReduceScatterBlock:
      return OTF2_COLLECTIVE_OP_REDUCE_SCATTER_BLOCK;
    case CollectiveOp::Scan:
      return OTF2_COLLECTIVE_OP_SCAN;
    case CollectiveOp::Exscan:
      return OTF2_COLLECTIVE_OP_EXSCAN;
    case CollectiveOp::Create:
      return OTF2_COLLECTIVE_OP_CREATE_HANDLE;
    case CollectiveOp::Destroy:
      return OTF2_COLLECTIVE_OP_DESTROY_HANDLE;
    // No OTF2 equivalent: the closest operation, with the exact one as an attribute.
    case CollectiveOp::NeighborAllgather:
      exact = false;
      return OTF2_COLLECTIVE_OP_ALLGATHER;
    case CollectiveOp::NeighborAlltoall:
      exact = false;
      return OTF2_COLLECTIVE_OP_ALLTOALL;
    case CollectiveOp::Other:
      break;
  }
  exact = false;
  return OTF2_COLLECTIVE_OP_BARRIER;
}

format::CollectiveOp from_otf2(OTF2_CollectiveOp op) {
  using format::CollectiveOp;
  switch (op) {
    case OTF2_COLLECTIVE_OP_BARRIER:
      return CollectiveOp::Barrier;
    case OTF2_COLLECTIVE_OP_BCAST:
      return CollectiveOp::Bcast;
    case OTF2_COLLECTIVE_OP_GATHER:
      return CollectiveOp::Gather;
    case OTF2_COLLECTIVE_OP_GATHERV:
      return CollectiveOp::Gatherv;
    case OTF2_COLLECTIVE_OP_SCATTER:
      return CollectiveOp::Scatter;
    case OTF2_COLLECTIVE_OP_SCATTERV:
      return CollectiveOp::Scatterv;
    case OTF2_COLLECTIVE_OP_ALLGATHER:
      return CollectiveOp::Allgather;
    case OTF2_COLLECTIVE_OP_ALLGATHERV:
      return CollectiveOp::Allgatherv;
    case OTF2_COLLECTIVE_OP_ALLTOALL:
      return CollectiveOp::Alltoall;
    case OTF2_COLLECTIVE_OP_ALLTOALLV:
      return CollectiveOp::Alltoallv;
    case OTF2_COLLECTIVE_OP_ALLTOALLW:
      return CollectiveOp::Alltoallw;
    case OTF2_COLLECTIVE_OP_ALLREDUCE:
      return CollectiveOp::Allreduce;
    case OTF2_COLLECTIVE_OP_REDUCE:
      return CollectiveOp::Reduce;
    case OTF2_COLLECTIVE_OP_REDUCE_SCATTER:
      return CollectiveOp::ReduceScatter;
    case OTF2_COLLECTIVE_OP_SCAN:
      return CollectiveOp::Scan;
    case OTF2_COLLECTIVE_OP_EXSCAN:
      return CollectiveOp::Exscan;
    case OTF2_COLLECTIVE_OP_REDUCE_SCATTER_BLOCK:
      return CollectiveOp::ReduceScatterBlock;
    case OTF2_COLLECTIVE_OP_CREATE_HANDLE:
    case OTF2_COLLECTIVE_OP_CREATE_HANDLE_AND_ALLOCATE:
      return CollectiveOp::Create;
    case OTF2_COLLECTIVE_OP_DESTROY_HANDLE:
    case OTF2_COLLECTIVE_OP_DESTROY_HANDLE_AND_DEALLOCATE:
      return CollectiveOp::Destroy;
    default:
      return CollectiveOp::Other;
  }
}

}  // namespace rondo::converters::otf2
