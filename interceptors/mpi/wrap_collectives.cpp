// Collective operations, blocking and nonblocking. Bytes follow FORMAT.md
// ("Collective operations"): what this process sends from its buffers and what
// lands in its receive buffers.
#include <functional>

#include "collective_volume.h"
#include "wrap_common.h"

using namespace rondo::mpi;
using rondo::format::CollectiveOp;
namespace collective_volume = rondo::collective_volume;

namespace {

int64_t sum_counts(const int* counts, int n, MPI_Datatype type) {
  int64_t total = 0;
  for (int i = 0; i < n; ++i) total += counts[i];
  return bytes(static_cast<MPI_Count>(total), type);
}

// Runs a collective inside its region, with its begin and end records.
template <typename F>
int collective(uint32_t region_id, CollectiveOp op, MPI_Comm comm, int root, F&& fn,
               const std::function<std::pair<int64_t, int64_t>()>& volume) {
  Call call(region_id);
  if (!call.on()) return real(fn);
  collective_begin();
  int rc = real(fn);
  auto [sent, received] = volume();
  collective_end(op, comm, root, sent, received);
  return rc;
}

// Volumes (bytes sent, bytes received) of each kind of operation, shared by the
// blocking and nonblocking forms; the rules are collective_volume.h's.
using Volume = collective_volume::Volume;

Volume bcast_volume(MPI_Comm comm, int root, int count, MPI_Datatype type) {
  return collective_volume::bcast(is_root(comm, root), bytes(count, type));
}

Volume reduce_volume(MPI_Comm comm, int root, int count, MPI_Datatype type) {
  return collective_volume::reduce(is_root(comm, root), bytes(count, type));
}

Volume symmetric_volume(int count, MPI_Datatype type) { return collective_volume::symmetric(bytes(count, type)); }

Volume gather_volume(MPI_Comm comm, int root, const void* sendbuf, int sendcount, MPI_Datatype sendtype,
                     int recvcount, MPI_Datatype recvtype) {
  return collective_volume::gather(is_root(comm, root), comm_size(comm), sendbuf == MPI_IN_PLACE,
                                   bytes(sendcount, sendtype), bytes(recvcount, recvtype));
}

Volume scatter_volume(MPI_Comm comm, int root, int sendcount, MPI_Datatype sendtype, const void* recvbuf,
                      int recvcount, MPI_Datatype recvtype) {
  return collective_volume::scatter(is_root(comm, root), comm_size(comm), recvbuf == MPI_IN_PLACE,
                                    bytes(sendcount, sendtype), bytes(recvcount, recvtype));
}

Volume allgather_volume(MPI_Comm comm, const void* sendbuf, int sendcount, MPI_Datatype sendtype, int recvcount,
                        MPI_Datatype recvtype) {
  return collective_volume::allgather(comm_size(comm), sendbuf == MPI_IN_PLACE, bytes(sendcount, sendtype),
                                      bytes(recvcount, recvtype));
}

Volume alltoall_volume(MPI_Comm comm, const void* sendbuf, int sendcount, MPI_Datatype sendtype, int recvcount,
                       MPI_Datatype recvtype) {
  return collective_volume::alltoall(comm_size(comm), sendbuf == MPI_IN_PLACE, bytes(sendcount, sendtype),
                                     bytes(recvcount, recvtype));
}

Volume gatherv_volume(MPI_Comm comm, int root, const void* sendbuf, int sendcount, MPI_Datatype sendtype,
                      const int recvcounts[], MPI_Datatype recvtype) {
  bool r = is_root(comm, root);
  return collective_volume::gatherv(r, sendbuf == MPI_IN_PLACE, bytes(sendcount, sendtype),
                                    r ? sum_counts(recvcounts, comm_size(comm), recvtype) : 0);
}

Volume scatterv_volume(MPI_Comm comm, int root, const int sendcounts[], MPI_Datatype sendtype, const void* recvbuf,
                       int recvcount, MPI_Datatype recvtype) {
  bool r = is_root(comm, root);
  return collective_volume::scatterv(r, recvbuf == MPI_IN_PLACE,
                                     r ? sum_counts(sendcounts, comm_size(comm), sendtype) : 0,
                                     bytes(recvcount, recvtype));
}

Volume allgatherv_volume(MPI_Comm comm, const void* sendbuf, int sendcount, MPI_Datatype sendtype,
                         const int recvcounts[], MPI_Datatype recvtype) {
  return collective_volume::allgatherv(sendbuf == MPI_IN_PLACE, bytes(sendcount, sendtype),
                                       sum_counts(recvcounts, comm_size(comm), recvtype));
}

Volume alltoallv_volume(MPI_Comm comm, const void* sendbuf, const int sendcounts[], MPI_Datatype sendtype,
                        const int recvcounts[], MPI_Datatype recvtype) {
  int n = comm_size(comm);
  bool in_place = sendbuf == MPI_IN_PLACE;
  return collective_volume::alltoallv(in_place, in_place ? 0 : sum_counts(sendcounts, n, sendtype),
                                      sum_counts(recvcounts, n, recvtype));
}

Volume reduce_scatter_volume(MPI_Comm comm, const int recvcounts[], MPI_Datatype type) {
  int rank = 0;
  PMPI_Comm_rank(comm, &rank);
  return collective_volume::reduce_scatter(sum_counts(recvcounts, comm_size(comm), type), bytes(recvcounts[rank], type));
}

Volume reduce_scatter_block_volume(MPI_Comm comm, int recvcount, MPI_Datatype type) {
  return collective_volume::reduce_scatter_block(comm_size(comm), bytes(recvcount, type));
}

// In- and out-degree of a process topology (Cartesian: 2 per dimension).
void neighbor_counts(MPI_Comm comm, int& in, int& out) {
  int kind = MPI_UNDEFINED;
  PMPI_Topo_test(comm, &kind);
  int rank = 0;
  PMPI_Comm_rank(comm, &rank);
  if (kind == MPI_CART) {
    int dims = 0;
    PMPI_Cartdim_get(comm, &dims);
    in = out = 2 * dims;
  } else if (kind == MPI_GRAPH) {
    PMPI_Graph_neighbors_count(comm, rank, &in);
    out = in;
  } else if (kind == MPI_DIST_GRAPH) {
    int weighted = 0;
    PMPI_Dist_graph_neighbors_count(comm, &in, &out, &weighted);
  }
}

}  // namespace

