// MPI traces for analyzer tests: one process file per rank, records made the
// way the MPI interceptor makes them, at explicit times (1 tick = 1 ns).
#pragma once

#include <functional>
#include <numeric>
#include <string>
#include <vector>

#include "trace_fixture.h"

namespace rondo::test::mpi {

using namespace rondo::format;

// Region ids of every test process.
enum Region : uint32_t { kMain, kSend, kRecv, kIsend, kIrecv, kWait, kWaitall, kTest, kAllreduce, kBcast, kSendrecv };

inline MpiProcessSpec base_spec(int32_t rank, int32_t size) {
  MpiProcessSpec s;
  s.rank = rank;
  s.world_size = size;
  s.regions = {{"main", RegionRole::Function},    {"MPI_Send", RegionRole::Mpi},      {"MPI_Recv", RegionRole::Mpi},
               {"MPI_Isend", RegionRole::Mpi},    {"MPI_Irecv", RegionRole::Mpi},     {"MPI_Wait", RegionRole::Mpi},
               {"MPI_Waitall", RegionRole::Mpi},  {"MPI_Test", RegionRole::Mpi},      {"MPI_Allreduce", RegionRole::Mpi},
               {"MPI_Bcast", RegionRole::Mpi},    {"MPI_Sendrecv", RegionRole::Mpi}};
  std::vector<int32_t> world(static_cast<size_t>(size));
  std::iota(world.begin(), world.end(), 0);
  s.groups = {world};
  s.communicators = {{"MPI_COMM_WORLD", 0, 0, UINT32_MAX}};
  return s;
}

// Records MPI calls the way the interceptor does, at explicit times (ns).
class Mpi {
 public:
  explicit Mpi(ThreadWriter& w) : w_(w) {}
  void enter(uint32_t region, uint64_t t) { w_.enter(region, t); }
  void leave(uint32_t region, uint64_t t) { w_.leave(region, t); }

  // MPI_Send from t0 to t1: the record is made when the call begins.
  void send(uint64_t t0, uint64_t t1, int dst, int tag, int64_t bytes, int64_t comm = 0) {
    enter(kSend, t0);
    record(EventKind::MpiSend, t0, dst, tag, comm, bytes);
    leave(kSend, t1);
  }
  // MPI_Recv from t0 to t1: the record is made when the data is there. `src` is
  // the actual source (what MPI_ANY_SOURCE resolved to).
  void recv(uint64_t t0, uint64_t t1, int src, int tag, int64_t bytes, int64_t comm = 0) {
    enter(kRecv, t0);
    record(EventKind::MpiRecv, t1, src, tag, comm, bytes);
    leave(kRecv, t1);
  }
  void isend(uint64_t t, int dst, int tag, int64_t bytes, int64_t request, int64_t comm = 0) {
    enter(kIsend, t);
    record(EventKind::MpiIsend, t, dst, tag, comm, bytes, request);
    leave(kIsend, t + 1);
  }
  void irecv(uint64_t t, int64_t request) {
    enter(kIrecv, t);
    int64_t d[2] = {request, 0};
    w_.event(EventKey{EventKind::MpiIrecvRequest, 0, {}}, t, d);
    leave(kIrecv, t + 1);
  }
  // Completion records, made inside a Wait/Test call by the caller.
  void isend_complete(uint64_t t, int64_t request) {
    int64_t d[2] = {request, 0};
    w_.event(EventKey{EventKind::MpiIsendComplete, 0, {}}, t, d);
  }
  void irecv_complete(uint64_t t, int src, int tag, int64_t bytes, int64_t request, int64_t comm = 0) {
    record(EventKind::MpiIrecv, t, src, tag, comm, bytes, request);
  }
  void cancelled(uint64_t t, int64_t request) {
    int64_t d[2] = {request, 0};
    w_.event(EventKey{EventKind::MpiRequestCancelled, 0, {}}, t, d);
  }
  // A point-to-point record without a call around it (the caller makes the call).
  void p2p(EventKind kind, uint64_t t, int peer, int tag, int64_t bytes, int64_t comm = 0) {
    record(kind, t, peer, tag, comm, bytes);
  }
  void collective(uint32_t region, uint64_t t0, uint64_t t1, CollectiveOp op, int root, int64_t sent, int64_t received,
                  int64_t comm = 0) {
    enter(region, t0);
    w_.event(EventKey{EventKind::MpiCollectiveBegin, 0, {}}, t0);
    int64_t d[2] = {sent, received};  // sizes are data (FORMAT.md 7.2)
    w_.event(EventKey{EventKind::MpiCollectiveEnd, static_cast<uint32_t>(op), {comm, root}}, t1, d);
    leave(region, t1);
  }

 private:
  // Identity: peer, tag, communicator; data: the request id of MPI_ISEND and
  // MPI_IRECV, then the size (FORMAT.md 7.2).
  void record(EventKind kind, uint64_t t, int peer, int tag, int64_t comm, int64_t bytes, int64_t request = 0) {
    bool with_request = kind == EventKind::MpiIsend || kind == EventKind::MpiIrecv;
    int64_t d[2] = {with_request ? request : bytes, with_request ? bytes : 0};
    w_.event(EventKey{kind, 0, {peer, tag, comm}}, t, d);
  }
  ThreadWriter& w_;
};

// A trace directory with one process file per rank.
class MpiTrace {
 public:
  // `file`: the process file's name, "rank-<rank>.rnd" by default.
  void add(const MpiProcessSpec& spec, const std::function<void(Mpi&)>& body, std::string file = "") {
    if (file.empty()) file = "rank-" + std::to_string(spec.rank) + ".rnd";
    rondo::test::write_mpi_process(dir_.file(file), spec,
                                   [&](int, ThreadWriter& w) {
                                     Mpi mpi(w);
                                     body(mpi);
                                   });
  }
  TraceReader read() const { return TraceReader(dir_.str()); }
  std::string dir() const { return dir_.str(); }

 private:
  rondo::test::TempDir dir_;
};

}  // namespace rondo::test::mpi
