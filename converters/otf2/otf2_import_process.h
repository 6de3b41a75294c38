// OTF2 import, part 2: the Rondo definitions of one process (location group),
// made as its events use them.
#pragma once

#include <otf2/otf2.h>

#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "otf2/otf2_import_defs.h"
#include "rondo/format/definitions.h"

namespace rondo::converters::otf2_import {

using namespace rondo::format;


// Communicators as world ranks: a COMM_GROUP lists positions in its paradigm's
// COMM_LOCATIONS group, which for MPI lists the ranks' locations in rank order,
// so the positions are world ranks.
struct CommShape {
  std::vector<int32_t> local, remote;  // remote: intercommunicators only
  bool self = false;                   // MPI_COMM_SELF: whoever uses it
  bool mpi = false;
  bool inter = false;
};

class ProcessBuilder {
 public:
  ProcessBuilder(const GlobalDefs& g, const std::map<OTF2_CommRef, CommShape>& shapes, int32_t rank);

  uint32_t string(const std::string& s) {
    if (s.empty()) return 0;
    auto [it, inserted] = string_ids_.try_emplace(s, static_cast<uint32_t>(strings_.size() + 1));
    if (inserted) strings_.push_back(s);
    return it->second;
  }

  uint32_t region(OTF2_RegionRef ref);

  // A region the archive does not define (a GPU copy's, otf2_gpu.h).
  uint32_t region_named(const std::string& name, RegionRole role) {
    auto [it, inserted] = named_regions_.try_emplace(name, static_cast<uint32_t>(regions_.size()));
    if (inserted) regions_.push_back(RegionDef{string(name), 0, 0, role});
    return it->second;
  }

  // Local communicator id; -1 for OTF2_UNDEFINED_COMM (MPI_COMM_NULL).
  int64_t comm(OTF2_CommRef ref);

  // World rank of rank `r` of communicator `ref` (the other side of an intercommunicator).
  int64_t world_rank(OTF2_CommRef ref, uint32_t r);

  uint32_t metric(OTF2_MetricMemberRef ref);
  // The same member as a counter (FORMAT.md 8.4): mode 0 (accumulated from the
  // start) whatever the member's mode, and without Score-P's leading '!'.
  uint32_t counter_metric(OTF2_MetricMemberRef ref);

  uint32_t io_handle(OTF2_IoHandleRef ref);

  // Rondo numbers windows per process; OTF2 windows are global.
  int64_t window(OTF2_RmaWinRef ref) {
    auto [it, inserted] = window_ids_.try_emplace(ref, static_cast<int64_t>(window_ids_.size()));
    return it->second;
  }

  void add_thread(const ThreadDef& t) { threads_.push_back(t); }

  std::vector<uint8_t> encode(const ProcessDef& process, const ClockDef& clock) const;

  uint64_t bad_ranks = 0;

 private:
  std::vector<int32_t> ranks_of(const CommShape& s, bool remote) const {
    if (s.self) return remote ? std::vector<int32_t>{} : std::vector<int32_t>{rank_};
    return remote ? s.remote : s.local;
  }

  uint32_t group(const std::vector<int32_t>& ranks) {
    auto [it, inserted] = group_ids_.try_emplace(ranks, static_cast<uint32_t>(groups_.size()));
    if (inserted) groups_.push_back(GroupDef{ranks});
    return it->second;
  }

  static RegionRole role_of(OTF2_RegionRole role, OTF2_Paradigm paradigm, const std::string& name);

  const GlobalDefs& g_;
  const std::map<OTF2_CommRef, CommShape>& shapes_;
  int32_t rank_;
  std::map<OTF2_CommRef, uint32_t> instance_;
  std::vector<std::string> strings_;
  std::unordered_map<std::string, uint32_t> string_ids_;
  std::vector<RegionDef> regions_;
  std::unordered_map<OTF2_RegionRef, uint32_t> region_ids_;
  std::unordered_map<std::string, uint32_t> named_regions_;  // region_named()
  std::vector<GroupDef> groups_;
  std::map<std::vector<int32_t>, uint32_t> group_ids_;
  std::vector<CommunicatorDef> comms_;
  std::unordered_map<OTF2_CommRef, uint32_t> comm_ids_;
  std::vector<MetricDef> metrics_;
  std::unordered_map<OTF2_MetricMemberRef, uint32_t> metric_ids_;
  std::unordered_map<OTF2_MetricMemberRef, uint32_t> counter_metric_ids_;
  std::vector<IoHandleDef> io_handles_;
  std::unordered_map<OTF2_IoHandleRef, uint32_t> io_ids_;
  std::unordered_map<OTF2_RmaWinRef, int64_t> window_ids_;
  std::vector<ThreadDef> threads_;
};

}  // namespace rondo::converters::otf2_import