extern "C" {

int MPI_Barrier(MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Barrier");
  return collective(rondo_region_id, CollectiveOp::Barrier, comm, -1, [&] { return PMPI_Barrier(comm); },
                    [] { return Volume(0, 0); });
}

int MPI_Bcast(void* buf, int count, MPI_Datatype type, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Bcast");
  return collective(rondo_region_id, CollectiveOp::Bcast, comm, root,
                    [&] { return PMPI_Bcast(buf, count, type, root, comm); }, [&] { return bcast_volume(comm, root, count, type); });
}

int MPI_Reduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Reduce");
  return collective(rondo_region_id, CollectiveOp::Reduce, comm, root,
                    [&] { return PMPI_Reduce(sendbuf, recvbuf, count, type, op, root, comm); }, [&] { return reduce_volume(comm, root, count, type); });
}

int MPI_Allreduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Allreduce");
  return collective(rondo_region_id, CollectiveOp::Allreduce, comm, -1,
                    [&] { return PMPI_Allreduce(sendbuf, recvbuf, count, type, op, comm); }, [&] { return symmetric_volume(count, type); });
}

int MPI_Gather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
               MPI_Datatype recvtype, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Gather");
  return collective(rondo_region_id, CollectiveOp::Gather, comm, root,
                    [&] { return PMPI_Gather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm); },
                    [&] { return gather_volume(comm, root, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Gatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Gatherv");
  return collective(rondo_region_id, CollectiveOp::Gatherv, comm, root,
                    [&] {
                      return PMPI_Gatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root,
                                          comm);
                    },
                    [&] { return gatherv_volume(comm, root, sendbuf, sendcount, sendtype, recvcounts, recvtype); });
}

