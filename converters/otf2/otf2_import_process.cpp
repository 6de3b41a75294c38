// OTF2 import: ProcessBuilder, which numbers a process's definitions in the
// order its events first use them.
#include "otf2/otf2_import_process.h"

#include <algorithm>
#include <tuple>

namespace rondo::converters::otf2_import {

ProcessBuilder::ProcessBuilder(const GlobalDefs& g, const std::map<OTF2_CommRef, CommShape>& shapes, int32_t rank)
    : g_(g), shapes_(shapes), rank_(rank) {
  // Instances: for each group of world ranks, how many communicators with that
  // group come earlier (in ref order). Every member sees the same list.
  // MPI and other paradigms (thread teams, Score-P's location lists) count apart.
  std::map<std::tuple<bool, std::vector<int32_t>, std::vector<int32_t>>, uint32_t> seen;
  for (auto& [ref, shape] : shapes_)
    instance_[ref] = seen[{shape.mpi, ranks_of(shape, false), ranks_of(shape, true)}]++;
  // Define up front the MPI communicators this rank belongs to (MPI_COMM_WORLD first
  // in practice, as writers define it first).
  for (auto& [ref, shape] : shapes_) {
    if (!shape.mpi) continue;
    auto a = ranks_of(shape, false), b = ranks_of(shape, true);
    if (std::find(a.begin(), a.end(), rank_) != a.end() || std::find(b.begin(), b.end(), rank_) != b.end()) comm(ref);
  }
}

uint32_t ProcessBuilder::region(OTF2_RegionRef ref) {
  auto [it, inserted] = region_ids_.try_emplace(ref, static_cast<uint32_t>(regions_.size()));
  if (inserted) {
    RegionDef r;
    auto found = g_.regions.find(ref);
    if (found != g_.regions.end()) {
      const auto& gr = found->second;
      std::string name = g_.string(gr.name);
      if (name.empty()) name = g_.string(gr.canonical);
      r.name = string(name.empty() ? "region " + std::to_string(ref) : name);
      r.file = gr.file == OTF2_UNDEFINED_STRING ? 0 : string(g_.string(gr.file));
      r.line = gr.line;
      r.role = role_of(gr.role, gr.paradigm, name);
    } else {
      r.name = string("region " + std::to_string(ref));
    }
    regions_.push_back(r);
  }
  return it->second;
}

int64_t ProcessBuilder::comm(OTF2_CommRef ref) {
  if (ref == OTF2_UNDEFINED_COMM) return -1;
  auto found = comm_ids_.find(ref);
  if (found != comm_ids_.end()) return found->second;
  uint32_t id = static_cast<uint32_t>(comms_.size());
  comm_ids_.emplace(ref, id);
  CommunicatorDef def;
  auto shape = shapes_.find(ref);
  auto gc = g_.comms.find(ref);
  std::string name = gc != g_.comms.end() ? g_.string(gc->second.name) : "";
  def.name = string(name.empty() ? "comm " + std::to_string(ref) : name);
  if (shape != shapes_.end()) {
    auto local = ranks_of(shape->second, false), remote = ranks_of(shape->second, true);
    // An intercommunicator's group is the side this process is on.
    if (shape->second.inter && std::find(remote.begin(), remote.end(), rank_) != remote.end()) std::swap(local, remote);
    def.group = group(local);
    if (shape->second.inter) def.remote_group = group(remote);
    def.instance = instance_[ref];
  } else {
    def.group = UINT32_MAX;  // unknown members: readers treat the id as the same everywhere
  }
  if (gc != g_.comms.end() && gc->second.parent != OTF2_UNDEFINED_COMM) {
    auto parent = comm_ids_.find(gc->second.parent);
    if (parent != comm_ids_.end()) def.parent = parent->second;
  }
  comms_.push_back(def);
  return id;
}

int64_t ProcessBuilder::world_rank(OTF2_CommRef ref, uint32_t r) {
  if (r == OTF2_UNDEFINED_UINT32) return -1;
  auto shape = shapes_.find(ref);
  if (shape == shapes_.end()) return r;  // unknown communicator: take the rank as a world rank
  const CommShape& s = shape->second;
  if (s.self) return rank_;
  const std::vector<int32_t>* side = &s.local;
  if (s.inter && std::find(s.local.begin(), s.local.end(), rank_) != s.local.end()) side = &s.remote;
  if (r < side->size()) return (*side)[r];
  ++bad_ranks;
  return -1;
}

uint32_t ProcessBuilder::metric(OTF2_MetricMemberRef ref) {
  auto [it, inserted] = metric_ids_.try_emplace(ref, static_cast<uint32_t>(metrics_.size()));
  if (inserted) {
    MetricDef m;
    auto found = g_.metric_members.find(ref);
    if (found != g_.metric_members.end()) {
      m.name = string(g_.string(found->second.name));
      m.unit = string(g_.string(found->second.unit));
      switch (found->second.mode & OTF2_METRIC_VALUE_MASK) {
        case OTF2_METRIC_VALUE_ABSOLUTE:
          m.mode = 1;
          break;
        case OTF2_METRIC_VALUE_RELATIVE:
          m.mode = 2;
          break;
        default:
          m.mode = 0;
          break;
      }
    }
    if (m.name == 0) m.name = string("metric " + std::to_string(ref));
    metrics_.push_back(m);
  }
  return it->second;
}

uint32_t ProcessBuilder::counter_metric(OTF2_MetricMemberRef ref) {
  auto [it, inserted] = counter_metric_ids_.try_emplace(ref, static_cast<uint32_t>(metrics_.size()));
  if (inserted) {
    MetricDef m;
    auto found = g_.metric_members.find(ref);
    std::string name = found != g_.metric_members.end() ? g_.string(found->second.name) : "";
    if (!name.empty() && name[0] == '!') name.erase(0, 1);
    m.name = string(name.empty() ? "metric " + std::to_string(ref) : name);
    m.unit = found != g_.metric_members.end() ? string(g_.string(found->second.unit)) : 0;
    m.mode = 0;
    metrics_.push_back(m);
  }
  return it->second;
}

uint32_t ProcessBuilder::io_handle(OTF2_IoHandleRef ref) {
  auto [it, inserted] = io_ids_.try_emplace(ref, static_cast<uint32_t>(io_handles_.size()));
  if (inserted) {
    IoHandleDef h;
    auto found = g_.io_handles.find(ref);
    if (found != g_.io_handles.end()) {
      auto file = g_.io_files.find(found->second.file);
      std::string path = file != g_.io_files.end() ? g_.string(file->second) : g_.string(found->second.name);
      h.path = string(path);
      auto paradigm = g_.io_paradigms.find(found->second.paradigm);
      std::string id = paradigm != g_.io_paradigms.end() ? g_.string(paradigm->second) : "";
      h.paradigm = id == "ISOC" ? 1 : id == "MPI-IO" ? 2 : 0;
    }
    if (h.path == 0) h.path = string("file " + std::to_string(ref));
    io_handles_.push_back(h);
  }
  return it->second;
}

std::vector<uint8_t> ProcessBuilder::encode(const ProcessDef& process, const ClockDef& clock) const {
  std::vector<uint8_t> out;
  encode::process(out, process);
  for (size_t i = 0; i < strings_.size(); ++i) encode::string(out, static_cast<uint32_t>(i + 1), strings_[i]);
  for (size_t i = 0; i < regions_.size(); ++i) encode::region(out, static_cast<uint32_t>(i), regions_[i]);
  for (size_t i = 0; i < groups_.size(); ++i) encode::group(out, static_cast<uint32_t>(i), groups_[i]);
  for (size_t i = 0; i < comms_.size(); ++i) encode::communicator(out, static_cast<uint32_t>(i), comms_[i]);
  for (size_t i = 0; i < metrics_.size(); ++i) encode::metric(out, static_cast<uint32_t>(i), metrics_[i]);
  for (size_t i = 0; i < io_handles_.size(); ++i) encode::io_handle(out, static_cast<uint32_t>(i), io_handles_[i]);
  encode::clock(out, clock);
  for (const ThreadDef& t : threads_) encode::thread(out, t);
  return out;
}

RegionRole ProcessBuilder::role_of(OTF2_RegionRole role, OTF2_Paradigm paradigm, const std::string& name) {
  switch (paradigm) {
    case OTF2_PARADIGM_MPI:
      return RegionRole::Mpi;
    case OTF2_PARADIGM_OPENMP:
      return RegionRole::OpenMp;
    case OTF2_PARADIGM_PTHREAD:
      return RegionRole::Pthread;
    case OTF2_PARADIGM_CUDA:
      return RegionRole::Cuda;
    default:
      break;
  }
  if (role == OTF2_REGION_ROLE_FILE_IO || role == OTF2_REGION_ROLE_FILE_IO_METADATA) return RegionRole::Io;
  if (role == OTF2_REGION_ROLE_ALLOCATE || role == OTF2_REGION_ROLE_DEALLOCATE || role == OTF2_REGION_ROLE_REALLOCATE)
    return RegionRole::Memory;
  // Some writers (EZTrace) give MPI functions no MPI paradigm: they are still
  // recognisable by name, and time in MPI needs them to be.
  if (name.rfind("MPI_", 0) == 0) return RegionRole::Mpi;
  if (paradigm == OTF2_PARADIGM_USER) return RegionRole::User;
  return RegionRole::Function;
}

}  // namespace rondo::converters::otf2_import