int MPI_Scatter(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                MPI_Datatype recvtype, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Scatter");
  return collective(rondo_region_id, CollectiveOp::Scatter, comm, root,
                    [&] { return PMPI_Scatter(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm); },
                    [&] { return scatter_volume(comm, root, sendcount, sendtype, recvbuf, recvcount, recvtype); });
}

int MPI_Scatterv(const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype, void* recvbuf,
                 int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Scatterv");
  return collective(rondo_region_id, CollectiveOp::Scatterv, comm, root,
                    [&] {
                      return PMPI_Scatterv(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root,
                                           comm);
                    },
                    [&] { return scatterv_volume(comm, root, sendcounts, sendtype, recvbuf, recvcount, recvtype); });
}

int MPI_Allgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                  MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Allgather");
  return collective(rondo_region_id, CollectiveOp::Allgather, comm, -1,
                    [&] { return PMPI_Allgather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm); },
                    [&] { return allgather_volume(comm, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Allgatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                   const int displs[], MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Allgatherv");
  return collective(rondo_region_id, CollectiveOp::Allgatherv, comm, -1,
                    [&] {
                      return PMPI_Allgatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm);
                    },
                    [&] { return allgatherv_volume(comm, sendbuf, sendcount, sendtype, recvcounts, recvtype); });
}

int MPI_Alltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                 MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Alltoall");
  return collective(rondo_region_id, CollectiveOp::Alltoall, comm, -1,
                    [&] { return PMPI_Alltoall(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm); },
                    [&] { return alltoall_volume(comm, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Alltoallv(const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                  void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Alltoallv");
  return collective(rondo_region_id, CollectiveOp::Alltoallv, comm, -1,
                    [&] {
                      return PMPI_Alltoallv(sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls,
                                            recvtype, comm);
                    },
                    [&] { return alltoallv_volume(comm, sendbuf, sendcounts, sendtype, recvcounts, recvtype); });
}

int MPI_Reduce_scatter(const void* sendbuf, void* recvbuf, const int recvcounts[], MPI_Datatype type, MPI_Op op,
                       MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Reduce_scatter");
  return collective(rondo_region_id, CollectiveOp::ReduceScatter, comm, -1,
                    [&] { return PMPI_Reduce_scatter(sendbuf, recvbuf, recvcounts, type, op, comm); }, [&] { return reduce_scatter_volume(comm, recvcounts, type); });
}

int MPI_Reduce_scatter_block(const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype type, MPI_Op op,
                             MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Reduce_scatter_block");
  return collective(rondo_region_id, CollectiveOp::ReduceScatterBlock, comm, -1,
                    [&] { return PMPI_Reduce_scatter_block(sendbuf, recvbuf, recvcount, type, op, comm); }, [&] { return reduce_scatter_block_volume(comm, recvcount, type); });
}

int MPI_Scan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Scan");
  return collective(rondo_region_id, CollectiveOp::Scan, comm, -1,
                    [&] { return PMPI_Scan(sendbuf, recvbuf, count, type, op, comm); }, [&] { return symmetric_volume(count, type); });
}

int MPI_Exscan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Exscan");
  return collective(rondo_region_id, CollectiveOp::Exscan, comm, -1,
                    [&] { return PMPI_Exscan(sendbuf, recvbuf, count, type, op, comm); }, [&] { return symmetric_volume(count, type); });
}

// Nonblocking collectives: the operation's records are written when it is
// started (the call that posts it), with the volume it will move.
int MPI_Ibarrier(MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ibarrier");
  return collective(rondo_region_id, CollectiveOp::Barrier, comm, -1, [&] { return PMPI_Ibarrier(comm, req); },
                    [] { return Volume(0, 0); });
}

int MPI_Ibcast(void* buf, int count, MPI_Datatype type, int root, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ibcast");
  return collective(rondo_region_id, CollectiveOp::Bcast, comm, root,
                    [&] { return PMPI_Ibcast(buf, count, type, root, comm, req); }, [&] { return bcast_volume(comm, root, count, type); });
}

int MPI_Ireduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, int root, MPI_Comm comm,
                MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ireduce");
  return collective(rondo_region_id, CollectiveOp::Reduce, comm, root,
                    [&] { return PMPI_Ireduce(sendbuf, recvbuf, count, type, op, root, comm, req); }, [&] { return reduce_volume(comm, root, count, type); });
}

int MPI_Iallreduce(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                   MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iallreduce");
  return collective(rondo_region_id, CollectiveOp::Allreduce, comm, -1,
                    [&] { return PMPI_Iallreduce(sendbuf, recvbuf, count, type, op, comm, req); }, [&] { return symmetric_volume(count, type); });
}

int MPI_Iallgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                   MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iallgather");
  return collective(rondo_region_id, CollectiveOp::Allgather, comm, -1,
                    [&] {
                      return PMPI_Iallgather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, req);
                    },
                    [&] { return allgather_volume(comm, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Ialltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                  MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ialltoall");
  return collective(rondo_region_id, CollectiveOp::Alltoall, comm, -1,
                    [&] {
                      return PMPI_Ialltoall(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm, req);
                    },
                    [&] { return alltoall_volume(comm, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Igather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Igather");
  return collective(rondo_region_id, CollectiveOp::Gather, comm, root,
                    [&] {
                      return PMPI_Igather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, req);
                    },
                    [&] { return gather_volume(comm, root, sendbuf, sendcount, sendtype, recvcount, recvtype); });
}

int MPI_Iscatter(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                 MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iscatter");
  return collective(rondo_region_id, CollectiveOp::Scatter, comm, root,
                    [&] {
                      return PMPI_Iscatter(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, root, comm, req);
                    },
                    [&] { return scatter_volume(comm, root, sendcount, sendtype, recvbuf, recvcount, recvtype); });
}

int MPI_Alltoallw(const void* sendbuf, const int sendcounts[], const int sdispls[], const MPI_Datatype sendtypes[],
                  void* recvbuf, const int recvcounts[], const int rdispls[], const MPI_Datatype recvtypes[],
                  MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Alltoallw");
  return collective(rondo_region_id, CollectiveOp::Alltoallw, comm, -1,
                    [&] {
                      return PMPI_Alltoallw(sendbuf, sendcounts, sdispls, sendtypes, recvbuf, recvcounts, rdispls,
                                            recvtypes, comm);
                    },
                    [&] {
                      int n = comm_size(comm);
                      int64_t sent = 0, received = 0;
                      for (int i = 0; i < n; ++i) {
                        received += bytes(recvcounts[i], recvtypes[i]);
                        if (sendbuf != MPI_IN_PLACE) sent += bytes(sendcounts[i], sendtypes[i]);
                      }
                      return Volume(sendbuf == MPI_IN_PLACE ? received : sent, received);
                    });
}

int MPI_Igatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                 const int displs[], MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Igatherv");
  return collective(rondo_region_id, CollectiveOp::Gatherv, comm, root,
                    [&] {
                      return PMPI_Igatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, root,
                                           comm, req);
                    },
                    [&] { return gatherv_volume(comm, root, sendbuf, sendcount, sendtype, recvcounts, recvtype); });
}

int MPI_Iscatterv(const void* sendbuf, const int sendcounts[], const int displs[], MPI_Datatype sendtype,
                  void* recvbuf, int recvcount, MPI_Datatype recvtype, int root, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iscatterv");
  return collective(rondo_region_id, CollectiveOp::Scatterv, comm, root,
                    [&] {
                      return PMPI_Iscatterv(sendbuf, sendcounts, displs, sendtype, recvbuf, recvcount, recvtype, root,
                                            comm, req);
                    },
                    [&] { return scatterv_volume(comm, root, sendcounts, sendtype, recvbuf, recvcount, recvtype); });
}

int MPI_Iallgatherv(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, const int recvcounts[],
                    const int displs[], MPI_Datatype recvtype, MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iallgatherv");
  return collective(rondo_region_id, CollectiveOp::Allgatherv, comm, -1,
                    [&] {
                      return PMPI_Iallgatherv(sendbuf, sendcount, sendtype, recvbuf, recvcounts, displs, recvtype, comm,
                                              req);
                    },
                    [&] { return allgatherv_volume(comm, sendbuf, sendcount, sendtype, recvcounts, recvtype); });
}

int MPI_Ialltoallv(const void* sendbuf, const int sendcounts[], const int sdispls[], MPI_Datatype sendtype,
                   void* recvbuf, const int recvcounts[], const int rdispls[], MPI_Datatype recvtype, MPI_Comm comm,
                   MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ialltoallv");
  return collective(rondo_region_id, CollectiveOp::Alltoallv, comm, -1,
                    [&] {
                      return PMPI_Ialltoallv(sendbuf, sendcounts, sdispls, sendtype, recvbuf, recvcounts, rdispls,
                                             recvtype, comm, req);
                    },
                    [&] { return alltoallv_volume(comm, sendbuf, sendcounts, sendtype, recvcounts, recvtype); });
}

int MPI_Ireduce_scatter_block(const void* sendbuf, void* recvbuf, int recvcount, MPI_Datatype type, MPI_Op op,
                              MPI_Comm comm, MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Ireduce_scatter_block");
  return collective(rondo_region_id, CollectiveOp::ReduceScatterBlock, comm, -1,
                    [&] { return PMPI_Ireduce_scatter_block(sendbuf, recvbuf, recvcount, type, op, comm, req); },
                    [&] { return reduce_scatter_block_volume(comm, recvcount, type); });
}

int MPI_Iscan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
              MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iscan");
  return collective(rondo_region_id, CollectiveOp::Scan, comm, -1,
                    [&] { return PMPI_Iscan(sendbuf, recvbuf, count, type, op, comm, req); },
                    [&] { return symmetric_volume(count, type); });
}

int MPI_Iexscan(const void* sendbuf, void* recvbuf, int count, MPI_Datatype type, MPI_Op op, MPI_Comm comm,
                MPI_Request* req) {
  RONDO_MPI_REGION("MPI_Iexscan");
  return collective(rondo_region_id, CollectiveOp::Exscan, comm, -1,
                    [&] { return PMPI_Iexscan(sendbuf, recvbuf, count, type, op, comm, req); },
                    [&] { return symmetric_volume(count, type); });
}

int MPI_Neighbor_allgather(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                           MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Neighbor_allgather");
  return collective(rondo_region_id, CollectiveOp::NeighborAllgather, comm, -1,
                    [&] {
                      return PMPI_Neighbor_allgather(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm);
                    },
                    [&] {
                      int in = 0, out = 0;
                      neighbor_counts(comm, in, out);
                      return Volume(bytes(sendcount, sendtype) * out, bytes(recvcount, recvtype) * in);
                    });
}

int MPI_Neighbor_alltoall(const void* sendbuf, int sendcount, MPI_Datatype sendtype, void* recvbuf, int recvcount,
                          MPI_Datatype recvtype, MPI_Comm comm) {
  RONDO_MPI_REGION("MPI_Neighbor_alltoall");
  return collective(rondo_region_id, CollectiveOp::NeighborAlltoall, comm, -1,
                    [&] {
                      return PMPI_Neighbor_alltoall(sendbuf, sendcount, sendtype, recvbuf, recvcount, recvtype, comm);
                    },
                    [&] {
                      int in = 0, out = 0;
                      neighbor_counts(comm, in, out);
                      return Volume(bytes(sendcount, sendtype) * out, bytes(recvcount, recvtype) * in);
                    });
}

}  // extern "C"
